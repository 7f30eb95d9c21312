"""Summaries written inside a layer function (native/summary_tags.py): the converted merge_all lists every layer
call's histograms with the tags TF1 wrote (name-scope prefixed and made unique as TF1 made op names unique).
The end-to-end check reads the event files back: the TF1 original and its conversion, on TensorFlow and on
tfcompat's v2 API, write the same tags and values."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests import warm_python
from tests.upgrader.multi_file import native, run_old_and_new
from upgrader.engine import upgrade_source

OPS = '''import tensorflow as tf


def weight_variable(name, shape):
    return tf.get_variable('W_' + name, dtype=tf.float32, shape=shape, initializer=tf.constant_initializer(0.05))


def bias_variable(name, shape):
    return tf.get_variable('b_' + name, dtype=tf.float32, initializer=tf.constant(0., shape=shape))


def fc_layer(x, num_units, name, use_relu=True):
    with tf.variable_scope(name):
        in_dim = x.get_shape()[1]
        W = weight_variable(name, shape=[in_dim, num_units])
        tf.summary.histogram('W', W)
        b = bias_variable(name, [num_units])
        tf.summary.histogram('b', b)
        layer = tf.matmul(x, W)
        layer += b
        if use_relu:
            layer = tf.nn.relu(layer)
        return layer
'''
MAIN = '''import numpy as np
import tensorflow as tf
from ops import fc_layer

xs = np.linspace(-1, 1, 12).reshape(4, 3).astype(np.float32)
ys = np.eye(2)[[0, 1, 1, 0]].astype(np.float32)
with tf.variable_scope('Input'):
    x = tf.placeholder(tf.float32, shape=[None, 3], name='X')
    y = tf.placeholder(tf.float32, shape=[None, 2], name='Y')
fc1 = fc_layer(x, 5, 'Hidden', use_relu=True)
logits = fc_layer(fc1, 2, 'Output', use_relu=False)
with tf.variable_scope('Train'):
    with tf.variable_scope('Loss'):
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits), name='loss')
        tf.summary.scalar('loss', loss)
    step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    tf.summary.scalar('loss', loss)
merged = tf.summary.merge_all()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter('logs')
    for i in range(3):
        sess.run(step, feed_dict={x: xs, y: ys})
        s = sess.run(merged, feed_dict={x: xs, y: ys})
        writer.add_summary(s, i)
    writer.close()
    print("%.5f" % sess.run(loss, feed_dict={x: xs, y: ys}))
'''
# (step, tag, value) of every summary value in a log folder; a TF1 HistogramProto and a TF2 histogram tensor
# both give (count, min, max)
READ = '''import glob, sys
import tensorflow as tf
rows = []
for f in sorted(glob.glob(sys.argv[1] + '/events*')):
    for e in tf.compat.v1.train.summary_iterator(f):
        for v in e.summary.value:
            if v.HasField('simple_value'):
                val = round(v.simple_value, 5)
            elif v.HasField('histo'):
                val = ('histo', v.histo.num, round(v.histo.min, 5), round(v.histo.max, 5))
            elif v.metadata.plugin_data.plugin_name == 'histograms':
                t = tf.make_ndarray(v.tensor)
                val = ('histo', float(t[:, 2].sum()), round(float(t[0, 0]), 5), round(float(t[-1, 1]), 5))
            else:
                val = round(float(tf.make_ndarray(v.tensor)), 5)
            rows.append((e.step, v.tag, val))
for row in sorted(rows):
    print(*row)
'''


pytestmark = pytest.mark.usefixtures("fresh_groups")


def _summaries(folder: Path) -> str:
    out = warm_python.run([sys.executable, "-c", READ, str(folder / "logs")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-1500:]
    return out.stdout


def test_layer_histograms_are_written_with_tf1_tags_and_values(tmp_path: Path) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"ops.py": OPS, "main.py": MAIN})
    assert tf1.stdout == tf2.stdout
    code = (tmp_path / "new" / "main.py").read_text()
    assert "(tf.summary.histogram, 'Hidden/W', tf.identity(Hidden.W))" in code
    assert "'Train/Loss/loss_1'" in code and "'Train/loss_1'" in code   # TF1's unique names, case-insensitive
    old = _summaries(tmp_path / "old")
    assert "0 Hidden/W ('histo', 15.0, 0.05, 0.05)" in old and "Output/b" in old and "2 Train/loss_1" in old
    assert _summaries(tmp_path / "new") == old
    (tmp_path / "new" / "logs").rename(tmp_path / "tf2_logs")
    ours = warm_python.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", "main.py"], cwd=tmp_path / "new",
                           capture_output=True, text=True, timeout=300)
    assert ours.returncode == 0 and ours.stdout == tf1.stdout, ours.stderr[-1500:]
    assert _summaries(tmp_path / "new") == old


HEAD = "import tensorflow as tf\n\n\n"
RUN = ("\n\nx = tf.placeholder(tf.float32, [None, 3])\nwith tf.variable_scope('net'):\n    y = layer(x, 3, 2)\n"
       "merged = tf.summary.merge_all()\nwith tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
       "    print(sess.run([y, merged], {x: [[1.0, 2.0, 3.0]]}))\n")


def _converted(body: str) -> tuple[str, list[str]]:
    result = upgrade_source(HEAD + "def layer(x, n_in, n_out):\n" + body + RUN, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_a_layer_histogram_of_a_variable_is_listed_under_the_call_scope() -> None:
    code, blocked = _converted("    with tf.variable_scope('dense'):\n        w = tf.get_variable('w', [n_in, n_out])\n"
                               "        tf.summary.histogram('weights', w)\n    return tf.matmul(x, w)\n")
    assert not blocked, blocked
    assert "'net/dense/weights'" in code and "tf.summary.histogram('weights'" not in code


@pytest.mark.parametrize("body, reason", [
    ("    w = tf.get_variable('w', [n_in, n_out])\n    out = tf.matmul(x, w)\n    tf.summary.histogram('out', out)\n"
     "    return out\n", "of a value it computes"),
    ("    w = tf.get_variable('w', [n_in, n_out])\n    if n_out > 1:\n        tf.summary.histogram('w', w)\n"
     "    return tf.matmul(x, w)\n", "under Python control flow"),
], ids=["activation", "conditional"])
def test_what_keeps_a_layer_summary_from_converting_is_named(body: str, reason: str) -> None:
    _, blocked = _converted(body)
    assert any(reason in m for m in blocked), blocked


def test_a_layer_that_writes_a_summary_and_is_reused_keeps_its_reason() -> None:
    # TF1 made the histogram again under the name scope of each call ('dense/w', 'dense_1/w')
    code = HEAD + ("def layer(x, reuse=False):\n    with tf.variable_scope('dense', reuse=reuse):\n"
                   "        w = tf.get_variable('w', [3, 2])\n        tf.summary.histogram('w', w)\n"
                   "        return tf.matmul(x, w)\n\n\nx = tf.placeholder(tf.float32, [None, 3])\ny = layer(x)\n"
                   "z = layer(x, reuse=True)\nmerged = tf.summary.merge_all()\nwith tf.Session() as sess:\n"
                   "    sess.run(tf.global_variables_initializer())\n    print(sess.run([y, z, merged], {x: [[1.0, 2.0, 3.0]]}))\n")
    result = upgrade_source(code, "native")
    assert any("is called again reusing its variables" in d.message for d in result.warnings if d.rule == "native")


def test_a_named_module_level_summary_op_keeps_its_scope_in_the_tag() -> None:
    code = ("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None])\nw = tf.Variable(2.0, name='w')\n"
            "with tf.name_scope('metrics'):\n    loss = tf.reduce_mean(tf.square(w * x))\n"
            "    loss_summary = tf.summary.scalar('loss', loss)\n    w_summary = tf.summary.histogram('w', w)\n"
            "with tf.Session() as sess:\n    writer = tf.summary.FileWriter('/tmp/logs')\n"
            "    sess.run(tf.global_variables_initializer())\n    for step in range(2):\n"
            "        writer.add_summary(sess.run(loss_summary, {x: [1.0]}), step)\n"
            "        writer.add_summary(sess.run(w_summary), step)\n")
    result = upgrade_source(code, "native")
    assert not [d.message for d in result.warnings if d.rule == "native"]
    assert "(tf.summary.scalar, 'metrics/loss', loss(x))" in result.code   # as TF1 tagged it
    assert "(tf.summary.histogram, 'metrics/w', tf.identity(w))" in result.code
