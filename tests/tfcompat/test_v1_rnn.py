"""tf.nn.rnn_cell and dynamic_rnn/static_rnn/bidirectional_dynamic_rnn: behaviour, and values vs TensorFlow.

Each case builds the same v1 graph in tfcompat and in TensorFlow (`compat.v1`, tf-keras cells),
assigns the same values to every trainable variable (TF1 names and shapes must agree for that),
and compares outputs and final states.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import tfcompat.compat.v1 as tf1

B, T, F, H = 3, 4, 2, 5
RNG = np.random.RandomState(7)
X = RNG.normal(size=(B, T, F)).astype(np.float32)
LENS = np.array([4, 2, 3], dtype=np.int32)


def _case_lstm(tf, x, lens):
    return tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(H), x, sequence_length=lens, dtype=tf.float32)


def _case_lstm_no_tuple(tf, x, lens):
    return tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(H, forget_bias=0.5, state_is_tuple=False), x,
                             dtype=tf.float32)


def _case_basic_rnn_time_major(tf, x, lens):
    xt = tf.transpose(x, [1, 0, 2])
    return tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(H), xt, sequence_length=lens, time_major=True,
                             dtype=tf.float32)


def _case_gru_initial_state(tf, x, lens):
    init = tf.constant(np.full((B, H), 0.3, np.float32))
    return tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(H), x, initial_state=init, sequence_length=lens)


def _case_lstm_peephole_proj(tf, x, lens):
    cell = tf.nn.rnn_cell.LSTMCell(H, use_peepholes=True, num_proj=3, cell_clip=1.5)
    return tf.nn.dynamic_rnn(cell, x, sequence_length=lens, dtype=tf.float32)


def _case_multi(tf, x, lens):
    cells = [tf.nn.rnn_cell.BasicLSTMCell(H), tf.nn.rnn_cell.GRUCell(3)]
    return tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), x, sequence_length=lens, dtype=tf.float32)


def _case_dropout_keep1(tf, x, lens):
    cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(H), output_keep_prob=1.0)
    return tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)


def _case_bidirectional(tf, x, lens):
    return tf.nn.bidirectional_dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(H), tf.nn.rnn_cell.GRUCell(H), x,
                                           sequence_length=lens, dtype=tf.float32)


def _case_static(tf, x, lens):
    outs, state = tf.nn.static_rnn(tf.nn.rnn_cell.BasicLSTMCell(H), tf.unstack(x, axis=1), dtype=tf.float32,
                                   sequence_length=lens)
    return outs, state


CASES = {k[len("_case_"):]: v for k, v in dict(globals()).items() if k.startswith("_case_")}


def run_case(tf, build) -> tuple[list, list]:
    """Variable names and shapes, and every output/state value after assigning fixed weights."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, T, F])
        lens = tf.placeholder(tf.int32, [None])
        result = build(tf, x, lens)
        vs = tf.trainable_variables()
        names = [(v.name, v.get_shape().as_list()) for v in vs]
        with tf.Session() as sess:
            rng = np.random.RandomState(11)
            for v in vs:
                sess.run(v.assign(rng.uniform(-0.6, 0.6, size=v.get_shape().as_list()).astype(np.float32)))
            flat = tf.nest.flatten(result)
            values = sess.run(flat, {x: X, lens: LENS})
    return names, values


@pytest.mark.parametrize("case", sorted(CASES))
def test_rnn_matches_tensorflow(case: str, oracle, monkeypatch: pytest.MonkeyPatch) -> None:
    # NOTE: set for this test only: a leaked TF_USE_LEGACY_KERAS gives later subprocesses Keras 2
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", os.environ.get("TF_USE_LEGACY_KERAS", "1"))
    try:
        tf = oracle.compat.v1
        tf.nn.rnn_cell.BasicLSTMCell  # noqa: B018  (needs tf-keras)
    except (AttributeError, ImportError) as err:
        pytest.skip(f"TensorFlow's rnn_cell needs tf-keras (TF_USE_LEGACY_KERAS=1): {err}")
    want_names, want = run_case(tf, CASES[case])
    got_names, got = run_case(tf1, CASES[case])
    assert got_names == want_names
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_variable_names_and_shapes_without_tensorflow() -> None:
    names, values = run_case(tf1, _case_multi)
    assert names == [("rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0", [F + H, 4 * H]),
                     ("rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0", [4 * H]),
                     ("rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel:0", [H + 3, 6]),
                     ("rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias:0", [6]),
                     ("rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel:0", [H + 3, 3]),
                     ("rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias:0", [3])]
    outputs = values[0]
    assert outputs.shape == (B, T, 3)
    assert np.all(outputs[1, 2:] == 0) and np.all(outputs[2, 3:] == 0)   # zero past each length


def test_sequence_length_copies_state_through() -> None:
    """The final state is the state at each sequence's last valid step."""
    with tf1.Graph().as_default():
        x = tf1.constant(X)
        cell = tf1.nn.rnn_cell.BasicRNNCell(H)
        outs, state = tf1.nn.dynamic_rnn(cell, x, sequence_length=LENS, dtype=tf1.float32)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            o, s = sess.run([outs, state])
    for b, n in enumerate(LENS):
        np.testing.assert_allclose(s[b], o[b, n - 1], rtol=1e-6)


def test_second_cell_in_the_same_rnn_scope_is_refused_as_in_tensorflow() -> None:
    # NOTE: TF1 restarts default names on re-entering the "rnn" scope, so the second cell asks for
    # rnn/gru_cell again and TensorFlow 2.21 (tf_keras) raises this same error; a scope each works.
    with tf1.Graph().as_default():
        x = tf1.placeholder(tf1.float32, [None, T, F])
        c1, c2 = tf1.nn.rnn_cell.GRUCell(H), tf1.nn.rnn_cell.GRUCell(H)
        tf1.nn.dynamic_rnn(c1, x, dtype=tf1.float32)
        with pytest.raises(ValueError, match="rnn/gru_cell/gates/kernel already exists"):
            tf1.nn.dynamic_rnn(c2, x, dtype=tf1.float32)
        tf1.nn.dynamic_rnn(tf1.nn.rnn_cell.GRUCell(H), x, dtype=tf1.float32, scope="second")
        names = [v.name for v in tf1.global_variables()]
    assert names[0].startswith("rnn/gru_cell/") and names[4].startswith("second/gru_cell/") and len(names) == 8


def test_contrib_rnn_aliases_and_errors() -> None:
    assert tf1.contrib.rnn.BasicLSTMCell is tf1.nn.rnn_cell.BasicLSTMCell
    assert tf1.contrib.rnn.LSTMStateTuple is tf1.nn.rnn_cell.LSTMStateTuple
    with tf1.Graph().as_default():
        x = tf1.placeholder(tf1.float32, [None, T, F])
        with pytest.raises(ValueError, match="must give a dtype"):
            tf1.nn.dynamic_rnn(tf1.nn.rnn_cell.BasicRNNCell(H), x)
        outs, state = tf1.contrib.rnn.static_rnn(tf1.contrib.rnn.BasicRNNCell(H), tf1.unstack(x, axis=1),
                                                 dtype=tf1.float32)
        assert len(outs) == T and outs[0].get_shape().as_list() == [None, H]
