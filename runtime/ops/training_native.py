"""Adam's update (ResourceApplyAdam) as one compiled C pass over float32/float64 NumPy arrays.

    adam(w0, m0, v0, g, alpha, c1, c2, eps, w, m, v)   # True when it ran; False: use the NumPy chain

The NumPy chain makes about ten passes over each variable; this makes one. The operations and their
order are the chain's (m = m0 + (g - m0) * c1; v = v0 + (g * g - v0) * c2;
w = w0 - (m * alpha) / (sqrt(v) + eps)), compiled without FMA contraction or reassociation
(fusion_native's flags), so results are bit-identical. Outputs may be the inputs' own arrays
(each element is read before it is written).
"""
from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

from .. import fusion_native

_SOURCE = r"""
#include <math.h>
#include <stdint.h>
#include <string.h>
#define BLOCK 512
/* NOTE: each block is computed into local buffers (which alias nothing, so the loop vectorizes),
   then copied out: the outputs may be the inputs' own arrays. */
#define ADAM(NAME, T, SQRT)                                                                      \
void NAME(int64_t n, const T *w0, const T *m0, const T *v0, const T *g, T alpha, T c1, T c2, T eps, \
          T *w, T *m, T *v) {                                                                    \
    T bw[BLOCK], bm[BLOCK], bv[BLOCK];                                                           \
    for (int64_t s = 0; s < n; s += BLOCK) {                                                     \
        const int64_t k = n - s < BLOCK ? n - s : BLOCK;                                         \
        for (int64_t i = 0; i < k; i++) {                                                        \
            const T gi = g[s + i], mi = m0[s + i] + (gi - m0[s + i]) * c1;                       \
            const T vi = v0[s + i] + (gi * gi - v0[s + i]) * c2;                                 \
            bm[i] = mi;                                                                          \
            bv[i] = vi;                                                                          \
            bw[i] = w0[s + i] - (mi * alpha) / (SQRT(vi) + eps);                                 \
        }                                                                                        \
        memcpy(m + s, bm, sizeof(T) * k);                                                        \
        memcpy(v + s, bv, sizeof(T) * k);                                                        \
        memcpy(w + s, bw, sizeof(T) * k);                                                        \
    }                                                                                            \
}
ADAM(adam_float, float, sqrtf)
ADAM(adam_double, double, sqrt)
"""
_FNS: dict = {}


def _library() -> Any:
    """The source built with fusion_native's flags plus -fno-math-errno (sqrt then needs no errno
    check and the loop vectorizes; its results are the same IEEE square roots)."""
    if "lib" not in _FNS:
        lib, tc = None, fusion_native.toolchain() if fusion_native.enabled() else None
        if tc is not None:
            path = fusion_native._build(_SOURCE, tc[0], [*tc[1], "-fno-math-errno"], version=tc[2])
            lib = None if path is None else ctypes.CDLL(path)
        _FNS["lib"] = lib
    return _FNS["lib"]


def _fn(dtype: np.dtype) -> Any:
    if dtype not in _FNS:
        fn = None
        lib = _library()
        if lib is not None and dtype in (np.float32, np.float64):
            c = ctypes.c_float if dtype == np.float32 else ctypes.c_double
            fn = getattr(lib, f"adam_{c.__name__[2:]}")
            fn.argtypes = [ctypes.c_int64] + [ctypes.c_void_p] * 4 + [c] * 4 + [ctypes.c_void_p] * 3
            fn.restype = None
        _FNS[dtype] = fn
    return _FNS[dtype]


def _ok(a: Any, like: np.ndarray) -> bool:
    return type(a) is np.ndarray and a.dtype == like.dtype and a.shape == like.shape and a.flags.c_contiguous


def adam(w0: Any, m0: Any, v0: Any, g: Any, alpha: Any, c1: Any, c2: Any, eps: Any, w: Any, m: Any, v: Any) -> bool:
    """Write Adam's new w, m, v (arrays of w0's shape and dtype); False (nothing written) where it cannot run."""
    if type(w0) is not np.ndarray or not all(_ok(a, w0) for a in (w0, m0, v0, g, w, m, v)) or not w.flags.writeable:
        return False
    fn = _fn(w0.dtype)
    if fn is None:
        return False
    p = [a.__array_interface__["data"][0] for a in (w0, m0, v0, g, w, m, v)]
    fn(w0.size, *p[:4], float(alpha), float(c1), float(c2), float(eps), *p[4:])
    return True
