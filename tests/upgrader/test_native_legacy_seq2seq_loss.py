"""`tf.contrib.legacy_seq2seq.sequence_loss_by_example` written out in core ops (native/legacy_seq2seq.py).

The pattern (a word model's softmax layer over [batch * steps] rows, its loss taken per example from one-element
lists of logits, targets and weights, summed and divided by the batch size, trained by gradient descent) converts in native
mode; the conversion prints on TF 2.21 and on tfcompat what the TF1 program prints with TF1's definition of the
function (tests/upgrader/contrib_tf1.py).
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from tests.oracle_python import ROOT, oracle_python
from upgrader.engine import upgrade_source
from upgrader.native.legacy_seq2seq import by_example_text

PROGRAM = '''import numpy as np
import tensorflow as tf

batch_size, steps, vocab_size = 2, 3, 5
x_data = tf.placeholder(tf.int32, [batch_size, steps])
y_output = tf.placeholder(tf.int32, [batch_size, steps])
embedding = tf.Variable(np.linspace(-1.0, 1.0, vocab_size * 4).reshape(vocab_size, 4).astype(np.float32))
W = tf.Variable(np.linspace(-0.5, 0.5, 4 * vocab_size).reshape(4, vocab_size).astype(np.float32))
b = tf.Variable(tf.zeros([vocab_size]))
output = tf.reshape(tf.nn.embedding_lookup(embedding, x_data), [-1, 4])
logit_output = tf.matmul(output, W) + b
loss_fun = tf.contrib.legacy_seq2seq.sequence_loss_by_example
loss = loss_fun([logit_output], [tf.reshape(y_output, [-1])], [tf.ones([batch_size * steps])], AVERAGE)
cost = tf.reduce_sum(loss) / (batch_size * steps)
train_op = tf.train.GradientDescentOptimizer(0.5).minimize(cost)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    batch = np.array([[1, 2, 3], [4, 0, 1]])
    for i in range(3):
        c, _ = sess.run([cost, train_op], {x_data: batch, y_output: np.roll(batch, -1, axis=1)})
        print(i, round(float(c), 5))
'''
AVERAGES = {"default": "", "literal_false": ", False", "truthy_value": ", vocab_size"}


def _program(average: str) -> str:
    return PROGRAM.replace(", AVERAGE)", AVERAGES[average] + ")")


def _native(code: str) -> tuple[str, list[str]]:
    result = upgrade_source(code, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_the_loss_is_written_out_and_the_program_converts() -> None:
    code, blocked = _native(_program("truthy_value"))
    assert not blocked, blocked
    assert "contrib" not in code and "Session" not in code
    assert "loss_fun" not in code   # the name kept the function: each call through it is written out
    assert "/ ((tf.add_n([tf.ones([batch_size * steps])]) + 1e-12) if vocab_size else 1.0)" in code


@pytest.mark.parametrize("flag, divided", [(None, True), ("True", True), ("False", False), ("n", None)])
def test_the_average_flag_divides_as_tf1s_did(flag: str | None, divided: bool | None) -> None:
    text = by_example_text("tf", {"logits": "z", "targets": "y", "weights": "w"}, flag)
    z = [np.array([[0.5, -1.0, 2.0], [0.0, 0.3, 0.1]], np.float32)] * 2
    y = [np.array([2, 0], np.int32), np.array([1, 1], np.int32)]
    w = [np.array([1.0, 0.5], np.float32), np.array([0.0, 2.0], np.float32)]
    for n in (0, 4):
        import tensorflow as tf   # noqa: PLC0415  (the oracle; this test needs only eager math)
        got = eval(text, {"tf": tf, "z": z, "y": y, "w": w, "n": n}).numpy()
        xent = [-np.log(np.exp(zi)[np.arange(2), yi] / np.exp(zi).sum(1)) * wi for zi, yi, wi in zip(z, y, w)]
        want = sum(xent) / ((sum(w) + 1e-12) if (divided if divided is not None else n) else 1.0)
        np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.oracle
@pytest.mark.parametrize("average", sorted(AVERAGES))
def test_converted_program_prints_what_tf1_printed(average: str, tmp_path) -> None:
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (set TFCOMPAT_ORACLE_PYTHON)")
    program = _program(average)
    code, blocked = _native(program)
    assert not blocked, blocked
    (tmp_path / "tf1.py").write_text(program)
    (tmp_path / "tf2.py").write_text(code)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    runs = [subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env) for cmd in (
        [py, str(ROOT / "tests" / "upgrader" / "contrib_tf1.py"), "tf1.py"], [py, "tf2.py"],
        [sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", "tf2.py"])]
    assert all(r.returncode == 0 for r in runs), [r.stderr[-2000:] for r in runs]
    tf1, tf2, on_tfcompat = (r.stdout for r in runs)
    assert tf2 == tf1 and len(tf1.splitlines()) == 3
    np.testing.assert_allclose(np.array(on_tfcompat.split(), float), np.array(tf1.split(), float), atol=2e-5)
