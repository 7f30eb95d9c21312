"""Resource variables: naming, assignment, read semantics and TensorFlow's errors."""
from __future__ import annotations

import numpy as np
import pytest

import runtime
from runtime.errors import InvalidArgumentError
from runtime.variables import Variable


def test_names_and_repr() -> None:
    assert Variable(1.0).name == "Variable:0"
    assert Variable(1.0, name="w").name == "w:0"
    assert repr(Variable(1.0)) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"


def test_assign_family_returns_the_variable_and_reads_are_snapshots() -> None:
    v = Variable([1.0, 2.0])
    before = v.read_value()
    assert v.assign_add([1.0, 1.0]) is v
    v.assign_sub([0.5, 0.5])
    assert (v * 2).numpy().tolist() == [3.0, 5.0]
    assert before.numpy().tolist() == [1.0, 2.0]
    v.assign([0.0, 0.0])
    assert v.numpy().tolist() == [0.0, 0.0]


def test_initial_value_callable_dtype_and_metadata() -> None:
    v = Variable(lambda: np.ones((2, 3)), dtype="float32", trainable=False, constraint=lambda x: x)
    assert v.dtype.name == "float32" and v.shape == [2, 3] and not v.trainable
    assert v.initial_value.numpy().sum() == 6.0 and callable(v.constraint)


def test_tensorflow_errors() -> None:
    v = Variable([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Cannot assign value to variable ' Variable:0': Shape mismatch"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(InvalidArgumentError, match=r"Cannot update variable with shape \[2\] using a Tensor "
                                                   r"with shape \[\], shapes must be equal"):
        v.assign_add(1.0)
    with pytest.raises(RuntimeError, match=r"`variable \+= value` with `tf.Variable`s is not supported"):
        v += 1
    with pytest.raises(TypeError, match="Variable is unhashable"):
        hash(Variable(1.0))
    with pytest.raises(TypeError, match="does not support item assignment"):
        Variable([1.0])[0] = 2.0
    with pytest.raises(ValueError, match="initial_value"):
        Variable(None)


def test_variables_mix_with_tensors_and_numpy() -> None:
    v = Variable(2.0)
    assert (v + runtime.constant(1.0)).numpy() == 3.0
    assert float(v) == 2.0 and np.asarray(v) == 2.0
    assert "%.1f" % v == "2.0"


def test_eager_variable_initializer_is_none_as_in_tensorflow_2() -> None:
    import tfcompat as tf
    assert tf.Variable(1.0).initializer is None
