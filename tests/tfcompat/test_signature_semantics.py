"""Behaviour behind the TF 2.21 signatures fixed for parity (values checked against TF 2.21 by hand)."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import tfcompat as tf


def test_variance_scaling_fans_from_input_and_output_axes():
    # shape (3, 4, 5): axes [0] in, [1, 2] out -> fan_avg = (3 + 20) / 2; uniform limit sqrt(3 * scale / fan)
    init = tf.keras.initializers.GlorotUniform(seed=1, input_axes=[0], output_axes=[1, 2])
    w = np.asarray(init((3, 4, 5)))
    limit = np.sqrt(3.0 / 11.5)
    assert np.abs(w).max() <= limit + 1e-6 and np.abs(w).max() > np.sqrt(6.0 / (3 * 20 + 5 * 12))
    assert init.get_config() == {"seed": 1, "input_axes": [0], "output_axes": [1, 2]}
    assert tf.keras.initializers.VarianceScaling().get_config()["input_axes"] is None


def test_op_error_takes_error_code_and_subclasses_fix_it():
    e = tf.errors.OpError(None, None, "msg", tf.errors.INVALID_ARGUMENT)
    assert (e.error_code, e.message, str(e)) == (3, "msg", "msg")
    sub = tf.errors.NotFoundError(None, None, "gone")
    assert sub.error_code == tf.errors.NOT_FOUND
    again = pickle.loads(pickle.dumps(sub))
    assert type(again) is tf.errors.NotFoundError and again.message == "gone"
    with pytest.raises(TypeError):
        tf.errors.OpError(None, None, "no code")


def test_variable_synchronization_and_aggregation_enums():
    v = tf.Variable(1.0)
    assert v.synchronization is tf.VariableSynchronization.AUTO and v.aggregation is tf.VariableAggregation.NONE
    on_read = tf.Variable(1.0, synchronization=tf.VariableSynchronization.ON_READ)
    assert not on_read.trainable  # TF: ON_READ variables default to trainable=False
    with pytest.raises(ValueError, match="Invalid variable aggregation mode: sum"):
        tf.Variable(1.0, aggregation="sum")


def test_custom_gradient_called_without_f_is_a_decorator():
    @tf.custom_gradient()
    def double(x):
        return 2 * x, lambda dy: 3 * dy

    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = double(x)
    assert float(tape.gradient(y, x)) == 3.0


def test_callback_list_passes_keyword_params():
    seen = {}

    class Probe(tf.keras.callbacks.Callback):
        def set_params(self, params):
            seen.update(params)

    tf.keras.callbacks.CallbackList([Probe()], epochs=2, verbose=0)
    assert seen == {"epochs": 2, "verbose": 0}
