"""Scans along one axis: Cumsum and Cumprod, with `exclusive` and `reverse`.

    Cumsum([1, 2, 3], axis=0, exclusive=True) == [0, 1, 3]
"""
from __future__ import annotations

import numpy as np

from .registry import op, same_shape
from .testcases import shaped


def _scan(xp, fn, identity, x, axis, exclusive, reverse):
    if reverse:
        x = xp.flip(x, axis)
    out = fn(x, axis=axis, dtype=x.dtype)
    if exclusive:
        pad = [(0, 0)] * x.ndim
        pad[axis] = (1, 0)
        out = xp.pad(out, pad, constant_values=identity)
        out = xp.take(out, xp.arange(x.shape[axis]), axis=axis)
    return xp.flip(out, axis) if reverse else out


def _ref(fn, identity):
    return lambda x, axis=0, exclusive=False, reverse=False: _scan(np, fn, identity, x, axis, exclusive, reverse)


def _scan_cases(draw):
    return (shaped((2, 3), draw=draw, axis=0) + shaped((2, 3), draw=draw, axis=-1, exclusive=True)
            + shaped((3, 2), draw=draw, axis=1, reverse=True) + shaped((4,), draw=draw, axis=0, exclusive=True,
                                                                         reverse=True))


def _cumsum_grad(g, y, x, axis=0, exclusive=False, reverse=False):
    return (cumsum(g, axis=axis, exclusive=exclusive, reverse=not reverse),)


@op("Cumsum", shape=same_shape, grad=_cumsum_grad, ref=_ref(np.cumsum, 0),
    cases=_scan_cases("normal") + shaped((2, 3), draw="int", axis=0))
def cumsum(xp):
    """Cumsum(x, axis=0): running sums; exclusive starts at 0, reverse runs from the end."""
    def kernel(x, axis=0, exclusive=False, reverse=False):
        return _scan(xp, xp.cumsum, 0, x, axis % max(x.ndim, 1), exclusive, reverse)
    return kernel


def _cumprod_grad(g, y, x, axis=0, exclusive=False, reverse=False):
    # NOTE: TensorFlow's formula; like TF it assumes x has no zeros.
    return (cumsum(y * g, axis=axis, exclusive=exclusive, reverse=not reverse) / x,)


@op("Cumprod", shape=same_shape, grad=_cumprod_grad, ref=_ref(np.cumprod, 1),
    cases=_scan_cases("positive") + shaped((2, 3), draw="int", axis=1))
def cumprod(xp):
    """Cumprod(x, axis=0): running products; exclusive starts at 1."""
    def kernel(x, axis=0, exclusive=False, reverse=False):
        return _scan(xp, xp.cumprod, 1, x, axis % max(x.ndim, 1), exclusive, reverse)
    return kernel
