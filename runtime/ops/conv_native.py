"""Compiled C kernels for the memory-bound halves of convolution and pooling (conv_native.c).

    cols = im2col(x, g)          # [N*Ho*Wo, kh*kw*C] float32, or None: use the NumPy path

im2col/col2im feed and drain the one BLAS matmul of a convolution; pooling and its gradients
run whole in C. Each is one single-threaded pass over the data; `map_tiles` runs tiles of whole
images on a pool of THREADS threads. The library is built once with the system compiler
through `fusion_native.shared_library` (cached on disk). Every function
returns None where it cannot run (not NumPy, a dtype other than float32/float64, no compiler,
TFCOMPAT_NATIVE_FUSION=0), and the caller runs its NumPy code.
"""
from __future__ import annotations

import ctypes
import os
from typing import Any, Callable

import numpy as np

from .. import fusion_native, threads

THREADS = threads.THREADS
MIN_THREADED_BYTES = 1 << 18   # data touched below which one thread is faster than handing out tiles
_SOURCE = os.path.join(os.path.dirname(__file__), "conv_native.c")
_TYPES = {np.dtype(np.float32): ("float", "int"), np.dtype(np.float64): ("double", "long long")}
_FUNCS = {"im2col": 2, "col2im": 2, "max_pool": 2, "max_pool_grad": 3, "max_pool_grad_relu": 3,
          "max_pool_grad_grad": 3,
          "avg_pool": 2, "avg_pool_grad": 2}
_LIBS: dict = {}


class _G(ctypes.Structure):
    _fields_ = [(f, ctypes.c_int64) for f in ("n", "h", "w", "c", "ho", "wo", "pt", "pl", "sh", "sw",
                                              "dh", "dw", "kh", "kw")]


def _lib(dtype: np.dtype) -> Any:
    """The loaded library for one element type, or None."""
    if dtype not in _LIBS:
        lib = None
        if dtype in _TYPES:
            try:
                with open(_SOURCE) as f:
                    src = "typedef {} T;\ntypedef {} TI;\n".format(*_TYPES[dtype]) + f.read()
            except OSError:
                src = None
            lib = src and fusion_native.shared_library(src)
            if lib:
                for name, n_arrays in _FUNCS.items():
                    fn = getattr(lib, name)
                    fn.argtypes = [ctypes.POINTER(_G)] + [ctypes.c_void_p] * n_arrays
                    fn.restype = None
        _LIBS[dtype] = lib or None
    return _LIBS[dtype]


def _ready(xp: Any, *arrays: Any) -> Any:
    """The library when every array is a NumPy array of one supported float dtype."""
    if xp is not np:
        return None
    dtype = arrays[0].dtype
    if any(not isinstance(a, np.ndarray) or a.dtype != dtype for a in arrays):
        return None
    return _lib(dtype)


def _g(shape: tuple, g: Any) -> _G:
    n, h, w, c = (int(d) for d in shape)
    return _G(n, h, w, c, g.ho, g.wo, g.pt, g.pl, g.sh, g.sw, g.dh, g.dw, g.kh, g.kw)


def _ptr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _call(name: str, shape: tuple, g: Any, ins: list, out: np.ndarray, tiled: bool) -> np.ndarray:
    """Kernel `name` on x-geometry `shape` ([N,H,W,C]); `ins` and `out` are C-contiguous with a
    leading axis of N images. tiled: cut the batch into tiles of whole images run on the pool."""
    fn = getattr(_LIBS[ins[0].dtype], name)
    n = int(shape[0])

    def tile(r: tuple) -> None:
        fn(ctypes.byref(_g((r[1] - r[0], *shape[1:]), g)), *[_ptr(a[r[0]:r[1]]) for a in ins], _ptr(out[r[0]:r[1]]))
    if tiled and n > 1:
        map_tiles(tile, n, (sum(a.nbytes for a in ins) + out.nbytes) // n)
    else:
        tile((0, n))
    return out


def im2col(xp: Any, x: Any, g: Any, tiled: bool = True) -> Any:
    """[N*Ho*Wo, kh*kw*C]: every window of x, zeros in the padding."""
    if _ready(xp, x) is None:
        return None
    x = np.ascontiguousarray(x)
    n, c = x.shape[0], x.shape[3]
    cols = np.empty((n, g.ho * g.wo * g.kh * g.kw * c), dtype=x.dtype)
    return _call("im2col", x.shape, g, [x], cols, tiled).reshape(n * g.ho * g.wo, g.kh * g.kw * c)


def col2im(xp: Any, cols: Any, in_shape: tuple, g: Any, out: Any = None, tiled: bool = True) -> Any:
    """Input-shaped sum of cols ([N*Ho*Wo, kh*kw*C]) over the taps that read each element,
    written into `out` (C-contiguous, of that shape) when given."""
    if _ready(xp, cols) is None:
        return None
    shape = tuple(int(d) for d in in_shape)
    cols = np.ascontiguousarray(cols).reshape(shape[0], -1) if shape[0] else np.ascontiguousarray(cols)
    if out is None:
        out = np.empty(shape, dtype=cols.dtype)
    if not (out.flags.c_contiguous and out.dtype == cols.dtype and out.shape == shape):
        raise ValueError(f"col2im: out must be a C-contiguous {cols.dtype} array of shape {shape}")
    return _call("col2im", shape, g, [cols], out, tiled)


def _pool(name: str, xp: Any, shape: tuple, out_shape: tuple, g: Any, *arrays: Any) -> Any:
    """Pooling kernel `name` over tiles of whole images (every array and the output is [N, ...])."""
    if _ready(xp, *arrays) is None:
        return None
    arrays = [np.ascontiguousarray(a) for a in arrays]
    return _call(name, shape, g, arrays, np.empty(out_shape, dtype=arrays[0].dtype), True)


# -- tiles of whole images on the shared pool (runtime/threads.py) ------------------------------
TILE_BYTES = 1 << 21
TILES_PER_THREAD = 4   # NOTE: tiles are claimed one at a time, so threads that start late (a busy machine) are covered


def map_tiles(fn: Callable, n: int, per_image: int) -> list:
    """[fn((start, stop)) for each tile of whole images], in tile order, run on the pool.

    Tiles hold about TILE_BYTES (per_image: bytes one image touches), at least TILES_PER_THREAD
    per thread;
    work under MIN_THREADED_BYTES runs on the calling thread.
    NOTE: the C calls and BLAS release the GIL, and the pool's threads sleep when idle, so unlike
    OpenMP's or OpenBLAS's spinning teams they cost nothing on a busy machine."""
    size = max(1, min(TILE_BYTES // max(per_image, 1), -(-n // (THREADS * TILES_PER_THREAD))))
    tiles = [(s, min(s + size, n)) for s in range(0, n, size)]
    if len(tiles) <= 1 or THREADS == 1 or per_image * n < MIN_THREADED_BYTES:
        return [fn(t) for t in tiles]
    return threads.map_ranges(fn, tiles)


def _pooled(shape: tuple, g: Any) -> tuple:
    return (int(shape[0]), g.ho, g.wo, int(shape[3]))


def max_pool(xp: Any, x: Any, g: Any) -> Any:
    return _pool("max_pool", xp, x.shape, _pooled(x.shape, g), g, x)


def max_pool_grad(xp: Any, x: Any, dy: Any, g: Any) -> Any:
    return _pool("max_pool_grad", xp, x.shape, x.shape, g, x, dy)


def max_pool_grad_relu(xp: Any, x: Any, dy: Any, g: Any) -> Any:
    """ReluGrad(MaxPoolGrad(x, ., dy), x) in one pass (x: a relu's output), or None: windows overlap."""
    if g.sh < g.kh or g.sw < g.kw or g.kh * g.kw > 64:
        return None
    return _pool("max_pool_grad_relu", xp, x.shape, x.shape, g, x, dy)


def max_pool_grad_grad(xp: Any, x: Any, ddx: Any, g: Any) -> Any:
    return _pool("max_pool_grad_grad", xp, x.shape, _pooled(x.shape, g), g, x, ddx)


def avg_pool(xp: Any, x: Any, g: Any) -> Any:
    return _pool("avg_pool", xp, x.shape, _pooled(x.shape, g), g, x)


def avg_pool_grad(xp: Any, shape: tuple, dy: Any, g: Any) -> Any:
    return _pool("avg_pool_grad", xp, shape, tuple(int(d) for d in shape), g, dy)
