"""`tf.math`: elementwise math, reductions and comparisons with TensorFlow's signatures.

    tf.math.reduce_sum(x, axis=1, keepdims=True)
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch, dtypes
from runtime.ops import array, composite, elementwise as e, reduce as r

from .._export import export


# -- binary arithmetic ----------------------------------------------------------------------
@export("math.add", "add")
def add(x: Any, y: Any, name: str | None = None) -> Any:
    """tf.add(1.0, x): elementwise x + y with broadcasting."""
    return e.add(x, y, name=name)


@export("math.subtract", "subtract")
def subtract(x: Any, y: Any, name: str | None = None) -> Any:
    return e.subtract(x, y, name=name)


@export("math.multiply", "multiply")
def multiply(x: Any, y: Any, name: str | None = None) -> Any:
    return e.multiply(x, y, name=name)


@export("math.divide", "divide")
def divide(x: Any, y: Any, name: str | None = None) -> Any:
    """tf.divide(x, y): Python `/` semantics (integers divide as floats)."""
    return composite.truediv(x, y, name=name)


@export("math.truediv", "truediv")
def truediv(x: Any, y: Any, name: str | None = None) -> Any:
    return composite.truediv(x, y, name=name)


@export("math.pow", "pow")
def pow(x: Any, y: Any, name: str | None = None) -> Any:  # noqa: A001  (TF's name)
    return e.pow_(x, y, name=name)


@export("math.square", "square")
def square(x: Any, name: str | None = None) -> Any:
    return e.square(x, name=name)


@export("math.sqrt", "sqrt")
def sqrt(x: Any, name: str | None = None) -> Any:
    return e.sqrt(x, name=name)


@export("math.exp", "exp")
def exp(x: Any, name: str | None = None) -> Any:
    return e.exp(x, name=name)


@export("math.log", v1=("math.log", "log"))
def log(x: Any, name: str | None = None) -> Any:
    return e.log(x, name=name)


@export("math.sigmoid", "nn.sigmoid", "sigmoid")
def sigmoid(x: Any, name: str | None = None) -> Any:
    return e.sigmoid(x, name=name)


@export("math.tanh", "nn.tanh", "tanh")
def tanh(x: Any, name: str | None = None) -> Any:
    return e.tanh(x, name=name)


@export("math.equal", "equal")
def equal(x: Any, y: Any, name: str | None = None) -> Any:
    return e.equal(x, y, name=name)


@export("cast", "dtypes.cast")
def cast(x: Any, dtype: Any, name: str | None = None) -> Any:
    """tf.cast(x, tf.int32): convert elementwise; floats truncate toward zero."""
    x = dispatch.convert_to_tensor(x)
    dtype = dtypes.as_dtype(dtype)
    return x if x.dtype is dtype else e.cast(x, DstT=dtype, name=name)


# -- reductions -----------------------------------------------------------------------------
def _axis(axis: Any) -> Any:
    if axis is None or isinstance(axis, int):
        return axis
    if dispatch.is_tensor(axis):
        axis = axis.numpy()
    return tuple(int(a) for a in axis) if hasattr(axis, "__len__") else int(axis)


@export("math.reduce_sum", "reduce_sum", v1=())
def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> Any:
    """tf.reduce_sum(x, axis=1): sum over the given axes (all axes when None)."""
    return r.reduce_sum(input_tensor, axis=_axis(axis), keepdims=keepdims, name=name)


@export("math.reduce_mean", "reduce_mean", v1=())
def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> Any:
    """tf.reduce_mean(x): the mean over the given axes (integer tensors divide as integers)."""
    return r.reduce_mean(input_tensor, axis=_axis(axis), keepdims=keepdims, name=name)


_ = array  # used by modules extending this one
