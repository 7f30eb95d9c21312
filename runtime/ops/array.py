"""Shape and layout primitives: identity, reshape, expand/squeeze, transpose, pack/unpack,
concat, tile, broadcast, shape queries, fill, and the gradient helpers autodiff needs.

Shapes passed as tensors (`Reshape`'s `shape`, `Fill`'s `dims`...) are inputs, as in
TensorFlow, so they may be computed at run time; their shape rules receive the
input's constant value when it is known (`value_inputs`).
"""
from __future__ import annotations

import numpy as np

from .. import dispatch, dtypes
from ..errors import invalid
from .registry import op, same_shape
from .testcases import Cases, floats, given, ints, shaped


@op("Identity", shape=same_shape, grad=lambda g, y, x: (g,), ref=lambda x: x, cases=floats(1) + ints(1))
def identity(xp):
    return lambda x: x


@op("StopGradient", shape=same_shape, differentiable=False, ref=lambda x: x, cases=floats(1))
def stop_gradient(xp):
    return lambda x: x


# -- reshape --------------------------------------------------------------------------------
def shape_dims(value):
    """A shape vector's entries as ints, None where only known at run time (a partial constant)."""
    return [None if d is None else int(d) for d in np.reshape(np.asarray(value, dtype=object), -1)]


def _reshape_shape(x, shape):
    if shape is None:
        return None
    dims = shape_dims(shape)
    total = None if x is None or None in x else int(np.prod(x))
    if None not in dims and -1 not in dims and x is not None:
        n = int(np.prod(dims))
        if total is not None and total != n:
            raise invalid(f"Cannot reshape a tensor with {total} elements to shape [{','.join(map(str, dims))}] "
                          f"({n} elements)")
        part = int(np.prod([d for d in x if d is not None]))
        if total is None and part and n % part:
            raise invalid(f"Dimension size must be evenly divisible by {part} but is {n}")
    if None in dims:
        return tuple(None if d in (None, -1) else d for d in dims)
    if -1 in dims:
        known = int(np.prod([d for d in dims if d != -1]))
        if total is not None and known and total % known:
            raise invalid(f"Dimension size must be evenly divisible by {known} but is {total}")
        dims = [(None if total is None or known == 0 else total // known) if d == -1 else d for d in dims]
    return tuple(dims)


def _reshape_grad(g, y, x, shape):
    return reshape_like(g, x), None


@op("Reshape", shape=_reshape_shape, value_inputs=(1,), grad=_reshape_grad,
    ref=lambda x, s: np.reshape(x, s), cases=given(np.arange(6.0).reshape(2, 3), np.array([3, -1], np.int32)))
def reshape_op(xp):
    def kernel(x, shape):
        try:
            return xp.reshape(x, tuple(int(d) for d in shape.reshape(-1)) if hasattr(shape, "reshape") else shape)
        except ValueError:
            raise invalid(f"Input to reshape is a tensor with {x.size} values, but the requested shape "
                          f"has {int(np.prod([d for d in np.reshape(shape, -1) if d != -1]))}") from None
    return kernel


@op("ReshapeLike", shape=lambda x, like: like, grad=lambda g, y, x, like: (reshape_like(g, x), None),
    ref=lambda x, like: np.reshape(x, np.shape(like)), cases=given(np.arange(6.0), np.zeros((2, 3))))
def reshape_like(xp):
    """ReshapeLike(x, like): x with like's shape (runtime-internal, for gradients)."""
    return lambda x, like: xp.reshape(x, like.shape)


def reshape(tensor, shape, name=None):
    return reshape_op(tensor, _shape_tensor(shape), name=name)


def _shape_tensor(shape):
    if dispatch.is_tensor(shape):
        return shape
    if isinstance(shape, (list, tuple)) and any(dispatch.is_tensor(d) for d in shape):
        return stack([d if dispatch.is_tensor(d) else dispatch.constant(int(d), dtypes.int32) for d in shape])
    return dispatch.constant(np.asarray([-1 if d is None else int(d) for d in np.reshape(
        np.asarray(shape, dtype=object), -1)] if np.ndim(shape) else int(shape), dtype=np.int32))


# -- expand / squeeze / transpose -----------------------------------------------------------
def _expand_shape(x, axis):
    if x is None:
        return None
    a = axis if axis >= 0 else len(x) + 1 + axis
    return x[:a] + (1,) + x[a:]


@op("ExpandDims", shape=_expand_shape, grad=lambda g, y, x, axis: (reshape_like(g, x),),
    ref=lambda x, axis: np.expand_dims(x, axis), cases=floats(1, axis=0) + floats(1, axis=-1))
def expand_dims(xp):
    return lambda x, axis: xp.expand_dims(x, axis)


def _squeeze_shape(x, axis=None):
    if x is None:
        return None
    if not axis:
        return tuple(d for d in x if d != 1)
    axes = {a % len(x) for a in ((axis,) if isinstance(axis, int) else axis)}
    return tuple(d for i, d in enumerate(x) if i not in axes)


@op("Squeeze", shape=_squeeze_shape, grad=lambda g, y, x, axis=None: (reshape_like(g, x),),
    ref=lambda x, axis=None: np.squeeze(x, axis=tuple(axis) if axis else None),
    cases=given(np.ones((2, 1, 3))) + given(np.ones((1, 3, 1)), axis=(0,)))
def squeeze(xp):
    def kernel(x, axis=None):
        if axis:
            axes = (axis,) if isinstance(axis, int) else tuple(axis)
            for a in axes:
                if x.shape[a] != 1:
                    raise invalid(f"Can not squeeze dim[{a % x.ndim}], expected a dimension of 1, "
                                  f"got {x.shape[a]}")
            return xp.squeeze(x, axis=axes)
        return xp.squeeze(x)
    return kernel


def _transpose_shape(x, perm=None):
    if x is None:
        return None
    perm = perm if perm is not None else tuple(reversed(range(len(x))))
    return tuple(x[p] for p in perm)


def _transpose_grad(g, y, x, perm=None):
    inv = None if perm is None else tuple(int(i) for i in np.argsort(perm))
    return (transpose(g, perm=inv),)


@op("Transpose", shape=_transpose_shape, grad=_transpose_grad, ref=lambda x, perm=None: np.transpose(x, perm),
    cases=shaped((2, 3), perm=(1, 0)) + given(np.arange(24.0).reshape(2, 3, 4), perm=(2, 0, 1)))
def transpose(xp):
    return lambda x, perm=None: xp.transpose(x, perm)


# -- pack / unpack / concat -----------------------------------------------------------------
def _pack_shape(*shapes, axis=0):
    known = [s for s in shapes if s is not None]
    if not known:
        return None
    base = known[0]
    a = axis if axis >= 0 else len(base) + 1 + axis
    return base[:a] + (len(shapes),) + base[a:]


def _pack_grad(g, y, *xs, axis=0):
    return unstack(g, len(xs), axis=axis)


@op("Pack", shape=_pack_shape, same_dtype=True, grad=_pack_grad, ref=lambda *xs, axis=0: np.stack(xs, axis),
    cases=floats(3, axis=0) + floats(3, axis=1))
def pack(xp):
    return lambda *xs, axis=0: xp.stack(xs, axis=axis)


def _unpack_shape(x, num=None, axis=0):
    if x is None:
        return tuple(None for _ in range(num))
    a = axis % len(x)
    return tuple(x[:a] + x[a + 1:] for _ in range(num or x[a]))


@op("Unpack", shape=_unpack_shape, num_outputs=lambda x, num=None, axis=0: num,
    grad=lambda g, ys, x, num=None, axis=0: (pack(*(g if isinstance(g, tuple) else (g,)), axis=axis),),  # num=1: one g
    ref=lambda x, num=None, axis=0: tuple(np.moveaxis(x, axis, 0)), cases=shaped((2, 3), num=2, axis=0) + shaped((2, 3), num=3, axis=1))
def unpack(xp):
    return lambda x, num=None, axis=0: tuple(xp.moveaxis(x, axis, 0))


def stack(values, axis=0, name=None):
    return pack(*values, axis=axis, name=name)


def unstack(value, num=None, axis=0, name=None):
    value = dispatch.convert_to_tensor(value)
    if num is None:
        num = value.shape[axis]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {value.shape}")
    return list(unpack(value, num=num, axis=axis, name=name))


def _concat_shape(*shapes, axis=0):
    known = [s for s in shapes if s is not None]
    if not known:
        return None
    rank = len(known[0])
    a = axis % rank
    out = list(known[0])
    for s in known[1:]:
        if len(s) != rank:
            raise invalid(f"Shape must be rank {rank} but is rank {len(s)}")
        for i, (d, e) in enumerate(zip(out, s)):
            if i != a and d is not None and e is not None and d != e:
                rest = [_fmt_dims(t[:a] + t[a + 1:]) for t in (out, s)]
                raise invalid(f"Dimension {i - (i > a)} in both shapes must be equal, but are {d} and {e}. "
                              f"Shapes are {rest[0]} and {rest[1]}.")
            out[i] = d if d is not None else e
    sizes = [None if s is None else s[a] for s in shapes]
    out[a] = None if None in sizes else sum(sizes)
    return tuple(out)


def _fmt_dims(dims):
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _concat_grad(g, y, *xs, axis=0):
    return tuple(split_like(g, *xs, axis=axis))


@op("ConcatV2", shape=_concat_shape, same_dtype=True, grad=_concat_grad,
    ref=lambda *xs, axis=0: np.concatenate(xs, axis), cases=floats(3, axis=0) + floats(3, axis=1))
def concat(xp):
    return lambda *xs, axis=0: xp.concatenate(xs, axis=axis)


@op("SplitLike", num_outputs=lambda g, *xs, axis=0: len(xs),
    shape=lambda g, *xs, axis=0: tuple(xs), grad=lambda gs, ys, g, *xs, axis=0: (concat(*gs, axis=axis),)
    + (None,) * len(xs), ref=lambda g, *xs, axis=0: tuple(np.split(g, np.cumsum(
        [x.shape[axis] for x in xs])[:-1], axis)), cases=given(np.arange(10.0).reshape(2, 5), np.ones((2, 2)),
                                                              np.ones((2, 3)), axis=1))
def split_like(xp):
    """SplitLike(g, *xs, axis): g cut along axis into pieces as wide as each x (for concat's gradient)."""
    def kernel(g, *xs, axis=0):
        bounds = np.cumsum([x.shape[axis] for x in xs])[:-1]
        return tuple(xp.split(g, bounds, axis=axis))
    return kernel


# -- tile / broadcast / reduce-to-shape -----------------------------------------------------
def _tile_shape(x, multiples):
    if x is None or multiples is None:
        return None if x is None else tuple(None for _ in x)
    return tuple(None if d is None or m is None else d * m for d, m in zip(x, shape_dims(multiples)))


def _tile_grad(g, y, x, multiples):
    """Sum g over the copies: reshape to [m0, d0, m1, d1, ...] and reduce the m axes (shapes at run time)."""
    rank = multiples.shape[0] if multiples.shape.rank == 1 else None
    rank = x.shape.rank if rank is None else rank
    if rank is None:
        raise NotImplementedError("gradient of tf.tile needs the rank of its input or of `multiples`; "
                                  "give the input a static rank (tf.reshape or set_shape)")
    from .reduce import reduce_sum  # noqa: PLC0415
    dims = shape(x, out_type=multiples.dtype)
    split = reshape(stack([multiples, dims], axis=1), dispatch.constant(np.array([-1], np.int32)))
    return reduce_sum(reshape_op(g, split), axis=tuple(range(0, 2 * rank, 2))), None


@op("Tile", shape=_tile_shape, value_inputs=(1,), grad=_tile_grad, ref=np.tile,
    cases=given(np.arange(6.0).reshape(2, 3), np.array([2, 1], np.int32)))
def tile_op(xp):
    return lambda x, multiples: xp.tile(x, tuple(int(m) for m in multiples.reshape(-1)))


def tile(input, multiples, name=None):  # noqa: A002  (TensorFlow's argument name)
    return tile_op(input, _shape_tensor(multiples), name=name)


@op("BroadcastTo", shape=lambda x, shape: None if shape is None else tuple(shape_dims(shape)),
    value_inputs=(1,), grad=lambda g, y, x, shape: (g, None),
    ref=lambda x, s: np.broadcast_to(x, tuple(s)), cases=given(np.arange(3.0), np.array([2, 3], np.int32)))
def broadcast_to_op(xp):
    return lambda x, shape: xp.broadcast_to(x, tuple(int(d) for d in shape.reshape(-1)))


def broadcast_to(input, shape, name=None):  # noqa: A002
    return broadcast_to_op(input, _shape_tensor(shape), name=name)


@op("BroadcastLike", shape=lambda x, like: like, grad=lambda g, y, x, like: (g, None),
    ref=lambda x, like: np.broadcast_to(x, np.shape(like)), cases=given(np.arange(3.0), np.zeros((2, 3))))
def broadcast_like(xp):
    """BroadcastLike(x, like): x broadcast to like's shape (runtime-internal, for gradients)."""
    return lambda x, like: xp.broadcast_to(x, like.shape)


def _sum_to(xp, g, shape):
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, d in enumerate(shape) if d == 1 and g.shape[i + lead] != 1)
    out = xp.sum(g, axis=axes, keepdims=True) if axes else g
    return out.reshape(shape)


@op("SumToShape", shape=lambda g, shape: tuple(shape), grad=lambda gg, y, g, shape: (broadcast_like(gg, g),),
    ref=lambda g, shape: _sum_to(np, g, shape), cases=shaped((2, 3), shape=(1, 3)) + shaped((2, 3), shape=(3,)) + shaped((4, 1), shape=()))
def sum_to_shape(xp):
    """SumToShape(g, shape=(1, 3)): sum out broadcast dimensions (undoes broadcasting)."""
    return lambda g, shape: _sum_to(xp, g, tuple(shape))


@op("SumToShapeLike", shape=lambda g, like: like, grad=lambda gg, y, g, like: (broadcast_like(gg, g), None),
    ref=lambda g, like: _sum_to(np, g, np.shape(like)), cases=given(np.ones((2, 3)), np.zeros((3,))))
def sum_to_shape_like(xp):
    return lambda g, like: _sum_to(xp, g, like.shape)


# -- shape queries and fill -----------------------------------------------------------------
def _int_out(x, out_type=dtypes.int32):
    return out_type


@op("Shape", host_output=True, shape=lambda x, out_type=dtypes.int32: (None if x is None else len(x),), dtype=_int_out,
    differentiable=False, ref=lambda x, out_type=dtypes.int32: np.asarray(np.shape(x), out_type.as_numpy_dtype),
    cases=floats(1))
def shape(xp):
    return lambda x, out_type=dtypes.int32: np.asarray(x.shape, dtype=out_type.as_numpy_dtype)


@op("Size", host_output=True, shape=lambda x, out_type=dtypes.int32: (), dtype=_int_out, differentiable=False,
    ref=lambda x, out_type=dtypes.int32: np.asarray(np.size(x), out_type.as_numpy_dtype), cases=floats(1))
def size(xp):
    return lambda x, out_type=dtypes.int32: np.asarray(x.size, dtype=out_type.as_numpy_dtype)


@op("Rank", host_output=True, shape=lambda x: (), dtype=lambda x: dtypes.int32, differentiable=False,
    ref=lambda x: np.asarray(np.ndim(x), np.int32), cases=floats(1))
def rank(xp):
    return lambda x: np.asarray(x.ndim, dtype=np.int32)


@op("Fill", shape=lambda dims, value: None if dims is None else tuple(shape_dims(dims)),
    value_inputs=(0,), dtype=lambda dims, value: value, grad=lambda g, y, dims, value: (None, reduce_all_sum(g)),
    ref=lambda dims, value: np.full(tuple(dims), value), cases=given(np.array([2, 3], np.int32), np.float64(1.5)))
def fill(xp):
    return lambda dims, value: xp.full(tuple(int(d) for d in dims.reshape(-1)), value, dtype=value.dtype)


def reduce_all_sum(g):
    from .reduce import reduce_sum  # noqa: PLC0415
    return reduce_sum(g)


# -- helpers built from the primitives above ------------------------------------------------
def zeros_like(x):
    from .elementwise import zeros_like_e  # noqa: PLC0415
    return zeros_like_e(x)


def ones_like(x):
    from .elementwise import ones_like_e  # noqa: PLC0415
    return ones_like_e(x)


def cast(x, DstT):  # noqa: N803  (TensorFlow's attr name)
    from .elementwise import cast as cast_op  # noqa: PLC0415
    x = dispatch.convert_to_tensor(x)
    return x if x.dtype is DstT else cast_op(x, DstT=DstT)


def one_hot_flat(i, n, dtype):
    """A constant vector of length n with 1 at position i (seeds for jacobians)."""
    v = np.zeros((n,), dtype=dtype.as_numpy_dtype)
    v[i] = 1
    return dispatch.constant(v)


_ = Cases  # re-exported for op files that build cases from parts
