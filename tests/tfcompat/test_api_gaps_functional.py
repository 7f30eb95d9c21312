"""map_fn/scan/foldl/foldr/vectorized_map: eager, unrolled in functions, and While loops; values and gradients."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
from tfcompat._impl import functional_ops

X = np.array([1.0, 2.0, 3.0, 4.0], np.float32)


def _program(mod):
    x = mod.constant(X)
    with mod.GradientTape() as t:
        t.watch(x)
        outs = [mod.map_fn(lambda v: v * v * v, x), mod.scan(lambda a, v: a * v, x),
                mod.scan(lambda a, v: a + v, x, reverse=True), mod.foldl(lambda a, v: a - v, x, initializer=1.0),
                mod.foldr(lambda a, v: a * 2.0 + v, x), mod.vectorized_map(lambda v: v + 1.0, x)]
        total = mod.add_n([mod.reduce_sum(o) for o in outs])
    return [o.numpy() for o in outs] + [t.gradient(total, x).numpy()]


def test_eager_matches_tensorflow(oracle):
    for a, b in zip(_program(tf), _program(oracle)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("unroll", [256, 0], ids=["unrolled", "while"])
def test_in_function_matches_eager(monkeypatch, unroll):
    monkeypatch.setattr(functional_ops, "_UNROLL", unroll)
    want = _program(tf)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        with tf.GradientTape() as t:
            t.watch(x)
            outs = [tf.map_fn(lambda v: v * v * v, x), tf.scan(lambda a, v: a * v, x),
                    tf.scan(lambda a, v: a + v, x, reverse=True), tf.foldl(lambda a, v: a - v, x, initializer=1.0),
                    tf.foldr(lambda a, v: a * 2.0 + v, x), tf.vectorized_map(lambda v: v + 1.0, x)]
            total = tf.add_n([tf.reduce_sum(o) for o in outs])
        return outs + [t.gradient(total, x)]
    for a, b in zip([o.numpy() for o in f(tf.constant(X))], want):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_nested_elems_and_output_signature(oracle):
    for mod in (tf, oracle):
        a = mod.constant([1, 2, 3])
        s, d = mod.map_fn(lambda t: (t[0] + t[1], t[0] * t[1]), (a, a))
        assert s.numpy().tolist() == [2, 4, 6] and d.numpy().tolist() == [1, 4, 9]
        c = mod.map_fn(lambda v: mod.cast(v, mod.float32) / 2, a, fn_output_signature=mod.float32)
        assert c.dtype == mod.float32 and c.numpy().tolist() == [0.5, 1.0, 1.5]


def test_scalar_elems_rejected():
    with pytest.raises(ValueError, match="1\\+ dimensional"):
        tf.map_fn(lambda v: v, tf.constant(1.0))
