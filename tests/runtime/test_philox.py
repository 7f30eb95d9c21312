"""TensorFlow's random numbers bit for bit: recorded outputs (always run) and a grid against the oracle."""
from __future__ import annotations

import numpy as np
import pytest

from runtime.ops import philox, random as rnd

# Recorded once from TensorFlow 2.21 (tf.raw_ops.*(seed=1, seed2=2); the bits of each value).
RECORDED = {
    "uniform32": ["0x3ed0133c", "0x3f5b8ba6", "0x3d62e6c0", "0x3dafddd0", "0x3ed305cc", "0x3d160a40"],
    "normal32": ["0xbf85fcdd", "0x3f56f6e1", "0x3f9e2fe3", "0x4004150f", "0x3e9b842a"],
    "normal32_again": ["0x3f9abe02", "0xbfbe1ac4", "0xbe21ba9c", "0xbe89fb54", "0xbf005c6d"],
    "trunc32": ["0xbf85fcdd", "0x3f56f6e1", "0x3f9e2fe3", "0x3e9b842a", "0x3ec7027f"],
    "normal64": ["0x3fe298089076cdd3", "0xbff8eb3aca515204", "0x3ff8e4f44037f289"],
    "stateless_normal32_7_11": ["0x3ebf48d3", "0x3f359972", "0x3f8d41cf", "0xbdaf513f"],
}


def _bits(a) -> list[str]:
    a = np.asarray(a)
    return [hex(b) for b in a.view({4: np.uint32, 8: np.uint64, 2: np.uint16}[a.dtype.itemsize]).ravel().tolist()]


@pytest.fixture(autouse=True)
def _fresh_streams():
    rnd.set_seed(None)
    yield
    rnd.set_seed(None)


def _run(kind, n, dtype=np.float32, seed=1, seed2=2):
    op = {"uniform": rnd.random_uniform, "normal": rnd.random_standard_normal,
          "trunc": rnd.truncated_normal}[kind]
    from runtime import dtypes
    return op(np.array([n], np.int32), seed=seed, seed2=seed2, dtype=dtypes.as_dtype(dtype)).numpy()


def test_recorded_streams_match_tensorflow():
    assert _bits(_run("uniform", 6)) == RECORDED["uniform32"]
    assert _bits(_run("normal", 5)) == RECORDED["normal32"]
    assert _bits(_run("normal", 5)) == RECORDED["normal32_again"]   # the kernel's stream continues
    assert _bits(_run("trunc", 5)) == RECORDED["trunc32"]
    assert _bits(_run("normal", 3, np.float64)) == RECORDED["normal64"]
    gen = philox.Philox.from_stateless(7, 11)
    assert _bits(philox.normal(gen, np.float32, 4)) == RECORDED["stateless_normal32_7_11"]
    assert rnd.random_shuffle(np.arange(6), seed=1, seed2=2).numpy().tolist() == [5, 1, 4, 0, 3, 2]
    assert rnd.random_uniform_int(np.array([6], np.int32), np.int32(-5), np.int32(17), seed=1,
                                  seed2=2).numpy().tolist() == [0, 0, 1, 4, 12, 9]


def test_set_seed_restarts_streams():
    a = _run("normal", 5)
    rnd.set_seed(None)
    assert _bits(a) == _bits(_run("normal", 5)) == RECORDED["normal32"]


def test_block_matches_random123_known_answer():
    # Philox4x32-10 known-answer vector (Random123 kat_vectors): counter and key all ones.
    out = philox.block(0xFFFFFFFF_FFFFFFFF, (1 << 128) - 1, 1)[0]
    assert [hex(int(w)) for w in out] == ["0x408f276d", "0x41c83b0e", "0xa20bc7c6", "0x6d5451fd"]


GRID = [(kind, dtype, n, seeds) for kind in ("uniform", "normal", "trunc")
        for dtype in (np.float16, np.float32, np.float64) for n in (1, 7, 300)
        for seeds in ((1, 2), (87654321, 0), (0, 2**31 - 1))]


@pytest.mark.parametrize("kind,dtype,n,seeds", GRID, ids=[f"{k}-{np.dtype(d).name}-{n}-{s[0]}" for k, d, n, s in GRID])
def test_grid_against_tensorflow(oracle, kind, dtype, n, seeds):
    raw = {"uniform": oracle.raw_ops.RandomUniform, "normal": oracle.raw_ops.RandomStandardNormal,
           "trunc": oracle.raw_ops.TruncatedNormal}[kind]
    oracle.random.set_seed(0)  # clears TF's kernel cache: both streams start at the seed
    for _ in range(2):         # the second call checks how far the first moved the stream
        want = raw(shape=[n], dtype=oracle.as_dtype(dtype), seed=seeds[0], seed2=seeds[1]).numpy()
        assert _bits(_run(kind, n, dtype, *seeds)) == _bits(want)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_uniform_int_and_shuffle_against_tensorflow(oracle, dtype):
    oracle.random.set_seed(0)
    for lo, hi in ((0, 10), (-7, 3), (5, 2**20)):
        want = oracle.raw_ops.RandomUniformInt(shape=[33], minval=oracle.constant(lo, dtype),
                                               maxval=oracle.constant(hi, dtype), seed=3, seed2=4).numpy()
        got = rnd.random_uniform_int(np.array([33], np.int32), np.array(lo, dtype), np.array(hi, dtype), seed=3,
                                     seed2=4).numpy()
        np.testing.assert_array_equal(got, want)
    for rows in (2, 9, 100):
        value = np.arange(rows * 2).reshape(rows, 2)
        want = oracle.raw_ops.RandomShuffle(value=value, seed=3, seed2=4).numpy()
        np.testing.assert_array_equal(rnd.random_shuffle(value, seed=3, seed2=4).numpy(), want)


@pytest.mark.parametrize("seed", [[0, 0], [7, 11], [2**31 - 1, 3]])
def test_stateless_against_tensorflow(oracle, seed):
    gen = philox.Philox.from_stateless(*seed)
    for name, dist in (("stateless_uniform", philox.uniform), ("stateless_normal", philox.normal),
                       ("stateless_truncated_normal", philox.truncated_normal)):
        for dtype in ("float32", "float64"):
            want = getattr(oracle.random, name)([41], seed=seed, dtype=dtype).numpy()
            assert _bits(dist(gen, dtype, 41)) == _bits(want), name
