"""Graph op names as TensorFlow gives them (`a + b` is "add", `tf.add` "Add"), checked against TensorFlow."""
from __future__ import annotations

import pytest

import tfcompat.compat.v1 as tf1

# expression -> the name TensorFlow 2.21 (compat.v1 graph) gives its result
CASES = {
    "tf.add(a, b)": "Add:0", "a + b": "add:0", "1.0 + a": "add:0", "a * b": "mul:0", "a - b": "sub:0",
    "a / b": "truediv:0", "-a": "Neg:0", "a[0]": "strided_slice:0", "a @ b": "matmul:0", "a ** 2": "pow:0",
    "tf.multiply(a, b)": "Mul:0", "tf.subtract(a, b)": "Sub:0", "tf.divide(a, b)": "truediv:0",
    "tf.div(a, b)": "div:0", "tf.matmul(a, b)": "MatMul:0", "tf.reduce_sum(a)": "Sum:0",
    "tf.reduce_mean(a, 1)": "Mean:0", "tf.argmax(a, 1)": "ArgMax:0", "tf.cast(a, tf.int32)": "Cast:0",
    "tf.reshape(a, [-1])": "Reshape:0", "tf.transpose(a)": "transpose:0", "tf.constant(1.0)": "Const:0",
    "tf.zeros([2, 2])": "zeros:0", "tf.ones([2])": "ones:0", "tf.nn.relu(a)": "Relu:0",
    "tf.sigmoid(a)": "Sigmoid:0", "tf.nn.softmax(a)": "Softmax:0", "tf.square(a)": "Square:0",
    "tf.concat([a, b], 0)": "concat:0", "tf.stack([a, b])": "stack:0", "tf.unstack(a)[0]": "unstack:0",
    "tf.identity(a)": "Identity:0", "tf.zeros_like(a)": "zeros_like:0", "tf.nn.xw_plus_b(a, b, a[0])": "xw_plus_b:0",
    "tf.placeholder(tf.float32)": "Placeholder:0", "tf.Variable(1.0)": "Variable:0",
    "tf.add(a, b, name='s')": "s:0", "tf.matmul(a, b, name='logits')": "logits:0",
}


def _names(tf) -> dict:
    out = {}
    for src in CASES:
        with tf.Graph().as_default():
            a = tf.placeholder(tf.float32, [2, 2], name="a")
            b = tf.placeholder(tf.float32, [2, 2], name="b")
            out[src] = eval(src, {"tf": tf, "a": a, "b": b}).name  # noqa: S307  (fixed test expressions)
    return out


def test_names_match_recorded_tensorflow_names() -> None:
    assert _names(tf1) == CASES


def test_names_match_tensorflow(oracle) -> None:
    assert _names(oracle.compat.v1) == CASES


def test_fetch_by_tensorflow_name() -> None:
    with tf1.Graph().as_default():
        x = tf1.placeholder(tf1.float32, [], name="x")
        tf1.add(x * 2.0, 1.0)
        with tf1.Session() as sess:
            assert sess.run("Add:0", {"x:0": 3.0}) == 7.0
            assert sess.run("mul:0", {x: 2.0}) == 4.0


@pytest.mark.parametrize("scope", ["layer"])
def test_names_under_a_name_scope(scope: str) -> None:
    with tf1.Graph().as_default():
        a = tf1.placeholder(tf1.float32, [2], name="a")
        with tf1.name_scope(scope):
            assert (a + a).name == f"{scope}/add:0" and (a + a).name == f"{scope}/add_1:0"
