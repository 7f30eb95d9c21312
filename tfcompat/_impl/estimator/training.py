"""`tf.estimator.train_and_evaluate` (one local process), with `TrainSpec` and `EvalSpec`.

    train_spec = tf.estimator.TrainSpec(train_input_fn, max_steps=1000)
    eval_spec = tf.estimator.EvalSpec(eval_input_fn, steps=None, throttle_secs=0)
    metrics, exports = tf.estimator.train_and_evaluate(est, train_spec, eval_spec)

As TensorFlow's local executor: training saves checkpoints as RunConfig says, and each new checkpoint
(at most once per `throttle_secs`) is evaluated; the last checkpoint is always evaluated.
"""
from __future__ import annotations

import collections
from typing import Any

from ..._export import export
from ..io.logging_api import get_logger
from ..v1.basic_hooks import CheckpointSaverListener
from ..v1.session_run_hook import SecondOrStepTimer, SessionRunHook
from .estimator import Estimator


def _hooks(hooks: Any) -> tuple:
    hooks = tuple(hooks or ())
    for h in hooks:
        if not isinstance(h, SessionRunHook):
            raise TypeError(f"All hooks must be SessionRunHook instances, given: {h}")
    return hooks


@export("estimator.TrainSpec", v1=("estimator.TrainSpec",))
class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks", "saving_listeners"])):
    """The training half of train_and_evaluate: input_fn, max_steps, hooks."""

    def __new__(cls, input_fn: Any, max_steps: Any = None, hooks: Any = None,
                saving_listeners: Any = None) -> "TrainSpec":
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        return super().__new__(cls, input_fn, max_steps, _hooks(hooks), tuple(saving_listeners or ()))


@export("estimator.EvalSpec", v1=("estimator.EvalSpec",))
class EvalSpec(collections.namedtuple("EvalSpec", ["input_fn", "steps", "name", "hooks", "exporters",
                                                   "start_delay_secs", "throttle_secs"])):
    """The evaluation half of train_and_evaluate: input_fn, steps (None: until the input ends), throttle."""

    def __new__(cls, input_fn: Any, steps: Any = 100, name: Any = None, hooks: Any = None, exporters: Any = None,
                start_delay_secs: int = 120, throttle_secs: int = 600) -> "EvalSpec":
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn}")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be string, given: {name}")
        if start_delay_secs < 0:
            raise ValueError(f"Must specify start_delay_secs >= 0, given: {start_delay_secs}")
        if throttle_secs < 0:
            raise ValueError(f"Must specify throttle_secs >= 0, given: {throttle_secs}")
        exporters = tuple(exporters) if isinstance(exporters, (list, tuple)) else (exporters,) if exporters else ()
        for e in exporters:
            if not hasattr(e, "export") or not hasattr(e, "name"):
                raise TypeError(f"`exporters` must be an Exporter, given {e}")
        return super().__new__(cls, input_fn, steps, name, _hooks(hooks), exporters, start_delay_secs, throttle_secs)


class _EvaluateOnCheckpoint(CheckpointSaverListener):
    """Evaluates each new checkpoint (throttled), and the last one at the end of training."""

    def __init__(self, estimator: Estimator, eval_spec: EvalSpec, max_steps: Any) -> None:
        self._estimator, self._spec, self._max_steps = estimator, eval_spec, max_steps
        self.eval_result: Any = None
        self.export_results: list = []
        self._previous: Any = None

    def begin(self) -> None:
        self._timer = SecondOrStepTimer(every_secs=self._spec.throttle_secs)
        self._is_first_run = True

    def after_save(self, session: Any, global_step_value: int) -> Any:
        if self._is_first_run:  # NOTE: the checkpoint written when the session starts is not new
            self._is_first_run = False
            return False
        if not self._spec.throttle_secs or self._timer.should_trigger_for_step(global_step_value):
            self._timer.update_last_triggered_step(global_step_value)
            self._evaluate()
        return False

    def end(self, session: Any, global_step_value: int) -> None:
        if global_step_value != self._timer.last_triggered_step():
            self._evaluate()

    def _evaluate(self) -> None:
        path = self._estimator.latest_checkpoint()
        if path == self._previous:
            get_logger().info("No new checkpoint ready for evaluation. Skip the current evaluation pass as evaluation "
                              "results are expected to be same for the same checkpoint.")
            return
        self.eval_result = self._estimator.evaluate(self._spec.input_fn, steps=self._spec.steps, name=self._spec.name,
                                                    checkpoint_path=path, hooks=self._spec.hooks)
        self._previous = path
        final = bool(self._max_steps) and self.eval_result["global_step"] >= self._max_steps
        for exporter in self._spec.exporters:
            export_dir = f"{self._estimator.model_dir}/export/{exporter.name}"
            self.export_results.append(exporter.export(self._estimator, export_dir, path, self.eval_result, final))


@export("estimator.train_and_evaluate", v1=("estimator.train_and_evaluate",))
def train_and_evaluate(estimator: Any, train_spec: Any, eval_spec: Any) -> tuple:
    """Train `estimator`, evaluating each new checkpoint; returns (last eval metrics, export results)."""
    if not isinstance(estimator, Estimator):
        raise TypeError(f"`estimator` must have type `tf.estimator.Estimator`. Got: {type(estimator)}")
    if not isinstance(train_spec, TrainSpec):
        raise TypeError(f"`train_spec` must have type `tf.estimator.TrainSpec`. Got: {type(train_spec)}")
    if not isinstance(eval_spec, EvalSpec):
        raise TypeError(f"`eval_spec` must have type `tf.estimator.EvalSpec`. Got: {type(eval_spec)}")
    config = estimator.config
    log = get_logger()
    log.info("Not using Distribute Coordinator.")
    log.info("Running training and evaluation locally (non-distributed).")
    log.info("Start train and evaluate loop. The evaluate will happen after every checkpoint. Checkpoint frequency "
             "is determined based on RunConfig arguments: save_checkpoints_steps %s or save_checkpoints_secs %s.",
             config.save_checkpoints_steps, config.save_checkpoints_secs)
    listener = _EvaluateOnCheckpoint(estimator, eval_spec, train_spec.max_steps)
    estimator.train(train_spec.input_fn, max_steps=train_spec.max_steps, hooks=list(train_spec.hooks),
                    saving_listeners=[listener] + list(train_spec.saving_listeners))
    return listener.eval_result, listener.export_results
