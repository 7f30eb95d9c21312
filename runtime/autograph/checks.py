"""Consistency checks for staged `if` and loops, worded as TensorFlow's AutoGraph words them.

    if x > 0:          # x a graph tensor
        y = 1
    return y           # ValueError: 'y' must also be initialized in the else branch
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import dispatch, nest

_PY_SCALARS = (bool, int, float, str, np.ndarray, np.generic)


def _undefined(value: Any) -> bool:
    from .operators import Undefined  # noqa: PLC0415  (cycle: operators imports checks)
    return isinstance(value, Undefined)


def _undefined_return(value: Any) -> bool:
    from .operators import UndefinedReturnValue  # noqa: PLC0415
    return isinstance(value, UndefinedReturnValue)


def _tensor(value: Any) -> Any:
    if isinstance(value, _PY_SCALARS):
        return dispatch.convert_to_tensor(value)
    if hasattr(value, "_as_tensor"):
        return dispatch.convert_to_tensor(value)
    if dispatch.is_tensor(value) and not getattr(value, "_is_symbolic", False) and not dispatch.executing_eagerly():
        from ..graph import default_graph  # noqa: PLC0415  (only reached while building a graph)
        return default_graph().capture(value)  # NOTE: an eager tensor from outside (`self.w`, a global)
    return value


def as_outputs(values: tuple) -> tuple:
    """Branch or loop outputs as staged control flow carries them: Python numbers become tensors."""
    return tuple(nest.map_structure(_tensor, v) if nest.is_nested(v) else _tensor(v) for v in values)


# -- if -------------------------------------------------------------------------------------
def cond_branch(values: tuple, names: tuple[str, ...], branch: str) -> None:
    """Every carried name must be bound at the end of each branch of a staged `if`."""
    for name, value in zip(names, values):
        if _undefined(value):
            raise ValueError(f"'{name}' must also be initialized in the {branch} branch")
        if _undefined_return(value):
            raise ValueError(f"the {branch} branch must also have a return statement.")


def cond_outputs(main: tuple, orelse: tuple, names: tuple[str, ...]) -> None:
    """Both branches must produce the same structure and dtypes for each carried name."""
    for name, a, b in zip(names, main, orelse):
        try:
            nest.assert_same_structure(a, b)
        except (ValueError, TypeError) as e:
            raise TypeError(f"'{name}' must have the same nested structure in the main and else "
                            f"branches:\n\n{e}") from e
        for x, y in zip(nest.flatten(a), nest.flatten(b)):
            _same_cond_var(name, x, y)


def _same_cond_var(name: str, a: Any, b: Any) -> None:
    if a is None:
        raise ValueError(f"'{name}' is None at the end of the main branch.")
    if b is None:
        raise ValueError(f"'{name}' is None at the end of the else branch.")
    a, b = _tensor(a), _tensor(b)
    if dispatch.is_tensor(a) and dispatch.is_tensor(b) and a.dtype != b.dtype:
        raise TypeError(f"'{name}' has dtype {a.dtype.name} in the main branch, "
                        f"but dtype {b.dtype.name} in the else branch")


# -- loops ----------------------------------------------------------------------------------
def loop_init(values: tuple, names: tuple[str, ...], note: str | None = None) -> None:
    """Every carried name must be bound (and not None) before a staged loop."""
    for name, value in zip(names, values):
        if _undefined_return(value):
            raise NotImplementedError(
                "a return statement cannot be placed inside this TensorFlow loop; this may happen "
                "if a return statement depends on a static Python condition such as a hyperparameter")
        message = None
        if value is None:
            message = f"'{name}' is not allowed to be None before the loop"
        elif _undefined(value):
            message = f"'{name}' must be defined before the loop"
            if note:
                message += "\n" + note
        if message is not None:
            raise ValueError(message)


def loop_vars(entry: tuple, exit_: tuple, names: tuple[str, ...], invariants: dict[str, Any]) -> None:
    """After one iteration every carried name keeps its structure, dtype and (unless relaxed) shape."""
    for name, a, b in zip(names, entry, exit_):
        try:
            nest.assert_same_structure(a, b)
        except (ValueError, TypeError) as e:
            raise TypeError(f"'{name}' does not have the same nested structure after one iteration.\n\n{e}") from e
        for x, y in zip(nest.flatten(a), nest.flatten(b)):
            _same_loop_var(name, x, y, invariants.get(name))


def _same_loop_var(name: str, entry: Any, exit_: Any, invariant: Any) -> None:
    if exit_ is None:
        raise ValueError(f"'{name}' is None at the end of the iteration.")
    entry, exit_ = _tensor(entry), _tensor(exit_)
    if not (dispatch.is_tensor(entry) and dispatch.is_tensor(exit_)):
        return
    if entry.dtype != exit_.dtype:
        raise TypeError(f"'{name}' has dtype {entry.dtype.name} before the loop, "
                        f"but dtype {exit_.dtype.name} after one iteration")
    want = entry.shape if invariant is None else invariant
    if not _is_subshape(exit_.shape, want):
        if invariant is None:
            raise ValueError(f"'{name}' has shape {entry.shape} before the loop, but shape {exit_.shape} "
                             "after one iteration. Use tf.autograph.experimental.set_loop_options to set "
                             "shape invariants.")
        raise ValueError(f"'{name}' has shape {exit_.shape} after one iteration, which does not conform "
                         f"with the shape invariant {invariant}.")


def _is_subshape(left: Any, right: Any) -> bool:
    """`left` is at least as specific as `right` (None dimensions or rank in `right` match anything)."""
    rdims = _dims(right)
    if rdims is None:
        return True
    ldims = _dims(left)
    if ldims is None or len(ldims) != len(rdims):
        return False
    return all(r is None or l == r for l, r in zip(ldims, rdims))


def _dims(shape: Any) -> list | None:
    if shape is None:
        return None
    dims = getattr(shape, "dims", shape)
    if dims is None:
        return None
    return [getattr(d, "value", d) for d in dims]
