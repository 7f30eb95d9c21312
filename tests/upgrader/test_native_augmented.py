"""`t += e` on a graph tensor converts as the rebinding `t = t + e` it is (native/augmented.py)."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from tests.upgrader.multi_file import run_old_and_new
from upgrader.native.augmented import augmented_spans
from upgrader.native.run import upgrade_native
from upgrader.scan import collect_aliases

PROGRAM = """import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
W = tf.Variable(tf.constant([[0.5], [-0.25]]))
b = tf.Variable(0.5)
l2_loss = tf.constant(0.0)
with tf.name_scope("l2"):
    l2_loss += tf.nn.l2_loss(W)
    l2_loss += tf.nn.l2_loss(b) * 2.0
loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - 1.0)) + 0.1 * l2_loss
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        print("loss", sess.run([train, loss], {x: np.arange(6, dtype=np.float32).reshape(3, 2)})[1])
    print("penalty", sess.run(l2_loss))
"""


def _respelled(code: str) -> str:
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    for (l0, c0, l1, c1), text in sorted(augmented_spans(tree, collect_aliases(tree), lambda n: ast.get_source_segment(
            code, n)), reverse=True):
        assert l0 == l1
        lines[l0 - 1] = lines[l0 - 1][:c0] + text + lines[l0 - 1][c1:]
    return "".join(lines)


def test_a_tensor_accumulated_with_plus_equals_is_rebound() -> None:
    out = _respelled(PROGRAM)
    assert "    l2_loss = l2_loss + tf.nn.l2_loss(W)\n    l2_loss = l2_loss + (tf.nn.l2_loss(b) * 2.0)\n" in out


def test_numpy_arrays_lists_and_python_numbers_keep_their_in_place_operators() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\ntotal = np.zeros(2)\ntotal += 1\nvs = tf.trainable_variables()\n"
            "vs += [1]\nn = 0\nn += 1\nt = tf.constant(1.0)\nt = 3\nt += 1\nfor i in range(2):\n    u = tf.constant(1.0)\n"
            "    u += 1\n")
    assert _respelled(code) == code


def test_the_program_converts_and_prints_what_tf1_printed(tmp_path: Path) -> None:
    result = upgrade_native(PROGRAM)
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    assert "+=" not in result.code and "Session" not in result.code
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": PROGRAM})
    old, new = tf1.stdout.split(), tf2.stdout.split()
    assert [w for w in old if w.isalpha()] == [w for w in new if w.isalpha()] == ["loss"] * 3 + ["penalty"]
    np.testing.assert_allclose([float(w) for w in new if not w.isalpha()], [float(w) for w in old if not w.isalpha()],
                               rtol=1e-5)
