"""The `ag__.*` helpers converted code calls: Python semantics on Python values, staged control flow on graph tensors.

    ag__.if_stmt(x > 0, if_body, else_body, get_state, set_state, ('y',), 1)
        x a Python value or an eager tensor  ->  `if x > 0: if_body() else: else_body()`
        x a graph (symbolic) tensor          ->  runtime.control_flow.cond(x > 0, ...)

Loops live in `loops`; the checks that give TensorFlow's messages live in `checks`.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

from .. import dispatch
from . import checks


class Undefined:
    """A name that may be unbound where a staged construct starts (`y = ag__.Undefined('y')`)."""

    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name: str) -> None:
        self.symbol_name = symbol_name

    def read(self) -> Any:
        raise UnboundLocalError(f"'{self.symbol_name}' is used before assignment")

    def __repr__(self) -> str:
        return self.symbol_name

    def __getattr__(self, name: str) -> "Undefined":
        return self

    def __getitem__(self, i: Any) -> "Undefined":
        return self


class UndefinedReturnValue:
    """`retval_` before any `return` ran; `retval()` turns it into None."""

    __slots__ = ()


def ldu(load: Callable[[], Any], name: str) -> Any:
    """A carried attribute or item (`self.x`, `d['k']`) as it is, or `Undefined` while it does not exist."""
    try:
        return load()
    except (AttributeError, KeyError, IndexError, NameError):
        return Undefined(name)


def retval(value: Any) -> Any:
    """The function's result at its single exit: `None` when no `return` ran."""
    return None if isinstance(value, UndefinedReturnValue) else value


def control_flow() -> Any:
    """`runtime.control_flow`, imported when first staged (tests may substitute a recorder)."""
    return importlib.import_module("runtime.control_flow")


def is_symbolic(value: Any) -> bool:
    """A graph tensor (or a variable read inside a graph): conditions on it must be staged."""
    if getattr(value, "_is_symbolic", False):
        return True
    return hasattr(value, "_as_tensor") and not dispatch.executing_eagerly()


def as_condition(cond: Any, tag: str) -> Any:
    """The condition as a scalar bool tensor, or TensorFlow's error."""
    cond = dispatch.convert_to_tensor(cond)
    if cond.dtype.name != "bool":
        raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {cond}; "
                         "to use as boolean Tensor, use `tf.cast`; to check for None, use `is not None`")
    return cond


# -- if -------------------------------------------------------------------------------------
def if_stmt(cond: Any, body: Callable[[], None], orelse: Callable[[], None],
            get_state: Callable[[], tuple], set_state: Callable[[tuple], None],
            symbol_names: tuple[str, ...], nouts: int) -> None:
    """`if cond: body() else: orelse()`, staged as `cond` when `cond` is a graph tensor."""
    if is_symbolic(cond):
        _staged_if(as_condition(cond, "if statement"), body, orelse, get_state, set_state, symbol_names)
    elif cond:
        body()
    else:
        orelse()


def _staged_if(cond: Any, body: Callable, orelse: Callable, get_state: Callable, set_state: Callable,
               symbol_names: tuple[str, ...]) -> None:
    init = get_state()
    seen: dict[str, tuple] = {}

    def branch(fn: Callable, which: str, other: str) -> Callable[[], tuple]:
        def run() -> tuple:
            set_state(init)
            fn()
            out = get_state()
            checks.cond_branch(out, symbol_names, which)
            if other in seen:
                main, orelse_ = (out, seen[other]) if which == "main" else (seen[other], out)
                checks.cond_outputs(main, orelse_, symbol_names)
            seen[which] = out
            return checks.as_outputs(out)
        return run

    outs = control_flow().cond(cond, branch(body, "main", "else"), branch(orelse, "else", "main"))
    set_state(_as_tuple(outs, len(init)))


def _as_tuple(outs: Any, n: int) -> tuple:
    if n == 0:
        return ()
    if n == 1 and not isinstance(outs, (tuple, list)):
        return (outs,)
    return tuple(outs)


# -- expressions ----------------------------------------------------------------------------
def if_exp(cond: Any, if_true: Callable[[], Any], if_false: Callable[[], Any], expr_repr: str) -> Any:
    """`a if cond else b`; on a graph tensor both sides are staged with `cond`."""
    if is_symbolic(cond):
        cond = as_condition(cond, f"expression `{expr_repr}`")
        return control_flow().cond(cond, if_true, if_false)
    return if_true() if cond else if_false()


def not_(a: Any) -> Any:
    """`not a`; `logical_not` on tensors (eager or graph)."""
    if dispatch.is_tensor(a):
        from ..ops import elementwise  # noqa: PLC0415  (ops import autograph-free modules only)
        return elementwise.logical_not(a)
    return not a


def and_(a: Callable[[], Any], b: Callable[[], Any]) -> Any:
    """`a and b`, lazily: `b` is evaluated only when `a` is true (a `cond` on graph tensors)."""
    a_val = a()
    if is_symbolic(a_val):
        return control_flow().cond(a_val, lambda: dispatch.convert_to_tensor(b()), lambda: a_val)
    return a_val and b()


def or_(a: Callable[[], Any], b: Callable[[], Any]) -> Any:
    """`a or b`, lazily: `b` is evaluated only when `a` is false (a `cond` on graph tensors)."""
    a_val = a()
    if is_symbolic(a_val):
        return control_flow().cond(a_val, lambda: a_val, lambda: dispatch.convert_to_tensor(b()))
    return a_val or b()
