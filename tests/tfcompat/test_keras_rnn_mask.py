"""Keras RNN layers with a mask, stacked cells, and a time axis unknown while tracing.

A NumPy LSTM is the reference: a masked step keeps the previous state and outputs zeros
(zero_output_for_mask=True, TF1 dynamic_rnn's rule) or the previous output (Keras's default).
"""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf

RNG = np.random.RandomState(0)
X = RNG.normal(size=(3, 5, 2)).astype(np.float32)
LENGTHS = np.array([5, 2, 0], np.int32)
MASK = np.arange(5)[None, :] < LENGTHS[:, None]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _numpy_lstm(x: np.ndarray, mask: np.ndarray, kernel, recurrent, bias, zero_output: bool) -> tuple:
    units = recurrent.shape[0]
    h, c = np.zeros((x.shape[0], units), np.float32), np.zeros((x.shape[0], units), np.float32)
    out, outputs = np.zeros_like(h), []
    for step in range(x.shape[1]):
        z = x[:, step] @ kernel + h @ recurrent + bias
        i, f, g, o = np.split(z, 4, axis=-1)
        new_c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        new_h = _sigmoid(o) * np.tanh(new_c)
        keep = mask[:, step:step + 1]
        h, c = np.where(keep, new_h, h), np.where(keep, new_c, c)
        out = np.where(keep, new_h, 0.0 if zero_output else out)
        outputs.append(out)
    return np.stack(outputs, 1), h, c


def _lstm(zero_output: bool) -> tf.keras.layers.LSTM:
    layer = tf.keras.layers.LSTM(3, return_sequences=True, return_state=True, zero_output_for_mask=zero_output)
    layer(X)   # build, then weights that are not symmetric
    for w in layer.trainable_variables:
        w.assign(RNG.uniform(-0.6, 0.6, size=w.shape).astype(np.float32))
    return layer


@pytest.mark.parametrize("zero_output", [True, False])
def test_masked_lstm_matches_numpy(zero_output: bool) -> None:
    layer = _lstm(zero_output)
    outputs, h, c = layer(X, mask=tf.sequence_mask(LENGTHS, 5))
    ref_out, ref_h, ref_c = _numpy_lstm(X, MASK, *[w.numpy() for w in layer.trainable_variables], zero_output)
    np.testing.assert_allclose(outputs.numpy(), ref_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.numpy(), ref_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.numpy(), ref_c, rtol=1e-5, atol=1e-6)
    assert not outputs.numpy()[2].any(), "a sequence of length 0 keeps the zero state"


def test_stacked_cells_return_one_state_list_per_cell() -> None:
    first, second = tf.keras.layers.LSTMCell(4), tf.keras.layers.GRUCell(3, reset_after=False)
    stacked = tf.keras.layers.RNN([first, second], return_sequences=True, return_state=True, zero_output_for_mask=True)
    outputs, lstm_state, gru_state = stacked(X, mask=MASK)
    assert [len(lstm_state), len(gru_state)] == [2, 1] and outputs.shape == (3, 5, 3)
    assert len(stacked.trainable_variables) == 6
    # NOTE: the same cells as two layers, one after the other: stacking is composition at each step
    seq, h1, c1 = tf.keras.layers.RNN(first, return_sequences=True, return_state=True, zero_output_for_mask=True)(X, mask=MASK)
    out2, h2 = tf.keras.layers.RNN(second, return_sequences=True, return_state=True, zero_output_for_mask=True)(seq, mask=MASK)
    for got, want in ((outputs, out2), (lstm_state[0], h1), (lstm_state[1], c1), (gru_state[0], h2)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)


def test_unknown_time_axis_runs_a_loop_with_the_same_values_and_gradients() -> None:
    layer = _lstm(True)

    def loss(x, lengths):
        outputs, h, c = layer(x, mask=tf.sequence_mask(lengths, tf.shape(x)[1]))
        return tf.reduce_sum(outputs) + tf.reduce_sum(h * c)

    def grads(x, lengths):
        with tf.GradientTape() as tape:
            value = loss(x, lengths)
        return [value] + tape.gradient(value, layer.trainable_variables)

    traced = tf.function(grads, input_signature=[tf.TensorSpec([None, None, 2], tf.float32),
                                                 tf.TensorSpec([None], tf.int32)])
    for steps in (5, 3):
        eager, graph = grads(X[:, :steps], np.minimum(LENGTHS, steps)), traced(X[:, :steps], np.minimum(LENGTHS, steps))
        for e, g in zip(eager, graph):
            np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-5, atol=1e-6)


def test_unknown_time_axis_keeps_the_sequence_output_static_shape() -> None:
    """A Dense layer after the loop builds from the output's last axis, as on TensorFlow."""
    stacked = tf.keras.layers.RNN([tf.keras.layers.GRUCell(4), tf.keras.layers.GRUCell(3)], return_sequences=True)
    dense = tf.keras.layers.Dense(2)
    shapes = []

    @tf.function(input_signature=[tf.TensorSpec([None, None, 2], tf.float32)])
    def run(x):
        outputs = stacked(x)
        shapes.append(outputs.shape.as_list())
        return dense(outputs)

    assert run(X).shape == (3, 5, 2)
    assert shapes == [[None, None, 3]]
