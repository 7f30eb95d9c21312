"""tf.py_function / tf.numpy_function (eager and in graphs), tf.timestamp, TF2 tf.gradients."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf


def test_eager_calls_now():
    seen = []
    out = tf.py_function(lambda x: seen.append(type(x).__name__) or x * 2, [tf.constant([1.0, 2.0])], Tout=tf.float32)
    assert out.numpy().tolist() == [2.0, 4.0] and seen == ["Tensor"]
    out = tf.numpy_function(lambda a: np.sort(a), [tf.constant([3, 1, 2])], Tout=tf.int32)
    assert out.numpy().tolist() == [1, 2, 3]


def test_in_function_python_runs_each_call():
    calls = []

    def body(t):
        calls.append(np.asarray(t).item())
        return t + 1, tf.cast(t * 10, tf.int64)

    @tf.function
    def g(x):
        a, b = tf.py_function(body, [x], Tout=[tf.float32, tf.int64])
        return a * 2, b
    for v in (1.5, 2.0):
        a, b = g(tf.constant(v))
        assert a.numpy() == (v + 1) * 2 and b.dtype == tf.int64
    assert calls == [1.5, 2.0]


def test_dtype_mismatch_is_an_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tout expects int64"):
        tf.py_function(lambda t: t, [tf.constant(1.0)], Tout=tf.int64)


def test_timestamp_and_gradients(oracle):
    assert tf.timestamp().dtype == tf.float64 and float(tf.timestamp()) > 1e9

    def grads(mod):
        @mod.function
        def h(x):
            return mod.gradients(x * x * x, x)[0]
        return h(mod.constant(3.0)).numpy()
    assert grads(tf) == grads(oracle) == 27.0
    assert tf.gradients is not tf.compat.v1.gradients  # NOTE: as in TF (gradients_v2 has no colocate argument)
    with pytest.raises(RuntimeError, match="Use tf.GradientTape"):
        tf.gradients(tf.constant(1.0), tf.constant(1.0))
