"""`tf.compat.as_str` and friends: the string helpers TF1 data code calls (`tf.compat.as_str(f.read(name))`)."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import tfcompat as tf
import tfcompat.compat.v1 as v1

CASES = [("as_str", b"text8"), ("as_str", "w\u00f6rd"), ("as_text", "a".encode("utf-8")), ("as_bytes", "w\u00f6rd"),
         ("as_bytes", bytearray(b"ab")), ("as_str_any", 3), ("as_str_any", b"x"), ("path_to_str", pathlib.Path("/a/b")),
         ("path_to_str", 7)]


@pytest.mark.parametrize("name, value", CASES)
def test_helpers_return_what_tensorflow_returns(name, value):
    got = getattr(tf.compat, name)(value)
    expected = {"as_str": lambda v: v.decode() if isinstance(v, bytes) else v,
                "as_text": lambda v: v.decode(), "as_bytes": lambda v: bytes(v) if isinstance(v, bytearray) else v.encode(),
                "as_str_any": lambda v: v.decode() if isinstance(v, bytes) else str(v),
                "path_to_str": lambda v: str(v) if isinstance(v, pathlib.Path) else v}[name](value)
    assert got == expected and type(got) is type(expected)
    real = pytest.importorskip("tensorflow")
    assert getattr(real.compat, name)(value) == got


@pytest.mark.parametrize("name", ["as_str", "as_text", "as_bytes"])
def test_a_non_string_is_a_type_error_naming_it(name):
    with pytest.raises(TypeError, match="Expected binary or unicode string, got 3"):
        getattr(tf.compat, name)(3)


def test_v1_compat_is_the_same_module_and_type_tuples_match():
    assert v1.compat.as_str is tf.compat.as_str
    assert isinstance(np.int8(1), tf.compat.integral_types) and not isinstance(1.5, tf.compat.integral_types)
    assert isinstance(np.float16(1), tf.compat.real_types) and isinstance(1j, tf.compat.complex_types)
    assert tf.compat.dimension_value(tf.TensorShape([None, 3])[1]) == 3
