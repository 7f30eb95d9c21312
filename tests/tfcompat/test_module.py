"""tf.Module: variables and submodules by attribute walk, name scopes; same order as TensorFlow."""
from __future__ import annotations

import tfcompat as tf


class Inner(tf.Module):
    def __init__(self) -> None:
        super().__init__(name="inner")
        self.v = tf.Variable(2.0, trainable=False, name="v")


class Outer(tf.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = tf.Variable(1.0, name="w")
        self.sub = Inner()
        self.lst = [tf.Variable(3.0, name="l0"), {"b": tf.Variable(4.0, name="b")}]

    @tf.Module.with_name_scope
    def __call__(self, x):
        return x * self.w


def _names(vs):
    return [v.name for v in vs]


def test_attribute_walk_order_and_trainability():
    m = Outer()
    assert m.name == "outer" and m.name_scope.name == "outer/"
    assert _names(m.variables) == ["l0:0", "b:0", "w:0", "v:0"]  # own attributes (sorted) first
    assert _names(m.trainable_variables) == ["l0:0", "b:0", "w:0"]
    assert _names(m.non_trainable_variables) == ["v:0"]
    assert m.submodules == (m.sub,)
    assert float(m(tf.constant(3.0))) == 3.0


def test_shared_variable_counted_once_and_invalid_name():
    m = Outer()
    m.alias = m.w
    assert _names(m.variables).count("w:0") == 1
    try:
        tf.Module(name="bad name")
    except ValueError as e:
        assert "not a valid module name" in str(e)
    else:
        raise AssertionError("expected ValueError")


def test_matches_tensorflow(oracle):
    def build(t):
        class M(t.Module):
            def __init__(self):
                super().__init__(name="m")
                self.z = t.Variable(1.0, name="z")
                self.a = t.Module(name="a")
                self.a.q = t.Variable(2.0, name="q")
                self.c = [t.Variable(3.0, name="c")]
        return M()
    ours, theirs = build(tf), build(oracle)
    assert _names(ours.variables) == _names(theirs.variables)
    assert len(ours.submodules) == len(theirs.submodules)
