"""Keras 3 optimizers and schedules: same numbers as TensorFlow for a few steps; bench workload W6."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf


OPTIMIZERS = {
    "sgd": lambda k: k.optimizers.SGD(0.1),
    "sgd_momentum": lambda k: k.optimizers.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda k: k.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda k: k.optimizers.Adam(0.01),
    "adam_amsgrad": lambda k: k.optimizers.Adam(0.01, amsgrad=True),
    "rmsprop": lambda k: k.optimizers.RMSprop(0.01),
    "rmsprop_centered_momentum": lambda k: k.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adagrad": lambda k: k.optimizers.Adagrad(0.1),
    "adadelta": lambda k: k.optimizers.Adadelta(1.0),
    "ftrl": lambda k: k.optimizers.Ftrl(0.2),
    "ftrl_regularized": lambda k: k.optimizers.Ftrl(0.1, learning_rate_power=-0.7, initial_accumulator_value=0.3,
                                                    l1_regularization_strength=0.01, l2_regularization_strength=0.02,
                                                    l2_shrinkage_regularization_strength=0.01, beta=0.1),
    "adam_expdecay": lambda k: k.optimizers.Adam(k.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5)),
    "sgd_piecewise": lambda k: k.optimizers.SGD(k.optimizers.schedules.PiecewiseConstantDecay([1, 3], [0.1, 0.05, 0.01])),
    "sgd_poly": lambda k: k.optimizers.SGD(k.optimizers.schedules.PolynomialDecay(0.1, 3, 0.01, power=2.0)),
    "sgd_invtime": lambda k: k.optimizers.SGD(k.optimizers.schedules.InverseTimeDecay(0.1, 1, 0.5)),
    "sgd_cosine": lambda k: k.optimizers.SGD(k.optimizers.schedules.CosineDecay(0.1, 4, alpha=0.1)),
}


def _run(t, make, steps=5):
    rng = np.random.RandomState(3)
    w0, x = rng.randn(3, 2).astype(np.float32), rng.randn(4, 3).astype(np.float32)
    w, b = t.Variable(w0), t.Variable(np.zeros(2, np.float32))
    opt = make(t.keras)
    for _ in range(steps):
        with t.GradientTape() as tape:
            loss = t.reduce_mean(t.square(t.matmul(x, w) + b - 1.0))
        opt.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
    return w.numpy(), b.numpy(), int(opt.iterations.numpy())


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_matches_tensorflow(oracle, name):
    ours, theirs = _run(tf, OPTIMIZERS[name]), _run(oracle, OPTIMIZERS[name])
    np.testing.assert_allclose(ours[0], theirs[0], rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=2e-5, atol=1e-6)
    assert ours[2] == theirs[2] == 5


def test_slots_created_on_first_apply_and_build():
    v = tf.Variable([1.0, 2.0])
    opt = tf.keras.optimizers.Adam()
    assert [x.name for x in opt.variables] == ["iteration", "learning_rate"]
    opt.apply_gradients([(tf.constant([0.1, 0.1]), v)])
    assert len(opt.variables) == 4 and int(opt.iterations.numpy()) == 1
    other = tf.keras.optimizers.SGD(momentum=0.9)
    other.build([v])
    assert len(other.variables) == 3
    with pytest.raises(KeyError, match="cannot recognize variable"):
        other.apply_gradients([(tf.constant(1.0), tf.Variable(1.0))])


def test_learning_rate_setter_minimize_and_schedule_values():
    v = tf.Variable(2.0)
    opt = tf.keras.optimizers.SGD(learning_rate=0.5)
    opt.learning_rate = 0.25
    opt.minimize(lambda: v * v, [v])
    assert float(v.numpy()) == pytest.approx(1.0)
    s = tf.keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    assert float(s(5)) == pytest.approx(0.1 * 0.5 ** 0.5, rel=1e-6)
    assert float(tf.keras.optimizers.SGD(s).learning_rate) == pytest.approx(0.1)


def _mlp_data(sizes=(784, 128, 128, 10), batch=64, batches=3):
    """Seeded inputs, labels and glorot-uniform parameters [W1, b1, W2, b2, W3, b3] (bench workload W6's shape)."""
    rng = np.random.RandomState(2)
    xs = rng.normal(size=(batches, batch, sizes[0])).astype(np.float32)
    ys = rng.randint(0, sizes[-1], size=(batches, batch)).astype(np.int32)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        lim = np.sqrt(6.0 / (fan_in + fan_out))
        params += [rng.uniform(-lim, lim, (fan_in, fan_out)).astype(np.float32), np.zeros(fan_out, np.float32)]
    return xs, ys, params


def _w6_adam(t, steps=5):
    xs, ys, params0 = _mlp_data()
    vs = [t.Variable(p) for p in params0]
    opt = t.keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    opt.build(vs)
    losses = []
    for i in range(steps):
        x, y = t.constant(xs[i % len(xs)]), t.constant(ys[i % len(ys)])
        with t.GradientTape() as tape:
            h = t.nn.relu(t.matmul(x, vs[0]) + vs[1])
            h = t.nn.relu(t.matmul(h, vs[2]) + vs[3])
            logits = t.matmul(h, vs[4]) + vs[5]
            loss = t.reduce_mean(t.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        opt.apply_gradients(zip(tape.gradient(loss, vs), vs))
        losses.append(float(loss))
    return losses, vs[4].numpy()


def test_w6_mlp_adam_matches_tensorflow(oracle):
    ours, theirs = _w6_adam(tf), _w6_adam(oracle)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-4)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-3, atol=1e-5)


# Recorded from TensorFlow 2.21 (Keras 3): _run(tf, OPTIMIZERS[name]) after 5 steps, rounded to 6 decimals
FTRL_RECORDED = {
    "ftrl": ([[0.652203, 0.814861], [-0.275084, -1.047627], [-0.176667, -0.221679]], [0.525378, 0.519982]),
    "ftrl_regularized": ([[0.501309, 0.472888], [-0.086656, -1.327508], [-0.100617, -0.120294]],
                         [0.224754, 0.233476]),
}


@pytest.mark.parametrize("name", sorted(FTRL_RECORDED))
def test_ftrl_matches_recorded_tensorflow_numbers(name):
    w, b, steps = _run(tf, OPTIMIZERS[name])
    np.testing.assert_allclose(w, FTRL_RECORDED[name][0], atol=2e-6)
    np.testing.assert_allclose(b, FTRL_RECORDED[name][1], atol=2e-6)
    assert steps == 5


def test_ftrl_slots_and_argument_errors():
    v = tf.Variable([1.0, 2.0])
    opt = tf.keras.optimizers.Ftrl(0.1, initial_accumulator_value=0.5)
    opt.build([v])
    assert [x.name.split("_")[-1] for x in opt.variables[2:]] == ["accumulator", "linear"]
    np.testing.assert_allclose(opt.variables[2].numpy(), [0.5, 0.5])
    assert isinstance(tf.keras.optimizers.get("ftrl"), tf.keras.optimizers.Ftrl)
    with pytest.raises(ValueError, match=r"`learning_rate_power` needs to be negative or zero. "
                                         r"Received: learning_rate_power=0.5."):
        tf.keras.optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="`l1_regularization_strength` needs to be positive or zero"):
        tf.keras.optimizers.Ftrl(l1_regularization_strength=-1.0)
