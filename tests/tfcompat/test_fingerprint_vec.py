"""The vectorised FarmHash (NumPy uint64, values of <= 16 bytes) equals the scalar Fingerprint64 on every
length branch, NUL bytes, integers as decimal text, ASCII str, and values longer than 16 bytes mixed in."""
from __future__ import annotations

import numpy as np
import pytest

from tfcompat._impl.feature_column.fingerprint import _as_bytes, fingerprint64
from tfcompat._impl.feature_column.fingerprint_vec import hash_buckets


def _one(v):
    return fingerprint64(_as_bytes(v))


_rng = np.random.default_rng(0)
RANDOM = [bytes(_rng.integers(0, 256, _rng.integers(0, 40)).astype(np.uint8)) for _ in range(3000)]
EDGES = [b"", b"a", b"ab", b"abc", b"abcd", b"abcdefg", b"abcdefgh", b"x" * 16, b"x" * 17, b"a\x00", b"\x00",
         b"\x00" * 9, b"paris", b"\xff" * 16]


@pytest.mark.parametrize("values", [RANDOM + EDGES, [v.replace(b"\0", b"z") for v in RANDOM],
                                    [v for v in RANDOM if len(v) <= 16], EDGES], ids=["mixed", "no_nul", "short", "edges"])
@pytest.mark.parametrize("buckets", [5, 1000, 2 ** 63 - 1])
def test_vectorised_equals_scalar(values, buckets):
    got = hash_buckets(np.array(values, dtype=object), buckets, _one)
    assert got.tolist() == [fingerprint64(v) % buckets for v in values]


def test_integers_str_and_shapes():
    ints = np.array([[0, 1, -3], [123456789, -2 ** 63, 2 ** 63 - 1]], np.int64)
    assert hash_buckets(ints, 7, _one).tolist() == [[_one(v) % 7 for v in row] for row in ints.tolist()]
    words = np.array(["paris", "tokyo", "héllo"], dtype=object)   # a non-ASCII str hashes its UTF-8 bytes
    assert hash_buckets(words, 5, _one).tolist() == [_one(v) % 5 for v in words]
    assert hash_buckets(np.zeros((0, 2), object), 5, _one).shape == (0, 2)
    assert fingerprint64(b"hello") % 1000 == hash_buckets(np.array([b"hello"], object), 1000, _one)[0]


def test_buckets_equal_tensorflows(oracle):
    values = RANDOM + EDGES
    theirs = oracle.strings.to_hash_bucket_fast(oracle.constant(values), 1000).numpy().tolist()
    assert hash_buckets(np.array(values, dtype=object), 1000, _one).tolist() == theirs
