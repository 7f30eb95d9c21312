"""Compositions of primitives: no kernels, no gradients of their own.

    truediv(x, y): ints are cast to floats first, as Python's `/` (and TF's) does.
"""
from __future__ import annotations

from typing import Any

from .. import dispatch, dtypes
from ..errors import InvalidArgumentError
from . import array, elementwise as e

_TRUEDIV_FLOAT = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32, dtypes.int16: dtypes.float32,
                  dtypes.uint16: dtypes.float32, dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64}


def _pair(x: Any, y: Any) -> tuple:
    """Convert like a binary op would: Python values adopt the tensor operand's dtype."""
    if dispatch.is_tensor(x) or hasattr(x, "_as_tensor"):
        x = dispatch.convert_to_tensor(x)
        return x, dispatch.convert_to_tensor(y, dtype=x.dtype) if not _is_tensorish(y) else \
            dispatch.convert_to_tensor(y)
    y = dispatch.convert_to_tensor(y)
    return dispatch.convert_to_tensor(x, dtype=y.dtype), y


def _is_tensorish(v: Any) -> bool:
    return dispatch.is_tensor(v) or hasattr(v, "_as_tensor")


def truediv(x: Any, y: Any, name: str | None = None) -> Any:
    """x / y; integer tensors are divided as floats (int32 -> float64), as TensorFlow does."""
    x, y = _pair(x, y)
    if x.dtype is not y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
    target = _TRUEDIV_FLOAT.get(x.dtype)
    if target is not None:
        x, y = array.cast(x, target), array.cast(y, target)
    return e.real_div(x, y, name=name)


def tensor_equals(x: Any, y: Any) -> Any:
    """`x == y` on tensors: elementwise when shapes broadcast, else False (TF2 semantics)."""
    if y is None:
        return False
    try:
        return e.equal(x, y)
    except (InvalidArgumentError, TypeError, ValueError):
        return False


def tensor_not_equals(x: Any, y: Any) -> Any:
    if y is None:
        return True
    try:
        return e.not_equal(x, y)
    except (InvalidArgumentError, TypeError, ValueError):
        return True


def invert(x: Any) -> Any:
    x = dispatch.convert_to_tensor(x)
    return e.logical_not(x) if x.dtype is dtypes.bool_ else e.invert(x)
