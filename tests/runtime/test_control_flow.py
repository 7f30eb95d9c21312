"""cond / while_loop / case / switch_case / TensorArray: eager == traced, gradients included."""
from __future__ import annotations

import numpy as np

import tfcompat as tf


def _both(fn, *args):
    return fn(*args), tf.function(fn)(*args)


def test_collatz_while_loop():
    def steps(n):
        return tf.while_loop(lambda n, s: n != 1,
                             lambda n, s: (tf.cond(n % 2 == 0, lambda: n // 2, lambda: 3 * n + 1), s + 1),
                             [n, tf.constant(0)])[1]
    eager, traced = _both(steps, tf.constant(27))
    assert int(eager) == int(traced) == 111


def test_while_gradient_and_maximum_iterations():
    def power(x):
        return tf.while_loop(lambda i, y: i < 10, lambda i, y: (i + 1, y * x), [0, tf.constant(1.0)],
                             maximum_iterations=3)[1]
    x = tf.constant(2.0)
    for fn in (power, tf.function(power)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        assert float(y) == 8.0 and float(tape.gradient(y, x)) == 12.0


def test_cond_gradient_in_function():
    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.cond(x > 1.0, lambda: x * x, lambda: -x)
        return tape.gradient(y, x)
    assert float(f(tf.constant(3.0))) == 6.0 and float(f(tf.constant(0.5))) == -1.0


def test_case_and_switch_case():
    def pick(i):
        return tf.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(20)])

    def sign(x):
        return tf.case([(x < 0, lambda: tf.constant(-1)), (x > 0, lambda: tf.constant(1))],
                       default=lambda: tf.constant(0))
    assert [int(v) for v in _both(pick, tf.constant(1))] == [20, 20]
    assert [int(v) for v in _both(pick, tf.constant(7))] == [20, 20]  # out of range: last branch
    assert [int(v) for v in _both(sign, tf.constant(-3.0))] == [-1, -1]


def test_dynamic_rnn_tensor_array_gradients():
    w = tf.Variable(np.full((2, 3), 0.1, np.float32))
    seq = tf.constant(np.random.default_rng(0).standard_normal((4, 2, 2)).astype(np.float32))

    def rnn(inp):
        ta = tf.TensorArray(tf.float32, size=inp.shape[0])

        def body(i, state, ta):
            state = tf.tanh(tf.matmul(inp[i], w) + state)
            return i + 1, state, ta.write(i, state)
        _, _, ta = tf.while_loop(lambda i, s, ta: i < inp.shape[0], body, [0, tf.zeros([2, 3]), ta])
        return tf.reduce_sum(ta.stack() * ta.stack())
    results = []
    for fn in (rnn, tf.function(rnn)):
        with tf.GradientTape() as tape:
            y = fn(seq)
        results.append((float(y), tape.gradient(y, w).numpy()))
    assert abs(results[0][0] - results[1][0]) < 1e-5
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-6)


def test_tensor_array_methods_eager_and_traced():
    def use(x):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True).unstack(x)
        ta2 = tf.TensorArray(tf.float32, size=3).scatter([0, 2], x[:2])
        return ta.read(1), ta.gather([2, 0]), ta.size(), ta.concat(), ta2.stack()
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
    eager, traced = _both(use, x)
    for a, b in zip(eager, traced):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
