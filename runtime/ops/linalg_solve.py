"""Linear systems and factorisations: Cholesky, MatrixSolve, MatrixTriangularSolve, MatrixBandPart.

    Cholesky(a) = l with l @ l^T == a (l lower triangular)
    MatrixSolve(a, b) = x with a @ x == b;  MatrixTriangularSolve(l, b, lower=True) the same for triangular l

Each acts on the innermost matrices (leading axes are a batch). Gradients are written with
these ops, so they differentiate again.
"""
from __future__ import annotations

import numpy as np

from .. import blas
from ..errors import invalid
from .registry import op
from .testcases import given

_RNG = np.random.default_rng(5)


def _spd(n, batch=()):
    a = _RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _square(x, name):
    if x is not None and (len(x) < 2 or (x[-1] is not None and x[-2] is not None and x[-1] != x[-2])):
        raise invalid(f"Input matrix must be square for {name}, got shape [{','.join(map(str, x))}]")
    return x


def _adj(x):
    from .array import transpose  # noqa: PLC0415
    rank = x.shape.rank
    return transpose(x, perm=tuple(range(rank - 2)) + (rank - 1, rank - 2))


def _mm(a, b):
    from .linalg import batch_mat_mul  # noqa: PLC0415
    return batch_mat_mul(a, b)


# -- band part --------------------------------------------------------------------------------
def _band(xp, x, num_lower, num_upper):
    m, n = x.shape[-2], x.shape[-1]
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    keep = ((num_lower < 0) | (i - j <= num_lower)) & ((num_upper < 0) | (j - i <= num_upper))
    return xp.where(xp.asarray(keep), x, xp.zeros((), x.dtype))


@op("MatrixBandPart", shape=lambda x, num_lower=-1, num_upper=-1: x,
    grad=lambda g, y, x, num_lower=-1, num_upper=-1: (band_part(g, num_lower=num_lower, num_upper=num_upper),),
    ref=lambda x, num_lower=-1, num_upper=-1: _band(np, x, num_lower, num_upper),
    cases=given(_RNG.standard_normal((3, 4)), num_lower=1, num_upper=0)
    + given(_RNG.standard_normal((2, 3, 3)), num_lower=0, num_upper=-1))
def band_part(xp):
    """MatrixBandPart(x, num_lower=0, num_upper=-1): the upper triangle (entries outside the band are 0)."""
    return lambda x, num_lower=-1, num_upper=-1: _band(xp, x, num_lower, num_upper)


# -- solves -------------------------------------------------------------------------------------
def _solve_shape(a, b, **_):
    _square(a, "MatrixSolve")
    return b


def _solve_grad(g, x, a, b, adjoint=False):
    gb = matrix_solve(a, g, adjoint=not adjoint)
    ga = -_mm(x, _adj(gb)) if adjoint else -_mm(gb, _adj(x))
    return ga, gb


def _solve_kernel(xp, a, b, adjoint):
    if a.shape[-1] != a.shape[-2] or a.shape[-1] != b.shape[-2]:
        raise invalid(f"Input matrix and right-hand side must have matching rows: [{','.join(map(str, a.shape))}] "
                      f"vs. [{','.join(map(str, b.shape))}]")
    m = xp.swapaxes(a, -1, -2).conj() if adjoint else a
    try:
        flops = (m.size // max(m.shape[-1] ** 2, 1)) * m.shape[-1] ** 2 * (m.shape[-1] + b.shape[-1])
        return blas.lapack(xp, flops, xp.linalg.solve, m, b).astype(b.dtype, copy=False)
    except np.linalg.LinAlgError:
        raise invalid("Input matrix is not invertible.") from None


@op("MatrixSolve", shape=_solve_shape, same_dtype=True, grad=_solve_grad,
    ref=lambda a, b, adjoint=False: np.linalg.solve(np.swapaxes(a, -1, -2) if adjoint else a, b),
    cases=given(_spd(3), _RNG.standard_normal((3, 2))) + given(_spd(2, (2,)), _RNG.standard_normal((2, 2, 1)),
                                                                adjoint=True))
def matrix_solve(xp):
    """MatrixSolve(a, b): x with a @ x == b (adjoint=True: a^H @ x == b)."""
    return lambda a, b, adjoint=False: _solve_kernel(xp, a, b, adjoint)


def _tri_grad(g, x, a, b, lower=True, adjoint=False):
    gb = matrix_triangular_solve(a, g, lower=lower, adjoint=not adjoint)
    ga = -_mm(x, _adj(gb)) if adjoint else -_mm(gb, _adj(x))
    keep = (-1, 0) if lower else (0, -1)
    return band_part(ga, num_lower=keep[0], num_upper=keep[1]), gb


def _tri_ref(a, b, lower=True, adjoint=False):
    t = np.tril(a) if lower else np.triu(a)
    return np.linalg.solve(np.swapaxes(t, -1, -2) if adjoint else t, b)


@op("MatrixTriangularSolve", shape=_solve_shape, same_dtype=True, grad=_tri_grad, ref=_tri_ref,
    cases=given(np.tril(_spd(3)), _RNG.standard_normal((3, 2)))
    + given(np.triu(_spd(3)), _RNG.standard_normal((3, 1)), lower=False, adjoint=True))
def matrix_triangular_solve(xp):
    """MatrixTriangularSolve(l, b, lower=True): x with tril(l) @ x == b (only that triangle of l is read)."""
    def kernel(a, b, lower=True, adjoint=False):
        t = xp.tril(a) if lower else xp.triu(a)
        return _solve_kernel(xp, t, b, adjoint)
    return kernel


# -- Cholesky ----------------------------------------------------------------------------------
def _chol_grad(g, l, a):
    """d(chol)/da for symmetric a: S = L^-H Phi(L^H G) L^-1, symmetrised (Phi: lower triangle, half diagonal)."""
    m = _mm(_adj(l), g)
    p = band_part(m, num_lower=-1, num_upper=0) - band_part(m, num_lower=0, num_upper=0) * 0.5
    x = matrix_triangular_solve(l, p, lower=True, adjoint=True)                # L^-H P
    s = _adj(matrix_triangular_solve(l, _adj(x), lower=True, adjoint=True))    # L^-H P L^-1
    return ((s + _adj(s)) * 0.5,)


def _chol_kernel(xp, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise invalid(f"Input matrix must be square, got shape [{','.join(map(str, a.shape))}]")
    try:
        return blas.lapack(xp, a.size * a.shape[-1], xp.linalg.cholesky, a).astype(a.dtype, copy=False)
    except np.linalg.LinAlgError:
        raise invalid("Cholesky decomposition was not successful. The input might not be valid.") from None


@op("Cholesky", shape=lambda a: _square(a, "Cholesky"), grad=_chol_grad, ref=np.linalg.cholesky,
    cases=given(_spd(3)) + given(_spd(2, (2,))))
def cholesky(xp):
    """Cholesky(a): lower-triangular l with l @ l^H == a, for symmetric positive definite a."""
    return lambda a: _chol_kernel(xp, a)
