"""Compiled CPU backend for fused elementwise groups: one C loop per group, built once.

A `FusedGroup` whose ops and dtype are all supported is translated into C

    void fused(int64_t n, const float *p0, const float *p1, ..., float *out, int threads)
        #pragma omp parallel for ...
        for (i = 0; i < n; i++) { float t0 = p0[i] * s1; float t1 = t0 + s2; out[i] = max(t1, 0); }

run in slices on the shared thread pool (runtime/threads.py) for large n, each slice one call
with threads=1, compiled with the system C compiler (`-O3 -ffp-contract=off -fno-fast-math`: no FMA contraction,
no reassociation, so every element is bit-identical to the NumPy ufunc passes), cached on disk
under `$XDG_CACHE_HOME/tfcompat/native` (key: hash of source, flags and compiler version; written
atomically, so concurrent processes are safe) and loaded with ctypes. Only ops whose C form is
exactly NumPy's are translated (no libm: exp/tanh/... differ by an ulp between libraries);
maximum/minimum copy NumPy's NaN and signed-zero rules. Anything else (no compiler, a failed
build, TFCOMPAT_NATIVE_FUSION=0, an unsupported op or dtype) returns None, and the caller runs
its NumPy path.
"""
from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from typing import Any

import numpy as np

from . import threads

log = logging.getLogger("tfcompat.fusion_native")

MIN_NATIVE_SIZE = 1 << 15    # below this the NumPy small path is as fast (crossover in benchmarks/RESULTS.md)
MIN_THREADED_SIZE = 1 << 17  # from this many elements the loop runs in slices on all cores
_CTYPES = {"float32": "float", "float64": "double", "int32": "int32_t", "int64": "int64_t"}
_UNSIGNED = {"int32": "uint32_t", "int64": "uint64_t"}
_BINARY_FLOAT = {"AddV2": "({0} + {1})", "Sub": "({0} - {1})", "Mul": "({0} * {1})",
                 "RealDiv": "({0} / {1})", "Maximum": "MAX_({0}, {1})", "Minimum": "MIN_({0}, {1})",
                 "SquaredDifference": "SQ_({0} - {1})"}
_UNARY_FLOAT = {"Neg": "(-{0})", "Abs": "ABS_({0})", "Square": "({0} * {0})", "Relu": "MAX_({0}, (T)0)"}
# NOTE: integer + - * wrap around in NumPy; in C signed overflow is undefined, so go through unsigned.
_BINARY_INT = {"AddV2": "(T)((U){0} + (U){1})", "Sub": "(T)((U){0} - (U){1})",
               "Mul": "(T)((U){0} * (U){1})", "Maximum": "({0} > {1} ? {0} : {1})",
               "Minimum": "({0} < {1} ? {0} : {1})"}
_UNARY_INT = {"Neg": "(T)(0 - (U){0})", "Abs": "({0} < 0 ? (T)(0 - (U){0}) : {0})",
              "Square": "(T)((U){0} * (U){0})", "Relu": "({0} > 0 ? {0} : (T)0)"}
# NOTE: NumPy's maximum/minimum: a NaN first operand wins, then a NaN second; ties (0.0 vs -0.0)
# give the second operand. Abs clears the sign bit (also of NaN).
_PRELUDE = """#include <stdint.h>
#include <math.h>
typedef {T} T;
typedef {U} U;
#define ABS_(a) fabs{f}(a)
static inline T MAX_(T a, T b) {{ return a != a ? a : (b != b ? b : (a > b ? a : b)); }}
static inline T MIN_(T a, T b) {{ return a != a ? a : (b != b ? b : (a < b ? a : b)); }}
static inline T SQ_(T d) {{ return d * d; }}
"""


def enabled() -> bool:
    return os.environ.get("TFCOMPAT_NATIVE_FUSION", "1").strip().lower() not in ("0", "false", "no", "off")


def supported(group: Any) -> bool:
    dt = np.dtype(group.dtype.as_numpy_dtype).name
    if dt not in _CTYPES:
        return False
    table = (_BINARY_FLOAT, _UNARY_FLOAT) if dt.startswith("float") else (_BINARY_INT, _UNARY_INT)
    for op, refs, attrs in group.steps:
        if attrs or op.name not in table[len(refs) == 1] or len(refs) not in (1, 2):
            return False
    return True


def c_source(group: Any, scalar: tuple) -> str:
    """The C translation of `group`; `scalar[k]` says input k is one value broadcast to all."""
    dt = np.dtype(group.dtype.as_numpy_dtype).name
    floating = dt.startswith("float")
    binary, unary = (_BINARY_FLOAT, _UNARY_FLOAT) if floating else (_BINARY_INT, _UNARY_INT)
    src = [_PRELUDE.format(T=_CTYPES[dt], U=_UNSIGNED.get(dt, _CTYPES[dt]),
                           f="f" if dt == "float32" else "" if floating else "_unused")]
    params = ", ".join(f"const T *restrict p{k}" for k in range(group.n_inputs))
    src.append(f"void fused(int64_t n, {params}, T *restrict out, int threads) {{")
    src += [f"    const T s{k} = *p{k};" for k in range(group.n_inputs) if scalar[k]]
    body = []
    for j, (op, refs, _) in enumerate(group.steps):
        args = [(f"s{r[1]}" if scalar[r[1]] else f"p{r[1]}[i]") if r[0] == "in" else f"t{r[1]}"
                for r in refs]
        expr = (binary if len(refs) == 2 else unary)[op.name].format(*args)
        body.append(f"            const T t{j} = {expr};")
    body.append(f"            out[i] = t{len(group.steps) - 1};")
    # NOTE: a separate serial loop: with omp's if() clause GCC left the one-thread case unvectorized.
    src += ["    if (threads > 1) {",
            "        #pragma omp parallel for schedule(static) num_threads(threads)",
            "        for (int64_t i = 0; i < n; i++) {", *body, "        }",
            "    } else {",
            "        for (int64_t i = 0; i < n; i++) {", *body, "        }",
            "    }", "}", ""]
    return "\n".join(src)


# -- compiler and on-disk cache ----------------------------------------------------------------
_LOCK = threading.Lock()
_TOOLCHAIN: list = []        # [(cc, flags, version)] or [None] once probed
_LIBS: dict[str, Any] = {}   # source hash -> loaded function (None: build failed)
_LOGGED: set = set()


def _debug_once(key: str, msg: str, *args: Any) -> None:
    if key not in _LOGGED:
        _LOGGED.add(key)
        log.debug(msg, *args)


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tfcompat", "native")


def _find_cc() -> str | None:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _cpu_has_avx2() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and " avx2" in line for line in f)
    except OSError:
        return False


def toolchain() -> tuple | None:
    """(compiler path, flags, version text), probed once per process; None when unusable."""
    if _TOOLCHAIN:
        return _TOOLCHAIN[0]
    result = None
    cc = _find_cc()
    if cc is None:
        _debug_once("nocc", "native fusion off: no C compiler found")
    else:
        try:
            version = subprocess.run([cc, "--version"], capture_output=True, text=True,
                                     timeout=30).stdout.strip()
            base = ["-O3", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC"]
            arch = ["-mavx2"] if _cpu_has_avx2() else []
            # NOTE: -fopenmp and -mavx2 are kept only if a test build with them works.
            for flags in (base + arch + ["-fopenmp"], base + ["-fopenmp"], base + arch, base):
                if _build("void probe(void) {}\n", cc, flags, probe=True) is not None:
                    result = (cc, tuple(flags), version)
                    break
            if result is None:
                _debug_once("ccfail", "native fusion off: %s cannot build a shared library", cc)
        except (OSError, subprocess.SubprocessError) as e:
            _debug_once("ccerr", "native fusion off: %s", e)
    _TOOLCHAIN.append(result)
    return result


def _build(src: str, cc: str, flags: list, probe: bool = False, version: str = "") -> str | None:
    """Compile `src` into the cache (or find it there); the path of the shared library, or None."""
    key = hashlib.sha256("\0".join([src, cc, " ".join(flags), version]).encode()).hexdigest()[:32]
    d = cache_dir()
    path = os.path.join(d, f"{'probe' if probe else 'fused'}_{key}.so")
    if os.path.exists(path):
        return path
    try:
        os.makedirs(d, exist_ok=True)
        fd, tmp_c = tempfile.mkstemp(suffix=".c", dir=d)
        with os.fdopen(fd, "w") as f:
            f.write(src)
        tmp_so = tmp_c[:-2] + ".tmp.so"
        try:
            r = subprocess.run([cc, *flags, "-o", tmp_so, tmp_c], capture_output=True, text=True,
                               timeout=120)
            if r.returncode != 0:
                if not probe:
                    _debug_once("build" + key, "native fusion: build failed, using NumPy:\n%s", r.stderr)
                return None
            os.replace(tmp_so, path)  # NOTE: atomic; a concurrent builder of the same key writes the same bytes
        finally:
            for p in (tmp_c, tmp_so):
                if os.path.exists(p):
                    os.unlink(p)
    except (OSError, subprocess.SubprocessError) as e:
        _debug_once("builderr", "native fusion: cannot build (%s), using NumPy", e)
        return None
    return path


def load(src: str, n_inputs: int) -> Any:
    """The compiled `fused` function of a C source (built or taken from cache), or None."""
    tc = toolchain()
    if tc is None:
        return None
    key = hashlib.sha256(src.encode()).hexdigest()
    with _LOCK:
        if key in _LIBS:
            return _LIBS[key]
        fn = None
        path = _build(src, tc[0], list(tc[1]), version=tc[2])
        if path is not None:
            try:
                fn = ctypes.CDLL(path).fused
                fn.argtypes = [ctypes.c_int64] + [ctypes.c_void_p] * (n_inputs + 1) + [ctypes.c_int]
                fn.restype = None
            except (OSError, AttributeError) as e:
                _debug_once("load" + key, "native fusion: cannot load %s (%s), using NumPy", path, e)
                fn = None
        _LIBS[key] = fn
        return fn


def shared_library(src: str) -> Any:
    """`src` compiled with the probed toolchain (cached on disk like the fused groups) and loaded
    with ctypes, or None (no compiler, TFCOMPAT_NATIVE_FUSION=0, a failed build): callers keep a
    NumPy path."""
    tc = toolchain() if enabled() else None
    if tc is None:
        return None
    key = "lib" + hashlib.sha256(src.encode()).hexdigest()
    with _LOCK:
        if key not in _LIBS:
            path = _build(src, tc[0], list(tc[1]), version=tc[2])
            try:
                _LIBS[key] = None if path is None else ctypes.CDLL(path)
            except OSError as e:
                _debug_once("load" + key, "native: cannot load %s (%s), using NumPy", path, e)
                _LIBS[key] = None
        return _LIBS[key]


class NativeKernel:
    """Runs one group natively on regular inputs: `kernel(n, inputs, out)` is True when it ran.

    The caller has checked that every input has the group's dtype and is either a single value or
    C-contiguous with the output's shape, and that `out` is a fresh or plan-owned buffer."""

    __slots__ = ("group", "dtype", "fns")

    def __init__(self, group: Any) -> None:
        self.group = group
        self.dtype = np.dtype(group.dtype.as_numpy_dtype)
        self.fns: dict[tuple, Any] = {}

    def __call__(self, n: int, inputs: tuple, out: np.ndarray) -> bool:
        if len(inputs) != self.group.n_inputs:
            return False
        scalar = tuple(a.size != n for a in inputs)
        fn = self.fns.get(scalar, 0)
        if fn == 0:
            fn = self.fns[scalar] = load(c_source(self.group, scalar), self.group.n_inputs)
        if fn is None:
            return False
        ptrs, held = [], []
        for a in inputs:
            if not isinstance(a, np.ndarray):  # NOTE: a NumPy scalar's interface points at a temporary
                a = np.asarray(a)
                held.append(a)
            if a.dtype != self.dtype or not a.flags.aligned:
                return False
            ptrs.append(a.__array_interface__["data"][0])
        if out.dtype != self.dtype or not out.flags.c_contiguous:
            return False
        optr, item = out.__array_interface__["data"][0], self.dtype.itemsize
        if n < MIN_THREADED_SIZE or threads.THREADS < 2:
            fn(n, *ptrs, optr, 1)
            return True
        # NOTE: slices on the shared sleeping pool, not an OpenMP team: OpenMP's threads spin
        # between regions and, on a busy machine, wait for cores other processes hold.
        step = -(-n // threads.THREADS)

        def part(r: tuple) -> None:
            lo, hi = r
            fn(hi - lo, *[p if sc else p + lo * item for p, sc in zip(ptrs, scalar)], optr + lo * item, 1)
        threads.map_ranges(part, [(lo, min(lo + step, n)) for lo in range(0, n, step)])
        return True


def kernel_for(group: Any) -> NativeKernel | None:
    """A native kernel for `group`, or None (disabled, unsupported): nothing is compiled yet."""
    if not enabled():
        return None
    if not supported(group):
        _debug_once("unsup" + repr(group), "native fusion: %r not supported, using NumPy", group)
        return None
    return NativeKernel(group)
