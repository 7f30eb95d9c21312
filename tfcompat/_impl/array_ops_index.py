"""Indexing, selection and ordering: gather, scatter_nd, boolean_mask, where, slices, one_hot, sort.

    tf.gather(x, [2, 0], axis=1);  tf.where(x > 0, x, 0.);  tf.strided_slice(x, [0], [4], [2])
"""
from __future__ import annotations

import collections
from typing import Any

from runtime import dispatch, dtypes
from runtime.ops import composite_array as ca, gather as g, indexing, sort

from .._export import export

Unique = collections.namedtuple("Unique", ["y", "idx"])


@export("gather", v1=())
def gather(params: Any, indices: Any, validate_indices: Any = None, axis: Any = None, batch_dims: int = 0,
           name: str | None = None) -> Any:
    """tf.gather([[1, 2], [3, 4]], [1, 0]) == [[3, 4], [1, 2]]; axis defaults to batch_dims."""
    axis = batch_dims if axis is None else int(axis.numpy() if dispatch.is_tensor(axis) else axis)
    return g.gather(params, indices, axis=axis, batch_dims=int(batch_dims), name=name)


@export("gather_nd", v1=())
def gather_nd(params: Any, indices: Any, batch_dims: int = 0, name: str | None = None,
              bad_indices_policy: str = "") -> Any:
    """tf.gather_nd([[1, 2], [3, 4]], [[1, 0]]) == [3]."""
    return ca.gather_nd(params, indices, batch_dims=int(batch_dims))


@export("scatter_nd", v1=("manip.scatter_nd", "scatter_nd"))
def scatter_nd(indices: Any, updates: Any, shape: Any, bad_indices_policy: str = "", name: str | None = None) -> Any:
    """tf.scatter_nd([[1], [3]], [9, 10], [5]) == [0, 9, 0, 10, 0] (duplicate indices add up)."""
    return g.scatter_nd(indices, updates, ca._int_tensor(shape), name=name)


@export("boolean_mask", v1=())
def boolean_mask(tensor: Any, mask: Any, axis: Any = None, name: str = "boolean_mask") -> Any:
    """tf.boolean_mask([1, 2, 3], [True, False, True]) == [1, 3]."""
    return ca.boolean_mask(tensor, mask, axis)


@export("where", v1=("where_v2",))
def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Any:
    """tf.where(c, x, y) picks x or y (broadcasting); tf.where(c) gives the int64 coordinates of true entries."""
    return ca.where(condition, x, y)


@export("one_hot")
def one_hot(indices: Any, depth: Any, on_value: Any = None, off_value: Any = None, axis: Any = None,
            dtype: Any = None, name: str | None = None) -> Any:
    """tf.one_hot([0, 2], 3) == [[1., 0., 0.], [0., 0., 1.]]."""
    return ca.one_hot(indices, depth, on_value, off_value, axis, dtype)


@export("slice")
def slice(input_: Any, begin: Any, size: Any, name: str | None = None) -> Any:  # noqa: A001
    """tf.slice(x, [1, 0], [1, -1]): size[i] elements from begin[i] on each axis (-1: to the end)."""
    return ca.slice_(input_, begin, size)


def _bits(mask: int, i: int) -> bool:
    return bool(mask >> i & 1)


@export("strided_slice")
def strided_slice(input_: Any, begin: Any, end: Any, strides: Any = None, begin_mask: int = 0, end_mask: int = 0,
                  ellipsis_mask: int = 0, new_axis_mask: int = 0, shrink_axis_mask: int = 0, var: Any = None,
                  name: str | None = None) -> Any:
    """tf.strided_slice(x, [0, 1], [2, 3], [1, 1]) == x[0:2, 1:3]; the masks mean what they mean in TF."""
    b, en = ca._ints(begin), ca._ints(end)
    st = [1] * len(b) if strides is None else ca._ints(strides)
    spec = []
    for i in range(len(b)):
        if _bits(ellipsis_mask, i):
            spec.append(("e",))
        elif _bits(new_axis_mask, i):
            spec.append(("n",))
        elif _bits(shrink_axis_mask, i):
            spec.append(("i", b[i]))
        else:
            spec.append(("s", None if _bits(begin_mask, i) else b[i], None if _bits(end_mask, i) else en[i], st[i]))
    return indexing.strided_slice(input_, spec=tuple(spec), name=name)


@export("unique")
def unique(x: Any, out_idx: Any = dtypes.int32, name: str | None = None) -> Unique:
    """tf.unique([3, 1, 3]) -> Unique(y=[3, 1], idx=[0, 1, 0]) (first-occurrence order)."""
    y, idx = sort.unique(x, out_idx=dtypes.as_dtype(out_idx), name=name)
    return Unique(y, idx)


@export("sort")
def sort_(values: Any, axis: int = -1, direction: str = "ASCENDING", name: str | None = None) -> Any:
    """tf.sort([3, 1, 2]) == [1, 2, 3]; direction="DESCENDING" reverses."""
    return ca.sort_(values, axis=int(axis), direction=direction)


@export("argsort")
def argsort(values: Any, axis: int = -1, direction: str = "ASCENDING", stable: bool = False,
            name: str | None = None) -> Any:
    """tf.argsort([3, 1, 2]) == [1, 2, 0] (int32; ties keep index order, so always stable)."""
    return ca.argsort(values, axis=int(axis), direction=direction)
