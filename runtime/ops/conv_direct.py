"""Conv2D and its two backprops as direct float32 convolution (conv_direct.c), no im2col matrix.

    y = forward(np, x, w, g)      # [N,Ho,Wo,O], or None: the caller runs the im2col + GEMM path

Each image is padded once into a small scratch buffer, and register-blocked loops (16 output
channels a vector, 12-24 pixels or 8-16 taps at a time) read windows straight from it, skipping
the taps that read only padding: the skinny GEMMs of a small CNN (K = 400, N = 32) ran at ~55% of
the BLAS peak through im2col, plus the matrix's memory traffic; these run at 85-100% of one core's
FMA peak on the W11 layers. Tiles of whole images run on the shared pool (conv_native.map_tiles).
Float32 with a multiple of 16 output channels only; the input backprop is the forward kernel on
the padded out_backprop with the flipped filter (strided: one such convolution per stride phase).
The library is built with `-march=native` and FMA contraction (as TensorFlow's oneDNN kernels use
FMA), so results differ from the BLAS path by float rounding only. None wherever it cannot run; TFCOMPAT_CONV_DIRECT=0 turns it off.
"""
from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import Any

import numpy as np

from .. import fusion_native
from . import conv_native

_SOURCE = os.path.join(os.path.dirname(__file__), "conv_direct.c")
_LIB: list = []
_FIELDS = ("n", "h", "w", "c", "ho", "wo", "o", "pt", "pl", "hp", "wp", "sh", "sw", "dh", "dw", "kh", "kw", "yrow", "ypix",
           "yimg")


class _D(ctypes.Structure):
    _fields_ = [(f, ctypes.c_int64) for f in _FIELDS]


class _PG(ctypes.Structure):
    _fields_ = [(f, ctypes.c_int64) for f in ("kh", "kw", "sh", "sw", "pt", "pl", "ho", "wo")]


def _cpu_tag() -> str:
    """The CPU's model and feature flags: -march=native code is cached per CPU, never shared."""
    try:
        with open("/proc/cpuinfo") as f:
            lines = [ln.strip() for ln in f if ln.startswith(("model name", "flags"))][:2]
    except OSError:
        lines = []
    return " | ".join(lines) or os.uname().machine


def _halves() -> bool:
    """Whether 16 output channels run as two 8-float halves (12 pixels a block) rather than one
    16-float vector (24 pixels): where a 512-bit FMA is two 256-bit ones (AMD Zen 4) or there is no
    AVX-512, the halves need one broadcast per two FMAs instead of one per FMA (~100 vs ~82 GFLOP/s on
    a 5x5x32->16 layer). Each output sums the same products in the same order either way."""
    tag = _cpu_tag()
    return "avx512f" not in tag.split() or "Intel" not in tag


def _lib() -> Any:
    if not _LIB:
        lib = None
        tc = fusion_native.toolchain() if fusion_native.enabled() else None
        if tc is not None and os.environ.get("TFCOMPAT_CONV_DIRECT", "1") != "0":
            parts = [_SOURCE, _SOURCE[:-2] + "_pool.c", _SOURCE[:-2] + "_bpf.c"]
            src = f"/* {_cpu_tag()} */\n" + "".join(Path(part).read_text() for part in parts)
            base = [fl for fl in tc[1] if fl not in ("-ffp-contract=off", "-fopenmp", "-mavx2")]
            for extra in (["-march=native", "-ffp-contract=fast"], ["-ffp-contract=fast"]):
                path = fusion_native._build(src, tc[0], base + extra, version=tc[2])
                if path is not None:
                    lib = ctypes.CDLL(path)
                    break
            if lib is not None:
                vp = ctypes.c_void_p
                for name, args in (("conv_fwd", [vp, vp, vp, ctypes.c_int, ctypes.POINTER(_PG), vp, vp, vp, vp]),
                                   ("conv_bpf", [vp, vp, vp, ctypes.POINTER(_PG), vp, vp]), ("pool_relu_grad", [ctypes.POINTER(_PG), vp, vp, vp, vp])):
                    fn = getattr(lib, name)
                    fn.argtypes = [ctypes.POINTER(_D)] + args
                    fn.restype = ctypes.c_int
                lib.pool_relu_grad.restype = None
                ctypes.c_int.in_dll(lib, "halves").value = int(_halves())
        _LIB.append(lib)
    return _LIB[0]


def _usable(xp: Any, *arrays: Any) -> bool:
    return (xp is np and all(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in arrays)
            and arrays[0].ndim == 4 and arrays[0].shape[0] > 0 and _lib() is not None)


def _d(n, h, w, c, o, ho, wo, pt, pl, kh, kw, sh, sw, dh, dw) -> _D:
    hp = max(h + pt, (ho - 1) * sh + (kh - 1) * dh + 1)
    wp = max(w + pl, (wo - 1) * sw + (kw - 1) * dw + 1)
    return _D(n, h, w, c, ho, wo, o, pt, pl, hp, wp, sh, sw, dh, dw, kh, kw, 0, 0, 0)


def _ptr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _pg(pool: Any) -> _PG:
    return _PG(pool.kh, pool.kw, pool.sh, pool.sw, pool.pt, pool.pl, pool.ho, pool.wo)


def _run(d: _D, x: np.ndarray, w: np.ndarray, out: Any, bias: Any = None, relu: bool = False,
         pool: Any = None, pooled: Any = None, codes: Any = None, live: Any = None) -> None:
    """conv_fwd over tiles of whole images of x (and out, pooled, codes: all [N, ...]) on the pool.
    live: int64 [O/16, 2], per 16 output channels the filter columns [lo, hi) that are not all zero."""
    fn, b = _lib().conv_fwd, None if bias is None else _ptr(bias)
    pg = None if pool is None else ctypes.byref(_pg(pool))

    def part(a: Any, r: tuple) -> Any:
        return None if a is None else _ptr(a[r[0]:r[1]])

    def tile(r: tuple) -> None:
        dd = _D(*(getattr(d, f) for f in _FIELDS))
        dd.n = r[1] - r[0]
        if fn(ctypes.byref(dd), _ptr(x[r[0]:r[1]]), _ptr(w), b, int(relu), pg, part(pooled, r), part(codes, r),
              None if live is None else _ptr(live), part(out, r)) != 0:
            raise MemoryError("conv_direct: out of memory for a padded image")
    conv_native.map_tiles(tile, d.n, x[0].nbytes + (pooled if out is None else out)[0].nbytes)


def forward(xp: Any, x: Any, w: Any, g: Any, bias: Any = None, relu: bool = False, pool: Any = None,
            workspace: bool = False) -> Any:
    """Conv2D: [N,H,W,C] * [kh,kw,C,O] -> [N,Ho,Wo,O] (+ bias[O], then relu: the fused epilogue), or None.
    With `pool` (the Geometry of a max pool over that output, no dilation): (output, its max pool).
    With `workspace` too (relu, disjoint pool windows): (Workspace, max pool), the relu output never
    written: what `pool_relu_grad` needs of it."""
    o = w.shape[3]
    if o % 16 or not _usable(xp, x, w, *(() if bias is None else (bias,))) or (
            bias is not None and bias.shape != (o,)):
        return None
    if workspace and not (relu and pool is not None and disjoint(pool)):
        return None
    n, h, wd, c = x.shape
    x, w = np.ascontiguousarray(x), np.ascontiguousarray(w)
    out = None if workspace else np.empty((n, g.ho, g.wo, o), np.float32)
    d = _d(n, h, wd, c, o, g.ho, g.wo, g.pt, g.pl, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw)
    pooled = None if pool is None else np.empty((n, pool.ho, pool.wo, o), np.float32)
    codes = np.empty((n, pool.ho, pool.wo, o), np.uint8) if workspace else None
    _run(d, x, w, out, None if bias is None else np.ascontiguousarray(bias), relu, pool, pooled, codes)
    if workspace:
        return Workspace(codes, (n, g.ho, g.wo, o), pool), pooled
    return out if pool is None else (out, pooled)


def disjoint(pool: Any) -> bool:
    """Pool windows that never overlap (stride >= window), of at most 64 taps: a workspace can route."""
    return pool.sh >= pool.kh and pool.sw >= pool.kw and pool.kh * pool.kw <= 64


class Workspace:
    """What the backward pass of relu -> max pool needs of the relu output h (never stored): per pooled
    value and channel, the window tap MaxPoolGrad routes to and whether ReluGrad passes it there."""

    __slots__ = ("codes", "shape", "pool")

    def __init__(self, codes: np.ndarray, shape: tuple, pool: Any) -> None:
        self.codes, self.shape, self.pool = codes, shape, pool


def pool_relu_grad(ws: Workspace, dp: Any, bias: bool = False) -> Any:
    """ReluGrad(MaxPoolGrad(h, max_pool(h), dp), h) from the workspace: an array of h's shape (with
    `bias`, also its BiasAddGrad: (dx, dbias), dbias summed in float64, one term per window, tiles
    added in order), or None when dp is not a float32 array of the pooled shape."""
    if not (type(dp) is np.ndarray and dp.dtype == np.float32 and dp.shape == ws.codes.shape):
        return None
    n, ho, wo, o = ws.shape
    dp = np.ascontiguousarray(dp)
    dx = np.empty(ws.shape, np.float32)
    fn, pg = _lib().pool_relu_grad, _pg(ws.pool)
    d = _D(n, ho, wo, o, ho, wo, o, 0, 0, ho, wo, 1, 1, 1, 1, 1, 1)

    def tile(r: tuple) -> Any:
        dd = _D(*(getattr(d, f) for f in _FIELDS))
        dd.n = r[1] - r[0]
        part = np.zeros(o, np.float64) if bias else None
        fn(ctypes.byref(dd), ctypes.byref(pg), _ptr(ws.codes[r[0]:r[1]]), _ptr(dp[r[0]:r[1]]), _ptr(dx[r[0]:r[1]]),
           None if part is None else _ptr(part))
        return part
    parts = conv_native.map_tiles(tile, n, dx[0].nbytes + dp[0].nbytes)
    if not bias:
        return dx
    total = parts[0]
    for part in parts[1:]:
        total += part
    return dx, total.astype(np.float32)


def backprop_input(xp: Any, sizes: tuple, w: Any, dy: Any, g: Any) -> Any:
    """dConv2D/dinput: the forward kernel on out_backprop padded by the filter's reach less the
    forward padding, with the filter flipped and its channel axes swapped. A stride s > 1 splits
    into s*s phases (input pixels with the same position mod s), each a stride-1 convolution with
    the taps that reach it, written in place through strided output pitches (conv2d_transpose's and
    strided conv1d's gradient: no zero-stuffing, no copies)."""
    n, h, wd, c = sizes
    if c % 16 or not _usable(xp, dy, w) or ((g.sh > 1 or g.sw > 1) and (g.dh > 1 or g.dw > 1)):
        return None
    dy = np.ascontiguousarray(dy)
    out = np.empty(sizes, np.float32)
    if g.sh == g.sw == 1:
        top, left = (g.kh - 1) * g.dh - g.pt, (g.kw - 1) * g.dw - g.pl
        wf = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2))
        _run(_d(n, g.ho, g.wo, w.shape[3], c, h, wd, top, left, g.kh, g.kw, 1, 1, g.dh, g.dw), dy, wf, out)
        return out
    if g.sh == 1 and wd % g.sw == 0:     # e.g. a strided conv1d: the W phases are channels of one conv
        wc, top, left, live = _phase_filter(w, g)
        _run(_d(n, g.ho, g.wo, w.shape[3], g.sw * c, h, wd // g.sw, top, left, g.kh, wc.shape[1], 1, 1, 1, 1),
             dy, wc, out.reshape(n, h, wd // g.sw, g.sw * c), live=live)
        return out
    for a, ra, ma, pa, ua in _phases(g.kh, g.sh, g.pt, h):
        for b, rb, mb, pb, ub in _phases(g.kw, g.sw, g.pl, wd):
            if not (ma and mb):     # no tap reaches these inputs
                out[:, a::g.sh, b::g.sw, :] = 0
                continue
            wf = np.ascontiguousarray(w[ra::g.sh, rb::g.sw][::-1, ::-1].transpose(0, 1, 3, 2))
            d = _d(n, g.ho, g.wo, w.shape[3], c, ua, ub, pa, pb, ma, mb, 1, 1, 1, 1)
            d.yrow, d.ypix, d.yimg = g.sh * wd * c, g.sw * c, h * wd * c     # written in place, strided
            _run(d, dy, wf, out[:, a::g.sh, b::g.sw, :])
    return out


def _phase_filter(w: np.ndarray, g: Any) -> tuple:
    """Stride 1 in H, s in W: input pixels s*v + b (b < s) side by side are one pixel v of s*C
    channels, so the W phases are one stride-1 convolution whose filter holds each phase's flipped
    taps (zeros where a phase has fewer) at a common padding: (filter, top pad, left pad, live), live
    holding per 16 output channels (one phase's) its taps' columns [lo, hi): the zeros are never multiplied."""
    kh, _, c, o = w.shape
    phases = _phases(g.kw, g.sw, g.pl, g.sw)
    left = max(p[3] for p in phases)
    taps = max(left - p[3] + p[2] for p in phases)
    wc = np.zeros((kh, taps, o, g.sw, c), np.float32)
    live = np.zeros((g.sw, c // 16, 2), np.int64)
    for b, r, m, pad, _ in phases:
        if m:
            wc[:, left - pad:left - pad + m, :, b, :] = w[::-1, r::g.sw][:, ::-1].transpose(0, 1, 3, 2)
            live[b] = (left - pad, left - pad + m)
    return wc.reshape(kh, taps, o, g.sw * c), kh - 1 - g.pt, left, live.reshape(-1, 2)


def _phases(k: int, s: int, pad: int, size: int) -> list:
    """Per phase a (inputs t = s*u + a, u < count): the first tap r that reaches them, their number
    of taps m (r, r+s, ...), and the padding before out_backprop that makes them a stride-1
    correlation with those taps flipped: dx[s*u + a] = sum_j dy[u - (m-1-q) + j] * w[r + s*(m-1-j)]."""
    out = []
    for a in range(min(s, size)):
        r = (a + pad) % s
        m = len(range(r, k, s))
        out.append((a, r, m, m - 1 - (a + pad) // s, len(range(a, size, s))))
    return out


def backprop_filter(xp: Any, x: Any, fsizes: tuple, dy: Any, g: Any, ws: Any = None, bias: bool = False) -> Any:
    """dConv2D/dfilter: per-tile partial sums over images, added in tile order (deterministic).
    With `ws` (the Workspace of a relu -> max pool over this convolution's output), dy is the pooled
    gradient: the layer gradient ReluGrad(MaxPoolGrad(.)) is made image by image in cache, never
    stored; with `bias` too, (dfilter, its BiasAddGrad as pool_relu_grad sums it)."""
    o = fsizes[3]
    if o % 16 or not _usable(xp, x, dy):
        return None
    n, h, wd, c = x.shape
    if ws is not None and not (dy.shape == ws.codes.shape and ws.shape == (n, g.ho, g.wo, o)):
        return None
    x, dy = np.ascontiguousarray(x), np.ascontiguousarray(dy)
    d = _d(n, h, wd, c, o, g.ho, g.wo, g.pt, g.pl, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw)
    fn = _lib().conv_bpf
    pg = None if ws is None else ctypes.byref(_pg(ws.pool))

    def tile(r: tuple) -> tuple:
        part = np.empty(fsizes, np.float32)
        db = np.zeros(o, np.float64) if bias else None
        dd = _D(*(getattr(d, f) for f in _FIELDS))
        dd.n = r[1] - r[0]
        if fn(ctypes.byref(dd), _ptr(x[r[0]:r[1]]), _ptr(dy[r[0]:r[1]]), _ptr(part), pg,
              None if ws is None else _ptr(ws.codes[r[0]:r[1]]), None if db is None else _ptr(db)) != 0:
            raise MemoryError("conv_direct: out of memory for a padded image")
        return part, db
    parts = conv_native.map_tiles(tile, n, x[0].nbytes + dy[0].nbytes)
    total, db = parts[0]
    for p, b in parts[1:]:
        total += p
        if bias:
            db += b
    return (total, db.astype(np.float32)) if bias else total
