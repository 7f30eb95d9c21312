"""A feed dict kept in a name and rebound for other placeholders (native/feeds.py reaching_keys)."""
from __future__ import annotations

import numpy as np

from upgrader.native.run import upgrade_native

PROGRAM = """import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None])
w = tf.Variable(2.0)
loss = tf.reduce_sum(tf.square(x * w - 1.0))
step = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
x_test = tf.placeholder(tf.float32, [None])
test_out = x_test * w

sess = tf.Session()
sess.run(tf.global_variables_initializer())
for i in range(3):
    feed_dict = {x: np.ones(4, np.float32)}
    sess.run(step, feed_dict=feed_dict)
    print(round(float(sess.run(loss, feed_dict=feed_dict)), 4))
feed_dict = {x_test: np.arange(3, dtype=np.float32)}
print(sess.run(test_out, feed_dict=feed_dict).round(4).tolist())
"""


def test_each_call_reads_the_keys_of_the_literal_bound_last_before_it() -> None:
    result = upgrade_native(PROGRAM)
    assert not [d for d in result.warnings if d.rule == "native"]
    assert 'print(round(float(loss(feed_dict["x"]).numpy()), 4))' in result.code
    assert 'print(test_out(feed_dict["x_test"]).numpy().round(4).tolist())' in result.code
    printed: list[str] = []
    exec(compile(result.code, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    w = 2.0
    want = []
    for _ in range(3):   # TF1: each step w -= 0.01 * d/dw sum((w - 1)^2 over 4 ones) = 0.01 * 8 (w - 1)
        w -= 0.01 * 8 * (w - 1)
        want.append(str(round(4 * (w - 1) ** 2, 4)))
    assert printed[:3] == want
    assert printed[3] == str((np.arange(3, dtype=np.float32) * np.float32(w)).round(4).tolist())


def test_a_helper_returning_a_list_of_tensors_is_fetched_as_a_list_of_arrays() -> None:
    code = """import tensorflow as tf


def scaled(image, ks):
    out = [image[0]]
    for k in ks:
        out.append(image[0] * k)
    return out


image = tf.ones([1, 2, 2])
images = scaled(image, [2.0, 3.0])
with tf.Session() as sess:
    images = sess.run(images)
print(len(images), images[1].tolist())
"""
    result = upgrade_native(code)
    assert "images_value = [t.numpy() for t in images]" in result.code
    printed: list[str] = []
    exec(compile(result.code, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    assert printed == ["3 [[2.0, 2.0], [2.0, 2.0]]"]
