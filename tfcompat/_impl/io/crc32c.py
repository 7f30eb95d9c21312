"""CRC-32C (Castagnoli) as TensorFlow uses it, with its "masked" variant.

    value(b"123456789") == 0xE3069283;  mask(value(data)) is what TFRecord and bundles store

Where a C compiler is available the CRC runs compiled (the CPU's crc32 instruction on x86,
else a table loop; built once through `runtime.fusion_native`, cached on disk). Otherwise
small inputs take a Python table loop; large ones are cut into equal chunks whose CRCs are
computed side by side with NumPy and then folded together with the linear "advance over
L zero bytes" operator (its tables cached per chunk length), so a 30 MB checkpoint
checksums in well under a second.
"""
from __future__ import annotations

import ctypes
import functools

import numpy as np

from runtime import fusion_native

_C_SOURCE = r"""
#include <stdint.h>
#include <string.h>
static uint32_t table[256];
__attribute__((constructor)) static void init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
}
#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t hw(uint32_t crc, const uint8_t *p, int64_t n) {
    uint64_t c = crc;
    for (; n >= 8; p += 8, n -= 8) { uint64_t v; memcpy(&v, p, 8); c = __builtin_ia32_crc32di(c, v); }
    crc = (uint32_t)c;
    for (; n > 0; n--) crc = __builtin_ia32_crc32qi(crc, *p++);
    return crc;
}
#endif
uint32_t crc32c_extend(uint32_t crc, const uint8_t *p, int64_t n) {
    crc ^= 0xFFFFFFFFu;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return hw(crc, p, n) ^ 0xFFFFFFFFu;
#endif
    for (; n > 0; n--) crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}
"""
_NATIVE: list = []

_POLY = 0x82F63B78
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)
_NP_TABLE = np.array(_TABLE, dtype=np.uint32)
_MASK_DELTA = 0xA282EAD8
_SMALL = 4096


def _raw(crc: int, data: bytes) -> int:
    table = _TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def _mat_apply(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _mat_square(mat: list[int]) -> list[int]:
    return [_mat_apply(mat, mat[i]) for i in range(32)]


def _zeros_operator(nbytes: int) -> list[int]:
    """The 32x32 GF(2) matrix (as columns) that advances a CRC register over `nbytes` zero bytes."""
    one_bit = [_POLY] + [1 << (i - 1) for i in range(1, 32)]  # one zero *bit*
    op = one_bit
    for _ in range(3):
        op = _mat_square(op)  # 8 bits = one byte
    result = [1 << i for i in range(32)]
    while nbytes:
        if nbytes & 1:
            result = [_mat_apply(op, c) for c in result]
        nbytes >>= 1
        if nbytes:
            op = _mat_square(op)
    return result


@functools.lru_cache(maxsize=64)
def _byte_tables(length: int) -> list[list[int]]:
    """Per-byte lookup tables applying the advance-over-`length`-zero-bytes operator in four lookups."""
    mat = _zeros_operator(length)
    return [[_mat_apply(mat, b << (8 * k)) for b in range(256)] for k in range(4)]


def _native() -> object:
    """The compiled crc32c_extend, or None (no compiler, TFCOMPAT_NATIVE_FUSION=0)."""
    if not _NATIVE:
        lib = fusion_native.shared_library(_C_SOURCE)
        fn = None
        if lib is not None:
            fn = lib.crc32c_extend
            fn.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_int64]
            fn.restype = ctypes.c_uint32
        _NATIVE.append(fn)
    return _NATIVE[0]


def extend(crc: int, data: bytes) -> int:
    """CRC-32C of (the data `crc` was computed over) + `data`."""
    fn = _native()
    if fn is not None:
        data = data if isinstance(data, bytes) else bytes(data)
        return fn(crc, data, len(data))
    n = len(data)
    reg = crc ^ 0xFFFFFFFF
    if n < _SMALL:
        return _raw(reg, data) ^ 0xFFFFFFFF
    # NOTE: chunk lengths are powers of two, so the folding tables of a few lengths serve every size
    length = 1 << max(6, (n // 64).bit_length() // 2 + 3)
    chunks = n // length
    body = np.frombuffer(data, dtype=np.uint8, count=chunks * length).reshape(chunks, length)
    regs = np.zeros(chunks, dtype=np.uint32)
    regs[0] = reg
    table = _NP_TABLE
    for j in range(length):
        regs = table[(regs ^ body[:, j]) & 0xFF] ^ (regs >> 8)
    t0, t1, t2, t3 = _byte_tables(length)
    acc = 0
    for r in regs.tolist():  # NOTE: raw CRC is linear: crc(A+B) = Z_len(B)(crc(A)) ^ crc0(B)
        acc = t0[acc & 0xFF] ^ t1[(acc >> 8) & 0xFF] ^ t2[(acc >> 16) & 0xFF] ^ t3[acc >> 24] ^ r
    return _raw(acc, data[chunks * length:]) ^ 0xFFFFFFFF


def value(data: bytes) -> int:
    """CRC-32C of `data`."""
    return extend(0, data)


def mask(crc: int) -> int:
    """TensorFlow's masked CRC (rotate right 15, add a constant), stored in TFRecord and bundles."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked: int) -> int:
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF
