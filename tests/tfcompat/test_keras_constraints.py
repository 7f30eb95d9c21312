"""Keras optimizers project a constrained variable after each update, as Keras 3 does."""
from __future__ import annotations

import numpy as np

import tfcompat as tf


def _train_one_step(t, constraint):
    layer = t.keras.layers.Dense(2, kernel_constraint=constraint)
    layer.build((None, 2))
    layer.kernel.assign(np.array([[0.5, -0.25], [1.0, 0.1]], np.float32))
    x = t.constant([[1.0, -2.0]])
    with t.GradientTape() as tape:
        loss = t.reduce_sum(layer(x))
    grads = tape.gradient(loss, layer.trainable_variables)
    t.keras.optimizers.SGD(0.3).apply_gradients(zip(grads, layer.trainable_variables))
    return layer.kernel.numpy()


def test_constraint_is_applied_after_the_update() -> None:
    kernel = _train_one_step(tf, lambda w: tf.maximum(w, 0.0))
    np.testing.assert_allclose(kernel, [[0.2, 0.0], [1.6, 0.7]], rtol=1e-6)


def test_rnn_cell_constraints_are_kept_on_the_weights() -> None:
    cell = tf.keras.layers.SimpleRNNCell(2, kernel_constraint=lambda w: w, recurrent_constraint=lambda w: w)
    cell.build((None, 3))
    assert cell.kernel.constraint is not None and cell.recurrent_kernel.constraint is not None


def test_matches_tensorflow(oracle) -> None:
    ours = _train_one_step(tf, lambda w: tf.maximum(w, 0.0))
    theirs = _train_one_step(oracle, lambda w: oracle.maximum(w, 0.0))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_constraint_classes_match_tensorflow(oracle) -> None:
    w = np.array([[3.0, -1.0], [4.0, 0.5]], np.float32)
    for name, args in [("MaxNorm", (2.0,)), ("NonNeg", ()), ("UnitNorm", ()), ("MinMaxNorm", (0.5, 1.0, 0.5))]:
        ours = getattr(tf.keras.constraints, name)(*args)(tf.constant(w))
        theirs = getattr(oracle.keras.constraints, name)(*args)(oracle.constant(w))
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6, err_msg=name)
    assert tf.keras.constraints.get("non_neg").__class__ is tf.keras.constraints.NonNeg
