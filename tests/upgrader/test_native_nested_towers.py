"""A siamese model in a module beside the program: a def nested in the model function builds one RNN tower, and
the model calls it twice, the second time under `variable_scope(tf.get_variable_scope(), reuse=True)`.

The nested def moves out beside its function (native/nested_defs.py), the cell class kept in a local name is
called by its TensorFlow name (native/local_aliases.py), and the second call is the first call's sub-module
(native/scope_reuse.py); the program imports the module as `import twin as model`.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.upgrader.multi_file import ROOT, native, run_old_and_new
from upgrader.engine import upgrade_source
from upgrader.native.local_aliases import local_aliases
from upgrader.native.model import analyze
from upgrader.native.nested_defs import nested_defs

TWIN = '''import numpy as np
import tensorflow as tf


def pair_score(first, second, keep, n_steps):

    # One tower reads a sequence; both inputs go through the same weights
    def tower(x, units):
        cell_kind = tf.nn.rnn_cell.LSTMCell  # the cell class, kept in a name
        fw = cell_kind(units, initializer=tf.constant_initializer(0.1))
        fw = tf.nn.rnn_cell.DropoutWrapper(fw, output_keep_prob=keep)
        bw = cell_kind(units, initializer=tf.constant_initializer(0.1))
        bw = tf.nn.rnn_cell.DropoutWrapper(bw, output_keep_prob=keep)
        steps = tf.unstack(x, n_steps, 1)
        outputs, _, _ = tf.nn.static_bidirectional_rnn(fw, bw, steps, dtype=tf.float32)
        mean = tf.add_n(outputs) / n_steps
        w = tf.get_variable("w", [2 * units, 3], initializer=tf.constant_initializer(
            np.linspace(-0.5, 0.5, 2 * units * 3).reshape(2 * units, 3)))
        return tf.matmul(mean, w)

    out1 = tower(first, 4)
    with tf.variable_scope(tf.get_variable_scope(), reuse=True):
        out2 = tower(second, 4)
    out1 = tf.nn.l2_normalize(out1, 1)
    out2 = tf.nn.l2_normalize(out2, 1)
    return tf.reduce_sum(out1 * out2, 1)


def pair_loss(scores, target):
    return tf.reduce_mean(tf.square(scores - target))
'''
MAIN = '''import numpy as np
import tensorflow as tf

import twin as model

a = tf.placeholder(tf.float32, [None, 5, 2])
b = tf.placeholder(tf.float32, [None, 5, 2])
y = tf.placeholder(tf.float32, [None])
keep = tf.placeholder(tf.float32)

scores = model.pair_score(a, b, keep, 5)
loss = model.pair_loss(scores, y)
train = tf.train.AdamOptimizer(0.01).minimize(loss)

rng = np.random.RandomState(0)
xa = rng.rand(6, 5, 2).astype(np.float32)
xb = np.concatenate([xa[:3], rng.rand(3, 5, 2).astype(np.float32)])
target = np.array([1, 1, 1, -1, -1, -1], np.float32)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
for step in range(12):
    _, value = sess.run([train, loss], feed_dict={a: xa, b: xb, y: target, keep: 1.0})
    if step % 4 == 0:
        print("step", step, "loss", round(float(value), 4))
print("same inputs", np.round(sess.run(scores, feed_dict={a: xa, b: xa, keep: 1.0}), 4))
print("pairs", np.round(sess.run(scores, feed_dict={a: xa, b: xb, keep: 1.0}), 3))
'''

pytestmark = pytest.mark.usefixtures("fresh_groups")


def _pair(tmp_path: Path, twin: str = TWIN) -> tuple:
    (tmp_path / "twin.py").write_text(twin)
    (tmp_path / "main.py").write_text(MAIN)
    return native(tmp_path / "twin.py"), native(tmp_path / "main.py")


def test_the_nested_tower_moves_out_with_what_it_closed_over_as_parameters() -> None:
    moved = nested_defs(TWIN, ast.parse(TWIN))
    assert "\n# One tower reads a sequence; both inputs go through the same weights\n" \
           "def tower(x, units, keep, n_steps):\n    cell_kind = tf.nn.rnn_cell.LSTMCell" in moved
    assert moved.index("def tower(") < moved.index("def pair_score(")
    assert "out1 = tower(first, 4, keep=keep, n_steps=n_steps)" in moved
    assert "out2 = tower(second, 4, keep=keep, n_steps=n_steps)" in moved
    ast.parse(moved)


def test_a_local_set_once_before_the_def_is_passed_too_and_nested_calls_get_it_each() -> None:
    code = textwrap.dedent('''\
        import tensorflow as tf
        def model(x):
            size = 3
            def layer(h, name):
                with tf.variable_scope(name):
                    w = tf.get_variable("w", [size, size])
                return tf.matmul(h, w)
            return layer(layer(x, "a"), "b")
        ''')
    moved = nested_defs(code, ast.parse(code))
    assert "def layer(h, name, size):\n    with tf.variable_scope(name):" in moved
    assert "    return layer(layer(x, \"a\", size=size), \"b\", size=size)\n" in moved
    rebound = code.replace("    return layer(", "    size = 4\n    return layer(")   # the closure would see 4
    assert nested_defs(rebound, ast.parse(rebound)) == rebound


def test_a_cell_class_kept_in_a_local_name_is_called_by_its_tensorflow_name() -> None:
    code = textwrap.dedent('''\
        import tensorflow as tf
        def tower(x, units):
            cell_kind = tf.nn.rnn_cell.LSTMCell  # the class
            fw = cell_kind(units)
            return fw
        ''')
    out = local_aliases(code, ast.parse(code))
    assert "    # the class\n    fw = tf.nn.rnn_cell.LSTMCell(units)\n" in out
    passed = code.replace("return fw", "return cell_kind")   # read other than as the function called: kept
    assert local_aliases(passed, ast.parse(passed)) == passed


@pytest.mark.parametrize("change", [
    ("out1 = tower(first, 4)", "keep = keep * 1.0\n    out1 = tower(first, 4)"),   # closes over a rebound name
    ("out1 = tower(first, 4)", "out1 = tf.map_fn(tower, first)"),                 # the def passed as a value
])
def test_a_nested_def_that_cannot_move_stays_and_is_reported(change: tuple[str, str]) -> None:
    code = TWIN.replace(*change)
    assert nested_defs(code, ast.parse(code)) == code
    reasons = [b.reason for b in analyze(code).blockers]
    assert any("nested functions" in r for r in reasons), reasons


def test_the_second_call_under_reuse_is_the_first_calls_sub_module(tmp_path: Path) -> None:
    (twin, twin_blocked), (main, main_blocked) = _pair(tmp_path)
    assert not twin_blocked and not main_blocked, twin_blocked + main_blocked
    assert twin.code.count("self.tower = Tower(4)") == 1 and "tower_2" not in twin.code
    assert "out1 = self.tower(first, keep=keep, n_steps=n_steps)" in twin.code
    assert "out2 = self.tower(second, keep=keep, n_steps=n_steps)" in twin.code
    assert "keras_layers = [v for m in (self, *self.submodules)" in twin.code   # PairScore lists Tower's LSTM weights
    assert "from twin import PairScore, pair_loss" in main.code
    for text in (twin.code, main.code):
        assert "placeholder" not in text and "Session" not in text and "compat" not in text
        assert "variable_scope" not in text and "rnn_cell" not in text


def test_a_second_call_with_other_sizes_under_reuse_is_tf1s_error(tmp_path: Path) -> None:
    (_, blocked), (_, reasons) = _pair(tmp_path, TWIN.replace("out2 = tower(second, 4)", "out2 = tower(second, 6)"))
    assert any("pair_score() reuses only some of its variables" in r for r in reasons), reasons   # TF1: shape mismatch
    assert blocked and "stays in compat form" in blocked[0]


def test_the_converted_pair_prints_what_tf1_printed_on_tensorflow_and_tfcompat(tmp_path: Path) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"twin.py": TWIN, "main.py": MAIN})
    ours = subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", "main.py"], cwd=tmp_path / "new",
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert ours.returncode == 0, ours.stderr[-1500:]
    assert "same inputs [1. 1. 1. 1. 1. 1.]" in tf1.stdout   # one set of weights reads both inputs
    old = tf1.stdout.replace("[", " ").replace("]", " ").split()
    for out in (tf2.stdout, ours.stdout):
        new = out.replace("[", " ").replace("]", " ").split()
        assert [w for w in new if not w[0].isdigit() and w[0] != "-"] == [w for w in old if not w[0].isdigit() and w[0] != "-"]
        pairs = [(float(o), float(n)) for o, n in zip(old, new) if o[0].isdigit() or o[0] == "-"]
        assert len(pairs) == 3 * 2 + 6 + 6
        np.testing.assert_allclose([n for _, n in pairs], [o for o, _ in pairs], atol=2e-3)


def test_converting_the_converted_pair_changes_nothing(tmp_path: Path) -> None:
    (twin, _), (main, _) = _pair(tmp_path)
    again = tmp_path / "again"
    again.mkdir()
    (again / "twin.py").write_text(twin.code)
    (again / "main.py").write_text(main.code)
    assert upgrade_source(twin.code, "native", path=again / "twin.py").code == twin.code
    assert upgrade_source(main.code, "native", path=again / "main.py").code == main.code
