"""tf.random: TensorFlow's seed semantics (checked side by side with the oracle), dtypes and shapes."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tfcompat as tf

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = """
import sys; sys.path.insert(0, {root!r})
import {mod} as tf
tf.random.set_seed(42)
a = tf.random.normal([3]); b = tf.random.uniform([2], seed=7); c = tf.random.uniform([2], seed=7)
tf.random.set_seed(42)
d = tf.random.normal([3]); e = tf.random.uniform([2], seed=7)
print(repr(tuple(t.numpy().tolist() for t in (a, b, c, d, e))))
"""


def _run(mod, python=sys.executable):
    out = subprocess.run([python, "-c", PROGRAM.format(root=str(ROOT), mod=mod)], capture_output=True, text=True,
                         check=True, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": ""}).stdout
    return out.strip().splitlines()[-1]


def _semantics(line):
    a, b, c, d, e = eval(line)  # noqa: S307  (our own program's printed lists)
    return {"set_seed restarts the counter": a == d, "stream advances": b != c, "set_seed restarts streams": b == e}


def test_seeded_program_prints_the_same_numbers_every_run(oracle):
    ours = _run("tfcompat")
    assert ours == _run("tfcompat")
    assert _semantics(ours) == _semantics(_run("tensorflow", sys.executable)) == dict.fromkeys(_semantics(ours), True)


@pytest.fixture(autouse=True)
def _reset():
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def test_op_seed_alone_is_repeatable_after_reset_and_unseeded_is_not():
    tf.random.set_seed(None)
    a = tf.random.normal([4], seed=3).numpy()
    tf.random.set_seed(None)
    assert np.array_equal(a, tf.random.normal([4], seed=3).numpy())
    assert not np.array_equal(tf.random.normal([4]).numpy(), tf.random.normal([4]).numpy())


def test_shapes_dtypes_and_ranges(oracle):
    tf.random.set_seed(1)
    n = tf.random.normal([2, 3], mean=5.0, stddev=0.1, dtype=tf.float64)
    assert n.dtype == tf.float64 and n.shape.as_list() == [2, 3] and abs(n.numpy().mean() - 5) < 0.2
    u = tf.random.uniform((1000,), -2.0, 3.0).numpy()
    assert u.dtype == np.float32 and u.min() >= -2 and u.max() < 3
    i = tf.random.uniform([1000], 2, 5, dtype=tf.int64)
    assert i.dtype == tf.int64 and sorted(set(i.numpy().tolist())) == [2, 3, 4]
    with pytest.raises(ValueError, match="maxval"):
        tf.random.uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="maxval"):
        oracle.random.uniform([2], dtype=oracle.int32)
    t = tf.random.truncated_normal([5000], stddev=2.0).numpy()
    ref = oracle.random.truncated_normal([5000], stddev=2.0).numpy()
    assert np.abs(t).max() <= 4 and abs(t.std() - ref.std()) < 0.1
    s = tf.random.shuffle(tf.range(10) if hasattr(tf, "range") else np.arange(10)).numpy()
    assert sorted(s.tolist()) == list(range(10))


def test_categorical_frequencies_match_tf(oracle):
    logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 1e-9]], np.float32))
    ours = tf.random.categorical(logits, 5000, seed=1).numpy()
    theirs = oracle.random.categorical(logits, 5000, seed=1).numpy()
    assert ours.dtype == theirs.dtype == np.int64 and ours.shape == theirs.shape
    for row in range(2):
        np.testing.assert_allclose(np.bincount(ours[row], minlength=3) / 5000,
                                   np.bincount(theirs[row], minlength=3) / 5000, atol=0.03)
    assert tf.random.categorical(logits, 3, dtype=tf.int32).dtype == tf.int32


def test_log_uniform_sampler_matches_tf_expected_counts(oracle):
    true = np.array([[1], [10]], np.int64)
    ours = tf.random.log_uniform_candidate_sampler(true, 1, 8, False, 50, seed=1)
    theirs = oracle.random.log_uniform_candidate_sampler(true, 1, 8, False, 50, seed=1)
    np.testing.assert_allclose(ours[1].numpy(), theirs[1].numpy(), rtol=1e-5)   # p(k) * num_sampled
    assert ours[0].dtype == tf.int64 and ours[2].shape == theirs[2].shape
