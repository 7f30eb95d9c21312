"""A summary op inside a plain helper function keeps the file in compat form (native/blockers.py): converted, it
would be a TF2 summary call with no writer and no step, which writes nothing, where TF1's merge_all wrote it."""
from __future__ import annotations

from upgrader.engine import upgrade_source

PROGRAM = '''import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
w = tf.Variable(tf.ones([2, 1]))


def model(x):
    h = tf.matmul(x, w)
    tf.summary.histogram("activations", h)
    return h


y = model(x)
tf.summary.scalar("mean", tf.reduce_mean(y))
merged = tf.summary.merge_all()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter("logs")
    writer.add_summary(sess.run(merged, {x: np.ones([1, 2])}), 0)
'''


def _reasons(code: str) -> list[tuple[int, str]]:
    result = upgrade_source(code, "native")
    return [(d.line, d.message.split(": ", 1)[1]) for d in result.warnings
            if d.rule == "native" and d.message.startswith("native conversion blocked")]


def test_a_summary_in_a_helper_function_is_the_reason_at_its_line() -> None:
    (line, reason), = _reasons(PROGRAM)
    assert line == 10 and reason.startswith("tf.summary.histogram inside function 'model'"), reason


def test_without_the_helpers_summary_the_program_converts() -> None:
    code = upgrade_source(PROGRAM.replace('    tf.summary.histogram("activations", h)\n', ""), "native").code
    assert "Session" not in code and "merge_all" not in code and "tf.summary.scalar" in code
