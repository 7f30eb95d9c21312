"""Keep freed large buffers in the process for reuse (glibc malloc), as TensorFlow's allocator does.

    memory.keep_freed_buffers()    # once, when runtime is imported; TFCOMPAT_MALLOC_TUNE=0 skips it

glibc serves allocations above its mmap threshold (128 KiB, raised on the fly up to 32 MiB)
with fresh mmaps and unmaps them on free, so every new large array page-faults each 4 KiB
page again as it is first written: a chain of three eager float32 ops on 4M elements took
about 1000 page faults and 2.5x the time of the same chain with buffers reused. Raising the
mmap threshold (to 256 MiB) and the trim threshold (to 512 MiB) lets freed arrays be reused
from the heap. The cost: up to 512 MiB of freed memory may stay in the process.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

MMAP_THRESHOLD = 1 << 28
TRIM_THRESHOLD = 1 << 29
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_DONE: list = []


def keep_freed_buffers() -> bool:
    """Tune glibc's malloc once; True when it was tuned (False: not glibc, or turned off)."""
    if _DONE:
        return _DONE[0]
    ok = False
    off = os.environ.get("TFCOMPAT_MALLOC_TUNE", "1").strip().lower() in ("0", "false", "no", "off")
    if sys.platform.startswith("linux") and not off:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            mallopt = libc.mallopt
            mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
            ok = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
        except (OSError, AttributeError):
            ok = False
    _DONE.append(ok)
    return ok
