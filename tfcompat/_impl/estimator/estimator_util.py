"""Helpers of `Estimator`: calling input_fns and model_fns with the arguments they take, and the eval loop.

    features, labels = call_input_fn(input_fn, ModeKeys.TRAIN, params, config)   # Dataset or (features, labels)
    spec = call_model_fn(model_fn, features, labels, mode, params, config)       # an EstimatorSpec
"""
from __future__ import annotations

import functools
import inspect
import os
from typing import Any

from ..data.dataset import Dataset
from ..io.logging_api import get_logger
from ..v1.basic_hooks import FileWriterCache
from ..v1.session_run_hook import SessionRunArgs, SessionRunHook
from ..v1.summary_v1 import _merge, _scalar
from .model_fn import EstimatorSpec


def fn_args(fn: Any) -> tuple:
    """Names of the parameters `fn` takes (functools.partial and bound methods handled)."""
    if isinstance(fn, functools.partial):
        return tuple(a for a in fn_args(fn.func) if a not in fn.keywords)
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return ()
    return tuple(n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def verify_model_fn_args(model_fn: Any, params: Any) -> None:
    args = set(fn_args(model_fn))
    if "features" not in args:
        raise ValueError(f"model_fn ({model_fn}) must include features argument.")
    if params is not None and "params" not in args:
        raise ValueError(f"model_fn ({model_fn}) does not include params argument, but params ({params}) is passed "
                         "to Estimator.")


def call_input_fn(input_fn: Any, mode: str, params: Any, config: Any) -> tuple:
    """(features, labels) from an input_fn returning a Dataset, a (features, labels) pair or features."""
    args = fn_args(input_fn)
    kwargs = {k: v for k, v in (("params", params), ("config", config), ("mode", mode), ("input_context", None))
              if k in args}
    result = input_fn(**kwargs)
    if isinstance(result, Dataset):
        result = result.make_one_shot_iterator().get_next()
    if isinstance(result, (list, tuple)):
        if len(result) != 2:
            raise ValueError(f"input_fn should return (features, labels) as a len 2 tuple, got {len(result)} items.")
        return result[0], result[1]
    return result, None


def call_model_fn(model_fn: Any, features: Any, labels: Any, mode: str, params: Any, config: Any) -> EstimatorSpec:
    args = fn_args(model_fn)
    kwargs: dict[str, Any] = {}
    if "labels" in args:
        kwargs["labels"] = labels
    elif labels is not None:
        raise ValueError("model_fn does not take labels, but input_fn returns labels.")
    for name, value in (("mode", mode), ("params", params), ("config", config)):
        if name in args:
            kwargs[name] = value
    get_logger().info("Calling model_fn.")
    spec = model_fn(features=features, **kwargs)
    get_logger().info("Done calling model_fn.")
    if not isinstance(spec, EstimatorSpec):
        raise ValueError(f"model_fn should return an EstimatorSpec, got {type(spec).__name__}.")
    return spec


def extract_keys(predictions: Any, predict_keys: Any) -> Any:
    if not predict_keys:
        return predictions
    if not isinstance(predictions, dict):
        raise ValueError("predict_keys argument is not valid in case of non-dict predictions.")
    keys = [predict_keys] if isinstance(predict_keys, str) else list(predict_keys)
    chosen = {k: v for k, v in predictions.items() if k in keys}
    if not chosen:
        raise ValueError(f"Expected to run at least one output from {list(predictions)}, provided {keys}.")
    return chosen


def batch_length(values: dict) -> int:
    length = None
    for key, value in values.items():
        n = value.shape[0] if getattr(value, "ndim", 0) else None
        if n is None:
            raise ValueError(f"Prediction {key} has no batch dimension (a scalar); use yield_single_examples=False.")
        if length is not None and n != length:
            raise ValueError(f"Batch length of predictions should be same. {key} has different batch length than "
                             "others.")
        length = n
    return length or 0


class StopAfterNEvalsHook(SessionRunHook):
    """Stops an evaluation after `num_evals` runs (evaluate(steps=N))."""

    def __init__(self, num_evals: int) -> None:
        self._num_evals, self._evals_completed = num_evals, 0

    def after_run(self, run_context: Any, run_values: Any) -> None:
        self._evals_completed += 1
        if self._evals_completed >= self._num_evals:
            run_context.request_stop()

    def before_run(self, run_context: Any) -> Any:
        return SessionRunArgs(None)


def dict_to_str(dictionary: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(dictionary.items()) if not isinstance(v, bytes))


def write_eval_summary(eval_dir: str, results: dict, checkpoint_path: Any) -> None:
    """Each scalar metric as a summary at the global step, in `eval_dir` (TensorBoard reads it)."""
    step = int(results["global_step"])
    parts = [_scalar(v, k) for k, v in sorted(results.items()) if k != "global_step" and getattr(v, "ndim", 0) == 0]
    writer = FileWriterCache.get(eval_dir)
    if parts:
        writer.add_summary(_merge(*parts), step)
    if checkpoint_path:
        get_logger().info("Saving 'checkpoint_path' summary for global step %d: %s", step, checkpoint_path)
    writer.flush()


def eval_dir(model_dir: str, name: Any) -> str:
    return os.path.join(model_dir, "eval" if not name else "eval_" + name)
