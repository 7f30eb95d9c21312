"""The recording hook `tf-upgrade verify` installs in a process running a program on tfcompat.

    recording.install(recorder)      # then run the program; the recorder sees every value it takes out

A recorder has `fetched(kind, value, caller_frame)`, `variables(values_by_name)` and
`created(variable)`. Values leave the engine in four ways, each reported once per call:
`Session.run` (also `Tensor.eval`, `Variable.eval`, `Operation.run`, which call it),
a call of a `tf.function` or concrete function made while eager, and `.numpy()` on
a tensor or variable. Before a Session closes, the values of its graph's variables
are reported by name; variables made eagerly are reported to `created` as they are
made (the recorder reads them when the program ends). The recorder decides which
calls belong to the user's program (it gets the caller's frame); nothing here
changes what a program computes.
"""
from __future__ import annotations

import sys
import threading
from typing import Any

_state = threading.local()
_OPEN: dict[int, Any] = {}   # sessions that ran something and are not closed yet
_RECORDER: list = []


def _outermost(kind: str, call: Any, recorder: Any, eager_only: bool = False) -> Any:
    """Wrap `call` so only the outermost of nested recorded calls reports its result.

    `eager_only`: a function call is a fetch only while eager (inside a trace it is part of a graph).
    """
    from runtime import dispatch  # noqa: PLC0415

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if eager_only and not dispatch.executing_eagerly():
            return call(*args, **kwargs)
        depth = getattr(_state, "depth", 0)
        _state.depth = depth + 1
        try:
            out = call(*args, **kwargs)
        finally:
            _state.depth = depth
        if depth == 0:
            recorder.fetched(kind, out, sys._getframe(1))
        return out
    wrapper.__wrapped__ = call
    wrapper.__name__ = getattr(call, "__name__", kind)
    return wrapper


def _graph_variables(session: Any) -> dict:
    graph = session.graph
    found: dict[str, Any] = {}
    for key in ("variables", "local_variables"):
        for v in graph.get_collection(key):
            found.setdefault(v.name, v)
    if not found:
        return {}
    values = session.run(list(found.values()))
    return dict(zip(found, values))


def install(recorder: Any) -> None:
    """Patch tfcompat's Session, functions, tensors and variables to report to `recorder`."""
    _RECORDER[:] = [recorder]
    from runtime import concrete, function, tensor, variables  # noqa: PLC0415
    from tfcompat._impl.v1 import session as session_mod  # noqa: PLC0415

    Session = session_mod.Session
    run = _outermost("run", Session.run, recorder)

    def running(self: Any, *args: Any, **kwargs: Any) -> Any:
        _OPEN[id(self)] = self
        return run(self, *args, **kwargs)
    Session.run = running
    close = Session.close

    def closing(self: Any) -> None:
        if not self._closed:
            try:
                _state.depth = getattr(_state, "depth", 0) + 1
                recorder.variables(_graph_variables(self), graph=self.graph)
            except Exception as e:  # noqa: BLE001  (a variable that cannot be read is reported, not fatal)
                recorder.variables({}, problem=f"{type(e).__name__}: {e}")
            finally:
                _state.depth -= 1
        _OPEN.pop(id(self), None)
        close(self)
    Session.close = closing
    function.Function.__call__ = _outermost("function", function.Function.__call__, recorder, True)
    concrete.ConcreteFunction.__call__ = _outermost("function", concrete.ConcreteFunction.__call__, recorder,
                                                      True)
    tensor.Tensor.numpy = _outermost("numpy", tensor.Tensor.numpy, recorder)
    variables.Variable.numpy = _outermost("numpy", variables.Variable.numpy, recorder)
    init = variables.Variable.__init__

    def made(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        recorder.created(self)
    variables.Variable.__init__ = made


def finish() -> None:
    """At the program's end: report the variables of sessions it left open."""
    for session in list(_OPEN.values()):
        if not session._closed:
            _state.depth = getattr(_state, "depth", 0) + 1
            try:
                _RECORDER[0].variables(_graph_variables(session), graph=session.graph)
            except Exception as e:  # noqa: BLE001
                _RECORDER[0].variables({}, problem=f"{type(e).__name__}: {e}")
            finally:
                _state.depth -= 1
    _OPEN.clear()
