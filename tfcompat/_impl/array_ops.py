"""Array creation and shape manipulation: `tf.zeros`, `tf.reshape`, `tf.concat`, `tf.split`, ...

    tf.concat([a, b], axis=1);  tf.split(x, [2, -1], axis=0);  tf.pad(x, [[1, 1], [0, 2]])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.ops import array, composite_array as ca, elementwise as e, layout

from .._export import export


def _t(x: Any) -> Any:
    return dispatch.convert_to_tensor(x)


# -- creation -------------------------------------------------------------------------------
def _static(shape: Any) -> bool:
    return isinstance(shape, int) or (isinstance(shape, (list, tuple)) and
                                      all(isinstance(d, (int, np.integer)) for d in shape))


def _filled(shape: Any, dtype: Any, value: int, name: str) -> Any:
    """A constant named as TensorFlow names it (`zeros`, `ones`) when the shape is static."""
    d = dtypes.as_dtype(dtype)
    fill = (b"" if value == 0 else b"1") if d is dtypes.string else value
    return dispatch.constant(np.full(shape, fill, dtype=object if d is dtypes.string else d.as_numpy_dtype),
                             name=name)


@export("zeros")
def zeros(shape: Any, dtype: Any = dtypes.float32, name: str | None = None, layout: Any = None) -> Any:
    """tf.zeros([2, 3]) -> float32 zeros of shape (2, 3)."""
    return _filled(shape, dtype, 0, name or "zeros") if _static(shape) else ca.zeros(shape, dtype)


@export("ones")
def ones(shape: Any, dtype: Any = dtypes.float32, name: str | None = None, layout: Any = None) -> Any:
    """tf.ones([2], tf.int32) == [1, 1]."""
    return _filled(shape, dtype, 1, name or "ones") if _static(shape) else ca.ones(shape, dtype)


@export("zeros_like", v1=())
def zeros_like(input: Any, dtype: Any = None, name: str | None = None, layout: Any = None) -> Any:  # noqa: A002
    """tf.zeros_like(x): zeros with x's shape (and x's dtype unless given)."""
    x = e.zeros_like_e(input, name=name)
    return x if dtype is None else array.cast(x, dtypes.as_dtype(dtype))


@export("ones_like", v1=())
def ones_like(input: Any, dtype: Any = None, name: str | None = None, layout: Any = None) -> Any:  # noqa: A002
    """tf.ones_like(x): ones with x's shape (and x's dtype unless given)."""
    x = e.ones_like_e(input, name=name)
    return x if dtype is None else array.cast(x, dtypes.as_dtype(dtype))


@export("fill")
def fill(dims: Any, value: Any, name: str | None = None, layout: Any = None) -> Any:
    """tf.fill([2, 3], 9) == 2x3 of int32 9s."""
    return ca.fill(dims, value)


@export("range")
def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None, name: str = "range") -> Any:  # noqa: A001
    """tf.range(5) == [0, 1, 2, 3, 4]; tf.range(1, 2, 0.25) is float32."""
    return ca.range_(start, limit, delta, dtype)


@export("linspace", v1=("lin_space", "linspace"))
def linspace(start: Any, stop: Any, num: Any, name: str | None = None, axis: int = 0) -> Any:
    """tf.linspace(0., 1., 5) == [0., .25, .5, .75, 1.]."""
    return ca.linspace(start, stop, num, axis=axis)


# -- shape ----------------------------------------------------------------------------------
@export("reshape")
def reshape(tensor: Any, shape: Any, name: str | None = None) -> Any:
    """tf.reshape(x, [3, -1]): the same values in a new shape (one dimension may be -1)."""
    return array.reshape(tensor, shape, name=name)


@export("transpose", v1=())
def transpose(a: Any, perm: Any = None, conjugate: bool = False, name: str = "transpose") -> Any:
    """tf.transpose(x, perm=[1, 0]); perm=None reverses the axes."""
    perm = None if perm is None else tuple(int(p) for p in (perm.numpy() if dispatch.is_tensor(perm) else perm))
    return array.transpose(a, perm=perm, name=name)


@export("concat", v1=())  # NOTE: v1 concat also takes the pre-1.0 (axis, values) order: see v1/ops_v1
def concat(values: Any, axis: Any, name: str = "concat") -> Any:
    """tf.concat([a, b], 0): join along an existing axis."""
    values = list(values)
    return array.identity(values[0], name=name) if len(values) == 1 else array.concat(*values, axis=int(axis), name=name)


@export("stack")
def stack(values: Any, axis: int = 0, name: str = "stack") -> Any:
    """tf.stack([a, b], axis=1): join along a new axis."""
    return array.stack(list(values), axis=int(axis), name=name)


@export("unstack")
def unstack(value: Any, num: Any = None, axis: int = 0, name: str = "unstack") -> list:
    """tf.unstack(x, axis=0) -> a list of x's slices along axis."""
    return array.unstack(value, num=num, axis=int(axis), name=name)


@export("split")
def split(value: Any, num_or_size_splits: Any, axis: Any = 0, num: Any = None, name: str = "split") -> list:
    """tf.split(x, 3) or tf.split(x, [2, -1], axis=1): pieces along axis."""
    return ca.split(value, num_or_size_splits, axis=axis, num=num, name=name)


@export("squeeze", v1=())
def squeeze(input: Any, axis: Any = None, name: str | None = None) -> Any:  # noqa: A002
    """tf.squeeze(x, [0]): drop size-1 axes (all of them when axis is None)."""
    axis = None if axis is None else ((int(axis),) if isinstance(axis, int) else tuple(int(a) for a in axis))
    return array.squeeze(input, axis=axis, name=name)


@export("expand_dims", v1=())
def expand_dims(input: Any, axis: Any, name: str | None = None) -> Any:  # noqa: A002
    """tf.expand_dims(x, -1): insert a size-1 axis."""
    return array.expand_dims(input, axis=int(axis), name=name)


@export("tile", v1=("manip.tile", "tile"))
def tile(input: Any, multiples: Any, name: str | None = None) -> Any:  # noqa: A002
    """tf.tile([[1, 2]], [2, 1]) == [[1, 2], [1, 2]]."""
    return array.tile(input, multiples, name=name)


@export("pad", v1=())
def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", constant_values: Any = 0, name: str | None = None) -> Any:
    """tf.pad(x, [[1, 1], [2, 0]], mode="REFLECT"): pad each axis by (before, after)."""
    return ca.pad(tensor, paddings, mode, constant_values)


@export("broadcast_to")
def broadcast_to(input: Any, shape: Any, name: str | None = None) -> Any:  # noqa: A002
    """tf.broadcast_to([1, 2], [3, 2]): repeat along new or size-1 axes."""
    return array.broadcast_to(input, shape, name=name)


@export("reverse", v1=("manip.reverse", "reverse", "reverse_v2"))
def reverse(tensor: Any, axis: Any, name: str | None = None) -> Any:
    """tf.reverse(x, [0]): reverse the order of elements along the listed axes."""
    axes = (int(axis),) if isinstance(axis, int) else tuple(int(a) for a in ca._ints(axis))
    return layout.reverse(tensor, axis=axes, name=name)


@export("shape", v1=())
def shape(input: Any, out_type: Any = None, name: str | None = None) -> Any:  # noqa: A002
    """tf.shape(x) -> an int32 vector of x's dimensions."""
    return array.shape(input, out_type=dtypes.int32 if out_type is None else dtypes.as_dtype(out_type), name=name)


@export("size", v1=())
def size(input: Any, out_type: Any = None, name: str | None = None) -> Any:  # noqa: A002
    """tf.size(x) -> the number of elements, int32."""
    return array.size(input, out_type=dtypes.int32 if out_type is None else dtypes.as_dtype(out_type), name=name)


@export("rank")
def rank(input: Any, name: str | None = None) -> Any:  # noqa: A002
    """tf.rank(x) -> the number of dimensions, an int32 scalar."""
    return array.rank(input, name=name)


@export("sequence_mask")
def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = dtypes.bool_, name: str | None = None) -> Any:
    """tf.sequence_mask([1, 3], 4) == [[T, F, F, F], [T, T, T, F]]."""
    return ca.sequence_mask(lengths, maxlen, dtype)


_ = _t
