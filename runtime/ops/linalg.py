"""Matrix products: MatMul (2-D, with transpose/adjoint flags) and BatchMatMulV2.

    MatMul(a, b, transpose_a=False, transpose_b=True) == a @ b.T
"""
from __future__ import annotations

import numpy as np

from .. import blas
from ..errors import invalid
from .registry import op
from .testcases import given, shaped

_RNG = np.random.default_rng(0)


def _mm_shape(a, b, transpose_a=False, transpose_b=False, adj_x=None, adj_y=None):
    ta = transpose_a if adj_x is None else adj_x
    tb = transpose_b if adj_y is None else adj_y
    if a is None or b is None:
        return None
    if len(a) < 2 or len(b) < 2:
        raise invalid(f"Shape must be {'at least ' if adj_x is not None else ''}rank 2 but is rank "
                      f"{min(len(a), len(b))}")
    m, k1 = (a[-1], a[-2]) if ta else (a[-2], a[-1])
    k2, n = (b[-1], b[-2]) if tb else (b[-2], b[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise invalid(f"Matrix size-incompatible: In[0]: [{','.join(map(str, a))}], "
                      f"In[1]: [{','.join(map(str, b))}]")
    batch = ()
    if len(a) > 2 or len(b) > 2:
        from .registry import broadcast_shapes  # noqa: PLC0415
        batch = broadcast_shapes(a[:-2], b[:-2])
    return batch + (m, n)


def _t(x, flag):
    return x if not flag else x.swapaxes(-1, -2)


def _mm_kernel(xp, ta, tb, a, b):
    if a.shape[-1 - ta] != b.shape[-2 + tb]:
        raise invalid(f"Matrix size-incompatible: In[0]: [{','.join(map(str, a.shape))}], "
                      f"In[1]: [{','.join(map(str, b.shape))}]")
    return blas.matmul(xp, _t(a, ta), _t(b, tb))


def _mm_grad(g, y, a, b, transpose_a=False, transpose_b=False, wanted=(True, True)):
    # NOTE: the four (ta, tb) cases of d(a @ b), each again a MatMul so second order works; only the wanted ones.
    ta, tb = transpose_a, transpose_b
    da = db = None
    if wanted[0]:
        da = (mat_mul(b, g, transpose_a=True, transpose_b=True) if ta and tb else mat_mul(b, g, transpose_b=True)
              if ta else mat_mul(g, b) if tb else mat_mul(g, b, transpose_b=True))
    if wanted[1]:
        db = (mat_mul(g, a, transpose_a=True, transpose_b=True) if ta and tb else mat_mul(a, g) if ta
              else mat_mul(g, a, transpose_a=True) if tb else mat_mul(a, g, transpose_a=True))
    return da, db


@op("MatMul", shape=_mm_shape, same_dtype=True, grad=_mm_grad, grad_wanted=True,
    ref=lambda a, b, transpose_a=False, transpose_b=False: np.matmul(_t(a, transpose_a), _t(b, transpose_b)),
    cases=given(_RNG.standard_normal((2, 3)), _RNG.standard_normal((3, 4)))
    + given(_RNG.standard_normal((3, 2)), _RNG.standard_normal((4, 3)), transpose_a=True, transpose_b=True))
def mat_mul(xp):
    """MatMul(a, b): 2-D matrix product, optionally transposing either operand first."""
    return lambda a, b, transpose_a=False, transpose_b=False: _mm_kernel(xp, transpose_a, transpose_b, a, b)


def _bmm_grad(g, y, a, b, adj_x=False, adj_y=False):
    ga = batch_mat_mul(g, b, adj_y=not adj_y) if not adj_x else batch_mat_mul(b, g, adj_x=adj_y, adj_y=True)
    gb = batch_mat_mul(a, g, adj_x=not adj_x) if not adj_y else batch_mat_mul(g, a, adj_x=True, adj_y=adj_x)
    return ga, gb


@op("BatchMatMulV2", shape=lambda a, b, adj_x=False, adj_y=False: _mm_shape(a, b, adj_x=adj_x, adj_y=adj_y),
    same_dtype=True, grad=_bmm_grad,
    ref=lambda a, b, adj_x=False, adj_y=False: np.matmul(_t(a, adj_x), _t(b, adj_y)),
    cases=given(_RNG.standard_normal((2, 2, 3)), _RNG.standard_normal((2, 3, 4)))
    + given(_RNG.standard_normal((2, 3, 2)), _RNG.standard_normal((3, 4)), adj_x=True))
def batch_mat_mul(xp):
    """BatchMatMulV2(a, b): matrix product over the last two axes, broadcasting the batch axes."""
    return lambda a, b, adj_x=False, adj_y=False: _mm_kernel(xp, adj_x, adj_y, a, b)


# -- inverse, determinant, diagonals --------------------------------------------------------
def _square(shape, what):
    if shape is not None and len(shape) >= 2 and None not in shape[-2:] and shape[-1] != shape[-2]:
        raise invalid(f"Input matrix must be square: [{','.join(map(str, shape))}] ({what})")
    return shape


def _inv_kernel(xp, x, adjoint=False):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise invalid(f"Input matrix must be square, got shape [{','.join(map(str, x.shape))}]")
    try:
        y = xp.linalg.inv(x)
    except np.linalg.LinAlgError:
        raise invalid("Input is not invertible.") from None
    return y.swapaxes(-1, -2).conj() if adjoint else y


def _inv_grad(g, y, x, adjoint=False):
    # NOTE: d(X^-1) = -X^-1 dX X^-1, so dL/dX = -Y^H G Y^H (Y = inverse, adjoint-aware).
    if adjoint:
        return (-batch_mat_mul(y, batch_mat_mul(g, y, adj_x=True)),)
    return (-batch_mat_mul(y, batch_mat_mul(g, y, adj_y=True), adj_x=True),)


@op("MatrixInverse", shape=lambda x, adjoint=False: _square(x, "MatrixInverse"), grad=_inv_grad,
    ref=lambda x, adjoint=False: _inv_kernel(np, x, adjoint),
    cases=given(_RNG.standard_normal((3, 3)) + 3 * np.eye(3))
    + given(_RNG.standard_normal((2, 2, 2)) + 2 * np.eye(2), adjoint=True))
def matrix_inverse(xp):
    """MatrixInverse(x): the inverse of each innermost square matrix (adjoint=True: of its adjoint)."""
    return lambda x, adjoint=False: _inv_kernel(xp, x, adjoint)


def _det_grad(g, y, x):
    from .array import expand_dims  # noqa: PLC0415
    scale = expand_dims(expand_dims(g * y, axis=-1), axis=-1)
    return (scale * matrix_inverse(x, adjoint=True),)


@op("MatrixDeterminant", shape=lambda x: None if x is None else _square(x, "MatrixDeterminant")[:-2],
    grad=_det_grad, ref=lambda x: np.linalg.det(x),
    cases=given(_RNG.standard_normal((3, 3)) + 2 * np.eye(3)) + given(_RNG.standard_normal((2, 2, 2))))
def matrix_determinant(xp):
    """MatrixDeterminant(x): the determinant of each innermost square matrix."""
    def kernel(x):
        if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
            raise invalid(f"Input matrix must be square, got shape [{','.join(map(str, x.shape))}]")
        return xp.asarray(xp.linalg.det(x)).astype(x.dtype, copy=False)
    return kernel


def _diag_kernel(xp, d):
    n = d.shape[-1]
    out = xp.zeros(d.shape + (n,), dtype=d.dtype)
    idx = xp.arange(n)
    out[..., idx, idx] = d
    return out


@op("MatrixDiag", shape=lambda d: None if d is None else d + d[-1:],
    grad=lambda g, y, d: (matrix_diag_part(g),), ref=lambda d: _diag_kernel(np, d),
    cases=shaped((3,)) + shaped((2, 4)))
def matrix_diag(xp):
    """MatrixDiag([..., n]) -> [..., n, n] with the input on the main diagonal and zeros elsewhere."""
    return lambda d: _diag_kernel(xp, d)


def _diag_part_shape(x):
    if x is None:
        return None
    m, n = x[-2:]
    return x[:-2] + ((None if m is None or n is None else min(m, n)),)


@op("MatrixDiagPart", shape=_diag_part_shape, grad=lambda g, y, x: (matrix_set_diag_like(g, x),),
    ref=lambda x: np.diagonal(x, axis1=-2, axis2=-1), cases=shaped((3, 3)) + shaped((2, 3, 4)))
def matrix_diag_part(xp):
    """MatrixDiagPart([..., m, n]) -> [..., min(m, n)]: the main diagonal of each innermost matrix."""
    return lambda x: xp.diagonal(x, axis1=-2, axis2=-1).copy()


def _set_diag_like(xp, d, like):
    out = xp.zeros(like.shape, dtype=d.dtype)
    idx = xp.arange(d.shape[-1])
    out[..., idx, idx] = d
    return out


@op("MatrixSetDiagLike", shape=lambda d, like: like, grad=lambda g, y, d, like: (matrix_diag_part(g), None),
    ref=lambda d, like: _set_diag_like(np, d, like), cases=given(np.arange(1.0, 4.0), np.zeros((3, 4))))
def matrix_set_diag_like(xp):
    """MatrixSetDiagLike(d, like): zeros shaped like `like` with d on the main diagonal (for gradients)."""
    return lambda d, like: _set_diag_like(xp, d, like)


# -- Einsum ---------------------------------------------------------------------------------
def _parse(equation):
    lhs, out = equation.replace(" ", "").split("->")
    return lhs.split(","), out


def _einsum_shape(*shapes, equation):
    ins, out = _parse(equation)
    if any(s is None for s in shapes) or "." in equation:
        return None
    size = {}
    for subs, s in zip(ins, shapes):
        for c, d in zip(subs, s):
            if d is not None and d != 1:
                size[c] = d
            size.setdefault(c, d)
    return tuple(size[c] for c in out)


def _einsum_grad(g, y, *xs, equation):
    from .array import broadcast_like, expand_dims  # noqa: PLC0415
    ins, out = _parse(equation)
    grads = []
    for i, (subs, x) in enumerate(zip(ins, xs)):
        if len(set(subs)) != len(subs) or "." in equation:
            raise NotImplementedError(f"gradient of einsum {equation!r}: repeated indices or '...' in one operand "
                                      "are not supported; write the diagonal with tf.linalg.diag_part")
        others = [s for j, s in enumerate(ins) if j != i]
        seen = set(out).union(*others)
        keep = "".join(c for c in subs if c in seen)
        gx = einsum(g, *(xs[j] for j in range(len(xs)) if j != i), equation=",".join([out] + others) + "->" + keep)
        for pos, c in enumerate(subs):
            if c not in seen:
                gx = expand_dims(gx, axis=pos)
        grads.append(broadcast_like(gx, x) if keep != subs else gx)
    return tuple(grads)


@op("Einsum", shape=_einsum_shape, same_dtype=True, grad=_einsum_grad,
    ref=lambda *xs, equation: np.einsum(equation, *xs),
    cases=given(_RNG.standard_normal((2, 3)), _RNG.standard_normal((3, 4)), equation="ij,jk->ik")
    + given(_RNG.standard_normal((2, 3, 4)), _RNG.standard_normal((2, 4, 5)), equation="bij,bjk->bik")
    + given(_RNG.standard_normal((3, 4)), equation="ij->j") + given(_RNG.standard_normal((3,)),
                                                                    _RNG.standard_normal((4,)), equation="i,j->ij")
    + given(_RNG.standard_normal((2, 3)), _RNG.standard_normal((2, 3)), equation="ij,ij->"))
def einsum(xp):
    """Einsum(*xs, equation="ij,jk->ik"): the explicit-output Einstein summation of the operands."""
    return lambda *xs, equation: xp.einsum(equation, *xs)
