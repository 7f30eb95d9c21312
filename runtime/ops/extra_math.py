"""More math and array primitives: inverse/hyperbolic trig, Xlogy, Roll, segment reductions, search, unravel.

    SegmentSum([[1, 2], [3, 4], [5, 6]], [0, 0, 1]) == [[4, 6], [5, 6]]
    Roll([1, 2, 3, 4], shift=(1,), axis=(0,)) == [4, 1, 2, 3]

Gradients use ops only: segment reductions send each segment's gradient back with
`GatherV2` (SegmentMax splits it between tied maxima, as TensorFlow does).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import invalid
from . import array, elementwise as e, gather as ga
from .elementwise import _floating_only, binary, unary
from .registry import op
from .testcases import given, positive, unit_interval

_RNG = np.random.default_rng(7)


# -- inverse and hyperbolic trigonometry ----------------------------------------------------
@unary("Asin", grad=lambda g, y, x: (g * e.rsqrt(1 - x * x),), ref=np.arcsin, cases=unit_interval(1))
def asin(xp):
    return _floating_only("Asin", xp.arcsin)


@unary("Acos", grad=lambda g, y, x: (-g * e.rsqrt(1 - x * x),), ref=np.arccos, cases=unit_interval(1))
def acos(xp):
    return _floating_only("Acos", xp.arccos)


@unary("Atan", grad=lambda g, y, x: (g / (1 + x * x),), ref=np.arctan)
def atan(xp):
    return _floating_only("Atan", xp.arctan)


@unary("Sinh", grad=lambda g, y, x: (g * cosh(x),), ref=np.sinh)
def sinh(xp):
    return _floating_only("Sinh", xp.sinh)


@unary("Cosh", grad=lambda g, y, x: (g * sinh(x),), ref=np.cosh)
def cosh(xp):
    return _floating_only("Cosh", xp.cosh)


@unary("Asinh", grad=lambda g, y, x: (g / cosh(y),), ref=np.arcsinh)
def asinh(xp):
    return _floating_only("Asinh", xp.arcsinh)


@unary("Acosh", grad=lambda g, y, x: (g / sinh(y),), ref=np.arccosh,
       cases=given(np.array([[1.5, 2.0, 3.0], [1.2, 4.0, 9.0]])))
def acosh(xp):
    return _floating_only("Acosh", xp.arccosh)


@unary("Atanh", grad=lambda g, y, x: (g / (1 - x * x),), ref=np.arctanh, cases=unit_interval(1))
def atanh(xp):
    return _floating_only("Atanh", xp.arctanh)


def _xlogy_ref(x, y):
    return np.where(x == 0, np.zeros_like(x * y), x * np.log(np.where(x == 0, np.ones_like(y), y)))


def _xlogy_grad(g, z, x, y):
    nonzero = array.cast(e.not_equal(x, e.zeros_like_e(x)), x.dtype)
    return g * nonzero * e.log(y), g * x / y  # NOTE: x / y is already 0 where x == 0 (TF's rule)


@binary("Xlogy", grad=_xlogy_grad, ref=_xlogy_ref, cases=given(np.array([0.7, 1.5, -2.0]), np.array([0.5, 2.0, 3.0]))
        + positive(2))
def xlogy(xp):
    """Xlogy(x, y) = x * log(y), and 0 where x == 0 (even for y == 0)."""
    def kernel(x, y):
        x, y = xp.broadcast_arrays(x, y)
        safe = xp.where(x == 0, xp.ones_like(y), y)
        return xp.where(x == 0, xp.zeros_like(x), x * xp.log(safe))
    return kernel


# -- Roll -----------------------------------------------------------------------------------
@op("Roll", shape=lambda x, shift=(), axis=(): x,
    grad=lambda g, y, x, shift=(), axis=(): (roll(g, shift=tuple(-s for s in shift), axis=axis),),
    ref=lambda x, shift=(), axis=(): np.roll(x, shift, axis),
    cases=given(_RNG.standard_normal((3, 4)), shift=(1, -2), axis=(0, 1)) + given(np.arange(5.0), shift=(7,), axis=(0,)))
def roll(xp):
    """Roll(x, shift, axis): elements shifted cyclically by shift[i] along axis[i] (repeated axes add up)."""
    def kernel(x, shift=(), axis=()):
        for a in axis:
            if not -x.ndim <= a < x.ndim:
                raise invalid(f"axis {a} is out of range for a tensor of rank {x.ndim}")
        return xp.roll(x, tuple(shift), tuple(axis)) if shift else x.copy()
    return kernel


# -- segment reductions ---------------------------------------------------------------------
def _check_sorted(xp, ids, n):
    if ids.ndim != 1 or ids.shape[0] != n:
        raise invalid(f"segment_ids should be the same size as dimension 0 of input; got {ids.shape} vs. {n}")
    if ids.size and (bool((xp.diff(ids) < 0).any()) or int(ids[0]) < 0):
        raise invalid("segment ids are not increasing")
    return int(ids[-1]) + 1 if ids.size else 0


def _segment(xp, data, ids, how):
    n = _check_sorted(xp, ids, data.shape[0])
    fill = {"sum": 0, "mean": 0, "max": -np.inf if data.dtype.kind == "f" else np.iinfo(data.dtype).min}[how]
    out = xp.full((n,) + data.shape[1:], fill, dtype=data.dtype)
    if how == "max":
        xp.maximum.at(out, ids, data)
        counts = xp.bincount(ids, minlength=n)
        out[counts == 0] = 0  # NOTE: TF writes 0 for ids that no row has
        return out
    xp.add.at(out, ids, data)
    if how == "mean":
        counts = xp.maximum(xp.bincount(ids, minlength=n), 1).astype(data.dtype)
        out = out / counts.reshape((n,) + (1,) * (data.ndim - 1))
        out = out.astype(data.dtype)
    return out


def _seg_shape(d, i):
    return None if d is None else (None,) + tuple(d[1:])


_SEG_CASES = given(_RNG.standard_normal((5, 3)), np.array([0, 0, 1, 3, 3], np.int32)) \
    + given(_RNG.standard_normal(4), np.array([0, 1, 1, 2], np.int64))


@op("SegmentSum", shape=_seg_shape, grad=lambda g, y, d, i: (ga.gather(g, i), None),
    ref=lambda d, i: _segment(np, d, i, "sum"), cases=_SEG_CASES)
def segment_sum(xp):
    """SegmentSum(data, segment_ids): sums of data rows sharing a (sorted) id; missing ids give 0."""
    return lambda data, ids: _segment(xp, data, ids, "sum")


def _mean_grad(g, y, d, i):
    counts = segment_sum(e.ones_like_e(d), i)  # per element, so it broadcasts against g
    return ga.gather(g / e.maximum(counts, e.ones_like_e(counts)), i), None


@op("SegmentMean", shape=_seg_shape, grad=_mean_grad, ref=lambda d, i: _segment(np, d, i, "mean"), cases=_SEG_CASES)
def segment_mean(xp):
    """SegmentMean(data, segment_ids): means of data rows sharing a (sorted) id."""
    return lambda data, ids: _segment(xp, data, ids, "mean")


def _max_grad(g, y, d, i):
    hit = array.cast(e.equal(d, ga.gather(y, i)), d.dtype)
    ties = segment_sum(hit, i)
    return ga.gather(g / e.maximum(ties, e.ones_like_e(ties)), i) * hit, None


@op("SegmentMax", shape=_seg_shape, grad=_max_grad, ref=lambda d, i: _segment(np, d, i, "max"), cases=_SEG_CASES)
def segment_max(xp):
    """SegmentMax(data, segment_ids): maxima of data rows sharing a (sorted) id; 0 for missing ids."""
    return lambda data, ids: _segment(xp, data, ids, "max")


def _unsorted(xp, data, ids, num_segments):
    if tuple(data.shape[:ids.ndim]) != tuple(ids.shape):
        raise invalid(f"data.shape = {list(data.shape)} does not start with segment_ids.shape = {list(ids.shape)}")
    if ids.size and int(ids.max()) >= num_segments:
        raise invalid(f"segment_ids[{int((ids >= num_segments).argmax())}] = {int(ids.max())} is out of "
                      f"range [0, {num_segments})")
    out = xp.zeros((num_segments,) + data.shape[ids.ndim:], dtype=data.dtype)
    keep = ids >= 0  # NOTE: TF drops negative ids
    xp.add.at(out, ids[keep], data[keep])
    return out


def _unsorted_grad(g, y, d, i, num_segments=0):
    keep = e.greater_equal(i, e.zeros_like_e(i))
    rows = ga.gather(g, e.maximum(i, e.zeros_like_e(i)))
    return e.select(_expand_to(keep, rows), rows, e.zeros_like_e(rows)), None


def _expand_to(mask, like):
    for _ in range(like.shape.rank - mask.shape.rank):
        mask = array.expand_dims(mask, axis=-1)
    return mask


@op("UnsortedSegmentSum", shape=lambda d, i, num_segments=0: None if d is None or i is None else
    (num_segments,) + tuple(d[len(i):]), grad=_unsorted_grad,
    ref=lambda d, i, num_segments=0: _unsorted(np, d, i, num_segments),
    cases=given(_RNG.standard_normal((5, 2)), np.array([2, 0, -1, 2, 0], np.int32), num_segments=4)
    + given(_RNG.standard_normal((2, 2, 3)), np.array([[0, 1], [1, 1]], np.int64), num_segments=2))
def unsorted_segment_sum(xp):
    """UnsortedSegmentSum(data, segment_ids, num_segments): sums by id in any order; negative ids are dropped."""
    return lambda data, ids, num_segments=0: _unsorted(xp, data, ids, num_segments)


# -- searching and index arithmetic ---------------------------------------------------------
def _search(xp, seq, values, side, out_type):
    if seq.ndim == 0 or seq.shape[:-1] != values.shape[:-1]:
        raise invalid("Leading dim_size of both tensors must match.")
    s2, v2 = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1] if values.ndim else 1)
    rows = [xp.searchsorted(a, b, side=side) for a, b in zip(s2, v2)]
    out = xp.stack(rows).reshape(values.shape) if rows else xp.zeros(values.shape, np.int64)
    return out.astype(dtypes.as_dtype(out_type).as_numpy_dtype)


_SEARCH_CASES = given(np.array([[0.0, 3.0, 9.0, 9.0, 10.0], [1.0, 2.0, 3.0, 4.0, 5.0]]),
                      np.array([[2.0, 4.0, 9.0], [0.0, 2.0, 6.0]]), out_type="int32")


@op("LowerBound", shape=lambda s, v, out_type="int32": v, dtype=lambda s, v, out_type="int32": dtypes.as_dtype(out_type),
    differentiable=False, ref=lambda s, v, out_type="int32": _search(np, s, v, "left", out_type), cases=_SEARCH_CASES)
def lower_bound(xp):
    """LowerBound(sorted_inputs, values): per row, the first index where each value could be inserted."""
    return lambda s, v, out_type="int32": _search(xp, s, v, "left", out_type)


@op("UpperBound", shape=lambda s, v, out_type="int32": v, dtype=lambda s, v, out_type="int32": dtypes.as_dtype(out_type),
    differentiable=False, ref=lambda s, v, out_type="int32": _search(np, s, v, "right", out_type), cases=_SEARCH_CASES)
def upper_bound(xp):
    """UpperBound(sorted_inputs, values): per row, the last index where each value could be inserted."""
    return lambda s, v, out_type="int32": _search(xp, s, v, "right", out_type)


def _unravel(xp, indices, dims):
    dims = tuple(int(d) for d in dims.tolist())  # NOTE: shape-like: read on the host
    size = int(np.prod(dims))
    flat = indices
    if flat.size and (bool(flat.min() < 0) or bool(flat.max() >= size)):
        raise invalid("index out of bounds for dims")
    return xp.stack(xp.unravel_index(flat, dims)).astype(flat.dtype)


@op("UnravelIndex", shape=lambda i, d: None if i is None or d is None else (d[0],) + tuple(i),
    differentiable=False, ref=lambda i, d: _unravel(np, i, d),
    cases=given(np.array([2, 5, 7], np.int32), np.array([3, 3], np.int32))
    + given(np.array(5, np.int64), np.array([2, 3], np.int64)))
def unravel_index(xp):
    """UnravelIndex(indices, dims): the coordinates (one row per dim) of flat indices into an array of shape dims."""
    return lambda indices, dims: _unravel(xp, indices, dims)


# -- numerics checks ------------------------------------------------------------------------
def _check_numerics(xp, x, message=""):
    if x.dtype.kind in "fc":
        bad = [w for w, f in (("NaN", xp.isnan), ("Inf", xp.isinf)) if bool(f(x).any())]
        if bad:
            raise invalid(f"{message} : Tensor had {' and '.join(bad)} values")
    return x.copy()


@op("CheckNumerics", shape=lambda x, message="": x, stateful=True,
    grad=lambda g, y, x, message="": (check_numerics(g, message=f"Not a number (NaN) or infinity (Inf) values "
                                                     f"detected in gradient. {message}"),),
    ref=lambda x, message="": x, cases=given(_RNG.standard_normal((2, 3)), message="m"))
def check_numerics(xp):
    """CheckNumerics(x, message): x unchanged; fails when it holds a NaN or an Inf."""
    return lambda x, message="": _check_numerics(xp, x, message)
