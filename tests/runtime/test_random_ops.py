"""Seed semantics of the random ops (TensorFlow's rules, not its numbers) and their distributions."""
from __future__ import annotations

import numpy as np
import pytest

from runtime.errors import InvalidArgumentError
from runtime.ops import random as rnd

SHAPE = np.array([2000], np.int32)


@pytest.fixture(autouse=True)
def _no_global_seed():
    rnd.set_seed(None)
    yield
    rnd.set_seed(None)


def _normal(**seeds):
    return rnd.random_standard_normal(SHAPE, **seeds).numpy()


def test_get_seed_follows_tensorflow():
    assert rnd.get_seed(None) == (0, 0)                      # nondeterministic
    assert rnd.get_seed(7) == (rnd.DEFAULT_GRAPH_SEED, 7)     # op seed alone
    rnd.set_seed(3)
    first = [rnd.get_seed(None) for _ in range(3)]
    assert all(s[0] == 3 for s in first) and len({s[1] for s in first}) == 3
    rnd.set_seed(3)
    assert [rnd.get_seed(None) for _ in range(3)] == first   # counter restarts
    rnd.set_seed(0)
    assert rnd.get_seed(0) == (0, rnd.MAXINT32)              # never (0, 0) when seeded


def test_stream_advances_and_set_seed_restarts_it():
    a, b = _normal(seed=1, seed2=2), _normal(seed=1, seed2=2)
    assert not np.array_equal(a, b)
    rnd.set_seed(None)
    np.testing.assert_array_equal(_normal(seed=1, seed2=2), a)
    assert not np.array_equal(_normal(seed=1, seed2=3), a)


def test_unseeded_ops_differ():
    assert not np.array_equal(_normal(), _normal())


def test_distributions():
    n = _normal(seed=5, seed2=6)
    assert abs(n.mean()) < 0.1 and abs(n.std() - 1) < 0.1
    u = rnd.random_uniform(SHAPE, seed=5, seed2=6).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.05
    t = rnd.truncated_normal(SHAPE, seed=5, seed2=6).numpy()
    assert np.abs(t).max() <= 2 and t.dtype == np.float32
    i = rnd.random_uniform_int(SHAPE, np.int64(-3), np.int64(4), seed=5, seed2=6).numpy()
    assert i.dtype == np.int64 and set(np.unique(i)) == set(range(-3, 4))
    with pytest.raises(InvalidArgumentError, match="minval < maxval"):
        rnd.random_uniform_int(SHAPE, np.int32(4), np.int32(4), seed=5, seed2=6)


def test_shuffle_and_categorical():
    v = np.arange(20).reshape(10, 2)
    s = rnd.random_shuffle(v, seed=1, seed2=1).numpy()
    assert sorted(s[:, 0].tolist()) == v[:, 0].tolist() and (s[:, 1] == s[:, 0] + 1).all()
    logits = np.log(np.array([[0.2, 0.8], [1.0, 1e-30]]))
    draws = rnd.multinomial(logits, np.int32(4000), seed=2, seed2=2).numpy()
    assert draws.shape == (2, 4000) and draws.dtype == np.int64
    assert abs(draws[0].mean() - 0.8) < 0.03 and draws[1].max() == 0


def test_log_uniform_sampler_unique_and_expected_counts():
    true = np.array([[0], [5]], np.int64)
    cand, t_exp, s_exp = rnd.log_uniform_candidate_sampler(true, num_true=1, num_sampled=50, unique=True,
                                                           range_max=100, seed=4, seed2=4)
    c = cand.numpy()
    assert len(set(c.tolist())) == 50 and c.min() >= 0 and c.max() < 100
    assert t_exp.shape.as_list() == [2, 1] and s_exp.shape.as_list() == [50]
    assert 0 < s_exp.numpy().min() and t_exp.numpy()[0, 0] > t_exp.numpy()[1, 0]  # class 0 is most likely
    freq = np.bincount(rnd.log_uniform_candidate_sampler(true, num_true=1, num_sampled=20000, unique=False,
                                                         range_max=10, seed=1, seed2=9)[0].numpy(), minlength=10)
    np.testing.assert_allclose(freq / 20000, rnd.log_uniform_prob(np.arange(10), 10), atol=0.02)
