"""Array compositions of primitives (no kernels, no gradients of their own).

    boolean_mask(x, mask) == gather(reshape(x, [-1, ...]), where(reshape(mask, [-1]))[:, 0])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import dispatch, dtypes
from ..errors import invalid
from . import array, elementwise as e, gather as g, layout, reduce as r, sort


def _t(x: Any, dtype: Any = None) -> Any:
    return dispatch.convert_to_tensor(x, dtype=dtype)


def _ints(v: Any) -> list:
    if dispatch.is_tensor(v) or hasattr(v, "_as_tensor"):
        v = _t(v).numpy()
    return [int(i) for i in np.reshape(np.asarray(v), -1)]


def _int_tensor(v: Any) -> Any:
    if dispatch.is_tensor(v):
        return v
    if isinstance(v, (list, tuple)) and any(dispatch.is_tensor(d) for d in v):  # e.g. [tf.shape(x)[0], 3]
        return array.stack([array.cast(d, dtypes.int32) if dispatch.is_tensor(d) else
                             dispatch.constant(np.int32(d)) for d in v])
    return dispatch.constant(np.asarray(v, dtype=np.int32 if np.all(np.abs(np.asarray(v)) < 2**31) else np.int64))


def fill(dims: Any, value: Any) -> Any:
    return array.fill(_int_tensor(dims) if not isinstance(dims, int) else _int_tensor([dims]), value)


def zeros(shape: Any, dtype: Any = dtypes.float32) -> Any:
    d = dtypes.as_dtype(dtype)
    return fill(shape, dispatch.constant(np.zeros((), d.as_numpy_dtype) if d is not dtypes.string else b""))


def ones(shape: Any, dtype: Any = dtypes.float32) -> Any:
    d = dtypes.as_dtype(dtype)
    return fill(shape, dispatch.constant(np.ones((), d.as_numpy_dtype)))


def range_(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None) -> Any:
    if limit is None:
        start, limit = 0, start
    vals = [start, limit, delta]
    if dtype is not None:
        d = dtypes.as_dtype(dtype)
    else:
        found = [_t(v).dtype for v in vals]
        order = [dtypes.int32, dtypes.int64, dtypes.float16, dtypes.float32, dtypes.float64]
        d = max(found, key=lambda t: order.index(t) if t in order else 0)   # NOTE: TF's inferred-dtype rule
    return layout.range_(*[array.cast(_t(v), d) if dispatch.is_tensor(v) else _t(v, d) for v in vals])


def linspace(start: Any, stop: Any, num: Any, axis: int = 0) -> Any:
    """num evenly spaced values from start to stop (both included), along a new axis."""
    start, stop = _t(start), _t(stop)
    stop = _t(stop, start.dtype) if not dispatch.is_tensor(stop) else stop
    n = int(_t(num).numpy()) if dispatch.is_tensor(num) else int(num)
    if n <= 0:
        raise invalid(f"Requires num > 0: {n}")
    steps = array.cast(layout.range_(0, n, 1), start.dtype)
    shape = [-1] + [1] * start.shape.rank
    step = (stop - start) / max(n - 1, 1)
    out = array.expand_dims(start, axis=0) + array.reshape(steps, shape) * array.expand_dims(step, axis=0)
    if n > 1:  # NOTE: the last value is exactly `stop`, as TF makes it
        out = array.concat(out[: n - 1], array.expand_dims(stop, axis=0), axis=0)
    return out if axis == 0 else array.transpose(out, perm=_move_first_to(axis % (start.shape.rank + 1),
                                                                               start.shape.rank + 1))


def _move_first_to(axis: int, rank: int) -> tuple:
    perm = list(range(1, rank))
    perm.insert(axis, 0)
    return tuple(perm)


def split(value: Any, num_or_size_splits: Any, axis: int = 0, num: Any = None, name: Any = None) -> list:
    x = _t(value)
    axis = int(_ints(axis)[0]) if not isinstance(axis, int) else axis
    n = x.shape[axis % x.shape.rank]
    if isinstance(num_or_size_splits, (int, np.integer)) or (dispatch.is_tensor(num_or_size_splits)
                                                               and num_or_size_splits.shape.rank == 0):
        k = int(num_or_size_splits)
        if k <= 0 or (n is not None and n % k):
            raise invalid(f"Number of ways to split should evenly divide the split dimension, but got "
                          f"split_dim {axis} (size = {n}) and num_split {k}")
        out = layout.split_n(x, num_split=k, axis=axis, name=name)
        return list(out) if isinstance(out, tuple) else [out]
    else:
        sizes = _ints(num_or_size_splits)
        if sizes.count(-1) > 1:
            raise invalid("Only one dimension in size_splits can be -1")
        if -1 in sizes:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        sizes = tuple(sizes)
    out = layout.split(x, sizes=sizes, axis=axis, name=name)
    return list(out) if isinstance(out, tuple) else [out]


def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", constant_values: Any = 0) -> Any:
    x = _t(tensor)
    mode = mode.upper()
    if mode == "CONSTANT":
        c = constant_values if dispatch.is_tensor(constant_values) else _t(constant_values, x.dtype)
        return layout.pad(x, _int_tensor(paddings), c)
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"Value of argument `mode` expected to be one of \"CONSTANT\", \"REFLECT\", or "
                         f"\"SYMMETRIC\". Received `mode` = {mode}")
    p = np.reshape(_ints(paddings), (-1, 2))
    shift = 1 if mode == "REFLECT" else 0  # NOTE: REFLECT skips the edge value, SYMMETRIC repeats it
    for ax, (before, after) in enumerate(p):
        n = x.shape[ax]
        if before + shift > n or after + shift > n:
            raise invalid(f"paddings must be no greater than the dimension size: {before}, {after} greater "
                          f"than {n - shift}")
        parts = []
        if before:
            parts.append(layout.reverse(_take(x, ax, shift, shift + before), axis=(ax,)))
        parts.append(x)
        if after:
            parts.append(layout.reverse(_take(x, ax, n - shift - after, n - shift), axis=(ax,)))
        x = array.concat(*parts, axis=ax) if len(parts) > 1 else x
    return x


def _take(x: Any, axis: int, lo: int, hi: int) -> Any:
    begin = [0] * x.shape.rank
    size = [-1] * x.shape.rank
    begin[axis], size[axis] = lo, hi - lo
    return layout.slice_(x, _int_tensor(begin), _int_tensor(size))


def slice_(x: Any, begin: Any, size: Any) -> Any:
    return layout.slice_(x, _int_tensor(begin), _int_tensor(size))


def boolean_mask(tensor: Any, mask: Any, axis: Any = None) -> Any:
    x, m = _t(tensor), _t(mask)
    k = m.shape.rank
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    axis = 0 if axis is None else int(axis)
    lead = x.shape.as_list()
    if lead[axis:axis + k] != m.shape.as_list():
        raise ValueError(f"Shapes {x.shape[axis:axis + k]} and {m.shape} are incompatible")
    flat = array.reshape(x, lead[:axis] + [-1] + lead[axis + k:])
    idx = array.reshape(g.where(array.reshape(m, [-1])), [-1])
    return g.gather(flat, idx, axis=axis)


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None and y is None:
        return g.where(_t(condition))
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    if not dispatch.is_tensor(x) and dispatch.is_tensor(y):
        x = _t(x, _t(y).dtype)
    y = _t(y, _t(x).dtype) if not dispatch.is_tensor(y) else y
    return e.select(_t(condition), x, y)


def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = dtypes.bool_) -> Any:
    lengths = _t(lengths)
    if maxlen is None:
        maxlen = r.reduce_max(lengths) if lengths.shape.num_elements() else _t(0, lengths.dtype)
    maxlen = array.cast(_t(maxlen), lengths.dtype)
    steps = layout.range_(_t(0, lengths.dtype), maxlen, _t(1, lengths.dtype))
    mask = e.less(steps, array.expand_dims(lengths, axis=-1))
    return mask if dtypes.as_dtype(dtype) is dtypes.bool_ else array.cast(mask, dtypes.as_dtype(dtype))


def _to_last(x: Any, axis: int) -> tuple:
    rank = x.shape.rank
    axis %= rank
    if axis == rank - 1:
        return x, None
    perm = tuple(i for i in range(rank) if i != axis) + (axis,)
    return array.transpose(x, perm=perm), tuple(int(i) for i in np.argsort(perm))


def _sorted(values: Any, axis: int, direction: str) -> tuple:
    x = _t(values)
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f'`direction` should be one of "ASCENDING" or "DESCENDING". Received: {direction}')
    if x.shape.rank == 0:
        raise ValueError("Input values must be at least 1-D")
    moved, back = _to_last(x, axis)
    n = moved.shape[-1]
    if direction == "ASCENDING":
        vals, idx = sort.top_k(e.negative(moved), k=n)
        vals = e.negative(vals)
    else:
        vals, idx = sort.top_k(moved, k=n)
    if back is not None:
        vals, idx = array.transpose(vals, perm=back), array.transpose(idx, perm=back)
    return vals, idx


def sort_(values: Any, axis: int = -1, direction: str = "ASCENDING") -> Any:
    return _sorted(values, axis, direction)[0]


def argsort(values: Any, axis: int = -1, direction: str = "ASCENDING") -> Any:
    # NOTE: TopKV2 keeps ties in index order, so this is also the stable order.
    return _sorted(values, axis, direction)[1]


def gather_nd(params: Any, indices: Any, batch_dims: int = 0) -> Any:
    params, indices = _t(params), _t(indices)
    if batch_dims == 0:
        return g.gather_nd(params, indices)
    lead = indices.shape.as_list()[:batch_dims]
    grid = np.stack(np.meshgrid(*[np.arange(d) for d in lead], indexing="ij"), axis=-1)
    inner = indices.shape.as_list()[batch_dims:-1]
    grid = np.broadcast_to(grid.reshape(lead + [1] * len(inner) + [batch_dims]), lead + inner + [batch_dims])
    full = array.concat(dispatch.constant(grid.astype(indices.dtype.as_numpy_dtype)), indices, axis=-1)
    return g.gather_nd(params, full)


def one_hot(indices: Any, depth: Any, on_value: Any = None, off_value: Any = None, axis: Any = None,
            dtype: Any = None) -> Any:
    on_t = None if on_value is None else _t(on_value, dtype)
    off_t = None if off_value is None else _t(off_value, dtype)
    d = dtypes.as_dtype(dtype) if dtype is not None else (on_t.dtype if on_t is not None else off_t.dtype
                                                         if off_t is not None else dtypes.float32)
    if on_t is not None and off_t is not None and on_t.dtype is not off_t.dtype:
        raise TypeError(f"dtype {on_t.dtype!r} of on_value does not match dtype {off_t.dtype!r} of off_value")
    on_t = on_t if on_t is not None else dispatch.constant(np.ones((), d.as_numpy_dtype))
    off_t = off_t if off_t is not None else dispatch.constant(np.zeros((), d.as_numpy_dtype))
    return layout.one_hot(_t(indices), on_t, off_t, depth=int(_ints(depth)[0]), axis=-1 if axis is None else axis)
