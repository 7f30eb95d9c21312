"""Math compositions of primitives (no kernels, no gradients of their own).

    reduce_logsumexp(x, axis=1) == log(sum(exp(x - m))) + m,  m = stop_gradient(max(x))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import dispatch, dtypes
from ..errors import invalid
from . import array, elementwise as e, linalg, reduce as r


def _t(x: Any) -> Any:
    return dispatch.convert_to_tensor(x)


def add_n(inputs: Any) -> Any:
    """add_n([a, b, c]) == a + b + c (all the same shape and dtype)."""
    if not inputs:
        raise ValueError("inputs must be a non-empty list of tensors, got []")
    total = _t(inputs[0])
    for x in inputs[1:]:
        total = e.add(total, x)
    return total if len(inputs) > 1 else array.identity(total)


def logical_xor(x: Any, y: Any) -> Any:
    return e.logical_and(e.logical_or(x, y), e.logical_not(e.logical_and(x, y)))  # (x | y) & ~(x & y)


def reduce_logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    x = _t(x)
    raw = r.reduce_max(x, axis=axis, keepdims=True)
    m = array.stop_gradient(e.select(e.is_finite(raw), raw, e.zeros_like_e(raw)))
    out = e.log(r.reduce_sum(e.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else r.reduce_sum(out, axis=axis)  # NOTE: summing size-1 axes drops them


def reduce_variance(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    x = _t(x)
    if not (x.dtype.is_floating or x.dtype.is_complex):
        raise TypeError(f"Input must be either real or complex. Received integer input {x.dtype!r}")
    mean = r.reduce_mean(x, axis=axis, keepdims=True)
    return r.reduce_mean(e.square(x - mean), axis=axis, keepdims=keepdims)


def reduce_std(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return e.sqrt(reduce_variance(x, axis=axis, keepdims=keepdims))


def count_nonzero(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = dtypes.int64) -> Any:
    x = _t(x)
    zero = dispatch.constant(np.zeros((), x.dtype.as_numpy_dtype)) if x.dtype is not dtypes.string else ""
    nonzero = array.cast(e.not_equal(x, zero), dtypes.int64)
    return array.cast(r.reduce_sum(nonzero, axis=axis, keepdims=keepdims), dtypes.as_dtype(dtype))


def clip_by_value(t: Any, lo: Any, hi: Any) -> Any:
    t = _t(t)
    return e.maximum(e.minimum(t, hi), lo)


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None) -> Any:
    t = _t(t)
    l2sum = r.reduce_sum(t * t, axis=axes, keepdims=True)
    positive = e.greater(l2sum, 0)
    l2norm = e.select(positive, e.sqrt(e.select(positive, l2sum, e.ones_like_e(l2sum))), l2sum)
    clip = array.cast(clip_norm, t.dtype)
    return (t * clip) / e.maximum(l2norm, clip)


def global_norm(t_list: Any) -> Any:
    sums = [r.reduce_sum(e.square(_t(t))) for t in t_list if t is not None]
    return e.sqrt(add_n(sums))


def clip_by_global_norm(t_list: Any, clip_norm: Any, use_norm: Any = None) -> tuple:
    if not isinstance(t_list, (list, tuple)):
        raise TypeError("`t_list` should be a sequence of tensors. Received " + type(t_list).__name__)
    norm = global_norm(t_list) if use_norm is None else _t(use_norm)
    clip = array.cast(clip_norm, norm.dtype)
    scale = clip * e.minimum(1.0 / norm, 1.0 / clip)   # NOTE: inf norm -> scale nan, as TF
    out = [None if t is None else _t(t) * array.cast(scale, _t(t).dtype) for t in t_list]
    return out, norm


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12) -> Any:
    x = _t(x)
    square_sum = r.reduce_sum(e.square(x), axis=axis, keepdims=True)
    return x * e.rsqrt(e.maximum(square_sum, epsilon))


def norm(x: Any, ord: Any = "euclidean", axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """tf.norm: vector norms (any p, inf) and matrix norms ('fro', 1, inf) over `axis`."""
    x = _t(x)
    axes = None if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    matrix = axes is not None and len(axes) == 2
    if matrix and ord not in ("fro", "euclidean", 1, np.inf):
        raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, inf], got {ord!r}")
    if not matrix and (ord == "fro" or not (ord == "euclidean" or (isinstance(ord, (int, float)) and ord > 0))):
        raise ValueError(f"'ord' must be a supported vector norm, got {ord!r}")
    ax = axis if axes is None else axes
    if ord in ("euclidean", "fro", 2) and (ord != 2 or not matrix):
        out = e.sqrt(r.reduce_sum(x * x, axis=ax, keepdims=True))
    elif matrix:
        a0, a1 = (axes if ord == 1 else axes[::-1])
        out = r.reduce_max(r.reduce_sum(e.abs_(x), axis=a0, keepdims=True), axis=a1, keepdims=True)
    elif ord == np.inf:
        out = r.reduce_max(e.abs_(x), axis=ax, keepdims=True)
    elif ord == 1:
        out = r.reduce_sum(e.abs_(x), axis=ax, keepdims=True)
    else:
        p = array.cast(ord, x.dtype)
        out = e.pow_(r.reduce_sum(e.pow_(e.abs_(x), p), axis=ax, keepdims=True), 1.0 / p)
    if keepdims:
        return out
    return array.squeeze(out, axis=tuple(range(x.shape.rank)) if ax is None else
                         tuple(a % x.shape.rank for a in (ax if isinstance(ax, tuple) else (ax,))))


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
           adjoint_b: bool = False, name: str | None = None) -> Any:
    a, b = _t(a), _t(b)
    if (transpose_a and adjoint_a) or (transpose_b and adjoint_b):
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    ta, tb = transpose_a or adjoint_a, transpose_b or adjoint_b
    if a.shape.rank == 2 and b.shape.rank == 2:
        return linalg.mat_mul(a, b, transpose_a=ta, transpose_b=tb, name=name)
    if (a.shape.rank is not None and a.shape.rank < 2 or b.shape.rank is not None and b.shape.rank < 2) and \
            (getattr(a, "_is_symbolic", False) or getattr(b, "_is_symbolic", False)):
        return linalg.mat_mul(a, b, transpose_a=ta, transpose_b=tb, name=name)  # NOTE: its shape rule raises
    if a.shape.rank is not None and a.shape.rank < 2 or b.shape.rank is not None and b.shape.rank < 2:
        raise invalid(f"In[0] and In[1] has different ndims: {a.shape} vs. {b.shape}" if a.shape.rank !=
                      b.shape.rank else f"In[0] ndims must be >= 2: {a.shape.rank}")
    return linalg.batch_mat_mul(a, b, adj_x=ta, adj_y=tb, name=name)


def tensordot(a: Any, b: Any, axes: Any) -> Any:
    """Contract a's `axes[0]` with b's `axes[1]` (an int n means a's last n with b's first n)."""
    a, b = _t(a), _t(b)
    ra, rb = a.shape.rank, b.shape.rank
    if isinstance(axes, (int, np.integer)) or (dispatch.is_tensor(axes) and axes.shape.rank == 0):
        n = int(axes)
        if n > ra or n > rb:
            raise ValueError(f"'axes' must not be larger than the number of dimensions of tensor {a!r}.")
        a_axes, b_axes = list(range(ra - n, ra)), list(range(n))
    else:
        a_axes, b_axes = axes
        a_axes = [int(i) % ra for i in np.reshape(np.asarray(a_axes), -1)]
        b_axes = [int(i) % rb for i in np.reshape(np.asarray(b_axes), -1)]
    a_free = [i for i in range(ra) if i not in a_axes]
    b_free = [i for i in range(rb) if i not in b_axes]
    da, db = _dims_of(a), _dims_of(b)
    k: Any = 1
    for i in a_axes:
        k = k * da[i]  # NOTE: a Python int when static, else a scalar tensor computed at run time
    a2 = array.reshape(array.transpose(a, perm=tuple(a_free + a_axes)), [-1, k])
    b2 = array.reshape(array.transpose(b, perm=tuple(b_axes + b_free)), [k, -1])
    return array.reshape(linalg.mat_mul(a2, b2), [da[i] for i in a_free] + [db[i] for i in b_free])


def _dims_of(x: Any) -> list:
    """x's dimensions: ints where static, scalar tensors (read at run time) where unknown."""
    dims = x.shape.as_list()
    if None not in dims:
        return dims
    shape = array.shape(x)
    return [d if d is not None else shape[i] for i, d in enumerate(dims)]


def einsum(equation: str, *inputs: Any) -> Any:
    """Einsum with implicit output and '...' made explicit, so the primitive and its gradient see letters."""
    xs = [_t(x) for x in inputs]
    eq = equation.replace(" ", "")
    lhs, out = eq.split("->") if "->" in eq else (eq, None)
    subs = lhs.split(",")
    if len(subs) != len(xs):
        raise ValueError(f"Expected {len(subs)} inputs for equation {equation!r}, got {len(xs)}")
    if "." in eq:
        free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in eq]
        width = max(x.shape.rank - (len(s) - 3) for s, x in zip(subs, xs) if "..." in s)
        ell = "".join(free[:width])
        subs = [s.replace("...", ell[width - (x.shape.rank - (len(s) - 3)):]) for s, x in zip(subs, xs)]
        out = None if out is None else out.replace("...", ell)
        implicit_ell = ell
    else:
        implicit_ell = ""
    if out is None:
        letters = "".join(subs)
        out = implicit_ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and
                                            c not in implicit_ell))
    return linalg.einsum(*xs, equation=",".join(subs) + "->" + out)


def trace(x: Any) -> Any:
    return r.reduce_sum(linalg.matrix_diag_part(_t(x)), axis=-1)


def eye(num_rows: int, num_columns: Any = None, batch_shape: Any = None, dtype: Any = dtypes.float32) -> Any:
    d = dtypes.as_dtype(dtype)
    m = np.eye(int(num_rows), int(num_rows if num_columns is None else num_columns), dtype=d.as_numpy_dtype)
    if batch_shape is not None:
        m = np.broadcast_to(m, tuple(int(b) for b in batch_shape) + m.shape).copy()
    return dispatch.constant(m)
