"""tf.function: retracing as TensorFlow, variables, program order, gradients through calls, eager == traced."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
from runtime.function import function


def test_polymorphic_traces_like_tensorflow(oracle):
    def counts(mod, fn):
        traces = []

        @fn
        def f(x):
            traces.append(1)
            return mod.add(x, 1.0)
        for v in (1.0, [1.0, 1.0], [[3.0]], 5.0):
            f(mod.constant(v))
        return len(traces), f.experimental_get_tracing_count()
    assert counts(tf, tf.function) == counts(oracle, oracle.function) == (3, 3)


def test_train_step_matches_eager():
    x = tf.constant(np.linspace(0, 1, 16, dtype=np.float32))
    y = 0.5 * x + 0.25

    def run(wrap):
        m, b = tf.Variable(0.0), tf.Variable(0.0)

        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(m * x + b - y))
            gm, gb = tape.gradient(loss, [m, b])
            m.assign_sub(0.5 * gm)
            b.assign_sub(0.5 * gb)
            return loss
        step = wrap(step)
        losses = [float(step()) for _ in range(10)]
        return losses + [float(m.numpy()), float(b.numpy())]
    np.testing.assert_allclose(run(lambda f: f), run(tf.function), rtol=1e-5)


def test_assign_order_and_python_side_effects(capsys):
    v = tf.Variable(1.0)
    seen = []

    @tf.function
    def f():
        seen.append(1)
        v.assign(v * 2.0)
        a = v.read_value()
        v.assign_add(1.0)
        return a, v.read_value()
    assert [float(t) for t in f()] == [2.0, 3.0]
    assert [float(t) for t in f()] == [6.0, 7.0] and seen == [1]


def test_variable_creation_only_on_first_call():
    @tf.function
    def f(x):
        return x + tf.Variable(1.0)
    with pytest.raises(ValueError, match="singleton tf.Variables created on the first call"):
        f(tf.constant(1.0))

    class Lazy:
        v = None

        @function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(2.0)
            return x * self.v
    a, b = Lazy(), Lazy()
    assert float(a(tf.constant(3.0))) == 6.0 and float(b(tf.constant(1.0))) == 2.0  # per-instance caches


def test_gradient_through_call_and_nested_functions():
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def inner(x):
        return w * x * x

    @tf.function
    def outer(x):
        return tf.reduce_sum(inner(x))
    x = tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = outer(x)
    gx, gw = tape.gradient(y, [x, w])
    assert float(y) == 41.0 and gx.numpy().tolist() == [6.0, 16.0] and gw.numpy().tolist() == [9.0, 16.0]


def test_input_signature_and_reduce_retracing():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return x * 2
    for n in (1, 2, 3):
        f(tf.constant(np.ones(n, np.float32)))
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match="input_signature"):
        f(tf.constant([[1.0]]))
    g = tf.function(lambda x: x + 1, reduce_retracing=True)
    for n in (1, 2, 3, 4):
        g(tf.constant(np.ones(n, np.float32)))
    assert g.experimental_get_tracing_count() == 2


def test_print_every_call_and_run_eagerly(capsys):
    import sys

    @tf.function
    def f(x):
        tf.print("x:", x, output_stream=sys.stdout)
        return x
    f(tf.constant([1, 2]))
    f(tf.constant([3, 4]))
    assert capsys.readouterr().out == "x: [1 2]\nx: [3 4]\n"
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.config.functions_run_eagerly() and f(tf.constant(1.0)).numpy() == 1.0
    finally:
        tf.config.run_functions_eagerly(False)


def test_concrete_function_output_shapes_are_the_static_shapes(oracle):
    """Native upgrades print TF1's static shapes by tracing: get_concrete_function(spec).output_shapes."""
    def shapes(mod):
        w = mod.Variable(np.ones((3, 2), np.float32))
        def f(x):
            return {"h": mod.matmul(x, w), "n": mod.reshape(x, [-1])}
        cf = mod.function(f).get_concrete_function(mod.TensorSpec([None, 3], mod.float32))
        return {k: v.as_list() for k, v in cf.output_shapes.items()}, cf.output_dtypes["h"].name
    assert shapes(tf) == shapes(oracle) == ({"h": [None, 2], "n": [None]}, "float32")
