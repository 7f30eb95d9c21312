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
