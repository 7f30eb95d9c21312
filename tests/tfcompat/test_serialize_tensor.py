"""tf.io.serialize_tensor / parse_tensor: the bytes TF 2.21 writes, and back."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
from runtime.errors import InvalidArgumentError

VALUES = [np.array([[1.5, 2], [3, 4]], np.float32), np.int64(7), np.array([b"a", b"bc"], object),
          np.array([True, False]), np.zeros((0, 3), np.int32), np.array([1, 2], np.float16), np.zeros((0,), object)]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: f"{v.dtype}{list(np.shape(v))}")
def test_roundtrip(value):
    data = tf.io.serialize_tensor(value)
    assert data.shape == ()
    back = tf.io.parse_tensor(data, tf.as_dtype(tf.constant(value).dtype))
    assert back.shape == np.shape(value) and back.numpy().tolist() == np.asarray(value).tolist()


def test_recorded_bytes_and_errors():
    assert tf.io.serialize_tensor(np.array([1, 2], np.int32)).numpy() == \
        b"\x08\x03\x12\x04\x12\x02\x08\x02\"\x08\x01\x00\x00\x00\x02\x00\x00\x00"
    with pytest.raises(InvalidArgumentError, match=r"Type mismatch between parsed tensor \(float\) and dtype"):
        tf.io.parse_tensor(tf.io.serialize_tensor(1.0), tf.int32)

    @tf.function
    def roundtrip(x):
        return tf.io.parse_tensor(tf.io.serialize_tensor(x), tf.float32)

    assert roundtrip(tf.constant([1.0, 2.0])).numpy().tolist() == [1.0, 2.0]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: f"{v.dtype}{list(np.shape(v))}")
def test_bytes_match_tensorflow(oracle, value):
    assert tf.io.serialize_tensor(value).numpy() == oracle.io.serialize_tensor(value).numpy()


def test_parses_typed_val_protos_from_tensorflow(oracle):
    for value, shape, dt in (([1.0, 2.0, 3.0], None, "float32"), (5, [3], "int32"), ([1, 2], None, "int64")):
        proto = oracle.make_tensor_proto(value, shape=shape, dtype=getattr(oracle, dt)).SerializeToString()
        assert tf.io.parse_tensor(proto, getattr(tf, dt)).numpy().tolist() == \
            oracle.io.parse_tensor(proto, getattr(oracle, dt)).numpy().tolist()
