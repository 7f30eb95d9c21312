"""TensorFlow's random numbers, bit for bit: Philox4x32-10 and the transforms of its kernels.

    gen = Philox.from_seeds(seed=1, seed2=2)       # what a RandomUniform(seed=1, seed2=2) kernel holds
    uniform(gen.reserve(5), np.float32, 5)         # == tf.raw_ops.RandomUniform(shape=[5], seed=1, seed2=2)

The generator (tensorflow/core/lib/random/philox_random.h) is a 128-bit counter and a
64-bit key: seed -> key, seed2 -> the counter's high 64 bits. One call of the block
function gives four uint32 words and advances the counter by one. A stateful kernel
reserves `256 * n` counter values per run of n outputs (GuardedPhiloxRandom), so the
next run starts there. The transforms follow random_distributions.h: a float32 is
`1.xxx - 1` with 23 random mantissa bits; normals are Box-Muller on word pairs.

NOTE: Box-Muller calls the C library's logf/sincosf (float32) and log/sincos (float64).
NumPy's vectorised log/sin differ from glibc's in the last bit for ~1% of inputs, so the
transform runs in a few lines of C built with the system compiler (`fusion_native`,
no fast-math, no FMA contraction), or where there is none, through libm one value at a
time (ctypes for float32, `math` for float64): exact either way, the second ~30x slower.
Without a loadable libm, NumPy's functions are used and a few values differ in the last bit.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_LOW32 = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)
U64 = 1 << 64


def block(key: int, counter: int, n: int) -> np.ndarray:
    """Philox4x32-10 of counters counter, counter+1, ... (n of them): uint32 words [n, 4]."""
    return block_at(key, counter, np.arange(n, dtype=np.uint64))


def block_at(key: int, counter: int, offsets: np.ndarray) -> np.ndarray:
    """Philox4x32-10 of the counters `counter + offsets` (uint64 offsets): uint32 words [len(offsets), 4]."""
    if offsets.size <= 8:  # NOTE: a few blocks in Python ints take ~5 us each, NumPy's ~40 ops ~200 us in all
        return _block_small(key, counter, offsets.tolist())
    lo, hi = counter % U64, counter >> 64
    if offsets.size and lo + int(offsets.max()) >= U64:  # the low half wraps: carry into the high half
        idx = [(counter + int(o)) % (1 << 128) for o in offsets.tolist()]
        return np.concatenate([block_at(key, c, np.zeros(1, np.uint64)) for c in idx]) if idx \
            else np.zeros((0, 4), np.uint32)
    idx = offsets + np.uint64(lo)
    c0, c1 = idx & _LOW32, idx >> _32
    c2 = np.full(idx.shape, hi & 0xFFFFFFFF, np.uint64)
    c3 = np.full(idx.shape, (hi >> 32) & 0xFFFFFFFF, np.uint64)
    k0, k1 = key & 0xFFFFFFFF, (key >> 32) & 0xFFFFFFFF
    for _ in range(10):
        p0, p1 = _M0 * c0, _M1 * c2                       # 32x32 -> 64-bit products, exact in uint64
        c0, c1, c2, c3 = (p1 >> _32) ^ c1 ^ np.uint64(k0), p1 & _LOW32, (p0 >> _32) ^ c3 ^ np.uint64(k1), p0 & _LOW32
        k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    return np.stack([c0, c1, c2, c3], axis=-1).astype(np.uint32)


def _block_small(key: int, counter: int, offsets: list) -> np.ndarray:
    out = []
    for o in offsets:
        c = (counter + int(o)) % (1 << 128)
        c0, c1, c2, c3 = c & 0xFFFFFFFF, (c >> 32) & 0xFFFFFFFF, (c >> 64) & 0xFFFFFFFF, c >> 96
        k0, k1 = key & 0xFFFFFFFF, (key >> 32) & 0xFFFFFFFF
        for _ in range(10):
            p0, p1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
            c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & 0xFFFFFFFF, (p0 >> 32) ^ c3 ^ k1, p0 & 0xFFFFFFFF
            k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
        out.append((c0, c1, c2, c3))
    return np.array(out, np.uint32).reshape(len(out), 4)


@dataclass
class Philox:
    """A generator position: `key` (64 bits) and `counter` (128 bits)."""

    key: int
    counter: int

    @classmethod
    def from_seeds(cls, seed: int, seed2: int) -> "Philox":
        """PhiloxRandom(seed, seed2): the key is seed, the counter's high 64 bits are seed2."""
        return cls(seed % U64, (seed2 % U64) << 64)

    @classmethod
    def from_stateless(cls, seed0: int, seed1: int) -> "Philox":
        """The key and counter a stateless op derives from its seed pair (GenerateKey: one scrambling block)."""
        mix = block(0x02461E29_3EC8F720, (seed0 % U64) | ((seed1 % U64) << 64), 1)[0].astype(np.uint64)
        return cls(int(mix[0]) | (int(mix[1]) << 32), (int(mix[2]) | (int(mix[3]) << 32)) << 64)

    def reserve(self, samples: int) -> "Philox":
        """This position, and skip this generator `samples` counter values ahead."""
        here = Philox(self.key, self.counter)
        self.counter = (self.counter + samples) % (1 << 128)
        return here

    def words(self, calls: int, skip: int = 0) -> np.ndarray:
        """The uint32 words of `calls` block calls starting `skip` counters ahead: [calls * 4]."""
        return block(self.key, (self.counter + skip) % (1 << 128), calls).reshape(-1)


# -- the C library's float functions ---------------------------------------------------------
def _libm() -> Any:
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        for name in ("logf", "sinf", "cosf"):
            getattr(lib, name).restype = ctypes.c_float
            getattr(lib, name).argtypes = [ctypes.c_float]
        return lib
    except (OSError, AttributeError):
        return None


LIBM = _libm()
EXACT = LIBM is not None  # False: normals may differ from TensorFlow's in the last bit


_C_SOURCE = r"""
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <string.h>
static float to_float(uint32_t x) {
    uint32_t v = (127u << 23) | (x & 0x7fffffu); float f; memcpy(&f, &v, 4); return f - 1.0f;
}
static double to_double(uint32_t x0, uint32_t x1) {
    uint64_t v = (1023ull << 52) | ((uint64_t)(x0 & 0xfffffu) << 32) | x1; double d; memcpy(&d, &v, 8);
    return d - 1.0;
}
void box_muller_f32(const uint32_t *w, float *out, int64_t pairs) {
    for (int64_t i = 0; i < pairs; ++i) {
        float u1 = to_float(w[2 * i]);
        if (u1 < 1.0e-7f) u1 = 1.0e-7f;
        float v1 = (float)(2.0 * M_PI * (double)to_float(w[2 * i + 1]));
        float u2 = sqrtf(-2.0f * logf(u1)), s, c;
        sincosf(v1, &s, &c);
        out[2 * i] = s * u2; out[2 * i + 1] = c * u2;
    }
}
void box_muller_f64(const uint32_t *w, double *out, int64_t quads) {
    for (int64_t i = 0; i < quads; ++i) {
        double u1 = to_double(w[4 * i], w[4 * i + 1]);
        if (u1 < 1.0e-7) u1 = 1.0e-7;
        double v1 = 2.0 * M_PI * to_double(w[4 * i + 2], w[4 * i + 3]);
        double u2 = sqrt(-2.0 * log(u1)), s, c;
        sincos(v1, &s, &c);
        out[2 * i] = s * u2; out[2 * i + 1] = c * u2;
    }
}
"""
_NATIVE: list = []


def _native() -> Any:
    """The compiled Box-Muller loops, or None (no compiler, TFCOMPAT_NATIVE_FUSION=0)."""
    if not _NATIVE:
        from .. import fusion_native  # noqa: PLC0415
        lib = fusion_native.shared_library(_C_SOURCE)
        if lib is not None:
            for name in ("box_muller_f32", "box_muller_f64"):
                getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
                getattr(lib, name).restype = None
        _NATIVE.append(lib)
    return _NATIVE[0]


def _pairs_native(words: np.ndarray, wide: bool) -> tuple[np.ndarray, np.ndarray] | None:
    lib = _native()
    if lib is None:
        return None
    w = np.ascontiguousarray(words, dtype=np.uint32)
    n = w.size // (4 if wide else 2)
    out = np.empty(2 * n, np.float64 if wide else np.float32)
    (lib.box_muller_f64 if wide else lib.box_muller_f32)(w.ctypes.data, out.ctypes.data, n)
    return out[0::2], out[1::2]


def _map32(fn: Callable, fallback: Callable, x: np.ndarray) -> np.ndarray:
    if LIBM is None:
        return fallback(x.astype(np.float64)).astype(np.float32)
    return np.fromiter(map(fn, x.tolist()), np.float32, x.size)


def _map64(fn: Callable, fallback: Callable, x: np.ndarray) -> np.ndarray:
    return np.fromiter(map(fn, x.tolist()), np.float64, x.size)


# -- transforms (random_distributions.h) -----------------------------------------------------
def to_float(w: np.ndarray) -> np.ndarray:
    """Uint32ToFloat: 23 mantissa bits -> [0, 1)."""
    return ((w & np.uint32(0x7FFFFF)) | np.uint32(127 << 23)).view(np.float32) - np.float32(1)


def to_double(w0: np.ndarray, w1: np.ndarray) -> np.ndarray:
    """Uint64ToDouble: 20 bits of w0 and all of w1 -> [0, 1)."""
    man = ((w0.astype(np.uint64) & np.uint64(0xFFFFF)) << _32) | w1.astype(np.uint64)
    return (man | np.uint64(1023 << 52)).view(np.float64) - 1.0


def to_half(w: np.ndarray) -> np.ndarray:
    """Uint16ToHalf: 10 mantissa bits of the low half-word -> [0, 1)."""
    return ((w & np.uint32(0x3FF)).astype(np.uint16) | np.uint16(15 << 10)).view(np.float16) - np.float16(1)


def box_muller_float(x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BoxMullerFloat on word pairs: two float32 normals per pair."""
    done = _pairs_native(np.stack([x0, x1], axis=-1), wide=False)
    if done is not None:
        return done
    u1 = np.maximum(to_float(x0), np.float32(1.0e-7))
    v1 = (2 * math.pi * to_float(x1).astype(np.float64)).astype(np.float32)  # NOTE: 2 * M_PI is a double
    lib = LIBM
    log = _map32(lib.logf if lib else None, np.log, u1)
    u2 = np.sqrt(np.float32(-2.0) * log)
    return _map32(lib.sinf if lib else None, np.sin, v1) * u2, _map32(lib.cosf if lib else None, np.cos, v1) * u2


def box_muller_double(x0: Any, x1: Any, x2: Any, x3: Any) -> tuple[np.ndarray, np.ndarray]:
    """BoxMullerDouble on four words: two float64 normals."""
    done = _pairs_native(np.stack([x0, x1, x2, x3], axis=-1), wide=True)
    if done is not None:
        return done
    u1 = np.maximum(to_double(x0, x1), 1.0e-7)
    v1 = 2 * math.pi * to_double(x2, x3)
    u2 = np.sqrt(-2.0 * _map64(math.log, np.log, u1))
    return _map64(math.sin, np.sin, v1) * u2, _map64(math.cos, np.cos, v1) * u2


def _interleave(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.stack([a, b], axis=1).reshape(-1)


def uniform(gen: Philox, dtype: Any, n: int) -> np.ndarray:
    """UniformDistribution: n floats in [0, 1) (float16/32: one word each, float64: two)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        w = gen.words((n + 1) // 2)
        return to_double(w[0::2], w[1::2])[:n]
    w = gen.words((n + 3) // 4)[:n]
    if dtype == np.float32:
        return to_float(w)
    if dtype == np.float16:
        return to_half(w)
    raise NotImplementedError(f"uniform random numbers of dtype {dtype}: use float16, float32 or float64")


def normal(gen: Philox, dtype: Any, n: int) -> np.ndarray:
    """NormalDistribution: n standard normals (float32/16: 4 per block call, float64: 2)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        w = gen.words((n + 1) // 2).reshape(-1, 4)
        return _interleave(*box_muller_double(w[:, 0], w[:, 1], w[:, 2], w[:, 3]))[:n]
    if dtype not in (np.float32, np.float16):
        raise NotImplementedError(f"normal random numbers of dtype {dtype}: use float16, float32 or float64")
    w = gen.words((n + 3) // 4)
    return _interleave(*box_muller_float(w[0::2], w[1::2]))[:n].astype(dtype)


def truncated_normal(gen: Philox, dtype: Any, n: int) -> np.ndarray:
    """TruncatedNormalDistribution: normals with |x| < 2, drawn per output group as TF's CPU kernel does.

    Group g (4 float32 or 2 float64 outputs) starts 256 * group size / 4 counters into the reservation
    and takes Box-Muller pairs from successive words until the group is full.
    """
    dtype = np.dtype(dtype)
    wide = dtype == np.float64
    group = 2 if wide else 4
    if not wide and dtype not in (np.float32, np.float16):
        raise NotImplementedError(f"truncated normal random numbers of dtype {dtype}: use float16/32/64")
    groups = (n + group - 1) // group
    skip = group * 256 // 4
    out = np.empty((groups, group), np.float64 if wide else np.float32)
    todo, calls = np.arange(groups), 1  # NOTE: one block call fills a float32 group 83% of the time
    while todo.size:
        offsets = (todo.astype(np.uint64) * np.uint64(skip))[:, None] + np.arange(calls, dtype=np.uint64)
        words = block_at(gen.key, gen.counter, offsets.reshape(-1)).reshape(len(todo), calls * 4)
        if wide:
            q = words.reshape(len(todo), -1, 4)
            a, b = box_muller_double(*(q[..., i].reshape(-1) for i in range(4)))
        else:
            a, b = box_muller_float(words[:, 0::2].reshape(-1), words[:, 1::2].reshape(-1))
        cand = _interleave(a, b).reshape(len(todo), -1)
        ok = np.abs(cand) < 2.0
        take = ok & (np.cumsum(ok, axis=1) <= group)        # the first `group` accepted candidates of a row
        full = take.sum(axis=1) == group
        out[todo[full]] = cand[full][take[full]].reshape(-1, group)
        todo, calls = todo[~full], calls * 2
    return out.reshape(-1)[:n].astype(dtype)


def uniform_int(gen: Philox, lo: int, hi: int, dtype: Any, n: int) -> np.ndarray:
    """UniformDistribution for integers: lo + word % (hi - lo) (int64: two words per value)."""
    dtype, span = np.dtype(dtype), hi - lo
    if dtype.itemsize == 8:
        w = gen.words((n + 1) // 2).astype(np.uint64)
        bits = w[0::2] | (w[1::2] << _32)
        return (np.uint64(lo % U64) + bits[:n] % np.uint64(span)).astype(dtype)  # wraps as SignedAdd does
    w = gen.words((n + 3) // 4)[:n].astype(np.uint64)
    return ((np.int64(lo) + (w % np.uint64(span)).astype(np.int64)) % (1 << 32)).astype(np.uint32).view(np.int32) \
        .astype(dtype)


def permutation(gen: Philox, size: int) -> np.ndarray:
    """ShuffleRange's index permutation: for i in 0..size-2, swap i with i + word % (size - i)."""
    words = gen.words((size - 1 + 3) // 4)
    perm = np.arange(size)
    for i, w in enumerate(words[:size - 1].tolist()):
        j = i + w % (size - i)
        perm[i], perm[j] = perm[j], perm[i]
    return perm
