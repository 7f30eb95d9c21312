"""Tensor behaviour as TensorFlow 2.21 shows it (expected strings recorded from the oracle)."""
from __future__ import annotations

import numpy as np
import pytest

import runtime
from runtime import dtypes
from runtime.errors import InvalidArgumentError
from runtime.shape import TensorShape


def test_str_and_repr_match_tensorflow() -> None:
    assert str(runtime.constant(2.0)) == "tf.Tensor(2.0, shape=(), dtype=float32)"
    assert repr(runtime.constant(2.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=2.0>"
    assert str(runtime.constant([[5, 2], [1, 3]])) == \
        "tf.Tensor(\n[[5 2]\n [1 3]], shape=(2, 2), dtype=int32)"
    assert repr(runtime.constant([[1.0, 2.0], [3.0, 4.0]])) == (
        "<tf.Tensor: shape=(2, 2), dtype=float32, numpy=\narray([[1., 2.],\n       [3., 4.]], dtype=float32)>")
    assert str(runtime.constant(["a", "b"])) == "tf.Tensor([b'a' b'b'], shape=(2,), dtype=string)"
    assert str(runtime.constant("ab")) == "tf.Tensor(b'ab', shape=(), dtype=string)"


def test_constant_dtypes_follow_tensorflow() -> None:
    assert runtime.constant(1.0).dtype is dtypes.float32
    assert runtime.constant(1).dtype is dtypes.int32
    assert runtime.constant(2 ** 40).dtype is dtypes.int64
    assert runtime.constant([1, 2.5]).dtype is dtypes.float32
    assert runtime.constant(np.float64(1.0)).dtype is dtypes.float64
    assert runtime.constant(np.arange(3, dtype=np.int16)).dtype is dtypes.int16
    with pytest.raises(TypeError, match="Cannot convert 2.0 to EagerTensor of dtype int32"):
        runtime.convert_to_tensor(2.0, dtype=dtypes.int32)


def test_python_scalars_and_numpy_adopt_the_tensor_dtype() -> None:
    x = runtime.constant([1.0, 2.0])
    assert (x + 1).dtype is dtypes.float32
    assert (1 - x).numpy().tolist() == [0.0, -1.0]
    assert (x + np.array([1.0, 1.0])).dtype is dtypes.float32
    assert (runtime.constant(1) + 2).numpy() == 3
    with pytest.raises(TypeError):
        runtime.constant(1) + 2.5


def test_no_silent_promotion_between_tensors() -> None:
    with pytest.raises(InvalidArgumentError, match=r"cannot compute AddV2 as input #1\(zero-based\) was expected "
                                                   r"to be a int32 tensor but is a float32 tensor \[Op:AddV2\]"):
        runtime.constant(1) + runtime.constant(1.0)


def test_incompatible_shapes_message() -> None:
    with pytest.raises(InvalidArgumentError, match=r"Incompatible shapes: \[2,3\] vs. \[4\] \[Op:AddV2\]"):
        runtime.constant(np.zeros((2, 3), np.float32)) + runtime.constant(np.zeros(4, np.float32))


def test_numpy_returns_copies_and_scalars() -> None:
    t = runtime.constant([1.0, 2.0])
    a = t.numpy()
    a[0] = 9.0
    assert t.numpy()[0] == 1.0
    assert type(runtime.constant(2.0).numpy()) is np.float32
    assert np.asarray(t).dtype == np.float32


def test_python_protocol_like_tensorflow() -> None:
    x = runtime.constant([[5, 2], [1, 3]])
    assert len(x) == 2
    assert [row.numpy().tolist() for row in x] == [[5, 2], [1, 3]]
    with pytest.raises(TypeError, match="Scalar tensor has no `len\\(\\)`"):
        len(runtime.constant(1.0))
    with pytest.raises(TypeError, match="Cannot iterate over a scalar tensor."):
        iter(runtime.constant(1.0))
    with pytest.raises(TypeError, match="Tensor is unhashable. Instead, use tensor.ref\\(\\) as the key."):
        hash(x)
    assert {x.ref(): 1}[x.ref()] == 1
    assert bool(runtime.constant(1.0)) and not bool(runtime.constant(0))
    with pytest.raises(ValueError):
        bool(runtime.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="does not support item assignment"):
        x[0] = 1
    assert "%f %.2f" % (runtime.constant(1.5), runtime.constant(2.0)) == "1.500000 2.00"
    assert "{:.2f}".format(runtime.constant(2.0)) == "2.00"


def test_equality_is_elementwise_and_false_for_incompatible_shapes() -> None:
    a = runtime.constant([1.0, 2.0])
    assert (a == runtime.constant([1.0, 3.0])).numpy().tolist() == [True, False]
    assert (a == None) is False  # noqa: E711
    assert (a == runtime.constant([1.0, 2.0, 3.0])) is False


@pytest.mark.parametrize("key", [0, -1, slice(1, None), slice(None, None, -1), (Ellipsis, 0), (None, 1),
                                 (slice(None), 1), (1, slice(None, None, 2))])
def test_getitem_matches_numpy(key) -> None:
    arr = np.arange(24, dtype=np.float32).reshape(2, 3, 4) if isinstance(key, tuple) else np.arange(5.0)
    np.testing.assert_array_equal(runtime.constant(arr)[key].numpy(), arr[key])


def test_getitem_with_tensor_index_and_errors() -> None:
    x = runtime.constant([1.0, 2.0])
    assert x[runtime.constant(1)].numpy() == 2.0
    with pytest.raises(InvalidArgumentError, match=r"slice index 5 of dimension 0 out of bounds. \[Op:StridedSlice\]"):
        x[5]
    with pytest.raises(TypeError, match="Only integers, slices"):
        x[[0, 1]]


def test_tensor_shape() -> None:
    s = TensorShape([2, None])
    assert (str(s), repr(s), str(TensorShape(None)), str(TensorShape([3]))) == \
        ("(2, None)", "TensorShape([2, None])", "<unknown>", "(3,)")
    assert s.rank == 2 and s[0] == 2 and s[1] is None and not s.is_fully_defined()
    assert s.as_list() == [2, None] and s == [2, None]
    assert s.merge_with([None, 3]) == [2, 3]
    assert TensorShape([2, 3]).num_elements() == 6
    with pytest.raises(ValueError):
        TensorShape(None).as_list()


def test_dtype_repr_and_lookup() -> None:
    assert repr(dtypes.float32) == "<dtype: 'float32'>"
    assert dtypes.as_dtype("float32") is dtypes.float32
    assert dtypes.as_dtype(np.int64) is dtypes.int64
    assert dtypes.as_dtype(float) is dtypes.float32
    assert dtypes.float32 == np.float32 and dtypes.float32 != dtypes.float64
    assert dtypes.float32.is_floating and dtypes.int32.is_integer and dtypes.bool_.is_bool
    assert dtypes.int8.max == 127 and dtypes.complex64.real_dtype is dtypes.float32
    with pytest.raises(TypeError):
        dtypes.as_dtype("floatish")


def test_integer_reductions_keep_their_dtype() -> None:
    from runtime.ops import reduce as r
    assert r.reduce_sum(runtime.constant([1, 2, 3])).dtype is dtypes.int32
    assert r.reduce_prod(runtime.constant(np.array([1, 2], np.int16))).dtype is dtypes.int16
    assert r.reduce_sum(runtime.constant(np.ones((2, 2), np.uint8)), axis=0).dtype is dtypes.uint8
