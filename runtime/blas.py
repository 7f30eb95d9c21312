"""Matrix products through NumPy's BLAS, with small products kept on the calling thread.

    blas.matmul(np, a, b)      # == np.matmul(a, b); one BLAS thread when 2*m*n*k < MIN_THREADED_FLOPS

OpenBLAS (NumPy's BLAS) wakes all its threads for any product above a tiny size and waits for
them by spinning; on a machine with other busy processes that wait costs a scheduler slice per
call: a 100x784 @ 784x100 float32 product took 3.8 ms on two threads and 0.45 ms on one
(benchmarks/conv_speed.py prints this check). Products under MIN_THREADED_FLOPS run on one
thread (`openblas_set_num_threads_local`: the calling thread only, restored afterwards);
larger ones keep OpenBLAS's threads. Without OpenBLAS 0.3.27+ (another BLAS, CuPy) this is
plain `xp.matmul`.
"""
from __future__ import annotations

import ctypes
import os
from typing import Any

import numpy as np

MIN_THREADED_FLOPS = 1 << 27   # ~2 ms of one core: below this, waking threads costs more than it saves
_SET_LOCAL: list = []


def _find_set_local() -> Any:
    """OpenBLAS's per-thread thread-count setter from the library NumPy loaded, or None."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
        return fn
    return None


def _set_local() -> Any:
    if not _SET_LOCAL:
        on = os.environ.get("TFCOMPAT_BLAS_SMALL_SERIAL", "1").strip().lower() not in ("0", "false", "no", "off")
        _SET_LOCAL.append(_find_set_local() if on else None)
    return _SET_LOCAL[0]


def matmul(xp: Any, a: Any, b: Any) -> Any:
    """xp.matmul(a, b); on one BLAS thread when the product is small."""
    if xp is np and a.ndim >= 2 and b.ndim >= 2:
        flops = 2 * a.shape[-2] * a.shape[-1] * b.shape[-1] * max(1, a.size // (a.shape[-2] * a.shape[-1] or 1))
        if flops < MIN_THREADED_FLOPS:
            fn = _set_local()
            if fn is not None:
                before = fn(1)
                try:
                    return np.matmul(a, b)
                finally:
                    fn(before)
    return xp.matmul(a, b)


def lapack(xp: Any, flops: float, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """fn(*args) (a NumPy LAPACK call: eigh, qr, svd) on one BLAS thread when `flops` is under MIN_THREADED_FLOPS
    (a 256x256 eigh took 0.2-0.5 s on two spinning OpenBLAS threads of a busy machine, 20 ms on one)."""
    if xp is np and flops < MIN_THREADED_FLOPS:
        setter = _set_local()
        if setter is not None:
            before = setter(1)
            try:
                return fn(*args, **kwargs)
            finally:
                setter(before)
    return fn(*args, **kwargs)


def serial_matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """np.matmul(a, b, out=out) on the calling thread's single BLAS thread, whatever its size
    (for callers that run their own threads)."""
    fn = _set_local()
    before = fn(1) if fn is not None else None
    try:
        return np.matmul(a, b, out=out)
    finally:
        if fn is not None:
            fn(before)
