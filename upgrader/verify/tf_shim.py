"""Run a side of `tf-upgrade verify` on real TensorFlow: the same recording as `tfcompat.recording`.

    tf_shim.install("v1", recorder)   # `import tensorflow` is tf.compat.v1 with v2 behaviour off

Patches `BaseSession.run`/`close`, eager calls of `tf.function`s and concrete functions,
`.numpy()` on eager tensors and resource variables, and `random_seed.get_seed` (so op
seeds are numbered as on tfcompat under verify); variables made anywhere are collected
with a variable creator scope. Only this subprocess is affected.
"""
from __future__ import annotations

import os
import sys
import threading
from typing import Any

_state = threading.local()
_OPEN: dict[int, Any] = {}
_RECORDER: list = []
_SCOPES: list = []


def _outermost(kind: str, call: Any, recorder: Any, eager_only: bool = False) -> Any:
    from tensorflow.python.eager import context  # noqa: PLC0415

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth = getattr(_state, "depth", 0)
        if eager_only and not context.executing_eagerly():
            return call(*args, **kwargs)
        _state.depth = depth + 1
        try:
            out = call(*args, **kwargs)
        finally:
            _state.depth = depth
        if depth == 0:
            recorder.fetched(kind, out, sys._getframe(1))
        return out
    wrapper.__wrapped__ = call
    return wrapper


def _graph_variables(session: Any) -> dict:
    found: dict[str, Any] = {}
    for key in ("variables", "local_variables"):
        for v in session.graph.get_collection(key):
            found.setdefault(v.name, v)
    return dict(zip(found, session.run(list(found.values())))) if found else {}


def _snapshot(session: Any) -> None:
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        _RECORDER[0].variables(_graph_variables(session), graph=session.graph)
    except Exception as e:  # noqa: BLE001  (reported, not fatal)
        _RECORDER[0].variables({}, problem=f"{type(e).__name__}: {e}")
    finally:
        _state.depth -= 1


def install(api: str, recorder: Any) -> None:
    """Import TensorFlow, bind `tensorflow` to tf.compat.v1 for api v1, and install the recording."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf  # noqa: PLC0415
    from tensorflow.python.client import session as session_mod  # noqa: PLC0415
    from tensorflow.python.eager.polymorphic_function import concrete_function, polymorphic_function  # noqa: PLC0415
    from tensorflow.python.framework import ops, random_seed  # noqa: PLC0415
    from tensorflow.python.ops import resource_variable_ops  # noqa: PLC0415

    _RECORDER[:] = [recorder]
    if api == "v1":
        tf.compat.v1.disable_v2_behavior()
        sys.modules["tensorflow"] = tf.compat.v1
    base = session_mod.BaseSession
    run = _outermost("run", base.run, recorder)

    def running(self: Any, *args: Any, **kwargs: Any) -> Any:
        _OPEN[id(self)] = self
        return run(self, *args, **kwargs)
    base.run = running
    close = base.close

    def closing(self: Any) -> None:
        if not self._closed:
            _snapshot(self)
        _OPEN.pop(id(self), None)
        close(self)
    base.close = closing
    polymorphic_function.Function.__call__ = _outermost("function", polymorphic_function.Function.__call__,
                                                        recorder, eager_only=True)
    concrete_function.ConcreteFunction.__call__ = _outermost(
        "function", concrete_function.ConcreteFunction.__call__, recorder, eager_only=True)
    ops._EagerTensorBase.numpy = _outermost("numpy", ops._EagerTensorBase.numpy, recorder)
    resource_variable_ops.BaseResourceVariable.numpy = _outermost(
        "numpy", resource_variable_ops.BaseResourceVariable.numpy, recorder)
    def seeds(op_seed: Any) -> Any:
        from tensorflow.python.eager import context  # noqa: PLC0415
        g = context.global_seed() if context.executing_eagerly() else ops.get_default_graph().seed
        return recorder.op_seeds(op_seed, g)
    random_seed.get_seed = seeds

    def creator(next_creator: Any, **kwargs: Any) -> Any:
        v = next_creator(**kwargs)
        recorder.created(v)
        return v
    scope = tf.variable_creator_scope(creator)
    scope.__enter__()
    _SCOPES.append(scope)


def finish() -> None:
    """At the program's end: report the variables of sessions it left open."""
    for session in list(_OPEN.values()):
        if not getattr(session, "_closed", True):
            _snapshot(session)
    _OPEN.clear()
