"""Matrix decompositions: SelfAdjointEigV2 (eigh), Qr and Svd, with TensorFlow's gradients.

    e, v = SelfAdjointEigV2(a)        # a @ v == v * e, e ascending; only a's lower triangle is read
    q, r = Qr(a)                      # a == q @ r, q orthonormal columns, r upper triangular
    s, u, v = Svd(a)                  # a == u @ diag(s) @ v^T (v, not v^T, as TensorFlow returns it)

Each acts on the innermost matrices (leading axes are a batch). The gradients are TensorFlow's
(linalg_grad.py), written with runtime ops so they trace and differentiate again; like TensorFlow's
they are undefined (huge) where eigenvalues or singular values repeat.
"""
from __future__ import annotations

import numpy as np

from .. import blas, dtypes
from ..errors import invalid
from . import array, linalg, qr_eigen
from .linalg_solve import band_part, matrix_triangular_solve
from .registry import op
from .testcases import given

_RNG = np.random.default_rng(11)
_FLOATS = "double, float, half, complex64, complex128"


def _check(xp, x, name, square=False):
    if x.dtype.kind not in "fc":
        raise invalid(f"Value for attr 'T' of {dtypes.from_numpy(x.dtype).name} is not in the list of allowed "
                      f"values: {_FLOATS}; NodeDef: {{{{node {name}}}}} (cast to a floating dtype with tf.cast first)")
    if x.ndim < 2:
        raise invalid(f"Input tensor 0 must have rank >= 2, got {x.ndim}")
    if square and x.shape[-1] != x.shape[-2]:
        raise invalid("Input matrix must be square.")


def _matrix_shape(x, square=False):
    """(batch, m, n) of a static shape; TF's graph-time errors for rank < 2 and non-square input."""
    if x is None:
        return None
    if len(x) < 2:
        raise invalid(f"Shape must be at least rank 2 but is rank {len(x)}")
    m, n = x[-2], x[-1]
    if square:
        if m is not None and n is not None and m != n:
            raise invalid(f"Dimensions must be equal, but are {m} and {n}")
        m = n = m if m is not None else n
    return tuple(x[:-2]), m, n


def _flops(a):
    m, n = a.shape[-2], a.shape[-1]
    return (a.size // max(m * n, 1)) * m * n * min(m, n)


def _k(m, n):
    return None if m is None or n is None else min(m, n)


# -- shared pieces of the gradients (runtime ops only) -------------------------------------------
def _adj(x):
    rank = x.shape.rank
    return array.transpose(x, perm=tuple(range(rank - 2)) + (rank - 1, rank - 2))


def _mm(a, b, adj_a=False, adj_b=False):
    return linalg.batch_mat_mul(a, b, adj_x=adj_a, adj_y=adj_b)


def _safe_reciprocal(x, epsilon=1e-20):
    return x / (x * x + epsilon)  # TF's _SafeReciprocal: finite where x == 0


def _zero_diag(x):
    return x - linalg.matrix_set_diag_like(linalg.matrix_diag_part(x), x)


def _pairwise_inverse(e):
    """f[..., i, j] = 1 / (e[j] - e[i]) off the diagonal, 0 on it."""
    return _zero_diag(_safe_reciprocal(array.expand_dims(e, axis=-2) - array.expand_dims(e, axis=-1)))


# -- eigh ------------------------------------------------------------------------------------------
def _eigh_shape(x, compute_v=True):
    dims = _matrix_shape(x, square=True)
    if dims is None:
        return None, (None if compute_v else (0,))
    batch, n, _ = dims
    return batch + (n,), (batch + (n, n) if compute_v else (0,))


def _eigh_grad(gs, outs, a, compute_v=True):
    ge, gv = gs
    e, v = outs
    if compute_v:
        mid = linalg.matrix_diag(ge) + _pairwise_inverse(e) * _mm(v, gv, adj_a=True)
    else:
        _, v = self_adjoint_eig(a)
        mid = linalg.matrix_diag(ge)
    ga = _mm(v, _mm(mid, v, adj_b=True))
    # NOTE: the kernel reads only the lower triangle, so the gradient lives there (symmetrised)
    ga = band_part(ga + _adj(ga), num_lower=-1, num_upper=0)
    return (ga - linalg.matrix_set_diag_like(linalg.matrix_diag_part(ga) * 0.5, ga),)


def _eigh_kernel(xp, a, compute_v):
    _check(xp, a, "SelfAdjointEigV2", square=True)
    if not compute_v:
        e = blas.lapack(xp, _flops(a), xp.linalg.eigvalsh, a, UPLO="L")
        return e.astype(a.dtype, copy=False), xp.zeros((0,), a.dtype)
    e, v = blas.lapack(xp, _flops(a), xp.linalg.eigh, a, UPLO="L")
    return e.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False)


def _eigh_ref(a, compute_v=True):
    e, v = np.linalg.eigh(np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2))  # the symmetric matrix it reads
    return e, (v if compute_v else np.zeros((0,), a.dtype))


def _sym(n, batch=()):
    a = _RNG.standard_normal(batch + (n, n))
    return a + np.swapaxes(a, -1, -2)


@op("SelfAdjointEigV2", shape=_eigh_shape, num_outputs=2, grad=_eigh_grad, ref=_eigh_ref,
    cases=given(_sym(3)) + given(_RNG.standard_normal((2, 3, 3))) + given(_sym(4), compute_v=False))
def self_adjoint_eig(xp):
    """SelfAdjointEigV2(a) -> (e, v): eigenvalues ascending and eigenvectors (columns) of symmetric a."""
    return lambda a, compute_v=True: _eigh_kernel(xp, a, compute_v)


# -- QR --------------------------------------------------------------------------------------------
def _qr_shape(x, full_matrices=False):
    dims = _matrix_shape(x)
    if dims is None:
        return None, None
    batch, m, n = dims
    k = m if full_matrices else _k(m, n)
    return batch + (m, k), batch + (k, n)


def _triangular_solve_right(x, r):
    """x @ inv(r)^T... precisely TF's: adjoint(triangular_solve(r, adjoint(x), lower=False))."""
    return _adj(matrix_triangular_solve(r, _adj(x), lower=False, adjoint=False))


def _qr_grad_deep(q, r, dq, dr):
    qdq = _mm(q, dq, adj_a=True)
    rdr = _mm(r, dr, adj_b=True)
    tril = band_part(qdq - _adj(qdq) + rdr - _adj(rdr), num_lower=-1, num_upper=0)
    grad_a = _mm(q, dr + _triangular_solve_right(tril, r))
    return grad_a + _triangular_solve_right(dq - _mm(q, qdq), r)


def _qr_grad(gs, outs, a, full_matrices=False):
    dq, dr = gs
    q, r = outs
    m, n = q.shape[-2], r.shape[-1]
    if r.shape.rank is None or r.shape[-2] is None or n is None:
        raise NotImplementedError(f"QrGrad not implemented with dynamic shapes. Received r.shape: {r.shape}")
    if r.shape[-2] > n and q.shape[-2] == q.shape[-1]:
        raise NotImplementedError(f"QrGrad not implemented when nrows > ncols and full_matrices is true. Received "
                                  f"r.shape={r.shape} with nrows={r.shape[-2]}and ncols={n}.")
    if m >= n:
        return (_qr_grad_deep(q, r, dq, dr),)
    y, u = a[..., :, m:], r[..., :, :m]     # a = [x, y], r = [u, v]: reduce to the square case
    du, dv = dr[..., :, :m], dr[..., :, m:]
    dx = _qr_grad_deep(q, u, dq + _mm(y, dv, adj_b=True), du)
    return (array.concat(dx, _mm(q, dv), axis=-1),)


def _qr_kernel(xp, a, full_matrices):
    _check(xp, a, "Qr")
    exact = None if full_matrices or xp is not np else qr_eigen.qr(a)  # NOTE: TF's bits where Eigen is unblocked
    if exact is not None:
        return exact
    q, r = blas.lapack(xp, _flops(a), xp.linalg.qr, a, mode="complete" if full_matrices else "reduced")
    return q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)


@op("Qr", shape=_qr_shape, num_outputs=2, grad=_qr_grad,
    ref=lambda a, full_matrices=False: np.linalg.qr(a, mode="complete" if full_matrices else "reduced"),
    cases=given(_RNG.standard_normal((4, 3))) + given(_RNG.standard_normal((2, 3, 3)))
    + given(_RNG.standard_normal((2, 4))) + given(_RNG.standard_normal((3, 4)), full_matrices=True))
def qr(xp):
    """Qr(a) -> (q, r): a == q @ r with orthonormal columns in q and upper-triangular r."""
    return lambda a, full_matrices=False: _qr_kernel(xp, a, full_matrices)


# -- SVD -------------------------------------------------------------------------------------------
def _svd_shape(x, compute_uv=True, full_matrices=False):
    dims = _matrix_shape(x)
    if dims is None:
        return None, None, None
    batch, m, n = dims
    k = _k(m, n)
    if not compute_uv:
        return batch + (k,), (0,), (0,)
    return batch + (k,), batch + (m, m if full_matrices else k), batch + (n, n if full_matrices else k)


def _svd_grad(gs, outs, a, compute_uv=True, full_matrices=False):
    grad_s, grad_u, grad_v = gs
    if not compute_uv:
        _, u, v = svd(a)
        return (_mm(u, _mm(linalg.matrix_diag(grad_s), v, adj_b=True)),)
    s, u, v = outs
    m, n = a.shape[-2], a.shape[-1]
    if m is None or n is None:
        raise NotImplementedError("SVD gradient has not been implemented for input with unknown inner matrix shape.")
    use_adjoint = m > n
    if use_adjoint:  # the gradient of a^T = v s u^T, transposed at the end
        m, n, u, v, grad_u, grad_v = n, m, v, u, grad_v, grad_u
    if full_matrices and abs(m - n) > 1:
        raise NotImplementedError(f"svd gradient is not implemented for abs(m - n) > 1 when full_matrices is True. "
                                  f"Received: m={m} and n={n} from op input={a} with shape={a.shape}.")
    s_mat = linalg.matrix_diag(s)
    f = _pairwise_inverse(s * s)
    v1, grad_v1 = v[..., :, :m], grad_v[..., :, :m]
    f_u = f * _mm(u, grad_u, adj_a=True)
    f_v = f * _mm(v1, grad_v1, adj_a=True)
    middle = linalg.matrix_diag(grad_s) + _mm(f_u + _adj(f_u), s_mat) + _mm(s_mat, f_v + _adj(f_v))
    grad_a = _mm(u, _mm(middle, v1, adj_b=True))
    if m != n:
        gv1t = _adj(grad_v1)
        term2 = gv1t - _mm(_mm(gv1t, v1), v1, adj_b=True)
        if full_matrices:
            v2, grad_v2 = v[..., :, m:n], grad_v[..., :, m:n]
            term2 = term2 - _mm(_mm(v1, grad_v2, adj_a=True), v2, adj_b=True)
        grad_a = grad_a + _mm(_mm(u, linalg.matrix_diag(_safe_reciprocal(s))), term2)
    return (_adj(grad_a) if use_adjoint else grad_a,)


def _svd_kernel(xp, a, compute_uv, full_matrices):
    _check(xp, a, "Svd")
    if not compute_uv:
        empty = xp.zeros((0,), a.dtype)
        return blas.lapack(xp, _flops(a), xp.linalg.svd, a, compute_uv=False).astype(a.dtype, copy=False), empty, empty
    u, s, vh = blas.lapack(xp, _flops(a), xp.linalg.svd, a, full_matrices=full_matrices)
    return s.astype(a.dtype, copy=False), u.astype(a.dtype, copy=False), \
        xp.swapaxes(vh, -1, -2).astype(a.dtype, copy=True)


def _svd_ref(a, compute_uv=True, full_matrices=False):
    if not compute_uv:
        return np.linalg.svd(a, compute_uv=False), np.zeros((0,), a.dtype), np.zeros((0,), a.dtype)
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    return s, u, np.swapaxes(vh, -1, -2)


@op("Svd", shape=_svd_shape, num_outputs=3, grad=_svd_grad, ref=_svd_ref,
    cases=given(_RNG.standard_normal((4, 3))) + given(_RNG.standard_normal((2, 3, 5)))
    + given(_RNG.standard_normal((3, 3)), compute_uv=False) + given(_RNG.standard_normal((3, 4)), full_matrices=True))
def svd(xp):
    """Svd(a) -> (s, u, v): singular values descending and the singular vectors, a == u @ diag(s) @ v^T."""
    return lambda a, compute_uv=True, full_matrices=False: _svd_kernel(xp, a, compute_uv, full_matrices)
