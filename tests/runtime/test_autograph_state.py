"""Attribute and item targets (`self.total = ...`, `self.d['k'] = ...`) carried through staged `if` and loops, as TF does."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat


def make(tf):
    """A small stateful object whose methods assign attributes inside tensor-dependent control flow."""
    class Accumulator:
        def __init__(self) -> None:
            self.total = tf.constant(0.0)
            self.stats = {"scale": tf.constant(1.0)}

        def add_positive(self, xs):
            for x in xs:
                if x > 0.0:
                    self.total = self.total + x
                    self.stats["scale"] = self.stats["scale"] * 2.0
            return self.total, self.stats["scale"]

        def count_down(self, n):
            self.steps = tf.constant(0)
            while n > 0:
                n -= 1
                self.steps += 1
            return self.steps

        def clip(self, x):
            if x > 1.0:
                self.total = self.total + 1.0
            else:
                self.total = self.total + x
            return self.total
    return Accumulator


CASES = [("add_positive", np.array([1.0, -2.0, 3.0], np.float32)), ("count_down", np.int32(4)),
         ("clip", np.float32(5.0)), ("clip", np.float32(0.25))]


def _run(tf, method, arg, traced):
    obj = make(tf)()
    fn = getattr(obj, method)
    out = (tf.function(fn) if traced else fn)(tf.constant(arg))
    return [np.asarray(o) for o in (out if isinstance(out, tuple) else (out,))]


@pytest.mark.parametrize("method, arg", CASES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CASES)])
def test_attribute_state_traced_equals_eager(method, arg) -> None:
    for a, b in zip(_run(tfcompat, method, arg, True), _run(tfcompat, method, arg, False)):
        np.testing.assert_allclose(a, b)


@pytest.mark.oracle
@pytest.mark.parametrize("method, arg", CASES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CASES)])
def test_attribute_state_traced_equals_tensorflow(oracle, method, arg) -> None:
    for a, b in zip(_run(tfcompat, method, arg, True), _run(oracle, method, arg, True)):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b)


def test_attribute_is_written_back_after_staged_loop() -> None:
    obj = make(tfcompat)()
    tfcompat.function(obj.count_down)(tfcompat.constant(3))
    assert obj.steps.shape == ()  # NOTE: as in TF, the attribute now holds the loop's (graph) output


@pytest.mark.parametrize("oracle_too", [False, pytest.param(True, marks=pytest.mark.oracle)])
def test_attribute_set_in_one_branch_only_is_tensorflow_error(request, oracle_too) -> None:
    tf = request.getfixturevalue("oracle") if oracle_too else tfcompat

    class Holder:
        def set_if_positive(self, x):
            if x > 0.0:
                self.y = x
            return x
    with pytest.raises(ValueError, match=r"'self.y' must also be initialized in the else branch"):
        tf.function(Holder().set_if_positive)(tf.constant(1.0))
