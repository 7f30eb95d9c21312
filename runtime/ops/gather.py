"""Gathers and scatters: GatherV2 (axis, batch_dims), GatherNd, ScatterNd, Where (indices of true).

    GatherV2([[1, 2], [3, 4]], [1, 1, 0], axis=0) == [[3, 4], [3, 4], [1, 2]]

Gradients are dense: `GatherV2Grad` adds each incoming row back where it was read.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import invalid
from .registry import op
from .testcases import given

_RNG = np.random.default_rng(1)


def _norm(axis, batch_dims, p_rank, i_rank):
    return axis % p_rank if p_rank else 0, batch_dims % (i_rank + 1) if batch_dims < 0 else batch_dims


def _check_range(indices, n, what="indices"):
    if indices.size == 0:
        return
    bad = (indices < 0) | (indices >= n)
    if bad.any():
        pos = np.unravel_index(int(bad.reshape(-1).argmax()), indices.shape)
        raise invalid(f"{what}[{','.join(map(str, pos))}] = {int(indices[pos])} is not in [0, {n})")


def _per_batch(xp, fn, params, indices, batch_dims, *rest):
    """Apply fn(params[b], indices[b], *rest[b]) for each batch position b of the leading batch_dims."""
    if batch_dims == 0:
        return fn(params, indices, *rest)
    lead = params.shape[:batch_dims]
    n = int(np.prod(lead))
    p = params.reshape((n,) + params.shape[batch_dims:])
    i = indices.reshape((n,) + indices.shape[batch_dims:])
    r = [a.reshape((n,) + a.shape[batch_dims:]) for a in rest]
    outs = [fn(p[b], i[b], *(a[b] for a in r)) for b in range(n)]
    return xp.stack(outs).reshape(lead + outs[0].shape) if outs else None


def _gather(xp, params, indices, axis=0, batch_dims=0):
    axis, batch_dims = _norm(axis, batch_dims, params.ndim, indices.ndim)
    _check_range(indices, params.shape[axis])
    return _per_batch(xp, lambda p, i: xp.take(p, i, axis=axis - batch_dims), params, indices, batch_dims)


def _gather_shape(p, i, axis=0, batch_dims=0):
    if p is None or i is None:
        return None
    axis, batch_dims = _norm(axis, batch_dims, len(p), len(i))
    return p[:axis] + i[batch_dims:] + p[axis + 1:]


def _gather_grad(g, y, params, indices, axis=0, batch_dims=0):
    return gather_grad(g, params, indices, axis=axis, batch_dims=batch_dims), None


@op("GatherV2", shape=_gather_shape, grad=_gather_grad, ref=lambda p, i, axis=0, batch_dims=0: _gather(
    np, p, i, axis, batch_dims),
    cases=given(_RNG.standard_normal((4, 3)), np.array([[1, 3], [0, 1]], np.int32), axis=0)
    + given(_RNG.standard_normal((2, 4, 3)), np.array([2, 0, 2], np.int64), axis=1)
    + given(_RNG.standard_normal((2, 4, 3)), np.array([[1, 0], [3, 3]], np.int32), axis=1, batch_dims=1))
def gather(xp):
    """GatherV2(params, indices, axis=0, batch_dims=0): params' slices along axis at indices."""
    return lambda params, indices, axis=0, batch_dims=0: _gather(xp, params, indices, axis, batch_dims)


def _scatter_rows(xp, like, indices, g, axis):
    out = xp.zeros(like.shape, dtype=g.dtype)
    out_m = xp.moveaxis(out, axis, 0)
    g_m = xp.moveaxis(g, tuple(range(axis, axis + indices.ndim)), tuple(range(indices.ndim)))
    xp.add.at(out_m, indices, g_m)
    return out


def _gather_grad_kernel(xp, g, params, indices, axis=0, batch_dims=0):
    axis, batch_dims = _norm(axis, batch_dims, params.ndim, indices.ndim)
    return _per_batch(xp, lambda p, i, gb: _scatter_rows(xp, p, i, gb, axis - batch_dims),
                      params, indices, batch_dims, g)


@op("GatherV2Grad", shape=lambda g, p, i, axis=0, batch_dims=0: p,
    grad=lambda gg, y, g, p, i, axis=0, batch_dims=0: (gather(gg, i, axis=axis, batch_dims=batch_dims), None, None),
    ref=lambda g, p, i, axis=0, batch_dims=0: _gather_grad_kernel(np, g, p, i, axis, batch_dims),
    cases=given(_RNG.standard_normal((2, 2, 3)), np.zeros((4, 3)), np.array([[1, 3], [1, 1]], np.int32))
    + given(_RNG.standard_normal((2, 2)), np.zeros((2, 4)), np.array([[1, 1], [0, 3]]), axis=1, batch_dims=1))
def gather_grad(xp):
    """GatherV2Grad(g, params, indices): zeros like params with each g slice added where it was gathered."""
    return lambda g, params, indices, axis=0, batch_dims=0: _gather_grad_kernel(xp, g, params, indices, axis,
                                                                                batch_dims)


# -- GatherNd / ScatterNd -------------------------------------------------------------------
def _nd_index(xp, indices, shape):
    depth = indices.shape[-1]
    if depth > len(shape):
        raise invalid(f"index innermost dimension length must be <= params rank; saw: {depth} vs. {len(shape)}")
    flat = indices.reshape(-1, depth)
    bad = (flat < 0) | (flat >= xp.asarray(shape[:depth], dtype=flat.dtype))
    if bad.any():
        row = int(bad.any(axis=1).argmax())
        raise invalid(f"indices[{row}] = [{', '.join(map(str, flat[row]))}] does not index into param shape "
                      f"[{','.join(map(str, shape))}]")
    return tuple(xp.moveaxis(indices, -1, 0))


@op("GatherNd", shape=lambda p, i: None if p is None or i is None or i[-1] is None else i[:-1] + p[i[-1]:],
    grad=lambda g, y, p, i: (scatter_nd(i, g, _shape_of(p)), None),
    ref=lambda p, i: p[tuple(np.moveaxis(i, -1, 0))],
    cases=given(_RNG.standard_normal((3, 4, 2)), np.array([[0, 1], [2, 3], [0, 1]], np.int32))
    + given(_RNG.standard_normal((3, 2)), np.array([[[2], [0]]], np.int64)))
def gather_nd(xp):
    """GatherNd(params, indices): params[indices[..., 0], indices[..., 1], ...] for each leading position."""
    return lambda params, indices: params[_nd_index(xp, indices, params.shape)]


def _shape_of(x):
    from .array import shape  # noqa: PLC0415
    return shape(x, out_type=dtypes.int64)


def _scatter_nd_kernel(xp, indices, updates, shape):
    out = xp.zeros(tuple(int(d) for d in shape), dtype=updates.dtype)
    index = _nd_index(xp, indices, out.shape)
    xp.add.at(out, index, updates)
    return out


@op("ScatterNd", shape=lambda i, u, s: None if s is None else tuple(int(d) for d in s), value_inputs=(2,),
    dtype=lambda i, u, s: u, grad=lambda g, y, i, u, s: (None, gather_nd(g, i), None),
    ref=lambda i, u, s: _scatter_nd_kernel(np, i, u, s),
    cases=given(np.array([[4], [3], [1], [7], [3]], np.int32), _RNG.standard_normal(5), np.array([8], np.int32))
    + given(np.array([[0, 1], [2, 0]], np.int64), _RNG.standard_normal((2, 3)), np.array([3, 2, 3], np.int64)))
def scatter_nd(xp):
    """ScatterNd(indices, updates, shape): zeros of `shape` with updates added at indices (duplicates sum)."""
    return lambda indices, updates, shape: _scatter_nd_kernel(xp, indices, updates, shape)


@op("Where", shape=lambda c: (None, None if c is None else len(c)), dtype=lambda c: dtypes.int64,
    differentiable=False, ref=lambda c: np.argwhere(c).astype(np.int64),
    cases=given(np.array([[True, False, True], [False, False, True]])) + given(np.array([0.0, 1.5, -2.0])))
def where(xp):
    """Where(cond): the [n, rank] int64 coordinates of true (non-zero) elements, in row-major order."""
    return lambda c: xp.argwhere(c).astype(np.int64)
