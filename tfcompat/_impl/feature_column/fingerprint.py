"""TensorFlow's string hash: FarmHash Fingerprint64 (farmhashna::Hash64), so hash buckets match TF's.

    fingerprint64(b"hello") % 1000          # tf.strings.to_hash_bucket_fast("hello", 1000)
    hash_bucket_ids(x, 100)                 # int64 ids of a string (or int, hashed as its text) tensor
"""
from __future__ import annotations

import functools
import struct
from typing import Any

import numpy as np

from runtime import backend, dispatch, dtypes
from runtime.graph_tensor import pseudo_op

from .fingerprint_vec import hash_buckets

M = (1 << 64) - 1
K0, K1, K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


def _f64(s: bytes, i: int) -> int:
    return struct.unpack_from("<Q", s, i)[0]


def _f32(s: bytes, i: int) -> int:
    return struct.unpack_from("<I", s, i)[0]


def _rot(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & M


def _mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & M
    a ^= a >> 47
    b = ((v ^ a) * mul) & M
    b ^= b >> 47
    return (b * mul) & M


def _len0to16(s: bytes, n: int) -> int:
    if n >= 8:
        mul = K2 + n * 2
        a = (_f64(s, 0) + K2) & M
        b = _f64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & M
        d = ((_rot(a, 25) + b) * mul) & M
        return _len16(c, d, mul)
    if n >= 4:
        mul = K2 + n * 2
        return _len16((n + (_f32(s, 0) << 3)) & M, _f32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_mix(((y * K2) & M) ^ ((z * K0) & M)) * K2) & M
    return K2


def _len17to32(s: bytes, n: int) -> int:
    mul = K2 + n * 2
    a = (_f64(s, 0) * K1) & M
    b = _f64(s, 8)
    c = (_f64(s, n - 8) * mul) & M
    d = (_f64(s, n - 16) * K2) & M
    return _len16((_rot((a + b) & M, 43) + _rot(c, 30) + d) & M, (a + _rot((b + K2) & M, 18) + c) & M, mul)


def _len33to64(s: bytes, n: int) -> int:
    mul = K2 + n * 2
    a = (_f64(s, 0) * K2) & M
    b = _f64(s, 8)
    c = (_f64(s, n - 8) * mul) & M
    d = (_f64(s, n - 16) * K2) & M
    y = (_rot((a + b) & M, 43) + _rot(c, 30) + d) & M
    z = _len16(y, (a + _rot((b + K2) & M, 18) + c) & M, mul)
    e = (_f64(s, 16) * mul) & M
    f = _f64(s, 24)
    g = ((y + _f64(s, n - 32)) * mul) & M
    h = ((z + _f64(s, n - 24)) * mul) & M
    return _len16((_rot((e + f) & M, 43) + _rot(g, 30) + h) & M, (e + _rot((f + a) & M, 18) + g) & M, mul)


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = _f64(s, i), _f64(s, i + 8), _f64(s, i + 16), _f64(s, i + 24)
    a = (a + w) & M
    b = _rot((b + a + z) & M, 21)
    c = a
    a = (a + x + y) & M
    b = (b + _rot(a, 44)) & M
    return (a + z) & M, (b + c) & M


def fingerprint64(s: bytes) -> int:
    """farmhashna::Hash64(s): TensorFlow's Fingerprint64 (unsigned)."""
    n = len(s)
    if n <= 16:
        return _len0to16(s, n)
    if n <= 32:
        return _len17to32(s, n)
    if n <= 64:
        return _len33to64(s, n)
    x, y = 81, (81 * K1 + 113) & M
    z = (_mix((y * K2 + 113) & M) * K2) & M
    v, w = (0, 0), (0, 0)
    x = (x * K2 + _f64(s, 0)) & M
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rot((x + y + v[0] + _f64(s, i + 8)) & M, 37) * K1) & M
        y = (_rot((y + v[1] + _f64(s, i + 48)) & M, 42) * K1) & M
        x ^= w[1]
        y = (y + v[0] + _f64(s, i + 40)) & M
        z = (_rot((z + w[0]) & M, 33) * K1) & M
        v = _weak32(s, i, (v[1] * K1) & M, (x + w[0]) & M)
        w = _weak32(s, i + 32, (z + w[1]) & M, (y + _f64(s, i + 16)) & M)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = K1 + ((z & 0xFF) << 1)
    i = last64
    w = ((w[0] + ((n - 1) & 63)) & M, w[1])
    v = ((v[0] + w[0]) & M, v[1])
    w = ((w[0] + v[0]) & M, w[1])
    x = (_rot((x + y + v[0] + _f64(s, i + 8)) & M, 37) * mul) & M
    y = (_rot((y + v[1] + _f64(s, i + 48)) & M, 42) * mul) & M
    x ^= (w[1] * 9) & M
    y = (y + v[0] * 9 + _f64(s, i + 40)) & M
    z = (_rot((z + w[0]) & M, 33) * mul) & M
    v = _weak32(s, i, (v[1] * mul) & M, (x + w[0]) & M)
    w = _weak32(s, i + 32, (z + w[1]) & M, (y + _f64(s, i + 16)) & M)
    z, x = x, z
    return _len16((_len16(v[0], w[0], mul) + _mix(y) * K0 + z) & M, (_len16(v[1], w[1], mul) + x) & M, mul)


def _as_bytes(v: Any) -> bytes:
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    return str(int(v)).encode()   # NOTE: TF hashes integer features as their decimal text (as_string)


@functools.lru_cache(maxsize=1 << 16)
def _cached_fingerprint(v: bytes) -> int:
    return fingerprint64(v)


def _bucket_kernel(x: Any, num_buckets: int = 1) -> np.ndarray:
    x = np.asarray(backend.to_host(x))   # NOTE: a host op (strings live on the host; a device int is copied)
    # NOTE: values of <= 16 bytes hash together in NumPy; longer ones one by one, remembered across calls
    return hash_buckets(x, num_buckets, lambda v: _cached_fingerprint(_as_bytes(v)))


_BUCKET = pseudo_op("StringToHashBucketFast", _bucket_kernel, shape=lambda s, num_buckets=1: s,
                    dtype=lambda d, num_buckets=1: dtypes.int64, host_only="FarmHash is a host kernel, as in TF")


def hash_bucket_ids(x: Any, num_buckets: int) -> Any:
    """int64 `fingerprint64(x) % num_buckets` of each element (a string or integer tensor)."""
    return dispatch.execute(_BUCKET, (dispatch.convert_to_tensor(x),), {"num_buckets": int(num_buckets)})


_MUL = 0xC6A4A7935BD1E995
DEFAULT_HASH_KEY = 0xDECAFCAFFE


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """TensorFlow's FingerprintCat64: combines two fingerprints (the crossed-feature hash)."""
    result = fp1 ^ _MUL
    result ^= (_mix((fp2 * _MUL) & M) * _MUL) & M
    result = (result * _MUL) & M
    result = (_mix(result) * _MUL) & M
    return _mix(result)


def _feature_hash(v: Any) -> int:
    if isinstance(v, (bytes, str)):
        return fingerprint64(_as_bytes(v))
    return int(v) & M     # NOTE: SparseCrossHashed uses an int64 feature's value itself


def _cross_kernel(*arrays: Any, num_buckets: int = 1, hash_key: int = DEFAULT_HASH_KEY) -> tuple:
    n = len(arrays) // 2
    values, masks = [np.asarray(a) for a in arrays[:n]], [np.asarray(a) for a in arrays[n:]]
    batch = values[0].shape[0]
    width = int(np.prod([v.shape[1] for v in values]))
    ids = np.zeros((batch, width), np.int64)
    valid = np.zeros((batch, width), bool)
    for b in range(batch):
        for j, combo in enumerate(np.ndindex(*[v.shape[1] for v in values])):
            if all(m[b, c] for m, c in zip(masks, combo)):
                h = hash_key
                for v, c in zip(values, combo):
                    h = fingerprint_cat64(h, _feature_hash(v[b, c]))
                ids[b, j], valid[b, j] = h % num_buckets, True
    return ids, valid


def _cross_shape(*shapes: Any, num_buckets: int = 1, hash_key: int = 0) -> tuple:
    n = len(shapes) // 2
    widths = [s[1] if s is not None and len(s) == 2 else None for s in shapes[:n]]
    width = None if None in widths else int(np.prod(widths))
    batch = shapes[0][0] if shapes[0] is not None else None
    return (batch, width), (batch, width)


_CROSS = pseudo_op("SparseCrossHashed", _cross_kernel, num_outputs=2, shape=_cross_shape,
                   dtype=lambda *d, **_: (dtypes.int64, dtypes.bool_))


def crossed_ids(values: list, masks: list, num_buckets: int, hash_key: Any) -> tuple:
    """(ids, valid) `[batch, Π k_i]`: every combination of each row's valid values, hashed as TF's SparseCrossHashed."""
    inputs = tuple(dispatch.convert_to_tensor(v) for v in list(values) + list(masks))
    return dispatch.execute(_CROSS, inputs, {"num_buckets": int(num_buckets),
                                            "hash_key": DEFAULT_HASH_KEY if hash_key is None else int(hash_key)})
