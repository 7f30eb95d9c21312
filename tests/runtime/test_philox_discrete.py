"""Multinomial (tf.random.categorical) and the log-uniform candidate sampler draw TensorFlow's numbers:
recorded outputs (always run) and grids against the oracle (the second call checks the stream moved as TF's)."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from runtime.ops import philox, random as rnd, random_discrete

# Recorded once from TensorFlow 2.21 (tf.raw_ops.*(seed=1, seed2=2), after tf.random.set_seed(0)).
LOGITS = np.log(np.array([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]], np.float32))
RECORDED_MULTINOMIAL = [[[1, 2, 1, 1, 3, 3], [0, 0, 1, 0, 0, 0]], [[2, 1, 1, 1, 3, 3], [0, 0, 1, 0, 0, 0]]]
RECORDED_STATELESS_3_4 = [[3, 3, 1, 3, 3], [0, 0, 0, 0, 0]]
# Multinomial over zeros((2000, 3)), 4 samples, with TF_NUM_INTRAOP_THREADS=4: rows 0, 499, 500, 1999.
RECORDED_SHARDED = [[0, 1, 0, 0], [2, 0, 0, 0], [2, 1, 0, 2], [0, 0, 2, 1]]
TRUE = np.array([[1], [7], [30]], np.int64)
RECORDED_SAMPLER_UNIQUE = ([1, 4, 2, 33, 20, 6], [1057884711, 1045353106, 1030680037],
                           [1057884711, 1050152984, 1054659960, 1029350069, 1034746430, 1046973547])
RECORDED_SAMPLER = [4, 20, 6, 4, 721]


@pytest.fixture(autouse=True)
def _fresh_streams():
    rnd.set_seed(None)
    yield
    rnd.set_seed(None)


def test_recorded_multinomial():
    for want in RECORDED_MULTINOMIAL:
        assert rnd.multinomial(LOGITS, np.int32(6), seed=1, seed2=2).numpy().tolist() == want
    got = rnd.stateless_multinomial(LOGITS, np.int32(5), np.array([3, 4], np.int64)).numpy()
    assert got.tolist() == RECORDED_STATELESS_3_4


def test_recorded_multinomial_shards_like_tensorflow():
    out = random_discrete.multinomial(philox.Philox.from_seeds(1, 2), np.zeros((2000, 3), np.float32), 4, threads=4)
    assert out[[0, 499, 500, 1999]].tolist() == RECORDED_SHARDED
    assert random_discrete.shards(2000, 466, 4) == [(i * 125, i * 125 + 125) for i in range(16)]
    assert random_discrete.shards(300, 666, 4) == [(0, 300)]   # too cheap to split


def test_recorded_log_uniform_sampler():
    cand, t_exp, s_exp = (o.numpy() for o in rnd.log_uniform_candidate_sampler(
        TRUE, num_true=1, num_sampled=6, unique=True, range_max=40, seed=1, seed2=2))
    assert (cand.tolist(), t_exp.view(np.uint32).ravel().tolist(), s_exp.view(np.uint32).tolist()) == \
        RECORDED_SAMPLER_UNIQUE
    rnd.set_seed(None)
    cand = rnd.log_uniform_candidate_sampler(TRUE, num_true=1, num_sampled=5, unique=False, range_max=1000,
                                             seed=1, seed2=2)[0].numpy()
    assert cand.tolist() == RECORDED_SAMPLER


def test_multinomial_edge_cases():
    empty = rnd.multinomial(np.zeros((0, 3), np.float32), np.int32(4), seed=1, seed2=2).numpy()
    assert empty.shape == (0, 4)
    # no finite logit: every draw is num_classes, as TF's kernel gives
    assert rnd.multinomial(np.full((1, 3), -np.inf, np.float32), np.int32(2), seed=1, seed2=2).numpy().tolist() \
        == [[3, 3]]
    with pytest.raises(Exception, match="logits should be a matrix"):
        rnd.multinomial(np.zeros(3, np.float32), np.int32(2), seed=1, seed2=2)
    with pytest.raises(Exception, match="num_classes should be positive"):
        rnd.multinomial(np.zeros((2, 0), np.float32), np.int32(2), seed=1, seed2=2)


MULTI_GRID = [(b, c, n, d) for b, c, n in ((1, 5, 10), (3, 7, 1), (4, 100, 33), (2000, 3, 4), (50, 1000, 20))
              for d in ("float32", "float64")]


@pytest.mark.parametrize("batch,classes,n,dtype", MULTI_GRID, ids=[f"{b}x{c}-{n}-{d}" for b, c, n, d in MULTI_GRID])
def test_multinomial_against_tensorflow(oracle, batch, classes, n, dtype):
    logits = (np.random.default_rng(batch * classes).normal(size=(batch, classes)) * 3).astype(dtype)
    logits[0, 0] = -np.inf
    oracle.random.set_seed(0)
    for _ in range(2):
        want = oracle.raw_ops.Multinomial(logits=logits, num_samples=n, seed=3, seed2=4).numpy()
        np.testing.assert_array_equal(rnd.multinomial(logits, np.int32(n), seed=3, seed2=4).numpy(), want)
    want = oracle.random.stateless_categorical(logits, n, seed=[5, 6]).numpy()
    got = rnd.stateless_multinomial(logits, np.int32(n), np.array([5, 6], np.int64)).numpy()
    np.testing.assert_array_equal(got, want)


_SHARD_SCRIPT = """
import numpy as np, tensorflow as tf
print(tf.raw_ops.Multinomial(logits=np.zeros((3000, 5), np.float32), num_samples=3, seed=7, seed2=8).numpy().tobytes().hex())
"""


@pytest.mark.parametrize("threads", [3, 8])
def test_multinomial_shards_as_tensorflow_with_n_threads(oracle, threads):
    env = dict(os.environ, TF_NUM_INTRAOP_THREADS=str(threads), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", _SHARD_SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    want = np.frombuffer(bytes.fromhex(out.stdout.strip().splitlines()[-1]), np.int64).reshape(3000, 3)
    got = random_discrete.multinomial(philox.Philox.from_seeds(7, 8), np.zeros((3000, 5), np.float32), 3, threads)
    np.testing.assert_array_equal(got, want)


SAMPLER_GRID = [(4, 1, 8, True, 50), (3, 2, 64, True, 100), (5, 1, 20, False, 10), (2, 3, 10, True, 10),
                (8, 1, 100, True, 1000000), (1, 1, 1, True, 1), (6, 2, 300, False, 7)]


@pytest.mark.parametrize("batch,num_true,num_sampled,unique,range_max", SAMPLER_GRID)
def test_log_uniform_sampler_against_tensorflow(oracle, batch, num_true, num_sampled, unique, range_max):
    true = np.random.default_rng(batch).integers(0, range_max, size=(batch, num_true)).astype(np.int64)
    oracle.random.set_seed(0)
    kw = dict(num_true=num_true, num_sampled=num_sampled, unique=unique, range_max=range_max, seed=3, seed2=4)
    for _ in range(2):
        want = oracle.raw_ops.LogUniformCandidateSampler(true_classes=true, **kw)
        got = rnd.log_uniform_candidate_sampler(true, **kw)
        for w, g in zip(want, got):
            assert np.asarray(w).tobytes() == np.asarray(g).tobytes()


def test_upper_bound_is_std_upper_bound_on_both_paths():
    rng = np.random.default_rng(3)
    for rows, samples, classes in ((7, 5, 9), (2000, 50, 50)):   # counting, then binary search (> 4M entries)
        cdf = np.cumsum(rng.integers(0, 3, size=(rows, classes)).astype(np.float64), axis=1)
        x = rng.integers(-1, int(cdf.max()) + 2, size=(rows, samples)).astype(np.float64)  # ties with the CDF
        want = np.stack([np.searchsorted(cdf[b], x[b], side="right") for b in range(rows)])
        np.testing.assert_array_equal(random_discrete.upper_bound(cdf, x), want)
