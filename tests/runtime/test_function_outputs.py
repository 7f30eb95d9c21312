"""A tf.function returns its outputs' structure as traced, also when one tensor sits in a structure:
(t, {}) stays a pair, [t] a list, {"a": t} a dict (a bare tensor only when the function returned one)."""
from __future__ import annotations

import pytest

import tfcompat as tf

CASES = {
    "pair_with_empty_dict": (lambda x: (x * 2, {}), lambda out: isinstance(out, tuple) and out[1] == {}),
    "pair_with_empty_tuple": (lambda x: (x * 2, ()), lambda out: isinstance(out, tuple) and out[1] == ()),
    "one_item_list": (lambda x: [x * 2], lambda out: isinstance(out, list) and len(out) == 1),
    "one_key_dict": (lambda x: {"a": x * 2}, lambda out: isinstance(out, dict) and list(out) == ["a"]),
    "bare_tensor": (lambda x: x * 2, lambda out: hasattr(out, "numpy")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_structure_of_one_output(name):
    fn, check = CASES[name]
    out = tf.function(fn, autograph=False)(tf.constant(1.5))
    assert check(out), out
    assert float(tf.nest.flatten(out)[0]) == 3.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_structure_matches_tensorflow(oracle, name):
    fn, check = CASES[name]
    assert check(oracle.function(fn, autograph=False)(oracle.constant(1.5)))


def test_gradient_through_function_with_one_output_in_a_structure():
    x = tf.Variable(2.0)

    @tf.function
    def f():
        return [x * x]
    with tf.GradientTape() as tape:
        (y,) = f()
    assert float(tape.gradient(y, x)) == 4.0
