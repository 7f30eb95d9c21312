"""`tf.estimator.experimental.stop_if_no_decrease_hook` (and the other early-stopping hooks).

    hook = tf.estimator.experimental.stop_if_no_decrease_hook(est, "loss", max_steps_without_decrease=100)
    tf.estimator.train_and_evaluate(est, tf.estimator.TrainSpec(input_fn, hooks=[hook]), eval_spec)

As TensorFlow's: the hook reads the eval metrics the Estimator wrote to its eval dir (event files) every
`run_every_secs` / `run_every_steps` and stops training when the metric has not improved for
`max_steps_without_decrease` steps; it sets the `signal_early_stopping/STOP` variable.
"""
from __future__ import annotations

import collections
import glob
import operator
import os
from typing import Any, Callable

from ..._export import export
from ..io.logging_api import get_logger
from ..v1.session_run_hook import SecondOrStepTimer, SessionRunArgs, SessionRunHook
from ..v1.summary_v1 import summary_iterator


def read_eval_metrics(eval_dir: str) -> collections.OrderedDict:
    """{global_step: {metric: value}} from the event files in `eval_dir`, sorted by step."""
    metrics: dict[int, dict] = collections.defaultdict(dict)
    for path in sorted(glob.glob(os.path.join(eval_dir, "events.out.tfevents*"))):
        for event in summary_iterator(path):
            if not event.HasField("summary"):
                continue
            values = {v.tag: v.simple_value for v in event.summary.value if v.HasField("simple_value")}
            if values:
                metrics[event.step].update(values)
    return collections.OrderedDict(sorted(metrics.items()))


class _StopOnPredicateHook(SessionRunHook):
    def __init__(self, should_stop_fn: Callable[[], bool], run_every_secs: Any = 60, run_every_steps: Any = None) -> None:
        if not callable(should_stop_fn):
            raise TypeError("`should_stop_fn` must be callable.")
        self._should_stop_fn = should_stop_fn
        self._timer = SecondOrStepTimer(every_secs=run_every_secs, every_steps=run_every_steps)

    def begin(self) -> None:
        from ..feature_column.columns import tf  # noqa: PLC0415
        t = tf()
        self._global_step_tensor = t.train.get_global_step()
        with t.variable_scope("signal_early_stopping", reuse=t.AUTO_REUSE):
            stop = t.get_variable("STOP", [], dtype=t.bool, initializer=t.constant_initializer(False),
                                  trainable=False)
        self._stop_op = t.assign(stop, True)

    def before_run(self, run_context: Any) -> Any:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        step = int(run_values.results)
        if self._timer.should_trigger_for_step(step):
            self._timer.update_last_triggered_step(step)
            if self._should_stop_fn():
                get_logger().info("Requesting early stopping at global step %d", step)
                run_context.session.run(self._stop_op)
                run_context.request_stop()


@export("estimator.experimental.make_early_stopping_hook", v1=("estimator.experimental.make_early_stopping_hook",))
def make_early_stopping_hook(estimator: Any, should_stop_fn: Any, run_every_secs: Any = 60,
                             run_every_steps: Any = None) -> SessionRunHook:
    """A hook that stops training when `should_stop_fn()` returns True (checked every N secs or steps)."""
    return _StopOnPredicateHook(should_stop_fn, run_every_secs, run_every_steps)


def _no_improvement_hook(estimator: Any, metric_name: str, max_steps: int, higher_is_better: bool, eval_dir: Any,
                         min_steps: int, run_every_secs: Any, run_every_steps: Any) -> SessionRunHook:
    eval_dir = eval_dir or estimator.eval_dir()
    better = operator.gt if higher_is_better else operator.lt
    direction = "increase" if higher_is_better else "decrease"

    def should_stop() -> bool:
        best, best_step = None, None
        for step, metrics in read_eval_metrics(eval_dir).items():
            if step < min_steps:
                continue
            if metric_name not in metrics:
                raise ValueError(f'metric_name "{metric_name}" not found in eval metrics of step {step} in '
                                 f"{eval_dir} (found {sorted(metrics)})")
            if best is None or better(metrics[metric_name], best):
                best, best_step = metrics[metric_name], step
            if step - best_step >= max_steps:
                get_logger().info('No %s in metric "%s" for %s steps, which is greater than or equal to max steps (%s) '
                                  "configured for early stopping.", direction, metric_name, step - best_step, max_steps)
                return True
        return False
    return make_early_stopping_hook(estimator, should_stop, run_every_secs, run_every_steps)


@export("estimator.experimental.stop_if_no_decrease_hook", v1=("estimator.experimental.stop_if_no_decrease_hook",))
def stop_if_no_decrease_hook(estimator: Any, metric_name: str, max_steps_without_decrease: int, eval_dir: Any = None,
                             min_steps: int = 0, run_every_secs: Any = 60, run_every_steps: Any = None) -> SessionRunHook:
    """Stop training when eval `metric_name` has not decreased for `max_steps_without_decrease` steps."""
    return _no_improvement_hook(estimator, metric_name, max_steps_without_decrease, False, eval_dir, min_steps,
                                run_every_secs, run_every_steps)


@export("estimator.experimental.stop_if_no_increase_hook", v1=("estimator.experimental.stop_if_no_increase_hook",))
def stop_if_no_increase_hook(estimator: Any, metric_name: str, max_steps_without_increase: int, eval_dir: Any = None,
                             min_steps: int = 0, run_every_secs: Any = 60, run_every_steps: Any = None) -> SessionRunHook:
    """Stop training when eval `metric_name` has not increased for `max_steps_without_increase` steps."""
    return _no_improvement_hook(estimator, metric_name, max_steps_without_increase, True, eval_dir, min_steps,
                                run_every_secs, run_every_steps)
