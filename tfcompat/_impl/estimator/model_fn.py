"""`tf.estimator.EstimatorSpec`: what a model_fn returns for one mode, checked as TensorFlow checks it.

    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                      eval_metric_ops={"mae": tf.metrics.mean_absolute_error(labels, pred)})
"""
from __future__ import annotations

import collections
from typing import Any

from runtime import dispatch

from ..._export import export
from .run_config import ModeKeys

_FIELDS = ["mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs", "training_chief_hooks",
           "training_hooks", "scaffold", "evaluation_hooks", "prediction_hooks"]


def _check_hooks(hooks: Any, what: str) -> tuple:
    hooks = tuple(hooks or ())
    from ..v1.session_run_hook import SessionRunHook  # noqa: PLC0415
    for h in hooks:
        if not isinstance(h, SessionRunHook):
            raise TypeError(f"All hooks must be SessionRunHook instances, given: {h!r} (in {what})")
    return hooks


def _metric_pair(name: str, value: Any) -> tuple:
    if hasattr(value, "result") and hasattr(value, "update_state"):      # a Keras metric object
        return value
    if not isinstance(value, tuple) or len(value) != 2:
        raise TypeError(f"Values of eval_metric_ops must be (metric_value, update_op) tuples, given: {value!r} "
                        f"for key: {name}")
    return value


@export("estimator.EstimatorSpec", v1=("estimator.EstimatorSpec",))
class EstimatorSpec(collections.namedtuple("EstimatorSpec", _FIELDS)):
    """Ops and objects returned from a model_fn: TRAIN needs loss and train_op, EVAL loss, PREDICT predictions."""

    def __new__(cls, mode: str, predictions: Any = None, loss: Any = None, train_op: Any = None,
                eval_metric_ops: Any = None, export_outputs: Any = None, training_chief_hooks: Any = None,
                training_hooks: Any = None, scaffold: Any = None, evaluation_hooks: Any = None,
                prediction_hooks: Any = None) -> "EstimatorSpec":
        if mode not in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):
            raise ValueError(f"mode={mode!r} is not one of tf.estimator.ModeKeys (TRAIN, EVAL, PREDICT)")
        if train_op is None and mode == ModeKeys.TRAIN:
            raise ValueError("Missing train_op.")
        if loss is None and mode in (ModeKeys.TRAIN, ModeKeys.EVAL):
            raise ValueError("Missing loss.")
        if loss is not None:
            loss = dispatch.convert_to_tensor(loss) if not dispatch.is_tensor(loss) else loss
            shape = loss.shape
            if shape.rank is not None and shape.rank > 0 and any(d != 1 for d in shape.as_list()):
                raise ValueError(f"Loss must be scalar, given: {loss}")
        if predictions is None:
            if mode == ModeKeys.PREDICT:
                raise ValueError("Missing predictions.")
            predictions = {}
        elif not (isinstance(predictions, dict) or dispatch.is_tensor(predictions)):
            raise TypeError(f"predictions must be Tensor or dict of string to Tensor. Given: {predictions!r}")
        eval_metric_ops = {k: _metric_pair(k, v) for k, v in dict(eval_metric_ops or {}).items()}
        return super().__new__(cls, mode, predictions, loss, train_op, eval_metric_ops, export_outputs,
                               _check_hooks(training_chief_hooks, "training_chief_hooks"),
                               _check_hooks(training_hooks, "training_hooks"), scaffold,
                               _check_hooks(evaluation_hooks, "evaluation_hooks"),
                               _check_hooks(prediction_hooks, "prediction_hooks"))

    def _replace(self, **kwds: Any) -> "EstimatorSpec":
        fields = self._asdict()
        fields.update(kwds)
        return EstimatorSpec(**fields)
