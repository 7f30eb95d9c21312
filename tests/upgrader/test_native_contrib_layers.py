"""tf.contrib.layers calls become the tf.layers calls they equal before native analysis (native/contrib_layers.py)."""
from __future__ import annotations

import ast

from upgrader.native.contrib_layers import contrib_layer_spans
from upgrader.native.run import upgrade_native
from upgrader.scan import collect_aliases


def _respelled(code: str) -> list[str]:
    tree = ast.parse(code)
    return [new for _, new in contrib_layer_spans(tree, collect_aliases(tree), lambda n: ast.get_source_segment(code, n))]


def test_contrib_defaults_are_written_out() -> None:
    code = ("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 8, 8, 1])\n"
            "a = tf.contrib.layers.conv2d(x, 4, 3, stride=2)\n"
            "b = tf.contrib.layers.max_pool2d(a, 2)\n"
            "c = tf.contrib.layers.fully_connected(tf.contrib.layers.flatten(b), 10, biases_initializer=None)\n")
    assert _respelled(code) == [
        "tf.layers.conv2d(x, filters=4, kernel_size=3, strides=2, padding='SAME', activation=tf.nn.relu)",
        "tf.layers.max_pooling2d(a, pool_size=2, strides=2, padding='VALID')",
        "tf.layers.dense(tf.contrib.layers.flatten(b), units=10, use_bias=False, activation=tf.nn.relu)",
        "tf.layers.flatten(b)",
    ]


def test_an_explicit_activation_fn_none_stays_linear() -> None:
    code = "import tensorflow as tf\ny = tf.contrib.layers.fully_connected(tf.ones([1, 2]), 3, activation_fn=None)\n"
    assert _respelled(code) == ["tf.layers.dense(tf.ones([1, 2]), units=3, activation=None)"]


def test_an_argument_without_a_tf_layers_form_keeps_the_call_and_the_file_falls_back() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 2])\n"
            "y = tf.contrib.layers.fully_connected(x, 3, normalizer_fn=tf.contrib.layers.batch_norm)\n"
            "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
            "    print(sess.run(y, {x: np.ones((1, 2))}))\n")
    assert _respelled(code) == []
    assert any("native conversion blocked" in d.message and "fully_connected" in d.message
               for d in upgrade_native(code).warnings)
