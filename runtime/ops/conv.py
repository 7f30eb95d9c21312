"""2-D convolutions as im2col + one matmul: Conv2D, DepthwiseConv2dNative and their
input/filter backprops (each an op with its own gradient, so second order works).

    Conv2D(x[N,H,W,C], w[kh,kw,C,O], strides=(1,s,s,1), padding="SAME") -> [N,Ho,Wo,O]

Kernels are NHWC only (TensorFlow's CPU kernels are too); the public API transposes
NCHW around them. Float32 with 16k output channels runs direct (conv_direct: no im2col
matrix, FMA); otherwise the matmul runs in BLAS; im2col and the input backprop's col2im run
in compiled C (conv_native: one threaded pass, float32/float64) where a C compiler is
available. Otherwise im2col copies one strided view per filter tap (kh*kw whole-tensor
copies: 5x faster than copying an `as_strided` window view, whose innermost axis is
only C long) and col2im scatters with one strided add per tap; nothing loops over pixels.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import blas
from ..errors import invalid
from . import array, conv_direct, conv_native, conv_tiled
from .registry import op
from .testcases import Cases, given

_RNG = np.random.default_rng(3)


class Geometry(NamedTuple):
    """Where each window of a 2-D sliding op sits: output size, padding, stride, dilation."""

    ho: int
    wo: int
    pt: int
    pb: int
    pl: int
    pr: int
    sh: int
    sw: int
    dh: int
    dw: int
    kh: int
    kw: int


def out_and_pads(size: int, k: int, s: int, d: int, padding: str, explicit: Any) -> tuple:
    """(output size, pad before, pad after) along one spatial axis, as TensorFlow computes them."""
    keff = (k - 1) * d + 1
    if padding == "VALID":
        before = after = 0
    elif padding == "SAME":
        out = -(-size // s)
        total = max((out - 1) * s + keff - size, 0)
        return out, total // 2, total - total // 2
    elif padding == "EXPLICIT":
        before, after = int(explicit[0]), int(explicit[1])
    else:
        raise invalid(f"The padding must be 'SAME', 'VALID' or 'EXPLICIT', got {padding!r}")
    out = (size + before + after - keff + s) // s
    if out < 0:
        raise invalid(f"Computed output size would be negative: {out} [input_size: {size}, "
                      f"effective_filter_size: {keff}, stride: {s}] (use padding='SAME' or a smaller filter)")
    return out, before, after


def geometry(in_shape: tuple, kh: int, kw: int, strides: tuple, padding: str, explicit_paddings: tuple = (),
             dilations: tuple = (1, 1, 1, 1)) -> Geometry:
    if len(strides) != 4 or strides[0] != 1 or strides[3] != 1:
        raise invalid(f"strides must be [1, s_h, s_w, 1] (no striding over batch or depth), got {list(strides)}")
    ex = tuple(explicit_paddings) or (0,) * 8
    ho, pt, pb = out_and_pads(in_shape[1], kh, strides[1], dilations[1], padding, ex[2:4])
    wo, pl, pr = out_and_pads(in_shape[2], kw, strides[2], dilations[2], padding, ex[4:6])
    return Geometry(ho, wo, pt, pb, pl, pr, strides[1], strides[2], dilations[1], dilations[2], kh, kw)


def pad(xp: Any, x: Any, g: Geometry, fill: Any = 0) -> Any:
    """x padded so every window (and the rows a VALID stride leaves over) lies inside it."""
    if not (g.pt or g.pb or g.pl or g.pr):
        return x
    return xp.pad(x, ((0, 0), (g.pt, g.pb), (g.pl, g.pr), (0, 0)), constant_values=fill)


def im2col(xp: Any, x: Any, g: Geometry) -> Any:
    """The [N*Ho*Wo, kh*kw*C] matrix of all (padded) windows, one strided-view copy per filter tap."""
    n, c = x.shape[0], x.shape[3]
    if g.kh == g.kw == g.sh == g.sw == 1 and not (g.pt or g.pb or g.pl or g.pr):
        return xp.ascontiguousarray(x).reshape(n * g.ho * g.wo, c)    # 1x1 windows: x is its own matrix
    cols = conv_native.im2col(xp, x, g)
    if cols is not None:
        return cols
    xpad = pad(xp, x, g)
    cols = xp.empty((n, g.ho, g.wo, g.kh, g.kw, c), dtype=x.dtype)
    for i in range(g.kh):
        for j in range(g.kw):
            cols[:, :, :, i, j, :] = tap(xpad, g, i, j)
    return cols.reshape(n * g.ho * g.wo, g.kh * g.kw * c)


def tap(xpad: Any, g: Geometry, i: int, j: int) -> Any:
    """The [N, Ho, Wo, C] view of filter tap (i, j) over all output positions."""
    r, c = i * g.dh, j * g.dw
    return xpad[:, r:r + (g.ho - 1) * g.sh + 1:g.sh, c:c + (g.wo - 1) * g.sw + 1:g.sw, :]


def col2im(xp: Any, cols: Any, in_shape: tuple, g: Geometry) -> Any:
    """Adjoint of `windows`: add cols [N, Ho, Wo, kh, kw, C] back into an input-shaped array."""
    n, h, w, c = in_shape
    if not (g.ho and g.wo):
        return xp.zeros(tuple(in_shape), dtype=cols.dtype)   # no window: nothing reads the input
    native = conv_native.col2im(xp, cols.reshape(n * g.ho * g.wo, g.kh * g.kw * c), in_shape, g)
    if native is not None:
        return native
    hp = max(h + g.pt + g.pb, (g.ho - 1) * g.sh + (g.kh - 1) * g.dh + 1)
    wp = max(w + g.pl + g.pr, (g.wo - 1) * g.sw + (g.kw - 1) * g.dw + 1)
    out = xp.zeros((n, hp, wp, c), dtype=cols.dtype)
    for i in range(g.kh):
        for j in range(g.kw):
            tap(out, g, i, j)[...] += cols[:, :, :, i, j, :]
    return xp.ascontiguousarray(out[:, g.pt:g.pt + h, g.pl:g.pl + w, :])


def check_format(data_format: str, name: str) -> None:
    if data_format != "NHWC":
        raise invalid(f"The {name} op currently only supports the NHWC tensor format on the CPU. The op was "
                      f"given the format: {data_format} (tf.nn.* transposes NCHW for you)")


def _ints(v: Any) -> tuple:
    return tuple(int(d) for d in np.reshape(v, -1))


# -- the two families: full convolution and depthwise -------------------------------------
def _conv_fwd(xp, x, w, g):
    n, c, o = x.shape[0], w.shape[2], w.shape[3]
    if x.shape[3] != c:
        raise invalid(f"input depth must be evenly divisible by filter depth: {x.shape[3]} vs {c}")
    y = conv_direct.forward(xp, x, w, g)
    if y is None:
        y = conv_tiled.forward(xp, x, w, g)
    if y is not None:
        return y
    cols = im2col(xp, x, g)
    return blas.matmul(xp, cols, w.reshape(-1, o)).reshape(n, g.ho, g.wo, o)


def _conv_bp_input(xp, sizes, w, dy, g):
    o = w.shape[3]
    dx = conv_direct.backprop_input(xp, sizes, w, dy, g)
    if dx is None:
        dx = conv_tiled.backprop_input(xp, sizes, w, dy, g)
    if dx is not None:
        return dx
    cols = blas.matmul(xp, xp.ascontiguousarray(dy).reshape(-1, o), w.reshape(-1, o).T)
    return col2im(xp, cols.reshape(sizes[0], g.ho, g.wo, g.kh, g.kw, sizes[3]), sizes, g)


def _conv_bp_filter(xp, x, fsizes, dy, g):
    dw = conv_direct.backprop_filter(xp, x, fsizes, dy, g)
    if dw is None:
        dw = conv_tiled.backprop_filter(xp, x, fsizes, dy, g)
    if dw is not None:
        return dw
    cols = im2col(xp, x, g)
    return blas.matmul(xp, cols.T, xp.ascontiguousarray(dy).reshape(-1, fsizes[3])).reshape(fsizes)


def _dw_fwd(xp, x, w, g):
    n, c, m = x.shape[0], w.shape[2], w.shape[3]
    if x.shape[3] != c:
        raise invalid(f"input depth must match filter depth: {x.shape[3]} vs {c}")
    cols = im2col(xp, x, g).reshape(n * g.ho * g.wo, g.kh * g.kw, c).transpose(2, 0, 1)
    out = xp.matmul(cols, w.reshape(g.kh * g.kw, c, m).transpose(1, 0, 2))    # [C, P, M]
    return out.transpose(1, 0, 2).reshape(n, g.ho, g.wo, c * m)


def _dw_bp_input(xp, sizes, w, dy, g):
    c, m = w.shape[2], w.shape[3]
    dyt = xp.ascontiguousarray(dy).reshape(-1, c, m).transpose(1, 0, 2)                             # [C, P, M]
    cols = xp.matmul(dyt, w.reshape(g.kh * g.kw, c, m).transpose(1, 2, 0))  # [C, P, K]
    return col2im(xp, cols.transpose(1, 2, 0).reshape(sizes[0], g.ho, g.wo, g.kh, g.kw, c), sizes, g)


def _dw_bp_filter(xp, x, fsizes, dy, g):
    n, c, m = x.shape[0], fsizes[2], fsizes[3]
    cols = im2col(xp, x, g).reshape(n * g.ho * g.wo, g.kh * g.kw, c).transpose(2, 1, 0)
    df = xp.matmul(cols, xp.ascontiguousarray(dy).reshape(-1, c, m).transpose(1, 0, 2))            # [C, K, M]
    return df.transpose(1, 0, 2).reshape(fsizes)


def _out_shape(x, kh, kw, out_c, strides, padding, explicit_paddings, dilations):
    if x is None or len(x) != 4:
        return (None,) * 4
    spatial = []
    for axis, k in ((1, kh), (2, kw)):
        size = x[axis]
        if size is None or k is None:
            spatial.append(None)
        else:
            pads = (tuple(explicit_paddings) or (0,) * 8)[2 * axis:2 * axis + 2]
            spatial.append(out_and_pads(size, k, strides[axis], dilations[axis], padding, pads)[0])
    return (x[0], *spatial, out_c)


def _family(names: tuple, fwd, bp_input, bp_filter, out_channels, cases) -> tuple:
    """Declare forward, input-backprop and filter-backprop ops with gradients in terms of each other."""
    fname, iname, wname = names

    def attrs_of(strides, padding, explicit_paddings=(), dilations=(1, 1, 1, 1), data_format="NHWC"):
        return strides, padding, explicit_paddings, dilations, data_format

    def geo(in_shape, fshape, name, **a):
        strides, padding, explicit, dilations, data_format = attrs_of(**a)
        check_format(data_format, name)
        if len(in_shape) != 4 or len(fshape) != 4:
            raise invalid(f"input and filter must be 4-dimensional: {list(in_shape)} {list(fshape)} [{name}]")
        return geometry(in_shape, fshape[0], fshape[1], strides, padding, explicit, dilations)

    def fwd_impl(xp):
        return lambda x, w, **a: fwd(xp, x, w, geo(x.shape, w.shape, fname, **a))

    def bpi_impl(xp):
        def kernel(sizes, w, dy, **a):
            sizes = _ints(sizes)
            return bp_input(xp, sizes, w, dy, geo(sizes, w.shape, iname, **a))
        return kernel

    def bpf_impl(xp):
        def kernel(x, fsizes, dy, **a):
            fsizes = _ints(fsizes)
            return bp_filter(xp, x, fsizes, dy, geo(x.shape, fsizes, wname, **a))
        return kernel

    def fwd_shape(x, w, **a):
        strides, padding, explicit, dilations, _ = attrs_of(**a)
        kh, kw, oc = (None, None, None) if w is None else (w[0], w[1], out_channels(w))
        return _out_shape(x, kh, kw, oc, strides, padding, explicit, dilations)

    def fwd_ref(x, w, **a):
        return fwd(np, x, w, geo(x.shape, w.shape, fname, **a))

    def fwd_grad(g, y, x, w, wanted=(True, True), **a):
        return (bi(array.shape(x), w, g, **a) if wanted[0] else None,
                bf(x, array.shape(w), g, **a) if wanted[1] else None)

    f = op(fname, shape=fwd_shape, same_dtype=True, ref=fwd_ref, cases=cases[0], grad=fwd_grad,
           grad_wanted=True)(fwd_impl)
    bi = op(iname, shape=lambda s, w, dy, **a: (None,) * 4 if s is None else _ints(s), value_inputs=(0,),
            dtype=lambda s, w, dy, **a: w,
            ref=lambda s, w, dy, **a: bp_input(np, _ints(s), w, dy, geo(_ints(s), w.shape, iname, **a)),
            cases=cases[1], grad=lambda gg, y, s, w, dy, **a: (None, bf(gg, array.shape(w), dy, **a),
                                                               f(gg, w, **a)))(bpi_impl)
    bf = op(wname, shape=lambda x, s, dy, **a: (None,) * 4 if s is None else _ints(s), value_inputs=(1,),
            dtype=lambda x, s, dy, **a: x,
            ref=lambda x, s, dy, **a: bp_filter(np, x, _ints(s), dy, geo(x.shape, _ints(s), wname, **a)),
            cases=cases[2], grad=lambda gg, y, x, s, dy, **a: (bi(array.shape(x), gg, dy, **a), None,
                                                               f(x, gg, **a)))(bpf_impl)
    f.__doc__, bi.__doc__, bf.__doc__ = (f"{fname}(input, filter): sliding-window product (im2col + matmul).",
                                         f"{iname}(input_sizes, filter, out_backprop): d{fname}/dinput.",
                                         f"{wname}(input, filter_sizes, out_backprop): d{fname}/dfilter.")
    return f, bi, bf


def _cases(out_c):
    """Three geometries per family: SAME, strided VALID, dilated EXPLICIT (float64 for FD checks)."""
    specs = [((2, 5, 5, 3), (3, 3, 3, 2), dict(strides=(1, 1, 1, 1), padding="SAME")),
             ((1, 6, 7, 2), (2, 3, 2, 2), dict(strides=(1, 2, 2, 1), padding="VALID")),
             ((1, 5, 6, 2), (2, 2, 2, 1), dict(strides=(1, 1, 1, 1), padding="EXPLICIT",
                                               explicit_paddings=(0, 0, 1, 0, 2, 1, 0, 0), dilations=(1, 2, 2, 1)))]
    fwd, bpi, bpf = Cases(), Cases(), Cases()
    for xs, ws, a in specs:
        x, w = _RNG.standard_normal(xs), _RNG.standard_normal(ws)
        g = geometry(xs, ws[0], ws[1], a["strides"], a["padding"], a.get("explicit_paddings", ()),
                     a.get("dilations", (1, 1, 1, 1)))
        dy = _RNG.standard_normal((xs[0], g.ho, g.wo, out_c(ws)))
        fwd += given(x, w, **a)
        bpi += given(np.array(xs, np.int32), w, dy, **a)
        bpf += given(x, np.array(ws, np.int32), dy, **a)
    return fwd, bpi, bpf


def _conv_c(w):
    return w[3]


def _dw_c(w):
    return None if w[2] is None or w[3] is None else w[2] * w[3]


conv2d, conv2d_backprop_input, conv2d_backprop_filter = _family(
    ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"),
    _conv_fwd, _conv_bp_input, _conv_bp_filter, _conv_c, _cases(_conv_c))
depthwise_conv2d_native, depthwise_conv2d_native_backprop_input, depthwise_conv2d_native_backprop_filter = _family(
    ("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter"),
    _dw_fwd, _dw_bp_input, _dw_bp_filter, _dw_c, _cases(lambda w: w[2] * w[3]))
