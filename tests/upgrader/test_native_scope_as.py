"""`with tf.name_scope('x') as scope:` whose `scope` is never read flattens like a scope without `as`."""
from __future__ import annotations

from upgrader.native.run import upgrade_native

PROGRAM = """import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [2])
with tf.name_scope('Layer') as {target}:
    y = tf.sigmoid(x * 2.0)
sess = tf.Session()
print(sess.run(y, feed_dict={{x: np.zeros(2)}}){extra})
"""


def test_an_unread_scope_name_flattens() -> None:
    result = upgrade_native(PROGRAM.format(target="scope", extra=""))
    assert not [d for d in result.warnings if d.rule == "native"]
    assert "def y(x):" in result.code and "name_scope" not in result.code


def test_a_read_scope_name_still_blocks() -> None:
    result = upgrade_native(PROGRAM.format(target="scope", extra=", scope"))
    assert any("variable_scope with a scope object" in d.message for d in result.warnings if d.rule == "native")


SCOPED = """import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 3])
with tf.variable_scope("layer", initializer=tf.constant_initializer(0.5)) as scope:
    w = tf.get_variable("w", [3, 2])
    b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
    {extra}
y = tf.matmul(x, w) + b
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(y, {{x: np.ones((1, 3))}}))
"""


def test_a_scope_initializer_goes_to_the_get_variable_calls_that_name_none() -> None:
    result = upgrade_native(SCOPED.format(extra="pass"))
    assert not [d for d in result.warnings if d.rule == "native"]
    assert 'w = tf.Variable(tf.constant_initializer(0.5)([3, 2], tf.float32), name="layer/w")' in result.code
    assert 'b = tf.Variable(tf.zeros_initializer()([2], tf.float32), name="layer/b")' in result.code


def test_a_scope_initializer_over_a_layer_is_left_to_block() -> None:
    result = upgrade_native(SCOPED.format(extra="h = tf.layers.dense(x, 2)"))
    assert any("initializer=" in d.message for d in result.warnings if d.rule == "native")
