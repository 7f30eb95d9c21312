"""Compiled C kernels for the memory-bound halves of convolution and pooling (conv_native.c).

    cols = im2col(x, g)          # [N*Ho*Wo, kh*kw*C] float32, or None: use the NumPy path

im2col/col2im feed and drain the one BLAS matmul of a convolution; pooling and its gradients
run whole in C. Each is one pass over the data, threaded with OpenMP across images, built once
with the system compiler through `fusion_native.shared_library` (cached on disk). Every function
returns None where it cannot run (not NumPy, a dtype other than float32/float64, no compiler,
TFCOMPAT_NATIVE_FUSION=0), and the caller runs its NumPy code.
"""
from __future__ import annotations

import ctypes
import os
from typing import Any

import numpy as np

from .. import fusion_native

THREADS = os.cpu_count() or 1
MIN_THREADED = 1 << 15   # elements touched below which one thread is faster than waking a team
_SOURCE = os.path.join(os.path.dirname(__file__), "conv_native.c")
_TYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}
_FUNCS = {"im2col": 2, "col2im": 2, "max_pool": 2, "max_pool_grad": 3, "max_pool_grad_grad": 3,
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
                    src = f"typedef {_TYPES[dtype]} T;\n" + f.read()
            except OSError:
                src = None
            lib = src and fusion_native.shared_library(src)
            if lib:
                for name, n_arrays in _FUNCS.items():
                    fn = getattr(lib, name)
                    fn.argtypes = [ctypes.POINTER(_G)] + [ctypes.c_void_p] * n_arrays + [ctypes.c_int]
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


def _threads(size: int) -> int:
    return THREADS if size >= MIN_THREADED else 1


def im2col(xp: Any, x: Any, g: Any) -> Any:
    """[N*Ho*Wo, kh*kw*C]: every window of x, zeros in the padding."""
    lib = _ready(xp, x)
    if lib is None:
        return None
    x = np.ascontiguousarray(x)
    n, c = x.shape[0], x.shape[3]
    cols = np.empty((n * g.ho * g.wo, g.kh * g.kw * c), dtype=x.dtype)
    lib.im2col(ctypes.byref(_g(x.shape, g)), _ptr(x), _ptr(cols), _threads(cols.size))
    return cols


def col2im(xp: Any, cols: Any, in_shape: tuple, g: Any) -> Any:
    """Input-shaped sum of cols ([N*Ho*Wo, kh*kw*C]) over the taps that read each element."""
    lib = _ready(xp, cols)
    if lib is None:
        return None
    cols = np.ascontiguousarray(cols)
    out = np.empty(tuple(int(d) for d in in_shape), dtype=cols.dtype)
    lib.col2im(ctypes.byref(_g(in_shape, g)), _ptr(cols), _ptr(out), _threads(cols.size))
    return out


def _pool(name: str, xp: Any, shape: tuple, out_shape: tuple, g: Any, *arrays: Any) -> Any:
    lib = _ready(xp, *arrays)
    if lib is None:
        return None
    arrays = [np.ascontiguousarray(a) for a in arrays]
    out = np.empty(out_shape, dtype=arrays[0].dtype)
    getattr(lib, name)(ctypes.byref(_g(shape, g)), *map(_ptr, arrays), _ptr(out),
                       _threads(max(out.size, arrays[0].size)))
    return out


def _pooled(shape: tuple, g: Any) -> tuple:
    return (int(shape[0]), g.ho, g.wo, int(shape[3]))


def max_pool(xp: Any, x: Any, g: Any) -> Any:
    return _pool("max_pool", xp, x.shape, _pooled(x.shape, g), g, x)


def max_pool_grad(xp: Any, x: Any, dy: Any, g: Any) -> Any:
    return _pool("max_pool_grad", xp, x.shape, x.shape, g, x, dy)


def max_pool_grad_grad(xp: Any, x: Any, ddx: Any, g: Any) -> Any:
    return _pool("max_pool_grad_grad", xp, x.shape, _pooled(x.shape, g), g, x, ddx)


def avg_pool(xp: Any, x: Any, g: Any) -> Any:
    return _pool("avg_pool", xp, x.shape, _pooled(x.shape, g), g, x)


def avg_pool_grad(xp: Any, shape: tuple, dy: Any, g: Any) -> Any:
    return _pool("avg_pool_grad", xp, shape, tuple(int(d) for d in shape), g, dy)
