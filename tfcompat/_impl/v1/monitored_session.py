"""`tf.train.MonitoredTrainingSession`: a Session that initialises or restores, runs hooks, and saves.

    with tf.train.MonitoredTrainingSession(checkpoint_dir="/tmp/m", hooks=[tf.train.StopAtStepHook(last_step=100)],
                                           save_checkpoint_steps=50) as sess:
        while not sess.should_stop():
            sess.run(train_op)

A second session on the same `checkpoint_dir` restores the latest checkpoint. `OutOfRangeError`
(an input exhausted) ends the `with` block cleanly, as in TensorFlow 1.
"""
from __future__ import annotations

from typing import Any

from runtime.errors import OutOfRangeError

from ..._export import export
from ..io.checkpoint_state import latest_checkpoint
from ..io.logging_api import get_logger
from .basic_hooks import CheckpointSaverHook, StepCounterHook, SummarySaverHook
from .graph_api import get_default_graph, group
from .queues_v1 import Coordinator, start_queue_runners
from .saver import Saver
from .session import Session
from .session_run_hook import SessionRunArgs, SessionRunContext, SessionRunValues
from .summary_v1 import merge_all
from .variables_v1 import global_variables_initializer, local_variables_initializer

USE_DEFAULT = object()


@export(v1=("train.Scaffold",))
class Scaffold:
    """The init op, local init op, saver and summary op of a training graph (defaults made by `finalize`)."""

    def __init__(self, init_op: Any = None, init_feed_dict: Any = None, init_fn: Any = None, ready_op: Any = None,
                 ready_for_local_init_op: Any = None, local_init_op: Any = None, summary_op: Any = None,
                 saver: Any = None, copy_from_scaffold: Any = None, local_init_feed_dict: Any = None) -> None:
        if copy_from_scaffold is not None:
            init_op = init_op or copy_from_scaffold.init_op
            init_fn = init_fn or copy_from_scaffold._user_init_fn
            local_init_op = local_init_op or copy_from_scaffold.local_init_op
            summary_op = summary_op or copy_from_scaffold.summary_op
            saver = saver or copy_from_scaffold.saver
        self._init_op, self._init_feed_dict, self._user_init_fn = init_op, init_feed_dict, init_fn
        self._ready_op, self._ready_for_local_init_op = ready_op, ready_for_local_init_op
        self._local_init_op, self._local_init_feed_dict = local_init_op, local_init_feed_dict
        self._summary_op, self._saver = summary_op, saver
        self._finalized = False

    def finalize(self) -> "Scaffold":
        """Create the defaults still missing (init ops, saver of every global variable, merged summaries)."""
        if self._finalized:
            return self
        g = get_default_graph()
        if self._init_op is None:
            self._init_op = global_variables_initializer()
        if self._local_init_op is None:
            self._local_init_op = group(local_variables_initializer(), *g.get_collection("table_initializer"))
        if self._summary_op is None:
            self._summary_op = merge_all()
        if self._saver is None:
            savers = g.get_collection("savers")
            self._saver = savers[0] if savers else Saver(sharded=True, allow_empty=True, save_relative_paths=True)
            if not savers:
                g.add_to_collection("savers", self._saver)
        # NOTE: TF finalizes the graph here; tfcompat keeps it open because fetching a variable adds its read
        self._finalized = True
        return self

    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    init_fn = property(lambda self: self._user_init_fn)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    local_init_op = property(lambda self: self._local_init_op)
    local_init_feed_dict = property(lambda self: self._local_init_feed_dict)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)

    @staticmethod
    def default_local_init_op() -> Any:
        return group(local_variables_initializer())


@export(v1=("train.SessionCreator",))
class SessionCreator:
    """Makes a ready-to-use session for a MonitoredSession."""

    def create_session(self) -> Session:
        raise NotImplementedError("SessionCreator.create_session: subclass it, or use tf.train.ChiefSessionCreator")


@export(v1=("train.ChiefSessionCreator",))
class ChiefSessionCreator(SessionCreator):
    """Restores `checkpoint_filename_with_path` or the latest checkpoint of `checkpoint_dir`, else initialises."""

    def __init__(self, scaffold: Any = None, master: str = "", config: Any = None, checkpoint_dir: Any = None,
                 checkpoint_filename_with_path: Any = None) -> None:
        self._scaffold = scaffold or Scaffold()
        self._config, self._checkpoint_dir = config, checkpoint_dir
        self._checkpoint_path = checkpoint_filename_with_path

    def create_session(self) -> Session:
        scaffold = self._scaffold.finalize()
        get_logger().info("Graph was finalized.")
        sess = Session(graph=get_default_graph(), config=self._config)
        path = self._checkpoint_path
        if path is None and self._checkpoint_dir:
            path = latest_checkpoint(self._checkpoint_dir)
        if path is not None:
            get_logger().info("Restoring parameters from %s", path)
            sess.run(scaffold.init_op)  # NOTE: variables the checkpoint lacks keep their initial values
            scaffold.saver.restore(sess, path)
        else:
            sess.run(scaffold.init_op, feed_dict=scaffold.init_feed_dict)
            if scaffold.init_fn is not None:
                scaffold.init_fn(scaffold, sess)
        get_logger().info("Running local_init_op.")
        sess.run(scaffold.local_init_op, feed_dict=scaffold.local_init_feed_dict)
        get_logger().info("Done running local_init_op.")
        return sess


@export(v1=("train.WorkerSessionCreator",))
class WorkerSessionCreator(ChiefSessionCreator):
    """In one process the worker's session is the chief's: initialises (no checkpoint_dir to restore from)."""

    def __init__(self, scaffold: Any = None, master: str = "", config: Any = None, max_wait_secs: int = 30 * 60) -> None:
        super().__init__(scaffold=scaffold, master=master, config=config)


class _MonitoredSession:
    """Runs `hooks` around every `run`; `should_stop()` once a hook requested it or the input ran out."""

    def __init__(self, session_creator: Any, hooks: Any, stop_grace_period_secs: int = 120) -> None:
        self._hooks = list(hooks or [])
        for h in self._hooks:
            h.begin()
        self._creator = session_creator or ChiefSessionCreator()
        self._sess = self._creator.create_session()
        self._coord = Coordinator()
        start_queue_runners(self._sess, self._coord)
        for h in self._hooks:
            h.after_create_session(self._sess, self._coord)
        self._stop = False
        self._closed = False

    @property
    def graph(self) -> Any:
        return self._sess.graph

    def should_stop(self) -> bool:
        return self._stop or self._closed

    def run(self, fetches: Any, feed_dict: Any = None, options: Any = None, run_metadata: Any = None) -> Any:
        """`fetches`' values; each hook's before_run fetches and feeds ride along in the same run."""
        if self._closed:
            raise RuntimeError("Run called even after should_stop requested.")
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict), self._sess)
        all_fetches, feeds, asked = {"caller": fetches}, dict(feed_dict or {}), []
        for i, h in enumerate(self._hooks):
            args = h.before_run(context)
            if args is None:
                continue
            if args.fetches is not None:
                asked.append(i)
                all_fetches[i] = args.fetches
            for k, v in (args.feed_dict or {}).items():
                if k in feeds:
                    raise RuntimeError(f"Same tensor is fed by a SessionRunHook and user. Conflict(s): [{k}]")
                feeds[k] = v
        results = self._sess.run(all_fetches, feed_dict=feeds or None)
        for i, h in enumerate(self._hooks):
            h.after_run(context, SessionRunValues(results.get(i) if i in asked else None, options, run_metadata))
        self._stop = self._stop or context.stop_requested
        return results["caller"]

    def run_step_fn(self, step_fn: Any) -> Any:
        """`step_fn(step_context)`; `step_context.run_with_hooks(...)` is `run`, `request_stop()` stops."""
        return step_fn(_StepContext(self))

    def close(self) -> None:
        self._close(None)

    def _close(self, exc_type: Any) -> None:
        if self._closed:
            return
        try:
            if exc_type is None:
                for h in self._hooks:
                    h.end(self._sess)
        finally:
            self._closed = True
            self._coord.request_stop()
            self._sess.close()

    def __enter__(self) -> "_MonitoredSession":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        clean = exc_type is not None and issubclass(exc_type, (OutOfRangeError, StopIteration))
        self._close(None if clean else exc_type)
        return clean


class _StepContext:
    def __init__(self, monitored: _MonitoredSession) -> None:
        self._monitored = monitored

    session = property(lambda self: self._monitored._sess)

    def run_with_hooks(self, *args: Any, **kwargs: Any) -> Any:
        return self._monitored.run(*args, **kwargs)

    def request_stop(self) -> None:
        self._monitored._stop = True


@export(v1=("train.MonitoredSession",))
class MonitoredSession(_MonitoredSession):
    """`MonitoredSession(session_creator=None, hooks=None, stop_grace_period_secs=120)`."""

    def __init__(self, session_creator: Any = None, hooks: Any = None, stop_grace_period_secs: int = 120) -> None:
        super().__init__(session_creator, hooks, stop_grace_period_secs)


@export(v1=("train.SingularMonitoredSession",))
class SingularMonitoredSession(_MonitoredSession):
    """A MonitoredSession made from a scaffold and checkpoint_dir; `raw_session()` is the tf.Session."""

    def __init__(self, hooks: Any = None, scaffold: Any = None, master: str = "", config: Any = None,
                 checkpoint_dir: Any = None, stop_grace_period_secs: int = 120,
                 checkpoint_filename_with_path: Any = None) -> None:
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config, checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, stop_grace_period_secs)

    def raw_session(self) -> Session:
        return self._sess


@export(v1=("train.MonitoredTrainingSession",))
def MonitoredTrainingSession(master: str = "", is_chief: bool = True, checkpoint_dir: Any = None,  # noqa: N802
                             scaffold: Any = None, hooks: Any = None, chief_only_hooks: Any = None,
                             save_checkpoint_secs: Any = USE_DEFAULT, save_summaries_steps: Any = USE_DEFAULT,
                             save_summaries_secs: Any = USE_DEFAULT, config: Any = None,
                             stop_grace_period_secs: int = 120, log_step_count_steps: int = 100,
                             max_wait_secs: int = 7200, save_checkpoint_steps: Any = USE_DEFAULT,
                             summary_dir: Any = None, save_graph_def: bool = True) -> MonitoredSession:
    """A MonitoredSession with TF1's default hooks: step counter, summaries (every 100 steps), checkpoints (600 s)."""
    if save_summaries_steps is USE_DEFAULT and save_summaries_secs is USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    else:
        save_summaries_steps = None if save_summaries_steps is USE_DEFAULT else save_summaries_steps
        save_summaries_secs = None if save_summaries_secs is USE_DEFAULT else save_summaries_secs
    if save_checkpoint_secs is USE_DEFAULT and save_checkpoint_steps is USE_DEFAULT:
        save_checkpoint_steps, save_checkpoint_secs = None, 600
    else:
        save_checkpoint_secs = None if save_checkpoint_secs is USE_DEFAULT else save_checkpoint_secs
        save_checkpoint_steps = None if save_checkpoint_steps is USE_DEFAULT else save_checkpoint_steps
    scaffold = scaffold or Scaffold()
    all_hooks = list(chief_only_hooks or []) if is_chief else []
    summary_dir = summary_dir or checkpoint_dir
    if is_chief:
        if summary_dir:
            if log_step_count_steps and log_step_count_steps > 0:
                all_hooks.append(StepCounterHook(output_dir=summary_dir, every_n_steps=log_step_count_steps))
            if (save_summaries_steps and save_summaries_steps > 0) or (save_summaries_secs and save_summaries_secs > 0):
                all_hooks.append(SummarySaverHook(scaffold=scaffold, save_steps=save_summaries_steps,
                                                  save_secs=save_summaries_secs, output_dir=summary_dir))
        if checkpoint_dir and ((save_checkpoint_secs and save_checkpoint_secs > 0) or
                               (save_checkpoint_steps and save_checkpoint_steps > 0)):
            all_hooks.append(CheckpointSaverHook(checkpoint_dir, save_steps=save_checkpoint_steps,
                                                 save_secs=save_checkpoint_secs, scaffold=scaffold))
    all_hooks.extend(hooks or [])
    creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir, master=master, config=config)
    return MonitoredSession(session_creator=creator, hooks=all_hooks, stop_grace_period_secs=stop_grace_period_secs)
