"""`tf.train.SessionRunHook` and its arguments: code that runs around each `MonitoredSession.run`.

    class PrintLoss(tf.train.SessionRunHook):
        def before_run(self, run_context):              # ask for more fetches
            return tf.train.SessionRunArgs(loss)
        def after_run(self, run_context, run_values):   # run_values.results is loss's value
            if run_values.results < 0.01: run_context.request_stop()

Also TF1's `SecondOrStepTimer` and the global step's read tensor that the hooks share.
"""
from __future__ import annotations

import collections
import time
from typing import Any

from ..._export import export
from .graph_api import get_default_graph
from .train_utils import get_global_step


@export("estimator.SessionRunHook", v1=("train.SessionRunHook", "estimator.SessionRunHook"))
class SessionRunHook:
    """Hook to extend calls to MonitoredSession.run(); every method is optional."""

    def begin(self) -> None:
        """Called once before the session is made; the graph may still be changed."""

    def after_create_session(self, session: Any, coord: Any) -> None:
        """Called when the session has been created (and variables initialised or restored)."""

    def before_run(self, run_context: "SessionRunContext") -> Any:
        """Return None or a SessionRunArgs: what to add to this run's fetches and feeds."""
        return None

    def after_run(self, run_context: "SessionRunContext", run_values: "SessionRunValues") -> None:
        """Called after each run with the values this hook asked for."""

    def end(self, session: Any) -> None:
        """Called at the end of the session (not when a run raised an error)."""


_Args = collections.namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])


@export("estimator.SessionRunArgs", v1=("train.SessionRunArgs", "estimator.SessionRunArgs"))
class SessionRunArgs(_Args):
    """What a hook adds to a run: `SessionRunArgs(fetches, feed_dict=None, options=None)`."""

    def __new__(cls, fetches: Any, feed_dict: Any = None, options: Any = None) -> "SessionRunArgs":
        return super().__new__(cls, fetches, feed_dict, options)


@export("estimator.SessionRunValues", v1=("train.SessionRunValues", "estimator.SessionRunValues"))
class SessionRunValues(collections.namedtuple("SessionRunValues", ["results", "options", "run_metadata"])):
    """The values of a hook's fetches for one run (`results` has the structure of its fetches)."""


@export("estimator.SessionRunContext", v1=("train.SessionRunContext", "estimator.SessionRunContext"))
class SessionRunContext:
    """The run being made (`original_args`, `session`); a hook may `request_stop()` the loop."""

    def __init__(self, original_args: SessionRunArgs, session: Any) -> None:
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self) -> SessionRunArgs:
        return self._original_args

    @property
    def session(self) -> Any:
        return self._session

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self) -> None:
        self._stop_requested = True


@export(v1=("train.SecondOrStepTimer",))
class SecondOrStepTimer:
    """Triggers every N seconds or every N steps (exactly one of them), and on the first step."""

    def __init__(self, every_secs: float | None = None, every_steps: int | None = None) -> None:
        if (every_secs is None) == (every_steps is None):
            raise ValueError("exactly one of every_secs and every_steps should be provided.")
        self._every_secs, self._every_steps = every_secs, every_steps
        self.reset()

    def reset(self) -> None:
        self._last_triggered_step: int | None = None
        self._last_triggered_time: float | None = None

    def should_trigger_for_step(self, step: int) -> bool:
        if self._last_triggered_step is None:
            return True
        if self._last_triggered_step == step:
            return False
        if self._every_secs is not None and time.time() >= self._last_triggered_time + self._every_secs:
            return True
        return self._every_steps is not None and step >= self._last_triggered_step + self._every_steps

    def update_last_triggered_step(self, step: int) -> tuple[float | None, int | None]:
        """Record a trigger at `step`; returns (seconds, steps) since the previous one (None at first)."""
        now = time.time()
        if self._last_triggered_time is None:
            elapsed = (None, None)
        else:
            elapsed = (now - self._last_triggered_time, step - self._last_triggered_step)
        self._last_triggered_time, self._last_triggered_step = now, step
        return elapsed

    def last_triggered_step(self) -> int | None:
        return self._last_triggered_step


GLOBAL_STEP_READ_KEY = "global_step_read_op_cache"


def global_step_read(graph: Any = None) -> Any:
    """A tensor reading the global step (made once per graph); read before ops made after it run."""
    g = graph or get_default_graph()
    cached = g.get_collection(GLOBAL_STEP_READ_KEY)
    if cached:
        return cached[0]
    step = get_global_step(g)
    if step is None:
        return None
    with g.as_default(), g.name_scope(None), g.name_scope("global_step/"):
        read = step.read_value() + 0
    g.add_to_collection(GLOBAL_STEP_READ_KEY, read)
    return read
