"""TensorFlow's Fingerprint64 (farmhashna::Hash64) of many short values at once, in NumPy uint64 arithmetic.

    hash_buckets(np.array([b"paris", b"tokyo"], dtype=object), 5)   -> [2, 2]   (as to_hash_bucket_fast)

Strings of at most 16 bytes (almost every token, id or category) take farmhash's `len0to16` branch,
computed here for all of them together; longer ones go through `fingerprint.fingerprint64`, one by one.
Integers hash as their decimal text, as TensorFlow's `as_string` then `to_hash_bucket_fast` do.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

K0, K2 = np.uint64(0xC3A5C85C97CB3127), np.uint64(0x9AE16A3B2F90404F)
SHORT = 16


def _rot(v: np.ndarray, shift: int) -> np.ndarray:
    return (v >> np.uint64(shift)) | (v << np.uint64(64 - shift))


def _len16(u: np.ndarray, v: np.ndarray, mul: np.ndarray) -> np.ndarray:
    a = (u ^ v) * mul
    a ^= a >> np.uint64(47)
    b = (v ^ a) * mul
    b ^= b >> np.uint64(47)
    return b * mul


def _word_at(w0: np.ndarray, w1: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """The little-endian 8-byte word at byte `offset` (0..8) of each 16-byte row (w0: bytes 0-7, w1: 8-15)."""
    sh = np.clip(offset, 1, 7).astype(np.uint64) * np.uint64(8)
    inner = (w0 >> sh) | (w1 << (np.uint64(64) - sh))
    return np.where(offset == 0, w0, np.where(offset == 8, w1, inner))


def fingerprint64_short(words: np.ndarray, n: np.ndarray) -> np.ndarray:
    """farmhashna::Hash64 of 16-byte zero-padded rows (`words`: [count, 2] little-endian uint64) of lengths
    `n` (each <= 16)."""
    out = np.full(n.shape, K2, np.uint64)
    w0, w1 = words[:, 0], words[:, 1]
    un = n.astype(np.uint64)
    mul = K2 + un * np.uint64(2)
    long8, mid, small = n >= 8, (n >= 4) & (n < 8), (n > 0) & (n < 4)
    if long8.any():
        m, a = mul[long8], w0[long8] + K2
        b = _word_at(w0[long8], w1[long8], n[long8] - 8)
        out[long8] = _len16(_rot(b, 37) * m + a, (_rot(a, 25) + b) * m, m)
    if mid.any():
        low, k = w0[mid], n[mid]
        first = low & np.uint64(0xFFFFFFFF)
        last = (low >> ((k - 4).astype(np.uint64) * np.uint64(8))) & np.uint64(0xFFFFFFFF)
        out[mid] = _len16(un[mid] + (first << np.uint64(3)), last, mul[mid])
    if small.any():
        low, k = w0[small], n[small].astype(np.uint64)
        byte = lambda i: (low >> (i * np.uint64(8))) & np.uint64(0xFF)  # noqa: E731
        y = byte(np.uint64(0)) + (byte(k >> np.uint64(1)) << np.uint64(8))
        z = k + (byte(k - np.uint64(1)) << np.uint64(2))
        h = (y * K2) ^ (z * K0)
        out[small] = (h ^ (h >> np.uint64(47))) * K2
    return out


def hash_buckets(values: np.ndarray, num_buckets: int, one: Callable[[Any], int]) -> np.ndarray:
    """int64 `Fingerprint64(text) % num_buckets` of each value (bytes, ASCII str or integer); `one(value)` is
    the scalar fingerprint used for values longer than 16 bytes."""
    flat = values.reshape(-1)
    # NOTE: integers hash as their decimal text, as tf.strings.as_string
    items = flat.astype("S21").tolist() if flat.dtype.kind in "iu" else flat.tolist()
    try:
        joined = b"".join(items)
    except TypeError:   # NOTE: str values: the general path below encodes them
        joined = None
    if joined is not None and b"\0" not in joined:
        text = np.array(items, dtype=f"S{SHORT}")
        lengths = np.char.str_len(text).astype(np.int64)
        if int(lengths.sum()) == len(joined):   # NOTE: nothing was cut: every value has <= 16 bytes
            return _buckets(text, lengths, num_buckets).reshape(values.shape)
    try:
        text = np.array(items, dtype=bytes) if items else np.zeros(0, f"S{SHORT}")
        # NOTE: S arrays drop trailing NUL bytes from their lengths; count those values one by one
        nul = not all(isinstance(v, bytes) for v in items[:1]) or b"\0" in b"".join(items)
    except (UnicodeEncodeError, TypeError, ValueError):   # NOTE: non-ASCII str, or not text: one by one
        return np.array([one(v) % num_buckets for v in items], np.int64).reshape(values.shape)
    lengths = np.array(list(map(len, items)), np.int64) if nul else np.char.str_len(text).astype(np.int64)
    short = lengths <= SHORT
    if short.all():
        return _buckets(text.astype(f"S{SHORT}"), lengths, num_buckets).reshape(values.shape)
    out = np.empty(len(items), np.int64)
    out[short] = _buckets(text[short].astype(f"S{SHORT}"), lengths[short], num_buckets)
    out[~short] = [one(v) % num_buckets for v, s in zip(items, short) if not s]
    return out.reshape(values.shape)


def _buckets(text: np.ndarray, lengths: np.ndarray, num_buckets: int) -> np.ndarray:
    """`text`: an S16 array (zero padded): its bytes are read as two little-endian uint64 words a row."""
    words = np.ascontiguousarray(text).view("<u8").reshape(len(text), 2).astype(np.uint64)
    hashed = fingerprint64_short(words, np.asarray(lengths, np.int64))
    return (hashed % np.uint64(num_buckets)).astype(np.int64)
