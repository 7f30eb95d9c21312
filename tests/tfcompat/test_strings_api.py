"""tf.strings against TensorFlow 2.21, eagerly and inside tf.function."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf

CASES = {
    "join": lambda m: m.strings.join(["a", m.constant(["x", "y"])], separator="-"),
    "length": lambda m: m.strings.length(["h\u00e9llo", ""]),
    "length_chars": lambda m: m.strings.length("h\u00e9llo", unit="UTF8_CHAR"),
    "lower": lambda m: m.strings.lower(["AbC", "DEF"]),
    "upper": lambda m: m.strings.upper("ab"),
    "strip": lambda m: m.strings.strip("  a b \n"),
    "to_number": lambda m: m.strings.to_number(["1.5", "-2"]),
    "to_int": lambda m: m.strings.to_number("7", out_type=m.int64),
    "as_string": lambda m: m.strings.as_string([1.5, 2.25]),
    "as_string_opts": lambda m: m.strings.as_string(3.14159, precision=2),
    "as_string_fill": lambda m: m.as_string(7, width=4, fill="0"),
    "as_string_sci": lambda m: m.strings.as_string(1234.5, scientific=True),
    "as_string_bool": lambda m: m.strings.as_string([True, False]),
    "substr": lambda m: m.strings.substr(["hello", "world"], [0, -3], [2, 5]),
    "regex_replace": lambda m: m.strings.regex_replace("a1b22", r"\d+", "#"),
    "regex_replace_once": lambda m: m.strings.regex_replace("a1b22", r"(\d)", r"<\1>", replace_global=False),
    "regex_full_match": lambda m: m.strings.regex_full_match(["abc", "ab1"], r"[a-z]+"),
    "format": lambda m: m.strings.format("x={} y={}", [m.range(7), m.constant(2.5)]),
    "split_scalar": lambda m: m.strings.split("a b  c"),
    "split_sep": lambda m: m.strings.split("a,b,,c", sep=","),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_tensorflow(oracle, case):
    ours, theirs = CASES[case](tf), CASES[case](oracle)
    assert ours.dtype.name == theirs.dtype.name
    assert np.asarray(ours.numpy()).tolist() == np.asarray(theirs.numpy()).tolist()


def test_string_ops_in_functions():
    @tf.function
    def f(x):
        return tf.strings.upper(tf.strings.join([x, "!"])), tf.strings.length(x)
    up, n = f(tf.constant(["hi", "you"]))
    assert up.numpy().tolist() == [b"HI!", b"YOU!"] and n.numpy().tolist() == [2, 3]


def test_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not correctly convert string: abc"):
        tf.strings.to_number("abc")
    with pytest.raises(NotImplementedError, match="tf.strings.split.*RaggedTensor.*split"):
        tf.strings.split(["a b", "c"])
