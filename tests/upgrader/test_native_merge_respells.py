"""`tf.summary.merge([...])` and merge_all of named summaries (native/summary_merge.py), and the TF1 calls
native mode respells as what they run (native/call_respells.py): `tf.nn.xw_plus_b`, `tf.train.global_step`,
`tf.train.Saver(tf.global_variables(), ...)`.

The converted program prints and writes (event files, checkpoints) what TF1 did, on TensorFlow 2.21
and on tfcompat's v2 API.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from upgrader.native.run import upgrade_native

RUN_AS_TF = Path(__file__).resolve().parents[1] / "run_as_tf.py"

PROGRAM = """import sys
import numpy as np
import tensorflow as tf

logdir = sys.argv[1]
x = tf.placeholder(tf.float32, [None, 4], name="x")
y = tf.placeholder(tf.float32, [None, 2], name="y")
W = tf.Variable(tf.ones([4, 2]) * 0.1, name="W")
b = tf.Variable(tf.constant(0.1, shape=[2]), name="b")
scores = tf.nn.xw_plus_b(x, W, b, name="scores")
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=scores, labels=y))
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(scores, 1), tf.argmax(y, 1)), "float"))
global_step = tf.Variable(0, name="global_step", trainable=False)
optimizer = tf.train.AdamOptimizer(1e-2)
grads_and_vars = optimizer.compute_gradients(loss)
train_op = optimizer.apply_gradients(grads_and_vars, global_step=global_step)
loss_summary = tf.summary.scalar("loss", loss)
acc_summary = tf.summary.scalar("accuracy", accuracy)
w_summary = tf.summary.histogram("weights", W)
train_summary_op = tf.summary.merge([loss_summary, acc_summary])
dev_summary_op = tf.summary.merge([loss_summary])
sess = tf.Session()
writer = tf.summary.FileWriter(logdir + "/train", sess.graph)
dev_writer = tf.summary.FileWriter(logdir + "/dev")
saver = tf.train.Saver(tf.global_variables(), max_to_keep=2)
sess.run(tf.global_variables_initializer())
xs = np.linspace(0.0, 1.0, 24, dtype=np.float32).reshape(6, 4) ** 2
ys = np.eye(2)[[0, 1, 0, 1, 1, 0]]
for i in range(4):
    _, summaries, l = sess.run([train_op, train_summary_op, loss], {x: xs, y: ys})
    current_step = tf.train.global_step(sess, global_step)
    writer.add_summary(summaries, current_step)
    print(current_step, round(float(l), 5))
    if current_step % 2 == 0:
        dev_writer.add_summary(sess.run(dev_summary_op, {x: xs[:3], y: ys[:3]}), current_step)
        path = saver.save(sess, logdir + "/ckpt/model", global_step=current_step)
        print("saved", path[len(logdir):])
writer.close()
dev_writer.close()
"""


def _blockers(code: str) -> list[str]:
    result = upgrade_native(code)
    return [d.message.split(": ", 1)[1] for d in result.diagnostics if "native conversion blocked" in d.message]


def test_merges_and_respelled_calls_convert() -> None:
    assert not _blockers(PROGRAM)
    code = upgrade_native(PROGRAM).code
    assert 'return tf.nn.bias_add(tf.matmul(x, W), b, name="scores")' in code
    assert "def train_summary_op(x, y):\n    return [*loss_summary(x, y), *acc_summary(x, y)]\n" in code
    assert "def dev_summary_op(x, y):\n    return [*loss_summary(x, y)]\n" in code
    assert "current_step = int(global_step.numpy())" in code
    assert "saver = tf.train.Checkpoint(W=W, b=b, global_step=global_step, optimizer=optimizer)" in code
    assert "compat" not in code and "global_variables" not in code


def test_merge_all_collects_named_summaries_made_before_it() -> None:
    code = PROGRAM.replace("tf.summary.merge([loss_summary, acc_summary])", "tf.summary.merge_all()")
    assert not _blockers(code)
    out = upgrade_native(code).code
    assert ("def train_summary_op(x, y):\n    return [*loss_summary(x, y), *acc_summary(x, y), *w_summary()]\n"
            in out)   # was [] when the summaries had names


@pytest.mark.parametrize("merged, why", [
    ("tf.summary.merge(summaries)", "tf.summary.merge of something other than a list of summary ops written out"),
    ("tf.summary.merge([loss_summary, loss])", "tf.summary.merge of 'loss', which is not a summary op bound to a name"),
])
def test_a_merge_native_mode_cannot_follow_keeps_compat_form(merged: str, why: str) -> None:
    code = PROGRAM.replace("dev_summary_op = tf.summary.merge([loss_summary])",
                           f"summaries = [loss_summary]\ndev_summary_op = {merged}")
    reasons = _blockers(code)
    assert reasons and reasons[0].startswith(why)


def test_saver_with_a_chosen_var_list_is_not_respelled() -> None:
    code = PROGRAM.replace("tf.train.Saver(tf.global_variables(), max_to_keep=2)",
                           "tf.train.Saver(tf.trainable_variables(), max_to_keep=2)")
    assert _blockers(code) == ["tf.train.Saver var_list native mode cannot name statically"]   # not all of them


def _events(tf, logdir: Path) -> list[tuple[str, int, str, float]]:
    out = []
    for f in sorted(p for p in logdir.rglob("events.*") if p.is_file()):
        for event in tf.compat.v1.train.summary_iterator(str(f)):
            for v in event.summary.value:
                value = v.simple_value if v.HasField("simple_value") else float(tf.make_ndarray(v.tensor))
                out.append((f.parent.name, event.step, v.tag, round(value, 4)))
    return sorted(out)


def test_tf1_tf2_and_tfcompat_print_and_write_the_same(oracle, tmp_path: Path) -> None:
    (tmp_path / "v1.py").write_text(PROGRAM)
    (tmp_path / "v2.py").write_text(upgrade_native(PROGRAM).code)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    runs = {"tf1": [sys.executable, str(RUN_AS_TF), "v1", str(tmp_path / "v1.py")],
            "tf2": [sys.executable, str(tmp_path / "v2.py")],
            "tfcompat": [sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", str(tmp_path / "v2.py")]}
    printed = {}
    for side, cmd in runs.items():
        r = subprocess.run(cmd + [str(tmp_path / side)], capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr[-800:]
        printed[side] = r.stdout
    assert printed["tf1"] == printed["tf2"] == printed["tfcompat"]
    assert "saved /ckpt/model-4" in printed["tf1"]
    tf1 = _events(oracle, tmp_path / "tf1")
    assert [t[:3] for t in tf1] == [("dev", 2, "loss"), ("dev", 4, "loss")] + [
        ("train", s, tag) for s in range(1, 5) for tag in ("accuracy", "loss")]
    for side in ("tf2", "tfcompat"):
        got = _events(oracle, tmp_path / side)
        assert [t[:3] for t in got] == [t[:3] for t in tf1]
        assert [t[3] for t in got] == pytest.approx([t[3] for t in tf1], abs=2e-4)
    for side in runs:   # max_to_keep=2: the two checkpoints written are kept
        assert sorted(p.name for p in (tmp_path / side / "ckpt").glob("model-*.index")) == ["model-2.index",
                                                                                             "model-4.index"]


def test_variables_made_in_a_loop_convert_to_lists() -> None:
    code = ("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None, 6, 4, 1])\npooled = []\n"
            "for size in [2, 3]:\n    with tf.name_scope('conv-%s' % size):\n"
            "        W = tf.Variable(tf.truncated_normal([size, 4, 1, 3], stddev=0.1), name='W')\n"
            "        pooled.append(tf.reduce_max(tf.nn.conv2d(x, W, [1, 1, 1, 1], 'VALID'), axis=[1, 2]))\n"
            "out = tf.concat(pooled, 1)\nwith tf.Session() as sess:\n"
            "    sess.run(tf.global_variables_initializer())\n    print(sess.run(out, {x: [[[[1.0]] * 4] * 6]}).shape)\n")
    assert not _blockers(code)   # native/variable_loops.py; tests/upgrader/test_native_loop_summaries.py runs it
    assert "W_list = [tf.Variable(" in upgrade_native(code).code
