"""Sparse (COO) primitives: SparseToDense, SparseReorder, SparseTensorDenseMatMul.

A sparse tensor is three tensors: indices [nnz, rank] (int64), values [nnz], dense_shape [rank].

    SparseToDense([[0, 1], [2, 0]], [3, 2], [5., 6.], 0.)      == [[0, 5], [0, 0], [6, 0]]
    SparseReorder([[2, 0], [0, 1]], [6., 5.], [3, 2])           == ([[0, 1], [2, 0]], [5., 6.])
    SparseTensorDenseMatMul(indices, values, shape, b)          == to_dense(a) @ b

Indices are read on the host for TensorFlow's checks (bounds, canonical row-major order).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..backend import to_host
from ..errors import invalid
from .registry import op
from .testcases import given

_RNG = np.random.default_rng(17)
_ORDER = ("is out of order. Many sparse ops require sorted indices.\n"
          "    Use `tf.sparse.reorder` to create a correctly ordered copy.\n\n")


def _fmt(row):
    return "[" + ",".join(str(int(d)) for d in row) + "]"


def _as_matrix(indices):
    return indices.reshape(-1, 1) if indices.ndim < 2 else indices


def _linear(idx, shape):
    strides = np.cumprod((list(shape[1:]) + [1])[::-1])[::-1].astype(np.int64)
    return idx.astype(np.int64) @ strides


def _validate(indices, shape, ordered):
    """TensorFlow's SparseToDense checks: every index in bounds; with `ordered`, strictly increasing."""
    idx, shape = _as_matrix(to_host(indices)), np.asarray(to_host(shape), np.int64).reshape(-1)
    if idx.shape[1] != shape.shape[0]:
        raise invalid(f"sparse_indices should be a scalar, vector, or matrix with {shape.shape[0]} columns, got "
                      f"shape [{','.join(map(str, idx.shape))}]")
    bad = np.nonzero(np.any((idx < 0) | (idx >= shape), axis=1))[0]
    if bad.size:
        raise invalid(f"indices[{bad[0]}] = {_fmt(idx[bad[0]])} is out of bounds: need 0 <= index < {_fmt(shape)}")
    if ordered and len(idx) > 1:
        step = np.diff(_linear(idx, shape))
        wrong = np.nonzero(step <= 0)[0]
        if wrong.size:
            i = wrong[0] + 1
            raise invalid(f"indices[{i}] = {_fmt(idx[i])} " + ("is repeated" if step[i - 1] == 0 else _ORDER))


# -- SparseToDense ----------------------------------------------------------------------------------
def _to_dense_shape(i, s, v, d, validate_indices=True):
    if s is None:
        return None
    return tuple(None if e is None or e < 0 else int(e) for e in np.reshape(np.asarray(s, dtype=object), -1))


def _to_dense_grad(g, y, i, s, v, d, validate_indices=True):
    from .array import expand_dims, reshape  # noqa: PLC0415
    from .gather import gather_nd  # noqa: PLC0415
    from .reduce import reduce_sum  # noqa: PLC0415
    rank = i.shape.rank
    idx = reshape(i, (1, 1)) if rank == 0 else expand_dims(i, axis=-1) if rank == 1 else i
    gv = gather_nd(g, idx)
    return None, None, gv, reduce_sum(g) - reduce_sum(gv)


def _to_dense_kernel(xp, indices, shape, values, default, validate_indices):
    _validate(indices, shape, validate_indices)
    dims = tuple(int(d) for d in np.reshape(to_host(shape), -1))
    out = xp.full(dims, default, dtype=values.dtype)
    idx = _as_matrix(indices)
    out[tuple(idx[:, k] for k in range(idx.shape[1]))] = values
    return out


@op("SparseToDense", shape=_to_dense_shape, value_inputs=(1,), dtype=lambda i, s, v, d, **_: v, grad=_to_dense_grad,
    ref=lambda i, s, v, d, validate_indices=True: _to_dense_kernel(np, i, s, v, d, False),
    cases=given(np.array([[0, 1], [2, 0]], np.int64), np.array([3, 2], np.int64), _RNG.standard_normal(2),
                np.float64(0.5))
    + given(np.array([1, 3], np.int32), np.array([5], np.int32), np.float64(2.0), np.float64(-1.0),
            validate_indices=False))
def sparse_to_dense(xp):
    """SparseToDense(indices, output_shape, values, default_value): values at indices, default elsewhere."""
    return lambda indices, shape, values, default, validate_indices=True: _to_dense_kernel(
        xp, indices, shape, values, default, validate_indices)


# -- SparseReorder ------------------------------------------------------------------------------------
def _reorder_grad(gs, outs, indices, values, shape):
    from .array import expand_dims, shape as shape_of, size  # noqa: PLC0415
    from .gather import scatter_nd  # noqa: PLC0415
    from .layout import range_  # noqa: PLC0415
    n = size(values, out_type=dtypes.int64)
    _, perm = sparse_reorder(indices, range_(np.int64(0), n, np.int64(1)), shape)  # where each entry went
    return None, scatter_nd(expand_dims(perm, axis=-1), gs[1], shape_of(values, out_type=dtypes.int64)), None


def _reorder_kernel(xp, indices, values, shape):
    lin = _linear(to_host(indices), np.reshape(to_host(shape), -1))
    order = xp.asarray(np.argsort(lin, kind="stable"))
    return indices[order], values[order]


@op("SparseReorder", num_outputs=2, shape=lambda i, v, s: (i, v), dtype=lambda i, v, s: (dtypes.int64, v),
    grad=_reorder_grad, ref=lambda i, v, s: _reorder_kernel(np, i, v, s),
    cases=given(np.array([[2, 0], [0, 1], [1, 1]], np.int64), _RNG.standard_normal(3), np.array([3, 2], np.int64)))
def sparse_reorder(xp):
    """SparseReorder(indices, values, shape) -> (indices, values) in canonical row-major order."""
    return lambda indices, values, shape: _reorder_kernel(xp, indices, values, shape)


# -- SparseTensorDenseMatMul ----------------------------------------------------------------------------
def _matmul_shape(i, v, s, b, adjoint_a=False, adjoint_b=False):
    rows = None
    if s is not None:
        dims = [None if e is None else int(e) for e in np.reshape(np.asarray(s, dtype=object), -1)]
        rows = dims[1 if adjoint_a else 0] if len(dims) == 2 else None
    cols = None if b is None or len(b) != 2 else b[0 if adjoint_b else 1]
    return rows, cols


def _matmul_kernel(xp, indices, values, shape, b, adjoint_a, adjoint_b):
    dims = np.reshape(to_host(shape), -1)
    if len(dims) != 2:
        raise invalid("Tensor 'a_shape' must have 2 elements")
    if b.ndim != 2:
        raise invalid("Tensor 'b' is not a matrix")
    m, k = (dims[1], dims[0]) if adjoint_a else (dims[0], dims[1])
    bm = b.T if adjoint_b else b
    if k != bm.shape[0]:
        raise invalid(f"Cannot multiply A and B because inner dimension does not match: {k} vs. {bm.shape[0]}.  Did "
                      f"you forget a transpose?  Dimensions of A: [{dims[0]}, {dims[1]}).  Dimensions of B: "
                      f"[{b.shape[0]},{b.shape[1]}]")
    host = to_host(indices)
    rows, cols = (host[:, 1], host[:, 0]) if adjoint_a else (host[:, 0], host[:, 1])
    for name, (which, bound) in (("m", (rows, m)), ("k", (cols, k))):
        bad = np.nonzero((which < 0) | (which >= bound))[0]
        if bad.size:
            raise invalid(f"{name} ({which[bad[0]]}) from index[{bad[0]},{int((name == 'k') != adjoint_a)}] out of "
                          f"bounds (>={bound})")
    out = xp.zeros((int(m), bm.shape[1]), dtype=b.dtype)
    if xp is not np:
        xp.add.at(out, xp.asarray(rows), values[:, None] * bm[xp.asarray(cols)])
        return out
    if len(rows) > 1 and np.any(rows[1:] < rows[:-1]):
        order = np.argsort(rows, kind="stable")
        rows, cols, values = rows[order], cols[order], values[order]
    step = max(1, (1 << 22) // max(1, bm.shape[1]))  # NOTE: rows of products summed in ~16 MB chunks
    for lo in range(0, len(rows), step):
        r, c, v = rows[lo:lo + step], cols[lo:lo + step], values[lo:lo + step]
        starts = np.flatnonzero(np.concatenate(([True], r[1:] != r[:-1])))
        out[r[starts]] += np.add.reduceat(v[:, None] * bm[c], starts, axis=0)  # NOTE: rows sorted: one sum per row
    return out


def _matmul_grad(g, y, indices, values, shape, b, adjoint_a=False, adjoint_b=False):
    from .array import transpose  # noqa: PLC0415
    from .gather import gather  # noqa: PLC0415
    from .reduce import reduce_sum  # noqa: PLC0415
    gb = sparse_tensor_dense_mat_mul(indices, values, shape, g, adjoint_a=not adjoint_a)
    if adjoint_b:
        gb = transpose(gb, perm=(1, 0))
    rows, cols = indices[:, 0], indices[:, 1]
    parts_a = gather(g, cols if adjoint_a else rows)
    parts_b = gather(transpose(b, perm=(1, 0)) if adjoint_b else b, rows if adjoint_a else cols)
    return None, reduce_sum(parts_a * parts_b, axis=1), None, gb


@op("SparseTensorDenseMatMul", shape=_matmul_shape, value_inputs=(2,), dtype=lambda i, v, s, b, **_: b,
    grad=_matmul_grad,
    ref=lambda i, v, s, b, adjoint_a=False, adjoint_b=False: _matmul_kernel(np, i, v, s, b, adjoint_a, adjoint_b),
    cases=given(np.array([[0, 1], [2, 0], [2, 1]], np.int64), _RNG.standard_normal(3), np.array([3, 2], np.int64),
                _RNG.standard_normal((2, 4)))
    + given(np.array([[0, 2], [1, 0]], np.int64), _RNG.standard_normal(2), np.array([2, 3], np.int64),
            _RNG.standard_normal((4, 2)), adjoint_a=True, adjoint_b=True))
def sparse_tensor_dense_mat_mul(xp):
    """SparseTensorDenseMatMul(a_indices, a_values, a_shape, b): the product of sparse a with dense b."""
    return lambda indices, values, shape, b, adjoint_a=False, adjoint_b=False: _matmul_kernel(
        xp, indices, values, shape, b, adjoint_a, adjoint_b)
