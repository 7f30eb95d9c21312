"""Layout primitives: PadV2, Slice, Split, SplitV, ReverseV2, OneHot, Range.

    PadV2([[1, 2]], paddings=[[0, 0], [1, 1]], constant_values=0) == [[0, 1, 2, 0]]

Pad and Slice are each other's gradient; their paddings/begin/size are tensor
inputs (value_inputs), so they may be computed at run time.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import invalid
from .registry import op
from .testcases import given, shaped

_RNG = np.random.default_rng(2)


def _const(v):
    return None if v is None else np.asarray(v).astype(np.int64)


# -- PadV2 ----------------------------------------------------------------------------------
def _pad_shape(x, paddings, c):
    if x is None:
        return None
    p = _const(paddings)
    if p is None:
        return tuple(None for _ in x)
    return tuple(None if d is None else d + int(a) + int(b) for d, (a, b) in zip(x, p.reshape(-1, 2)))


def _pad_grad(g, y, x, paddings, c):
    from .array import shape  # noqa: PLC0415
    begin = paddings[:, 0]
    return slice_(g, begin, shape(x, out_type=paddings.dtype)), None, None


def _pad_kernel(xp, x, paddings, c):
    p = np.asarray(paddings).reshape(-1, 2)
    if p.shape[0] != x.ndim:
        raise invalid(f"The first dimension of paddings must be the rank of inputs[{p.shape[0]},2], "
                      f"[{','.join(map(str, x.shape))}]")
    if (p < 0).any():
        raise invalid(f"Paddings must be non-negative: {p.tolist()}")
    return xp.pad(x, [tuple(int(v) for v in r) for r in p], constant_values=c)


@op("PadV2", shape=_pad_shape, value_inputs=(1,), grad=_pad_grad,
    ref=lambda x, p, c: np.pad(x, np.asarray(p).tolist(), constant_values=c),
    cases=given(_RNG.standard_normal((2, 3)), np.array([[1, 0], [2, 1]], np.int32), np.float64(0.5))
    + given(_RNG.standard_normal((3,)), np.array([[0, 2]], np.int64), np.float64(0)))
def pad(xp):
    """PadV2(x, paddings [rank, 2], constant_values): x with paddings[i] = (before, after) added on axis i."""
    return lambda x, paddings, c: _pad_kernel(xp, x, paddings, c)


# -- Slice ----------------------------------------------------------------------------------
def _slice_shape(x, begin, size):
    if size is None:
        return None if x is None else tuple(None for _ in x)
    s = _partial(size)
    b = _partial(begin) if begin is not None else [None] * len(s)
    out = []
    for i, n in enumerate(s):
        if n is None or n >= 0:
            out.append(n)
        else:
            out.append(None if x is None or x[i] is None or b[i] is None else x[i] - b[i])
    return tuple(out)


def _partial(v):
    """A vector's entries as ints, None where only known at run time."""
    return [None if d is None else int(d) for d in np.reshape(np.asarray(v, dtype=object), -1)]


def _slice_grad(g, y, x, begin, size):
    from .array import pack, shape  # noqa: PLC0415
    xs, ys = shape(x, out_type=begin.dtype), shape(y, out_type=begin.dtype)
    return pad(g, pack(begin, xs - begin - ys, axis=1), _zero(g)), None, None


def _zero(g):
    from .. import dispatch  # noqa: PLC0415
    return dispatch.constant(np.zeros((), g.dtype.as_numpy_dtype))


def _slice_kernel(x, begin, size):
    b = np.asarray(begin).reshape(-1)
    s = np.asarray(size).reshape(-1)
    if len(b) != x.ndim or len(s) != x.ndim:
        raise invalid(f"Expected begin and size arguments to be 1-D tensors of size {x.ndim}, but got shapes "
                      f"[{len(b)}] and [{len(s)}] instead.")
    index = []
    for i, (bi, si) in enumerate(zip(b, s)):
        si = x.shape[i] - bi if si == -1 else si
        if bi < 0 or si < 0 or bi + si > x.shape[i]:
            raise invalid(f"Expected size[{i}] in [0, {x.shape[i] - bi}], but got {s[i]}")
        index.append(slice(int(bi), int(bi + si)))
    return x[tuple(index)]


@op("Slice", shape=_slice_shape, value_inputs=(1, 2), grad=_slice_grad, ref=_slice_kernel,
    cases=given(_RNG.standard_normal((3, 4)), np.array([1, 0], np.int32), np.array([2, -1], np.int32))
    + given(_RNG.standard_normal((2, 3, 4)), np.array([0, 1, 1], np.int64), np.array([1, 2, 2], np.int64)))
def slice_(xp):
    """Slice(x, begin, size): x[begin[i] : begin[i] + size[i]] on every axis; size -1 means 'to the end'."""
    return _slice_kernel


# -- SplitV / ReverseV2 ---------------------------------------------------------------------
def _split_shape(x, sizes, axis=0):
    if x is None:
        return tuple(None for _ in sizes)
    a = axis % len(x)
    return tuple(x[:a] + (s,) + x[a + 1:] for s in sizes)


def _split_kernel(xp, x, sizes, axis=0):
    a = axis % max(x.ndim, 1)
    if sum(sizes) != x.shape[a]:
        raise invalid(f"Determined shape must either match input shape along split_dim exactly if fully "
                      f"specified, or be less than the size of the input along split_dim if not fully "
                      f"specified.  Got: {sum(sizes)}")
    return tuple(xp.split(x, np.cumsum(sizes)[:-1], axis=a))


@op("SplitV", shape=_split_shape, num_outputs=lambda x, sizes, axis=0: len(sizes),
    grad=lambda gs, ys, x, sizes, axis=0: (concat_op(*(gs if isinstance(gs, tuple) else (gs,)), axis=axis),),
    ref=lambda x, sizes, axis=0: tuple(np.split(x, np.cumsum(sizes)[:-1], axis=axis)),
    cases=shaped((2, 5), sizes=(2, 3), axis=1) + shaped((6,), sizes=(2, 2, 2), axis=0)
    + shaped((3, 2), sizes=(3,), axis=-2))
def split(xp):
    """SplitV(x, sizes=(2, 3), axis=1): consecutive pieces of x along axis with the given sizes."""
    return lambda x, sizes, axis=0: _split_kernel(xp, x, sizes, axis)


def _split_n_shape(x, num_split=1, axis=0):
    if x is None:
        return tuple(None for _ in range(num_split))
    a = axis % len(x)
    d = x[a]
    if d is not None and d % num_split:
        raise invalid(f"Number of ways to split should evenly divide the split dimension, but got split_dim {axis} "
                      f"(size = {d}) and num_split {num_split}")
    return tuple(x[:a] + (None if d is None else d // num_split,) + x[a + 1:] for _ in range(num_split))


def _split_n_kernel(xp, x, num_split=1, axis=0):
    a = axis % max(x.ndim, 1)
    if x.shape[a] % num_split:
        raise invalid(f"Number of ways to split should evenly divide the split dimension, but got split_dim {axis} "
                      f"(size = {x.shape[a]}) and num_split {num_split}")
    return tuple(xp.split(x, num_split, axis=a))


@op("Split", shape=_split_n_shape, num_outputs=lambda x, num_split=1, axis=0: num_split,
    grad=lambda gs, ys, x, num_split=1, axis=0: (concat_op(*(gs if isinstance(gs, tuple) else (gs,)), axis=axis),),
    ref=lambda x, num_split=1, axis=0: tuple(np.split(x, num_split, axis=axis)),
    cases=shaped((2, 6), num_split=3, axis=1) + shaped((4,), num_split=2, axis=0))
def split_n(xp):
    """Split(x, num_split=3, axis=1): num_split equal pieces along axis (its size may be known only at run time)."""
    return lambda x, num_split=1, axis=0: _split_n_kernel(xp, x, num_split, axis)


def concat_op(*xs, axis=0):
    from .array import concat  # noqa: PLC0415
    return concat(*xs, axis=axis)


@op("ReverseV2", shape=lambda x, axis: x, grad=lambda g, y, x, axis: (reverse(g, axis=axis),),
    ref=lambda x, axis: np.flip(x, axis), cases=shaped((2, 3), axis=(1,)) + shaped((2, 3, 2), axis=(0, -1)))
def reverse(xp):
    """ReverseV2(x, axis=(0,)): x with the order of elements along each listed axis reversed."""
    return lambda x, axis: xp.flip(x, tuple(axis)) if axis else x


# -- OneHot / Range -------------------------------------------------------------------------
def _one_hot_shape(i, on, off, depth, axis=-1):
    if i is None:
        return None
    a = len(i) if axis == -1 else axis
    return i[:a] + (depth,) + i[a:]


def _one_hot_kernel(xp, indices, on, off, depth, axis=-1):
    hot = indices[..., None] == xp.arange(depth, dtype=indices.dtype)
    out = xp.where(hot, on, off).astype(on.dtype, copy=False)
    return out if axis == -1 else xp.moveaxis(out, -1, axis)


@op("OneHot", shape=_one_hot_shape, dtype=lambda i, on, off, depth, axis=-1: on, differentiable=False,
    ref=lambda i, on, off, depth, axis=-1: _one_hot_kernel(np, i, on, off, depth, axis),
    cases=given(np.array([0, 2, -1, 1], np.int32), np.float32(1), np.float32(0), depth=3)
    + given(np.array([[0, 2], [1, 5]], np.int64), np.float64(5), np.float64(-1), depth=3, axis=1))
def one_hot(xp):
    """OneHot(indices, on, off, depth=3, axis=-1): on where position == index, else off (bad indices: all off)."""
    return lambda indices, on, off, depth, axis=-1: _one_hot_kernel(xp, indices, on, off, depth, axis)


def _range_shape(start, limit, delta):
    if start is None or limit is None or delta is None:
        return (None,)
    return (max(0, int(np.ceil((limit - start) / delta))),)


def _range_kernel(xp, start, limit, delta):
    if delta == 0:
        raise invalid(f"Requires delta != 0: {delta}")
    if (delta > 0 and limit < start) or (delta < 0 and start < limit):
        raise invalid(f"Requires start <= limit when delta > 0: {start}/{limit}" if delta > 0 else
                      f"Requires start >= limit when delta < 0: {start}/{limit}")
    n = int(np.ceil((limit - start) / delta))
    dt = np.result_type(start)  # NOTE: host values (value_inputs); the result is made with xp
    return (xp.arange(n) * np.asarray(delta).item() + np.asarray(start).item()).astype(dt, copy=False)


@op("Range", shape=_range_shape, value_inputs=(0, 1, 2), differentiable=False, same_dtype=True,
    ref=lambda s, lim, d: np.arange(s, lim, d, dtype=np.result_type(s)),
    cases=given(np.int32(2), np.int32(11), np.int32(3)) + given(np.float32(1), np.float32(0), np.float32(-0.25)))
def range_(xp):
    """Range(start, limit, delta): [start, start + delta, ...) up to but excluding limit."""
    return lambda start, limit, delta: _range_kernel(xp, start, limit, delta)


_ = dtypes
