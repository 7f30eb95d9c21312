"""One pool of worker threads for CPU kernels, and large elementwise kernels split across it.

    kernel = split_elementwise(np.add)     # same results as np.add; arrays of 1M+ elements on all cores

NumPy's loops and ctypes calls release the GIL, so Python threads run them in parallel. The
pool's threads sleep on a queue when idle (unlike OpenMP's or OpenBLAS's spinning teams,
they take no CPU from other processes on a busy machine). THREADS is os.cpu_count(), or
TFCOMPAT_NUM_THREADS when set (1: everything on the calling thread).
"""
from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numpy as np

THREADS = max(1, int(os.environ.get("TFCOMPAT_NUM_THREADS", "0") or 0) or os.cpu_count() or 1)
MIN_SPLIT = 1 << 20      # elements: below this, one pass on the calling thread is as fast
SUB_CHUNK = 1 << 18      # elements a thread computes at a time when the kernel is not a ufunc (temporaries stay in L2)
_POOL: list = []
_LOCK = threading.Lock()


def _forget_pool() -> None:
    """In a forked child the parent's worker threads do not exist: start a fresh pool on demand."""
    global _LOCK
    _POOL.clear()
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def pool() -> ThreadPoolExecutor:
    with _LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="tfcompat"))
        return _POOL[0]


def map_ranges(fn: Callable, ranges: list) -> list:
    """[fn(r) for r in ranges], in order; the calling thread and up to THREADS-1 pool threads
    claim ranges one at a time until none are left.

    NOTE: the caller works too and waits only for ranges already claimed, never for a helper to
    start: on a busy machine a woken thread can wait milliseconds for a core, and the caller then
    simply takes its share."""
    n = len(ranges)
    if n <= 1 or THREADS == 1:
        return [fn(r) for r in ranges]
    results: list = [None] * n
    errors: list = []
    claim = itertools.count()      # NOTE: next() on a count is atomic under the GIL
    left = [n]
    lock = threading.Lock()
    finished = threading.Event()

    def work() -> None:
        while True:
            i = next(claim)
            if i >= n:
                return
            try:
                results[i] = fn(ranges[i])
            except BaseException as e:  # noqa: BLE001 (re-raised on the calling thread)
                errors.append(e)
            with lock:
                left[0] -= 1
                if not left[0]:
                    finished.set()
    ex = pool()
    for _ in range(min(THREADS, n) - 1):
        ex.submit(work)
    work()
    finished.wait()
    if errors:
        raise errors[0]
    return results


def split_elementwise(kernel: Callable) -> Callable:
    """`kernel` (elementwise: out[i] = f(in0[i], in1[i], ...)) run in THREADS slices when its
    inputs are large, C-contiguous and of one shape (or single values); otherwise as it is.
    A ufunc, or a kernel marked `takes_out`, writes each slice straight into the output."""
    ufunc = isinstance(kernel, np.ufunc) or getattr(kernel, "takes_out", False)

    def run(*args: Any, **attrs: Any) -> Any:
        # NOTE: the eager hot path: small inputs must cost one loop over the arguments, nothing more
        for a in args:
            if type(a) is np.ndarray and a.size >= MIN_SPLIT and THREADS > 1:
                break
        else:
            return kernel(*args, **attrs)
        n = max((a.size for a in args if isinstance(a, np.ndarray)), default=0)
        shape, flat = None, []
        for a in args:
            if isinstance(a, np.ndarray) and a.size == n:
                if a.dtype.kind not in "biuf" or not a.flags.c_contiguous or (shape is not None and a.shape != shape):
                    return kernel(*args, **attrs)
                shape = a.shape
                flat.append(a.reshape(-1))
            elif isinstance(a, (np.ndarray, np.generic)) and a.size == 1:
                flat.append(a.reshape(()))
            else:
                return kernel(*args, **attrs)
        head = np.asarray(kernel(*[f[:1] if f.ndim else f for f in flat], **attrs))
        if head.shape != (1,):
            return kernel(*args, **attrs)
        out = np.empty(n, dtype=head.dtype)

        def part(r: tuple) -> None:
            if ufunc:   # NOTE: straight into the output: no temporary, one pass
                kernel(*[f[r[0]:r[1]] if f.ndim else f for f in flat], out=out[r[0]:r[1]], **attrs)
                return
            for s in range(r[0], r[1], SUB_CHUNK):
                e = min(s + SUB_CHUNK, r[1])
                out[s:e] = kernel(*[f[s:e] if f.ndim else f for f in flat], **attrs)
        step = -(-n // THREADS)
        map_ranges(part, [(s, min(s + step, n)) for s in range(0, n, step)])
        return out.reshape(shape)
    run.__wrapped__ = kernel  # type: ignore[attr-defined]
    return run
