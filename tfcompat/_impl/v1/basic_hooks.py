"""TF1's ready-made session hooks: logging, stopping, checkpoints, summaries, NaN checks, step rate.

    hooks = [tf.train.StopAtStepHook(last_step=100),
             tf.train.LoggingTensorHook({"loss": loss}, every_n_iter=10)]   # INFO:tensorflow:loss = 0.25
    with tf.train.MonitoredTrainingSession(checkpoint_dir=d, hooks=hooks) as sess: ...

Log lines have TensorFlow 1.15's wording (through `tf.logging`, the "tensorflow" logger).
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..._export import export
from ..io.checkpoint_state import get_checkpoint_state
from ..io.logging_api import get_logger
from .graph_api import get_default_graph
from .session_run_hook import SecondOrStepTimer, SessionRunArgs, SessionRunHook, global_step_read
from .summary_v1 import FileWriter, _scalar

_log = get_logger


def _element(t: Any) -> Any:
    if isinstance(t, str):
        return get_default_graph().as_graph_element(t if ":" in t else t + ":0")
    return t


def _step_tensor(hook: str) -> Any:
    read = global_step_read()
    if read is None:
        raise RuntimeError(f"Global step should be created to use {hook}.")
    return read


def _every(every_n_iter: Any, every_n_secs: Any, what: str = "every_n_iter") -> SecondOrStepTimer:
    if (every_n_iter is None) == (every_n_secs is None):
        raise ValueError(f"either at_end and/or exactly one of {what} and every_n_secs must be provided.")
    if every_n_iter is not None and every_n_iter <= 0:
        raise ValueError(f"invalid {what}={every_n_iter}.")
    return SecondOrStepTimer(every_secs=every_n_secs, every_steps=every_n_iter)


@export("estimator.LoggingTensorHook", v1=("train.LoggingTensorHook", "estimator.LoggingTensorHook"))
class LoggingTensorHook(SessionRunHook):
    """Logs `tag = value, ...` every N local steps or seconds (and/or at the end)."""

    def __init__(self, tensors: Any, every_n_iter: Any = None, every_n_secs: Any = None, at_end: bool = False,
                 formatter: Any = None) -> None:
        if not isinstance(tensors, dict):
            self._tag_order = [t if isinstance(t, str) else t.name for t in tensors]
            tensors = dict(zip(self._tag_order, tensors))
        else:
            self._tag_order = sorted(tensors)
        only_log_at_end = at_end and every_n_iter is None and every_n_secs is None
        self._timer = None if only_log_at_end else _every(every_n_iter, every_n_secs)
        self._tensors, self._log_at_end, self._formatter = tensors, at_end, formatter

    def begin(self) -> None:
        if self._timer is not None:
            self._timer.reset()
        self._iter_count = 0
        self._current = {tag: _element(t) for tag, t in self._tensors.items()}

    def before_run(self, run_context: Any) -> Any:
        self._should_trigger = self._timer is not None and self._timer.should_trigger_for_step(self._iter_count)
        return SessionRunArgs(self._current) if self._should_trigger else None

    def _log_tensors(self, values: dict) -> None:
        original = np.get_printoptions()
        np.set_printoptions(suppress=True)
        elapsed = self._timer.update_last_triggered_step(self._iter_count)[0] if self._timer else None
        if self._formatter:
            _log().info(self._formatter(values))
        else:
            stats = ", ".join("%s = %s" % (tag, values[tag]) for tag in self._tag_order)  # noqa: UP031  (str, as TF)
            if elapsed is not None:
                _log().info("%s (%.3f sec)", stats, elapsed)
            else:
                _log().info("%s", stats)
        np.set_printoptions(**original)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        if self._should_trigger:
            self._log_tensors(run_values.results)
        self._iter_count += 1

    def end(self, session: Any) -> None:
        if self._log_at_end:
            self._log_tensors(session.run(self._current))


@export("estimator.StopAtStepHook", v1=("train.StopAtStepHook", "estimator.StopAtStepHook"))
class StopAtStepHook(SessionRunHook):
    """Requests stop after `num_steps` more steps or when the global step reaches `last_step`."""

    def __init__(self, num_steps: Any = None, last_step: Any = None) -> None:
        if num_steps is None and last_step is None:
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and last_step is not None:
            raise ValueError("Only one of num_steps or last_step can be specified.")
        self._num_steps, self._last_step = num_steps, last_step

    def begin(self) -> None:
        self._global_step_tensor = _step_tensor("StopAtStepHook")

    def after_create_session(self, session: Any, coord: Any) -> None:
        if self._last_step is None:
            self._last_step = int(session.run(self._global_step_tensor)) + self._num_steps

    def before_run(self, run_context: Any) -> Any:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        if run_values.results + 1 >= self._last_step:
            # NOTE: the fetched step was read before this run's increment; check the real value
            if int(run_context.session.run(self._global_step_tensor)) >= self._last_step:
                run_context.request_stop()


@export("estimator.CheckpointSaverListener", v1=("train.CheckpointSaverListener", "estimator.CheckpointSaverListener"))
class CheckpointSaverListener:
    """Called around each checkpoint a CheckpointSaverHook writes; `after_save` may return True to stop."""

    def begin(self) -> None:
        pass

    def before_save(self, session: Any, global_step_value: int) -> None:
        pass

    def after_save(self, session: Any, global_step_value: int) -> Any:
        pass

    def end(self, session: Any, global_step_value: int) -> None:
        pass


@export("estimator.CheckpointSaverHook", v1=("train.CheckpointSaverHook", "estimator.CheckpointSaverHook"))
class CheckpointSaverHook(SessionRunHook):
    """Saves `checkpoint_dir/model.ckpt-<step>` every N steps or seconds, at creation and at the end."""

    def __init__(self, checkpoint_dir: str, save_secs: Any = None, save_steps: Any = None, saver: Any = None,
                 checkpoint_basename: str = "model.ckpt", scaffold: Any = None, listeners: Any = None,
                 save_graph_def: bool = True) -> None:
        _log().info("Create CheckpointSaverHook.")
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        self._saver, self._scaffold = saver, scaffold
        self._checkpoint_dir = checkpoint_dir
        self._save_path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)
        self._listeners = list(listeners or [])

    def begin(self) -> None:
        self._global_step_tensor = _step_tensor("CheckpointSaverHook")
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session: Any, coord: Any) -> None:
        state = get_checkpoint_state(self._checkpoint_dir)
        if state is not None:  # NOTE: older checkpoints of a resumed run still count towards max_to_keep
            self._get_saver().recover_last_checkpoints(list(state.all_model_checkpoint_paths))
        global_step = int(session.run(self._global_step_tensor))
        self._save(session, global_step)
        self._timer.update_last_triggered_step(global_step)

    def before_run(self, run_context: Any) -> Any:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        if self._timer.should_trigger_for_step(int(run_values.results) + 1):
            global_step = int(run_context.session.run(self._global_step_tensor))
            if self._timer.should_trigger_for_step(global_step):
                self._timer.update_last_triggered_step(global_step)
                if self._save(run_context.session, global_step):
                    run_context.request_stop()

    def end(self, session: Any) -> None:
        last_step = int(session.run(self._global_step_tensor))
        if last_step != self._timer.last_triggered_step():
            self._save(session, last_step)
        for listener in self._listeners:
            listener.end(session, last_step)

    def _get_saver(self) -> Any:
        if self._saver is not None:
            return self._saver
        if self._scaffold is not None:
            return self._scaffold.saver
        savers = get_default_graph().get_collection("savers")
        if len(savers) != 1:
            raise RuntimeError(f"There should be exactly one saver in the 'savers' collection (found {len(savers)}); "
                               "pass saver= or scaffold= to CheckpointSaverHook.")
        return savers[0]

    def _save(self, session: Any, step: int) -> bool:
        _log().info("Calling checkpoint listeners before saving checkpoint %d...", step)
        for listener in self._listeners:
            listener.before_save(session, step)
        _log().info("Saving checkpoints for %d into %s.", step, self._save_path)
        self._get_saver().save(session, self._save_path, global_step=step)
        _log().info("Calling checkpoint listeners after saving checkpoint %d...", step)
        return any([bool(listener.after_save(session, step)) for listener in self._listeners])


def _summary_writer(output_dir: Any, summary_writer: Any) -> Any:
    if summary_writer is not None:
        return summary_writer
    return None if output_dir is None else FileWriterCache.get(output_dir)


class FileWriterCache:
    """One FileWriter per directory, shared by hooks and Estimators (as TF's `summary.FileWriterCache`)."""

    _cache: dict[str, FileWriter] = {}

    @classmethod
    def get(cls, logdir: str) -> FileWriter:
        writer = cls._cache.get(logdir)
        if writer is None:
            writer = cls._cache[logdir] = FileWriter(logdir)
        return writer

    @classmethod
    def clear(cls) -> None:
        for writer in cls._cache.values():
            writer.close()
        cls._cache.clear()


export(v1=("summary.FileWriterCache",))(FileWriterCache)


@export("estimator.StepCounterHook", v1=("train.StepCounterHook", "estimator.StepCounterHook"))
class StepCounterHook(SessionRunHook):
    """Logs `global_step/sec: N` (and writes it as a summary) every N steps or seconds."""

    def __init__(self, every_n_steps: Any = 100, every_n_secs: Any = None, output_dir: Any = None,
                 summary_writer: Any = None) -> None:
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be provided.")
        self._timer = SecondOrStepTimer(every_steps=every_n_steps, every_secs=every_n_secs)
        self._output_dir, self._summary_writer = output_dir, summary_writer

    def begin(self) -> None:
        self._writer = _summary_writer(self._output_dir, self._summary_writer)
        self._global_step_tensor = _step_tensor("StepCounterHook")

    def before_run(self, run_context: Any) -> Any:
        return SessionRunArgs(self._global_step_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        step = int(run_values.results) + 1
        if self._timer.should_trigger_for_step(step):
            secs, steps = self._timer.update_last_triggered_step(step)
            if secs is not None and secs > 0:
                rate = steps / secs
                _log().info("global_step/sec: %g", rate)
                if self._writer is not None:
                    self._writer.add_summary(_scalar(np.float32(rate), "global_step/sec"), step)


@export("estimator.NanLossDuringTrainingError", v1=("train.NanLossDuringTrainingError",))
class NanLossDuringTrainingError(RuntimeError):
    def __str__(self) -> str:
        return "NaN loss during training."


@export("estimator.NanTensorHook", v1=("train.NanTensorHook", "estimator.NanTensorHook"))
class NanTensorHook(SessionRunHook):
    """Stops (or raises NanLossDuringTrainingError) when the loss becomes NaN."""

    def __init__(self, loss_tensor: Any, fail_on_nan_loss: bool = True) -> None:
        self._loss_tensor, self._fail_on_nan_loss = loss_tensor, fail_on_nan_loss

    def before_run(self, run_context: Any) -> Any:
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        if np.isnan(run_values.results):
            if self._fail_on_nan_loss:
                _log().error("Model diverged with loss = NaN.")
                raise NanLossDuringTrainingError
            _log().warning("Model diverged with loss = NaN.")
            run_context.request_stop()


@export("estimator.SummarySaverHook", v1=("train.SummarySaverHook", "estimator.SummarySaverHook"))
class SummarySaverHook(SessionRunHook):
    """Writes the merged summaries (or `summary_op`) to `output_dir` every N steps or seconds."""

    def __init__(self, save_steps: Any = None, save_secs: Any = None, output_dir: Any = None,
                 summary_writer: Any = None, scaffold: Any = None, summary_op: Any = None) -> None:
        if (scaffold is None) == (summary_op is None):
            raise ValueError("Exactly one of scaffold or summary_op must be provided.")
        self._summary_op, self._scaffold = summary_op, scaffold
        self._output_dir, self._summary_writer = output_dir, summary_writer
        self._timer = SecondOrStepTimer(every_secs=save_secs, every_steps=save_steps)

    def begin(self) -> None:
        self._writer = _summary_writer(self._output_dir, self._summary_writer)
        self._next_step = None
        self._global_step_tensor = _step_tensor("SummarySaverHook")

    def _ops(self) -> list:
        op = self._summary_op if self._summary_op is not None else self._scaffold.summary_op
        if op is None:
            return []
        return list(op) if isinstance(op, (list, tuple)) else [op]

    def before_run(self, run_context: Any) -> Any:
        self._request_summary = self._next_step is None or self._timer.should_trigger_for_step(self._next_step)
        fetches = {"global_step": self._global_step_tensor}
        if self._request_summary and self._ops():
            fetches["summary"] = self._ops()
        return SessionRunArgs(fetches)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        stale_step = int(run_values.results["global_step"])
        global_step = stale_step + 1
        if self._next_step is None or self._request_summary:
            global_step = int(run_context.session.run(self._global_step_tensor))
        if self._request_summary:
            self._timer.update_last_triggered_step(global_step)
            if self._writer is not None:
                for summary in run_values.results.get("summary", []):
                    self._writer.add_summary(summary, global_step)
        self._next_step = global_step + 1

    def end(self, session: Any = None) -> None:
        if self._writer is not None:
            self._writer.flush()


@export("estimator.FinalOpsHook", v1=("train.FinalOpsHook", "estimator.FinalOpsHook"))
class FinalOpsHook(SessionRunHook):
    """Runs `final_ops` when the session ends; their values are `final_ops_values`."""

    def __init__(self, final_ops: Any, final_ops_feed_dict: Any = None) -> None:
        self._final_ops, self._feed = final_ops, final_ops_feed_dict
        self._final_ops_values = None

    @property
    def final_ops_values(self) -> Any:
        return self._final_ops_values

    def end(self, session: Any) -> None:
        if self._final_ops is not None:
            self._final_ops_values = session.run(self._final_ops, feed_dict=self._feed)


@export("estimator.FeedFnHook", v1=("train.FeedFnHook", "estimator.FeedFnHook"))
class FeedFnHook(SessionRunHook):
    """Feeds `feed_fn()` into every run."""

    def __init__(self, feed_fn: Any) -> None:
        self.feed_fn = feed_fn

    def before_run(self, run_context: Any) -> Any:
        return SessionRunArgs(fetches=None, feed_dict=self.feed_fn())

