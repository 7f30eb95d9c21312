"""Matrix products: MatMul (2-D, with transpose/adjoint flags) and BatchMatMulV2.

    MatMul(a, b, transpose_a=False, transpose_b=True) == a @ b.T
"""
from __future__ import annotations

import numpy as np

from ..errors import invalid
from .registry import op
from .testcases import given

_RNG = np.random.default_rng(0)


def _mm_shape(a, b, transpose_a=False, transpose_b=False, adj_x=None, adj_y=None):
    ta = transpose_a if adj_x is None else adj_x
    tb = transpose_b if adj_y is None else adj_y
    if a is None or b is None:
        return None
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
    return xp.matmul(_t(a, ta), _t(b, tb))


def _mm_grad(g, y, a, b, transpose_a=False, transpose_b=False):
    # NOTE: the four (ta, tb) cases of d(a @ b), each again a MatMul so second order works.
    if not transpose_a and not transpose_b:
        return mat_mul(g, b, transpose_b=True), mat_mul(a, g, transpose_a=True)
    if not transpose_a and transpose_b:
        return mat_mul(g, b), mat_mul(g, a, transpose_a=True)
    if transpose_a and not transpose_b:
        return mat_mul(b, g, transpose_b=True), mat_mul(a, g)
    return mat_mul(b, g, transpose_a=True, transpose_b=True), mat_mul(g, a, transpose_a=True, transpose_b=True)


@op("MatMul", shape=_mm_shape, same_dtype=True, grad=_mm_grad,
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
