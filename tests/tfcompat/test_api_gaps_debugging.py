"""tf.debugging asserts, check_numerics and tf.Assert: TF's messages eagerly, stateful ops in functions."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf

FAILING = [
    lambda m: m.debugging.assert_equal([1, 2, 3, 4, 5, 6], [1, 3, 4, 4, 5, 7]),
    lambda m: m.debugging.assert_greater([[1.5, 2.0]], [[2.0, 1.0]]),
    lambda m: m.debugging.assert_less(3, 2, message="msg"),
    lambda m: m.debugging.assert_rank(m.ones([2]), 2, message="m"),
    lambda m: m.debugging.assert_shapes([(m.ones([2, 3]), ("N", "D")), (m.ones([3]), ("N",))]),
]


@pytest.mark.parametrize("i", range(len(FAILING)))
def test_messages_match_tensorflow(oracle, i):
    def err(mod):
        with pytest.raises(Exception) as e:
            FAILING[i](mod)
        return type(e.value).__name__, str(e.value)
    assert err(tf) == err(oracle)


def test_passing_asserts_return_none():
    assert tf.debugging.assert_equal([1, 2], [1, 2]) is None
    assert tf.debugging.assert_near([1.0], [1.0 + 1e-7]) is None
    assert tf.Assert(True, ["x"]) is None


def test_check_numerics_and_all_finite():
    x = tf.constant([1.0, np.nan])
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad : Tensor had NaN values"):
        tf.debugging.check_numerics(x, "bad")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor had Inf values"):
        tf.debugging.assert_all_finite(tf.constant([np.inf]), "oops")
    assert tf.debugging.check_numerics(tf.constant([1.0]), "ok").numpy().tolist() == [1.0]


def test_asserts_run_inside_functions():
    @tf.function
    def f(x):
        tf.debugging.assert_equal(x, 1.0)
        tf.Assert(x > 0, [x])
        return x + 1
    assert float(f(tf.constant(1.0))) == 2.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y did not hold"):
        f(tf.constant(0.0))
