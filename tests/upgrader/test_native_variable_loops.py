"""A module-level for loop that makes variables and rebinds a tensor: variable lists plus a function
(native/variable_loops.py); the fixture programs variable_loop_*.py run it end to end."""
from __future__ import annotations

import ast

from upgrader.engine import upgrade_source
from upgrader.native.variable_loops import split_variable_loops

HEAD = "import tensorflow as tf\nX = tf.placeholder(tf.float32)\n"


def _split(code: str) -> str:
    return split_variable_loops(code, ast.parse(code))


def test_the_rebound_variable_is_renamed_and_the_loop_runs_over_the_list_it_made() -> None:
    code = HEAD + ("Y_pred = tf.Variable(tf.zeros([1]), name='bias')\n"
                   "for i in range(1, 4):\n"
                   "    W = tf.Variable(tf.ones([1]), name='w_%d' % i)\n"
                   "    Y_pred = tf.add(tf.pow(X, i) * W, Y_pred)\n"
                   "loss = tf.reduce_sum(Y_pred)\n")
    assert _split(code) == HEAD + (
        "Y_pred_0 = tf.Variable(tf.zeros([1]), name='bias')\n"
        "W_list = [tf.Variable(tf.ones([1]), name='w_%d' % i) for i in range(1, 4)]\n"
        "\n\ndef build_Y_pred(Y_pred, X, W_list):\n"
        "    for i, W in zip(range(1, 4), W_list):\n"
        "        Y_pred = tf.add(tf.pow(X, i) * W, Y_pred)\n"
        "    return Y_pred\n"
        "\n\nY_pred = build_Y_pred(Y_pred_0, X, W_list)\n"
        "loss = tf.reduce_sum(Y_pred)\n")


def test_a_value_started_from_a_placeholder_takes_it_and_tuple_targets_keep_their_shape() -> None:
    code = HEAD + ("h = X\n"
                   "for k, n in enumerate(sizes):\n"
                   "    W = init_weights([4, n])\n"
                   "    b = tf.Variable(tf.zeros([n]))\n"
                   "    h = tf.nn.relu(tf.matmul(h, W) + b)\n"
                   "out = h\n")
    code = code.replace(HEAD, HEAD + "def init_weights(shape):\n    return tf.Variable(tf.ones(shape))\n")
    out = _split(code)
    assert "\nh = X\n" not in out
    assert "W_list = [init_weights([4, n]) for k, n in enumerate(sizes)]\n" in out
    assert "b_list = [tf.Variable(tf.zeros([n])) for k, n in enumerate(sizes)]\n" in out
    assert "    for (k, n), W, b in zip(enumerate(sizes), W_list, b_list):\n" in out
    assert "h = build_h(X, W_list, b_list)\nout = h\n" in out


def test_loops_it_cannot_split_stay_as_written() -> None:
    loops = [
        "for i in range(2):\n    W = tf.Variable(1.0)\n",   # variables only: nothing rebound
        "h = X\nfor i in range(2):\n    W = tf.Variable(1.0)\n    h = h * W\nprint(W)\n",   # the last W read after
        "h = X\nfor i in range(2):\n    W = tf.Variable(1.0)\n    h = h * W\n    if i:\n        break\nprint(h)\n",
        "h = X\nfor i in range(2):\n    W = tf.Variable(h)\n    h = h * W\nprint(h)\n",   # initial value from the loop
        "h = X\nfor i in range(2):\n    W = tf.Variable(1.0)\n    h = tf.layers.dense(h * W, 3)\nprint(h)\n",
        "h = X\nfor t in tf.unstack(X):\n    W = tf.Variable(1.0)\n    h = h * W\nprint(h)\n",   # over graph values
        "h = X\nn = 3\nfor i in range(2):\n    W = tf.Variable(1.0)\n    h = h * W\n    n = n * 2\nprint(h, n)\n",
        "for i in range(2):\n    W = tf.Variable(1.0)\n    h = sess.run(W)\nprint(h)\n",
    ]
    for loop in loops:
        assert _split(HEAD + loop) == HEAD + loop, loop


def test_the_polynomial_program_converts_natively_with_no_tf1_left() -> None:
    code = HEAD + ("Y = tf.placeholder(tf.float32)\nY_pred = tf.Variable(tf.zeros([1]))\n"
                   "for i in range(1, 3):\n    W = tf.Variable(tf.ones([1]))\n    Y_pred = Y_pred + tf.pow(X, i) * W\n"
                   "cost = tf.reduce_sum(tf.square(Y_pred - Y))\n"
                   "train = tf.train.GradientDescentOptimizer(0.1).minimize(cost)\n"
                   "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
                   "    sess.run(train, feed_dict={X: 1.0, Y: 2.0})\n"
                   "    print(sess.run(cost, feed_dict={X: 1.0, Y: 2.0}))\n")
    result = upgrade_source(code, "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    assert "variables = [Y_pred_0, *W_list]" in result.code and "Session" not in result.code
