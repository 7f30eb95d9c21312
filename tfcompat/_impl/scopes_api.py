"""TF2's `tf.name_scope(name)` and `tf.init_scope()`.

    with tf.name_scope("layer") as scope:     # "layer/"; eager: variables are named "layer/v:0"
        v = tf.Variable(1.0, name="v")        # graphs: ops are named "layer/add", re-entry "layer_1/"
    with tf.init_scope():                     # lifted out of function graphs and tapes (TF's rule)
        tf.executing_eagerly()                # True inside a tf.function being traced
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

from runtime import dispatch
from runtime.graph import GraphInterpreter

from .._export import export


@export("name_scope", v1=())
class name_scope:  # noqa: N801  (TensorFlow's name)
    """A context manager naming ops (graphs) and variables (eager and functions) `name/...`.

    A name ending in "/" re-enters that exact scope; an empty name resets to the root scope.
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise ValueError(f"name for name_scope must be a string, got {name!r} of type {type(name).__name__}")
        self._name = name
        self._exit: list = []

    @property
    def name(self) -> str:
        return self._name

    def __enter__(self) -> str:
        state = dispatch._state
        old = list(state.scope)
        if dispatch.executing_eagerly():
            if not self._name:
                new = []
            elif self._name.endswith("/"):
                new = [self._name[:-1]] if self._name[:-1] else []
            else:
                new = old + [self._name]
            cm = None
            scope = "".join(s + "/" for s in new)
        else:
            from .v1.graph_api import get_default_graph  # noqa: PLC0415
            cm = get_default_graph().name_scope(self._name)
            scope = cm.__enter__()
            new = [scope[:-1]] if scope else []  # NOTE: functions name lifted variables after the graph scope
        state.scope[:] = new
        self._exit.append((old, cm))
        return scope

    def __exit__(self, *exc: Any) -> bool:
        old, cm = self._exit.pop()
        dispatch._state.scope[:] = old
        if cm is not None:
            cm.__exit__(*exc)
        return False


def _outer_interpreter() -> Any:
    """The eager interpreter, or the outermost (v1) graph's when eager execution is disabled."""
    for it in dispatch._state.stack:
        if isinstance(it, GraphInterpreter) and not it.graph.is_function:
            return it
    return dispatch.EAGER


@export("init_scope")
@contextlib.contextmanager
def init_scope() -> Iterator[None]:
    """Run the block outside every function graph being built and every gradient tape (TF's `init_scope`)."""
    with dispatch.interpreting(_outer_interpreter()):
        yield
