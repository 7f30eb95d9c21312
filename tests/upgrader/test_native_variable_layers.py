"""Layer functions that make their weights with tf.Variable (native/modules.py, native/builder_checks.py): each call
is a tf.Module of its own; what keeps one from converting is named. The end-to-end checks are the fixture programs
native_variable_layers and native_add_layer."""
from __future__ import annotations

import pytest

from upgrader.engine import upgrade_source

HEAD = "import tensorflow as tf\n\n\n"
RUN = ("\n\nx = tf.placeholder(tf.float32, [None, 3])\ny = layer(x, 3, 2)\nz = layer(y, 2, 1)\n"
       "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
       "    print(sess.run(z, {x: [[1.0, 2.0, 3.0]]}))\n")


def _native(code: str) -> tuple[str, list[str]]:
    result = upgrade_source(code, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_each_call_makes_an_instance_whose_variables_are_made_once() -> None:
    code, blocked = _native(HEAD + "def layer(x, n_in, n_out):\n    w = tf.Variable(tf.ones([n_in, n_out]))\n"
                            "    with tf.name_scope('layer%d' % n_out):\n        out = tf.matmul(x, w)\n"
                            "    return out\n" + RUN)
    assert not blocked, blocked
    assert "    def __init__(self, n_in, n_out):\n        super().__init__()\n" in code
    assert "        self.w = tf.Variable(tf.ones([n_in, n_out]))\n" in code
    assert "y_layer = Layer(3, 2)" in code and "z_layer = Layer(2, 1)" in code


@pytest.mark.parametrize("body, reason", [
    ("    w = tf.Variable(tf.ones([n_in, n_out]))\n    if n_out > 1:\n        tf.summary.histogram('w', w)\n"
     "    return tf.matmul(x, w)\n", "writes tf.summary.histogram inside a function that creates variables, under Python"),
    ("    ws = [tf.Variable(tf.ones([n_in, n_out])) for _ in range(2)]\n    return tf.matmul(x, ws[0])\n",
     "variables created under Python control flow or inside an expression"),
    ("    for _ in range(2):\n        w = tf.Variable(tf.ones([n_in, n_out]))\n    return tf.matmul(x, w)\n",
     "variables created under Python control flow or inside an expression"),
], ids=["summary", "comprehension", "loop"])
def test_what_keeps_a_variable_layer_function_from_converting_is_named(body: str, reason: str) -> None:
    _, blocked = _native(HEAD + "def layer(x, n_in, n_out):\n" + body + RUN)
    assert any(reason in m for m in blocked), blocked
