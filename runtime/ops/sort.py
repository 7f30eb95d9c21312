"""Ordering primitives: TopKV2, InTopKV2, Unique. (`tf.sort`/`tf.argsort` compose TopKV2.)

    TopKV2([[1, 5, 3]], k=2) == ([[5, 3]], [[1, 2]])     # ties: the lower index comes first
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import invalid
from .registry import op
from .testcases import given

_RNG = np.random.default_rng(3)


def _descending(xp, x):
    """Stable descending argsort along the last axis (ties keep the lower index first)."""
    n = x.shape[-1]
    return (n - 1) - xp.argsort(x[..., ::-1], axis=-1, kind="stable")[..., ::-1]


def _top_k(xp, x, k, sorted=True, index_type=dtypes.int32):  # noqa: A002  (TensorFlow's attr name)
    if x.ndim < 1:
        raise invalid(f"input must be at least 1-D, got shape []")
    if k < 0 or k > x.shape[-1]:
        raise invalid(f"input must have at least k columns. Had {x.shape[-1]}, needed {k}")
    idx = _descending(xp, x)[..., :k]
    return xp.take_along_axis(x, idx, axis=-1), idx.astype(index_type.as_numpy_dtype)


def _top_k_grad(gs, ys, x, k, sorted=True, index_type=dtypes.int32):  # noqa: A002
    from .gather import gather_grad  # noqa: PLC0415
    rank = x.shape.rank
    return (gather_grad(gs[0], x, ys[1], axis=rank - 1, batch_dims=rank - 1),)


@op("TopKV2", num_outputs=2, dtype=lambda x, k, sorted=True, index_type=dtypes.int32: (x, index_type),
    shape=lambda x, k, sorted=True, index_type=dtypes.int32: (None, None) if x is None else (x[:-1] + (k,),) * 2,
    grad=_top_k_grad, ref=lambda x, k, sorted=True, index_type=dtypes.int32: _top_k(np, x, k, sorted, index_type),
    cases=given(_RNG.standard_normal((3, 5)), k=2) + given(_RNG.standard_normal((4,)), k=4)
    + given(np.array([[1, 3, 3, 0], [2, 2, 2, 2]], np.int32), k=3, index_type=dtypes.int64))
def top_k(xp):
    """TopKV2(x, k=2): the k largest entries of each last-axis row (values, indices), largest first."""
    return lambda x, k, sorted=True, index_type=dtypes.int32: _top_k(xp, x, k, sorted, index_type)


def _in_top_k(xp, predictions, targets, k):
    n = predictions.shape[-1]
    if ((targets < 0) | (targets >= n)).any():
        bad = targets[(targets < 0) | (targets >= n)][0]
        raise invalid(f"targets[...] = {int(bad)} is out of range [0, {n})")
    target = xp.take_along_axis(predictions, targets[:, None].astype(np.int64), axis=1)
    better = xp.sum(predictions > target, axis=1)
    return (better < k) & xp.isfinite(target[:, 0])


@op("InTopKV2", shape=lambda p, t, k: None if p is None else (p[0],), dtype=lambda p, t, k: dtypes.bool_,
    differentiable=False, ref=lambda p, t, k: _in_top_k(np, p, t, k),
    cases=given(np.array([[0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.5, 0.5, 0.0]], np.float32),
                np.array([1, 0, 1], np.int32), k=1) + given(_RNG.standard_normal((4, 6)),
                                                            np.array([0, 5, 2, 2], np.int64), k=3))
def in_top_k(xp):
    """InTopKV2(predictions [batch, classes], targets [batch], k): is predictions[i, targets[i]] in row i's top k."""
    return lambda predictions, targets, k: _in_top_k(xp, predictions, targets, k)


def _unique(xp, x, out_idx=dtypes.int32):
    if x.ndim != 1:
        raise invalid(f"unique expects a 1D vector. [Op:Unique]")
    values, first, inverse = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")        # NOTE: TF keeps first-occurrence order, not sorted order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return xp.asarray(values[order]), xp.asarray(rank[inverse.reshape(-1)].astype(out_idx.as_numpy_dtype))


@op("Unique", num_outputs=2, shape=lambda x, out_idx=dtypes.int32: ((None,), x),
    dtype=lambda x, out_idx=dtypes.int32: (x, out_idx), differentiable=False,
    ref=lambda x, out_idx=dtypes.int32: _unique(np, x, out_idx),
    cases=given(np.array([1, 1, 2, 4, 4, 4, 7, 8, 8], np.int32)) + given(np.array([3.0, 1.0, 3.0, 2.0]),
                                                                          out_idx=dtypes.int64))
def unique(xp):
    """Unique(x) -> (y, idx): distinct values in order of first occurrence, and x == y[idx]."""
    return lambda x, out_idx=dtypes.int32: _unique(xp, xp.asarray(x) if xp is np else x.get(), out_idx)
