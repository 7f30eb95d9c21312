"""TF2 tf.name_scope / tf.init_scope and the top-level (init_ops_v2) initializers vs TensorFlow."""
from __future__ import annotations

import tfcompat as tf


def test_name_scope_names_like_tensorflow(oracle):
    def run(mod):
        seen = []
        with mod.name_scope("foo") as s:
            seen += [s, mod.Variable(1.0, name="v").name]
            with mod.name_scope("bar") as s2:
                seen.append(s2)
        with mod.name_scope("foo") as s:
            seen.append(s)

        @mod.function
        def f():
            with mod.name_scope("a") as s:
                y = mod.constant(1.0) + 1
                seen.extend([s, y.name])
            with mod.name_scope("a") as s:
                seen.append(s)
            with mod.init_scope():
                seen.append(mod.executing_eagerly())
            return y
        f()
        return seen
    assert run(tf) == run(oracle)


def test_initializers_are_v2_classes(oracle):
    assert tf.constant_initializer is not tf.keras.initializers.Constant
    for mod in (tf, oracle):
        assert mod.constant_initializer([1, 2, 3, 4])([2, 2]).numpy().tolist() == [[1, 2], [3, 4]]
        assert mod.constant_initializer(2)([2]).dtype == mod.int32
        assert mod.zeros_initializer()([2]).dtype == mod.float32
        assert mod.ones_initializer()([2], mod.int32).numpy().tolist() == [1, 1]
        assert mod.random_normal_initializer().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    x = tf.random_uniform_initializer(-1.0, 1.0, seed=3)([1000]).numpy()
    assert -1.0 <= x.min() and x.max() < 1.0 and abs(x.mean()) < 0.1
    y = tf.random_normal_initializer(1.0, 0.5, seed=3)([2000]).numpy()
    assert abs(y.mean() - 1.0) < 0.05 and abs(y.std() - 0.5) < 0.05
