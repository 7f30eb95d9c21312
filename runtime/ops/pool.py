"""2-D pooling: MaxPool, AvgPool and their gradients (MaxPoolGrad, MaxPoolGradGrad, AvgPoolGrad).

    MaxPool(x[N,H,W,C], ksize=(1,2,2,1), strides=(1,2,2,1), padding="VALID") -> [N,H/2,W/2,C]

Each kernel runs in compiled C (conv_native: one threaded pass, float32/float64) where a
C compiler is available; otherwise it loops over the kh*kw taps of the window, combining
whole [N,Ho,Wo,C] strided views (never over pixels). As TensorFlow's CPU kernels do, MaxPoolGrad
recomputes the argmax from the original input (the first maximum in row-major window
order wins), and AvgPool divides by the number of non-padding elements under the window.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import invalid
from . import array, conv_native
from .conv import Geometry, check_format, geometry, pad, tap
from .registry import op
from .testcases import Cases, given

_RNG = np.random.default_rng(5)


def _geo(shape: tuple, ksize: tuple, strides: tuple, padding: str, explicit_paddings: tuple = (),
         data_format: str = "NHWC", name: str = "MaxPool") -> Geometry:
    check_format(data_format, name)
    if len(shape) != 4:
        raise invalid(f"input must be 4-dimensional, got shape [{','.join(map(str, shape))}] [{name}]")
    if len(ksize) != 4 or ksize[0] != 1 or ksize[3] != 1:
        raise invalid(f"Pooling is not yet supported on the batch or depth dimension: ksize={list(ksize)} "
                      "(use [1, k_h, k_w, 1])")
    return geometry(shape, ksize[1], ksize[2], strides, padding, explicit_paddings)


def _lowest(dtype: Any) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _taps(g: Geometry):
    return [(i, j) for i in range(g.kh) for j in range(g.kw)]


def _argmax(xp: Any, x: Any, g: Geometry) -> Any:
    """Index (i * kw + j) of the first maximum of each window."""
    xpad = pad(xp, x, g, _lowest(x.dtype))
    best = tap(xpad, g, 0, 0).copy()
    idx = xp.zeros(best.shape, dtype=np.int32)
    for k, (i, j) in enumerate(_taps(g)[1:], start=1):
        v = tap(xpad, g, i, j)
        better = v > best
        xp.copyto(best, v, where=better)
        xp.copyto(idx, np.int32(k), where=better)
    return idx


def _scatter(xp: Any, per_tap: Any, in_shape: tuple, g: Geometry, dtype: Any) -> Any:
    """Sum per_tap(k) ([N,Ho,Wo,C]) into each tap's input positions; crop the padding."""
    n, h, w, c = in_shape
    hp = max(h + g.pt + g.pb, (g.ho - 1) * g.sh + g.kh)
    wp = max(w + g.pl + g.pr, (g.wo - 1) * g.sw + g.kw)
    out = xp.zeros((n, hp, wp, c), dtype=dtype)
    for k, (i, j) in enumerate(_taps(g)):
        tap(out, g, i, j)[...] += per_tap(k)
    return xp.ascontiguousarray(out[:, g.pt:g.pt + h, g.pl:g.pl + w, :])


def _max_pool(xp: Any, x: Any, **a: Any) -> Any:
    g = _geo(x.shape, **a)
    native = conv_native.max_pool(xp, x, g)
    if native is not None:
        return native
    xpad = pad(xp, x, g, _lowest(x.dtype))
    out = tap(xpad, g, 0, 0).copy()
    for i, j in _taps(g)[1:]:
        xp.maximum(out, tap(xpad, g, i, j), out=out)
    return out


def _max_pool_grad(xp: Any, x: Any, y: Any, dy: Any, **a: Any) -> Any:
    g = _geo(x.shape, **a)
    native = conv_native.max_pool_grad(xp, x, dy, g)
    if native is not None:
        return native
    idx = _argmax(xp, x, g)
    dy = xp.ascontiguousarray(dy)
    return _scatter(xp, lambda k: dy * (idx == k), x.shape, g, dy.dtype)


def _max_pool_grad_grad(xp: Any, x: Any, y: Any, ddx: Any, **a: Any) -> Any:
    g = _geo(x.shape, **a)
    native = conv_native.max_pool_grad_grad(xp, x, ddx, g)
    if native is not None:
        return native
    idx = _argmax(xp, x, g)
    dpad = pad(xp, ddx, g)
    out = xp.zeros(idx.shape, dtype=ddx.dtype)
    for k, (i, j) in enumerate(_taps(g)):
        out = xp.where(idx == k, tap(dpad, g, i, j), out)
    return out


def _counts(xp: Any, in_shape: tuple, g: Geometry, dtype: Any) -> Any:
    """[Ho, Wo, 1]: how many real (non-padding) inputs each window covers."""
    def along(size, out, before, s, k):
        start = np.arange(out) * s - before
        return np.minimum(start + k, size) - np.maximum(start, 0)
    ch = along(in_shape[1], g.ho, g.pt, g.sh, g.kh)
    cw = along(in_shape[2], g.wo, g.pl, g.sw, g.kw)
    return xp.asarray((ch[:, None] * cw[None, :])[:, :, None].astype(dtype))


def _avg_pool(xp: Any, x: Any, **a: Any) -> Any:
    g = _geo(x.shape, name="AvgPool", **a)
    native = conv_native.avg_pool(xp, x, g)
    if native is not None:
        return native
    xpad = pad(xp, x, g)
    out = tap(xpad, g, 0, 0).copy()
    for i, j in _taps(g)[1:]:
        out += tap(xpad, g, i, j)
    return out / _counts(xp, x.shape, g, x.dtype)


def _avg_pool_grad(xp: Any, sizes: Any, dy: Any, **a: Any) -> Any:
    shape = tuple(int(d) for d in np.reshape(sizes, -1))
    g = _geo(shape, name="AvgPoolGrad", **a)
    native = conv_native.avg_pool_grad(xp, shape, dy, g)
    if native is not None:
        return native
    share = dy / _counts(xp, shape, g, dy.dtype)
    return _scatter(xp, lambda k: share, shape, g, dy.dtype)


def _pool_shape(x: Any, ksize: tuple, strides: tuple, padding: str, explicit_paddings: tuple = (),
                data_format: str = "NHWC") -> Any:
    from .conv import _out_shape  # noqa: PLC0415
    if x is None:
        return (None,) * 4
    return _out_shape(x, ksize[1], ksize[2], x[3], strides, padding, explicit_paddings, (1, 1, 1, 1))


def _cases(with_dy: str) -> Cases:
    specs = [((2, 4, 4, 3), dict(ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID")),
             ((1, 5, 6, 2), dict(ksize=(1, 3, 3, 1), strides=(1, 2, 1, 1), padding="SAME")),
             ((1, 5, 5, 1), dict(ksize=(1, 3, 2, 1), strides=(1, 1, 2, 1), padding="VALID"))]
    out = Cases()
    for shape, a in specs:
        x = _RNG.standard_normal(shape)
        g = _geo(shape, **a)
        dy = _RNG.standard_normal((shape[0], g.ho, g.wo, shape[3]))
        if with_dy == "fwd":
            out += given(x, **a)
        elif with_dy == "max_grad":
            out += given(x, _max_pool(np, x, **a), dy, **a)
        elif with_dy == "max_grad_grad":
            out += given(x, _max_pool(np, x, **a), _RNG.standard_normal(shape), **a)
        else:
            out += given(np.array(shape, np.int32), dy, **a)
    return out


def _zeros_like(t: Any) -> Any:
    from .elementwise import zeros_like_e  # noqa: PLC0415
    return zeros_like_e(t)


@op("MaxPool", shape=_pool_shape, ref=lambda x, **a: _max_pool(np, x, **a), cases=_cases("fwd"),
    grad=lambda g, y, x, **a: (max_pool_grad(x, y, g, **a),))
def max_pool(xp):
    """MaxPool(x, ksize, strides, padding): the maximum of each window."""
    return lambda x, **a: _max_pool(xp, x, **a)


@op("MaxPoolGrad", shape=lambda x, y, dy, **a: x, ref=lambda x, y, dy, **a: _max_pool_grad(np, x, y, dy, **a),
    cases=_cases("max_grad"),
    grad=lambda gg, out, x, y, dy, **a: (_zeros_like(x), _zeros_like(y), max_pool_grad_grad(x, y, gg, **a)))
def max_pool_grad(xp):
    """MaxPoolGrad(orig_input, orig_output, grad): grad routed to each window's (first) maximum."""
    return lambda x, y, dy, **a: _max_pool_grad(xp, x, y, dy, **a)


@op("MaxPoolGradGrad", shape=lambda x, y, ddx, **a: y, cases=_cases("max_grad_grad"),
    ref=lambda x, y, ddx, **a: _max_pool_grad_grad(np, x, y, ddx, **a),
    grad=lambda g, out, x, y, ddx, **a: (_zeros_like(x), _zeros_like(y), max_pool_grad(x, y, g, **a)))
def max_pool_grad_grad(xp):
    """MaxPoolGradGrad(orig_input, orig_output, grad): grad read at each window's maximum."""
    return lambda x, y, ddx, **a: _max_pool_grad_grad(xp, x, y, ddx, **a)


@op("AvgPool", shape=_pool_shape, ref=lambda x, **a: _avg_pool(np, x, **a), cases=_cases("fwd"),
    grad=lambda g, y, x, **a: (avg_pool_grad(array.shape(x), g, **a),))
def avg_pool(xp):
    """AvgPool(value, ksize, strides, padding): the mean of the real (unpadded) inputs of each window."""
    return lambda x, **a: _avg_pool(xp, x, **a)


@op("AvgPoolGrad", shape=lambda s, dy, **a: (None,) * 4 if s is None else tuple(int(d) for d in np.reshape(s, -1)),
    value_inputs=(0,), dtype=lambda s, dy, **a: dy, ref=lambda s, dy, **a: _avg_pool_grad(np, s, dy, **a),
    cases=_cases("avg_grad"),
    grad=lambda gg, out, s, dy, **a: (None, avg_pool(gg, **a)))
def avg_pool_grad(xp):
    """AvgPoolGrad(orig_input_shape, grad): each output's grad shared evenly over its window."""
    return lambda s, dy, **a: _avg_pool_grad(xp, s, dy, **a)
