"""Loops TF1 runs once while it builds the graph: a model class making conv variables per window size
under name scopes (native/variable_loops.py), summaries made per gradient or per variable
(native/summary_loops.py), and the session configuration a training script keeps in a name
(native/session_configs.py). The two-file program below converts, and prints, writes and checkpoints
what TF1 did, on TensorFlow 2.21 and on tfcompat's v2 API.
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from upgrader.native.run import upgrade_native
from upgrader.native.variable_loops import split_variable_loops

ROOT = Path(__file__).resolve().parents[2]

MODEL = '''import tensorflow as tf


class WindowCNN(object):
    """Word ids -> an embedding -> one convolution per window size -> max-pool -> class scores."""

    def __init__(self, length, classes, vocab, dim, windows, filters):
        self.words = tf.placeholder(tf.int32, [None, length], name="words")
        self.labels = tf.placeholder(tf.float32, [None, classes], name="labels")
        self.keep = tf.placeholder(tf.float32, name="keep")

        with tf.name_scope("embedding"):
            self.table = tf.Variable(tf.sin(tf.reshape(tf.range(vocab * dim, dtype=tf.float32), [vocab, dim])),
                                     name="table")
            looked_up = tf.expand_dims(tf.nn.embedding_lookup(self.table, self.words), -1)

        pooled = []
        for window in windows:
            with tf.name_scope("window-%d" % window):
                shape = [window, dim, 1, filters]
                W = tf.Variable(tf.cos(tf.reshape(tf.range(window * dim * filters, dtype=tf.float32), shape)) * 0.1,
                                name="W")
                b = tf.Variable(tf.constant(0.1, shape=[filters]), name="b")
                conv = tf.nn.conv2d(looked_up, W, strides=[1, 1, 1, 1], padding="VALID", name="conv")
                h = tf.nn.relu(tf.nn.bias_add(conv, b))
                pooled.append(tf.nn.max_pool(h, ksize=[1, length - window + 1, 1, 1], strides=[1, 1, 1, 1],
                                             padding="VALID"))

        total = filters * len(windows)
        features = tf.nn.dropout(tf.reshape(tf.concat(pooled, 3), [-1, total]), self.keep)
        with tf.name_scope("output"):
            W = tf.Variable(tf.sin(tf.reshape(tf.range(total * classes, dtype=tf.float32), [total, classes])) * 0.1,
                            name="W")
            b = tf.Variable(tf.zeros([classes]), name="b")
            self.scores = tf.nn.xw_plus_b(features, W, b, name="scores")
        self.loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=self.scores, labels=self.labels))
        correct = tf.equal(tf.argmax(self.scores, 1), tf.argmax(self.labels, 1))
        self.accuracy = tf.reduce_mean(tf.cast(correct, "float"), name="accuracy")
'''

TRAIN = '''import os
import sys

import numpy as np
import tensorflow as tf
from text_model import WindowCNN

tf.flags.DEFINE_integer("steps", 4, "Training steps")
tf.flags.DEFINE_float("keep", 1.0, "Dropout keep probability")
tf.flags.DEFINE_boolean("allow_soft_placement", True, "Allow soft device placement")
tf.flags.DEFINE_boolean("log_device_placement", False, "Log where ops are placed")
FLAGS = tf.flags.FLAGS


def train(words, labels, logdir):
    with tf.Graph().as_default():
        config = tf.ConfigProto(allow_soft_placement=FLAGS.allow_soft_placement,
                                log_device_placement=FLAGS.log_device_placement)
        sess = tf.Session(config=config)
        with sess.as_default():
            model = WindowCNN(length=words.shape[1], classes=labels.shape[1], vocab=24, dim=4, windows=[2, 3],
                              filters=3)
            global_step = tf.Variable(0, name="global_step", trainable=False)
            optimizer = tf.train.AdamOptimizer(1e-2)
            grads_and_vars = optimizer.compute_gradients(model.loss)
            train_op = optimizer.apply_gradients(grads_and_vars, global_step=global_step)

            # one histogram and one sparsity scalar per gradient
            grad_summaries = []
            for g, v in grads_and_vars:
                if g is not None:
                    hist = tf.summary.histogram("{}/grad/hist".format(v.name), g)
                    sparsity = tf.summary.scalar("{}/grad/sparsity".format(v.name), tf.nn.zero_fraction(g))
                    grad_summaries.append(hist)
                    grad_summaries.append(sparsity)
            grad_summaries_merged = tf.summary.merge(grad_summaries)
            loss_summary = tf.summary.scalar("loss", model.loss)
            train_summary_op = tf.summary.merge([loss_summary, grad_summaries_merged])
            writer = tf.summary.FileWriter(os.path.join(logdir, "train"), sess.graph)
            saver = tf.train.Saver(tf.global_variables(), max_to_keep=2)
            sess.run(tf.global_variables_initializer())

            for _ in range(FLAGS.steps):
                feed = {model.words: words, model.labels: labels, model.keep: FLAGS.keep}
                _, step, summaries, loss = sess.run([train_op, global_step, train_summary_op, model.loss], feed)
                writer.add_summary(summaries, step)
                print("step", step, "loss", round(float(loss), 4))
            feed = {model.words: words, model.labels: labels, model.keep: 1.0}
            print("accuracy", sess.run(model.accuracy, feed))
            path = saver.save(sess, os.path.join(logdir, "model"), global_step=FLAGS.steps)
            print("saved", os.path.basename(path))


def main(argv=None):
    # NOTE: no word id twice in the batch: TF1's sparse Adam update of the embedding then equals the dense one
    words = np.array([[3, 17, 5, 11, 0], [8, 2, 14, 19, 6], [12, 1, 9, 4, 16], [7, 13, 18, 10, 15]], np.int32)
    labels = np.eye(2, dtype=np.float32)[[0, 1, 0, 1]]
    train(words, labels, sys.argv[1] if len(sys.argv) > 1 else "logs")


if __name__ == "__main__":
    tf.app.run()
'''

# Weights in dicts: histograms of every trainable variable and of its gradient, collected by merge_all.
VARIABLE_HISTOGRAMS = '''import sys

import numpy as np
import tensorflow as tf

xs = np.linspace(-0.9, 1.3, 32, dtype=np.float32).reshape(8, 4)
ys = (xs.sum(1, keepdims=True) > 0.5).astype(np.float32)
# NOTE: one layer: TF1 applies ungated tf.gradients racily when a gradient reads another variable (a hidden layer's)
weights = {"w": tf.Variable(tf.reshape(tf.linspace(-0.5, 0.7, 4), [4, 1]), name="w")}
biases = {"b": tf.Variable(tf.zeros([1]), name="b")}
x = tf.placeholder(tf.float32, [None, 4], name="x")
y = tf.placeholder(tf.float32, [None, 1], name="y")
logits = tf.matmul(x, weights["w"]) + biases["b"]
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=logits, labels=y))
grads = tf.gradients(loss, tf.trainable_variables())
grads = list(zip(grads, tf.trainable_variables()))
train = tf.train.GradientDescentOptimizer(0.5).apply_gradients(grads_and_vars=grads)
tf.summary.scalar("loss", loss)
for var in tf.trainable_variables():
    tf.summary.histogram(var.name, var)
for grad, var in grads:
    tf.summary.histogram(var.name + "/gradient", grad)
merged = tf.summary.merge_all()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter(sys.argv[1])
    for epoch in range(3):
        sess.run(train, feed_dict={x: xs, y: ys})   # NOTE: TF1 reads variables fetched with the update racily
        c, summary = sess.run([loss, merged], feed_dict={x: xs, y: ys})
        writer.add_summary(summary, epoch)
        print("epoch", epoch, "cost", round(float(c), 5))
'''


def _split(code: str) -> str:
    return split_variable_loops(code, ast.parse(code))


def _blockers(code: str) -> list[str]:
    return [d.message.split(": ", 1)[1] for d in upgrade_native(code).diagnostics
            if "native conversion blocked" in d.message]


def test_a_loop_under_a_name_scope_filling_a_list_becomes_variable_lists_and_a_function() -> None:
    code = ("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 6, 4, 1])\nouts = []\n"
            "for size in [2, 3]:\n    with tf.name_scope('conv-%d' % size):\n        shape = [size, 4, 1, 3]\n"
            "        W = tf.Variable(tf.ones(shape), name='W')\n        b = tf.Variable(tf.zeros([3]))\n"
            "        h = tf.nn.conv2d(x, W, [1, 1, 1, 1], 'VALID') + b\n        outs.append(tf.reduce_max(h, [1, 2]))\n"
            "W = tf.Variable(tf.ones([6, 2]), name='W')\nb = tf.Variable(tf.zeros([2]))\n"
            "out = tf.matmul(tf.concat(outs, 1), W) + b\n")
    assert _split(code) == (
        "import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 6, 4, 1])\n"
        "W_list = [tf.Variable(tf.ones([size, 4, 1, 3]), name='conv-%d/W' % size) for size in [2, 3]]\n"
        "b_list = [tf.Variable(tf.zeros([3]), name='conv-%d/Variable' % size) for size in [2, 3]]\n"
        "\n\ndef build_outs(x, W_list, b_list):\n    outs = []\n"
        "    for size, W, b in zip([2, 3], W_list, b_list):\n        with tf.name_scope('conv-%d' % size):\n"
        "            h = tf.nn.conv2d(x, W, [1, 1, 1, 1], 'VALID') + b\n            outs.append(tf.reduce_max(h, [1, 2]))\n"
        "    return outs\n\n\nouts = build_outs(x, W_list, b_list)\n"
        "W = tf.Variable(tf.ones([6, 2]), name='W')\nb = tf.Variable(tf.zeros([2]))\n"
        "out = tf.matmul(tf.concat(outs, 1), W) + b\n")   # W and b bound again before they are read: not "read after"


def test_loops_with_other_blocks_or_lists_stay_as_written() -> None:
    head = "import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\n"
    loops = [
        "outs = []\nfor i in range(2):\n    with tf.variable_scope('l%d' % i):\n"
        "        W = tf.Variable(tf.ones([3, 3]))\n        outs.append(tf.matmul(x, W))\nprint(outs)\n",
        "outs = [x]\nfor i in range(2):\n    W = tf.Variable(tf.ones([3, 3]))\n    outs.append(tf.matmul(x, W))\nprint(outs)\n",
        "outs = []\nfor i in range(2):\n    W = tf.Variable(tf.ones([3, 3]))\n    outs.append(tf.matmul(x, W))\nprint(W)\n",
    ]
    for loop in loops:
        assert _split(head + loop) == head + loop, loop


def test_gradient_and_variable_summary_loops_become_summary_functions() -> None:
    code = TRAIN.replace("from text_model import WindowCNN\n", "")
    code = code.replace("            model = WindowCNN(", "            model = Linear(")
    linear = ("class Linear(object):\n    def __init__(self, length, classes, vocab, dim, windows, filters):\n"
              "        self.words = tf.placeholder(tf.int32, [None, length])\n"
              "        self.labels = tf.placeholder(tf.float32, [None, classes])\n"
              "        self.keep = tf.placeholder(tf.float32)\n"
              "        self.W = tf.Variable(tf.ones([length, classes]) * 0.01, name='W')\n"
              "        self.scores = tf.matmul(tf.cast(self.words, tf.float32), self.W)\n"
              "        self.loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=self.scores, "
              "labels=self.labels))\n        self.accuracy = tf.reduce_mean(self.scores)\n\n\n")
    code = code.replace("FLAGS = tf.flags.FLAGS\n", "FLAGS = tf.flags.FLAGS\n\n\n" + linear)
    assert not _blockers(code)
    out = upgrade_native(code).code
    assert re.search(r"def grad_summaries\(words, labels(, model)?\):\n +with tf.GradientTape\(\) as tape:\n", out)
    assert "grads_and_vars = list(zip(tape.gradient(loss_value, variables), variables))\n" in out
    assert 'hist = (tf.summary.histogram, "{}/grad/hist".format(v.name), g)\n' in out
    assert "tf.config.set_soft_device_placement(FLAGS.allow_soft_placement)" in out and "ConfigProto" not in out

    assert not _blockers(VARIABLE_HISTOGRAMS)
    out = upgrade_native(VARIABLE_HISTOGRAMS).code
    assert ("def variable_summaries():\n    variable_summaries = []\n"
            "    for var in [*weights.values(), *biases.values()]:\n"
            "        variable_summaries.append((tf.summary.histogram, var.name, tf.identity(var)))\n") in out
    assert ("    grads_0 = tape.gradient(loss_value, variables)\n"
            "    grads = list(zip(grads_0, [*weights.values(), *biases.values()]))\n    gradient_summaries = []\n") in out
    assert '*variable_summaries(), *gradient_summaries(x, y)]' in out


def test_a_session_configuration_with_other_fields_keeps_its_reason() -> None:
    code = VARIABLE_HISTOGRAMS.replace("with tf.Session() as sess:",
                                       "conf = tf.ConfigProto(device_count={'GPU': 0}, log_device_placement=True)\n"
                                       "with tf.Session(config=conf) as sess:")
    assert any(r.startswith("tf.ConfigProto: a session configuration kept as an object") for r in _blockers(code))
    code = VARIABLE_HISTOGRAMS.replace("with tf.Session() as sess:",
                                       "conf = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False)\n"
                                       "with tf.Session(config=conf) as sess:")
    out = upgrade_native(code).code
    assert "ConfigProto" not in out and "device_placement" not in out   # TF2's defaults: nothing to set


def _events(tf, logdir: Path) -> list[tuple[int, str, object]]:
    out = []
    for f in sorted(p for p in logdir.rglob("events.*") if p.is_file()):
        for event in tf.compat.v1.train.summary_iterator(str(f)):
            for v in event.summary.value:
                kind = "hist" if v.HasField("histo") or v.metadata.plugin_data.plugin_name == "histograms" else "scalar"
                value = v.simple_value if v.HasField("simple_value") else None
                if kind == "scalar" and value is None:
                    value = float(tf.make_ndarray(v.tensor))
                out.append((event.step, kind, v.tag, None if value is None else round(value, 4)))
    return out


def _run_three(tmp_path: Path, files: dict[str, str], main: str) -> dict[str, str]:
    """Print outputs of the original on TF1 and its native conversion on TF 2.21 and tfcompat (logs in tmp/<side>)."""
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
    for name in files:
        (new / name).write_text(upgrade_native(files[name], new / name).code)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    runs = {"tf1": (old, [sys.executable, str(ROOT / "tests" / "run_as_tf.py"), "v1", main]),
            "tf2": (new, [sys.executable, main]),
            "tfcompat": (new, [sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", main])}
    printed = {}
    for side, (cwd, cmd) in runs.items():
        r = subprocess.run(cmd + [str(tmp_path / side)], cwd=cwd, capture_output=True, text=True, env=env,
                           timeout=300)
        assert r.returncode == 0, side + ": " + r.stderr[-1500:]
        printed[side] = r.stdout
    return printed


def test_the_window_cnn_and_its_training_script_print_write_and_save_what_tf1_did(oracle, tmp_path: Path,
                                                                                  fresh_groups) -> None:
    printed = _run_three(tmp_path, {"text_model.py": MODEL, "main.py": TRAIN}, "main.py")
    assert printed["tf1"] == printed["tf2"] == printed["tfcompat"]
    assert printed["tf1"].startswith("step 1 loss ") and "saved model-4" in printed["tf1"]
    converted = (tmp_path / "new" / "text_model.py").read_text()
    assert "class WindowCNN(tf.Module):" in converted and "compat" not in converted
    assert "def build_pooled(self, looked_up, W_list, b_list):" in converted
    tf1 = _events(oracle, tmp_path / "tf1")
    for side in ("tf2", "tfcompat"):
        got = _events(oracle, tmp_path / side)
        for step in range(1, 5):
            theirs = sorted(e[3] for e in tf1 if e[0] == step and e[1] == "scalar")   # loss and the sparsities
            assert sorted(e[3] for e in got if e[0] == step and e[1] == "scalar") == pytest.approx(theirs, abs=2e-4)
            assert sum(e[:2] == (step, "hist") for e in got) == sum(e[:2] == (step, "hist") for e in tf1) == 7
        # the loop's variables keep the name scope TF1 gave them, so their gradient tags name them as TF1's did
        assert {"window-2/W:0/grad/hist", "window-3/b:0/grad/sparsity"} <= {e[2] for e in got}
        names = {n for n, _ in oracle.train.list_variables(str(tmp_path / side / "model-4"))}
        assert sum("W_list" in n and "OPTIMIZER_SLOT" not in n for n in names) == 2, sorted(names)   # both windows


def test_variable_histograms_collected_by_merge_all_are_written_as_tf1_wrote_them(oracle, tmp_path: Path) -> None:
    printed = _run_three(tmp_path, {"main.py": VARIABLE_HISTOGRAMS}, "main.py")
    assert printed["tf1"] == printed["tf2"] == printed["tfcompat"]
    tf1 = _events(oracle, tmp_path / "tf1")
    for side in ("tf2", "tfcompat"):
        got = _events(oracle, tmp_path / side)
        assert sorted((e[0], e[1], e[2].replace(":", "_")) for e in got) == sorted(e[:3] for e in tf1), side
        assert [e[3] for e in got if e[1] == "scalar"] == pytest.approx([e[3] for e in tf1 if e[1] == "scalar"])
