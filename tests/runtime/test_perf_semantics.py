"""Fast paths give the same numbers as the plain ops they replace.

Keras optimizers update with fused `ResourceApply*` ops when the variables are plain
resource variables; the result must be bit-identical to the unfused chain of ops.
"""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
from tfcompat._impl.keras import optimizers as K


def _train(make_opt, fused, monkeypatch, steps=5):
    if not fused:
        monkeypatch.setattr(K, "_fusable", lambda *vs: False)
    rng = np.random.default_rng(1)
    vs = [tf.Variable(rng.standard_normal((4, 3)).astype(np.float32)), tf.Variable(np.zeros(3, np.float32))]
    opt = make_opt()
    for _ in range(steps):
        opt.apply_gradients(zip([tf.constant(rng.standard_normal(v.shape.as_list()).astype(np.float32))
                                 for v in vs], vs))
    monkeypatch.undo()
    return [v.numpy() for v in vs] + [s.numpy() for s in opt.variables]


@pytest.mark.parametrize("make_opt", [
    lambda: tf.keras.optimizers.Adam(0.01),
    lambda: tf.keras.optimizers.Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-4),
    lambda: tf.keras.optimizers.SGD(0.1),
    lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9),
    lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
], ids=["adam", "adam-hparams", "sgd", "sgd-momentum", "sgd-nesterov"])
def test_keras_fused_update_is_bit_identical(make_opt, monkeypatch):
    fused, plain = _train(make_opt, True, monkeypatch), _train(make_opt, False, monkeypatch)
    for a, b in zip(fused, plain):
        np.testing.assert_array_equal(a, b)


def test_keras_adam_in_function_matches_eager():
    rng = np.random.default_rng(2)
    init = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(4)]
    out = []
    for traced in (False, True):
        v = tf.Variable(init)
        opt = tf.keras.optimizers.Adam(0.01)
        opt.build([v])

        def step(g):
            opt.apply_gradients([(g, v)])
        step = tf.function(step) if traced else step
        for g in grads:
            step(tf.constant(g))
        out.append(v.numpy())
    np.testing.assert_array_equal(out[0], out[1])


@pytest.mark.parametrize("n", [(1 << 20) + 12345, (1 << 21) + 1])
def test_threaded_fused_elementwise_matches_numpy(n):
    """Big fused groups split their chunks across threads: every element is computed once, exactly."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal(n).astype(np.float32)
    f = tf.function(lambda x, a, b: tf.nn.relu(x * a + b) - x)
    got = f(tf.constant(x), tf.constant(np.float32(1.5)), tf.constant(np.float32(0.25))).numpy()
    np.testing.assert_array_equal(got, np.maximum(x * np.float32(1.5) + np.float32(0.25), 0) - x)
