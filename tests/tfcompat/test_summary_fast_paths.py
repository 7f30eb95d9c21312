"""The vectorised summary paths: CRC-32C (compiled and NumPy), histogram bucketing and the
collapsing of empty buckets, each against a plain reference written here."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from tfcompat._impl.io import crc32c, summary_proto as sp, wire


def _table_crc(data: bytes) -> int:
    return crc32c._raw(0xFFFFFFFF, data) ^ 0xFFFFFFFF


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 4095, 4096, 4097, 25_003, 300_001])
def test_crc32c_native_and_numpy_paths_match_the_table_loop(monkeypatch, n):
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    want = _table_crc(data)
    assert crc32c.value(data) == want
    assert crc32c.extend(crc32c.value(data[:n // 3]), data[n // 3:]) == want
    monkeypatch.setattr(crc32c, "_NATIVE", [None])       # as without a C compiler
    assert crc32c.value(data) == want
    assert crc32c.extend(crc32c.value(data[:n // 3]), memoryview(data)[n // 3:]) == want


def test_crc32c_known_values_both_paths(monkeypatch):
    for native in (True, False):
        if not native:
            monkeypatch.setattr(crc32c, "_NATIVE", [None])
        assert crc32c.value(b"123456789") == 0xE3069283
        assert crc32c.value(b"\x00" * 32) == 0x8A9136AA


def test_bucket_index_is_a_binary_search_even_on_the_limits():
    limits = sp.DEFAULT_BUCKET_LIMITS
    finite = limits[np.isfinite(limits)]
    with np.errstate(over="ignore"):
        edges = np.concatenate([finite, np.nextafter(finite, np.inf), np.nextafter(finite, -np.inf)])
    rng = np.random.default_rng(0)
    data = np.concatenate([edges[np.isfinite(edges)], [0.0, -0.0, 1e-13, -1e-13, 1e300, -1e300],
                           rng.standard_normal(50_000) * 10.0 ** rng.integers(-15, 25, 50_000)])
    np.testing.assert_array_equal(sp._bucket_index(data), np.searchsorted(limits, data, side="right"))


def _reference_histogram(values: np.ndarray) -> tuple:
    counts = np.bincount(np.searchsorted(sp.DEFAULT_BUCKET_LIMITS, values, side="right"),
                         minlength=len(sp.DEFAULT_BUCKET_LIMITS))
    limits, buckets, i = [], [], 0
    while i < len(counts):                       # TF: a run of empty buckets becomes one
        end, count = sp.DEFAULT_BUCKET_LIMITS[i], counts[i]
        i += 1
        while count <= 0 and i < len(counts) and counts[i] <= 0:
            end, count = sp.DEFAULT_BUCKET_LIMITS[i], counts[i]
            i += 1
        limits.append(float(end))
        buckets.append(float(count))
    return limits, buckets


@pytest.mark.parametrize("values", [np.array([0.5]), np.array([-3.0, 0.0, 0.0, 2.0, 1e6]),
                                    np.random.default_rng(3).standard_normal(10_000)])
def test_histogram_proto_keeps_tf_bucket_layout(values):
    fields = {}
    for number, value in wire.fields(sp.histogram_proto(values)):
        fields[number] = value
    limits, buckets = _reference_histogram(values)
    assert list(struct.unpack(f"<{len(limits)}d", fields[6])) == limits
    assert list(struct.unpack(f"<{len(buckets)}d", fields[7])) == buckets
    assert wire.packed_doubles(6, limits) == wire.field_bytes(6, struct.pack(f"<{len(limits)}d", *limits))
