"""dynamic_rnn with a number of time steps known only at run time (a graph while_loop).

Inputs are `[None, None, F]` placeholders fed with different lengths in one session. Values,
gradients and a few training steps are compared with TensorFlow given the same weights, and
with tfcompat's unrolled path (static time steps), which must build the same values.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import tfcompat.compat.v1 as tf1
from tests.tfcompat.test_v1_rnn import CASES

B, F, H = 3, 2, 5
RNG = np.random.RandomState(5)
FEEDS = [(RNG.normal(size=(B, 4, F)).astype(np.float32), np.array([4, 2, 3], np.int32)),
         (RNG.normal(size=(B, 6, F)).astype(np.float32), np.array([1, 6, 5], np.int32)),
         (RNG.normal(size=(B, 1, F)).astype(np.float32), np.array([1, 0, 1], np.int32))]


def _tf(oracle, monkeypatch: pytest.MonkeyPatch):
    # NOTE: set for the calling test only: a leaked TF_USE_LEGACY_KERAS gives later subprocesses Keras 2
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", os.environ.get("TF_USE_LEGACY_KERAS", "1"))
    try:
        tf = oracle.compat.v1
        tf.nn.rnn_cell.BasicLSTMCell  # noqa: B018  (needs tf-keras)
    except (AttributeError, ImportError) as err:
        pytest.skip(f"TensorFlow's rnn_cell needs tf-keras (TF_USE_LEGACY_KERAS=1): {err}")
    return tf


def _weights(shapes: list) -> list:
    rng = np.random.RandomState(11)
    return [rng.uniform(-0.6, 0.6, size=s).astype(np.float32) for _, s in shapes]


def run_dynamic(tf, build, time_steps=None, feeds=FEEDS, grads=True) -> tuple[list, list]:
    """Names/shapes, then per feed: every output/state value and the gradients of a loss of them."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, time_steps, F])
        lens = tf.placeholder(tf.int32, [None])
        result = build(tf, x, lens)
        flat = tf.nest.flatten(result)
        vs = tf.trainable_variables()
        names = [(v.name, v.get_shape().as_list()) for v in vs]
        fetch = list(flat)
        if grads:
            loss = tf.add_n([tf.reduce_sum(tf.square(t) * (1.0 + 0.1 * i)) for i, t in enumerate(flat)])
            fetch += [gr for gr in tf.gradients(loss, vs + [x]) if gr is not None]
        got = []
        with tf.Session() as sess:
            for v, w in zip(vs, _weights(names)):
                sess.run(v.assign(w))
            for xv, lv in feeds:
                if time_steps is not None and xv.shape[1] != time_steps:
                    continue
                got.append(sess.run(fetch, {x: xv, lens: lv}))
    return names, got


def _close(got: list, want: list, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            np.testing.assert_allclose(u, v, rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", sorted(k for k in CASES if k != "static"))
def test_unknown_time_steps_match_tensorflow(case: str, oracle, monkeypatch: pytest.MonkeyPatch) -> None:
    tf = _tf(oracle, monkeypatch)
    want_names, want = run_dynamic(tf, CASES[case])
    got_names, got = run_dynamic(tf1, CASES[case])
    assert got_names == want_names
    _close(got, want)


@pytest.mark.parametrize("case", sorted(k for k in CASES if k != "static"))
def test_loop_and_unrolled_paths_agree(case: str) -> None:
    """Values and gradients of the while loop equal the unrolled loop's for the same weights."""
    names_loop, loop = run_dynamic(tf1, CASES[case])
    for i, (xv, _) in enumerate(FEEDS):
        names_unrolled, unrolled = run_dynamic(tf1, CASES[case], time_steps=xv.shape[1], feeds=[FEEDS[i]])
        assert names_unrolled == names_loop
        _close([loop[i]], unrolled, rtol=1e-6, atol=1e-6)


def test_shapes_zero_outputs_and_copied_state_for_each_length() -> None:
    with tf1.Graph().as_default():
        x = tf1.placeholder(tf1.float32, [None, None, F])
        lens = tf1.placeholder(tf1.int32, [None])
        cells = [tf1.nn.rnn_cell.BasicLSTMCell(H), tf1.nn.rnn_cell.BasicLSTMCell(3)]
        outs, state = tf1.nn.dynamic_rnn(tf1.nn.rnn_cell.MultiRNNCell(cells), x, sequence_length=lens,
                                         dtype=tf1.float32)
        assert outs.get_shape().as_list() == [None, None, 3]
        assert isinstance(state[1], tf1.nn.rnn_cell.LSTMStateTuple)
        assert state[1].h.get_shape().as_list() == [None, 3]
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            for xv, lv in FEEDS:
                o, h = sess.run([outs, state[1].h], {x: xv, lens: lv})
                assert o.shape == (xv.shape[0], xv.shape[1], 3)
                for b, n in enumerate(lv):
                    assert np.all(o[b, n:] == 0)
                    np.testing.assert_array_equal(h[b], o[b, n - 1] if n else np.zeros(3, np.float32))


def test_time_major_without_sequence_length_and_needs_dtype() -> None:
    with tf1.Graph().as_default():
        x = tf1.placeholder(tf1.float32, [None, None, F])
        with pytest.raises(ValueError, match="must give a dtype"):
            tf1.nn.dynamic_rnn(tf1.nn.rnn_cell.GRUCell(H), x, time_major=True)
        outs, state = tf1.nn.dynamic_rnn(tf1.nn.rnn_cell.GRUCell(H), x, time_major=True, dtype=tf1.float32)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            o, s = sess.run([outs, state], {x: np.ones((7, 2, F), np.float32)})
    assert o.shape == (7, 2, H)
    np.testing.assert_array_equal(s, o[-1])


def _train(tf, steps: int = 4) -> tuple[list, list]:
    """Two-layer LSTM regression on variable-length batches; losses and final weights."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, None, F])
        lens = tf.placeholder(tf.int32, [None])
        y = tf.placeholder(tf.float32, [None, 1])
        cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(H), tf.nn.rnn_cell.GRUCell(4)])
        outs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lens, dtype=tf.float32)
        w = tf.get_variable("w", [4, 1], initializer=tf.constant_initializer(0.25))
        loss = tf.reduce_mean(tf.square(tf.matmul(state[1], w) - y)) + 0.01 * tf.reduce_mean(tf.square(outs))
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
        vs = tf.trainable_variables()
        losses = []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for v, wv in zip(vs, _weights([(None, v.get_shape().as_list()) for v in vs])):
                sess.run(v.assign(wv))
            for step in range(steps):
                xv, lv = FEEDS[step % 2]
                yv = np.linspace(-1, 1, len(lv)).reshape(-1, 1).astype(np.float32)
                losses.append(sess.run([train, loss], {x: xv, lens: lv, y: yv})[1])
            final = sess.run(vs)
    return losses, final


def test_training_matches_tensorflow(oracle, monkeypatch: pytest.MonkeyPatch) -> None:
    tf = _tf(oracle, monkeypatch)
    want_losses, want_w = _train(tf)
    got_losses, got_w = _train(tf1)
    np.testing.assert_allclose(got_losses, want_losses, rtol=1e-4, atol=1e-6)
    for a, b in zip(got_w, want_w):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert got_losses[-1] < got_losses[0]
