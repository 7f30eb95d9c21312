"""Values fetched in one sess.run with a training op are computed from the variables before its update.

TF1 computes every fetch of `sess.run([train, loss, merged], feed)` before the update (a summary of the
loss holds the fetched loss); the conversion computes them before calling the step (native/fetch.py).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests import warm_python
from upgrader.native.run import upgrade_native

RUN_AS_TF = Path(__file__).resolve().parents[1] / "run_as_tf.py"

PROGRAM = """import sys

import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 3])
y = tf.placeholder(tf.float32, [None, 1])
w = tf.Variable(tf.ones([3, 1]))
b = tf.Variable(tf.zeros([1]))
pred = tf.matmul(x, w) + b
loss = tf.reduce_mean(tf.square(pred - y))
tf.summary.scalar("loss", loss)
tf.summary.scalar("pred_mean", tf.reduce_mean(pred))
merged = tf.summary.merge_all()
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

rng = np.random.RandomState(0)
xs = rng.randn(8, 3).astype(np.float32)
ys = rng.randn(8, 1).astype(np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter(sys.argv[1])
    for i in range(3):
        _, l, s = sess.run([train, loss, merged], feed_dict={x: xs, y: ys})
        writer.add_summary(s, i)
        print(i, round(float(l), 4))
    for i in range(3, 5):
        out = sess.run({"summary": merged, "train": train}, feed_dict={x: xs, y: ys})
        writer.add_summary(out["summary"], i)
    writer.close()
"""

STEP = "train(xs, ys)"


def test_a_summary_fetched_with_the_step_is_computed_before_it() -> None:
    code = upgrade_native(PROGRAM).code
    assert "_, l, s = None, (merged_fetched := merged(xs, ys), train(xs, ys).numpy())[-1], merged_fetched" in code
    assert 'out = {"summary": merged(xs, ys), "train": train(xs, ys)}' in code   # already first: left as it is


@pytest.mark.parametrize("fetches, expected", [
    ("[loss, train, merged]", "(merged_fetched := merged(xs, ys), train(xs, ys).numpy())[-1], None, merged_fetched"),
    ("[train, merged]", "(merged_fetched := merged(xs, ys), train(xs, ys))[-1], merged_fetched"),
    ("[train, loss, pred * 2.0]", "None, (value_fetched := (pred(xs) * 2.0).numpy(), train(xs, ys).numpy())[-1], "
                                  "value_fetched"),
])
def test_every_tensor_fetched_after_the_step_is_bound_before_it(fetches: str, expected: str) -> None:
    code = PROGRAM.replace("[train, loss, merged]", fetches).replace("_, l, s =", "got =").replace(
        "print(i, round(float(l), 4))", "print(i, got[-1])").replace("        writer.add_summary(s, i)\n", "")
    converted = upgrade_native(code)
    assert not [d for d in converted.diagnostics if "native conversion blocked" in d.message]
    assert f"got = [{expected}]" in converted.code


def _scalars(tf, logdir: Path) -> list[tuple[int, str, float]]:
    out = []
    for f in sorted(p for p in logdir.rglob("*") if p.is_file()):
        for event in tf.compat.v1.train.summary_iterator(str(f)):
            for v in event.summary.value:
                value = v.simple_value if v.HasField("simple_value") else float(tf.make_ndarray(v.tensor))
                out.append((event.step, v.tag, round(value, 4)))
    return sorted(out)


def test_tf1_tf2_and_tfcompat_write_the_same_summaries(oracle, tmp_path: Path) -> None:
    (tmp_path / "v1.py").write_text(PROGRAM)
    (tmp_path / "v2.py").write_text(upgrade_native(PROGRAM).code)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
    runs = {"tf1": [sys.executable, str(RUN_AS_TF), "v1", str(tmp_path / "v1.py")],
            "tf2": [sys.executable, str(tmp_path / "v2.py")],
            "tfcompat": [sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", str(tmp_path / "v2.py")]}
    printed = {}
    for side, cmd in runs.items():
        r = warm_python.run(cmd + [str(tmp_path / side)], capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr[-800:]
        printed[side] = r.stdout.split()
    tf1 = _scalars(oracle, tmp_path / "tf1")
    assert [t for t in tf1 if t[1] == "loss"][:3] == [(int(i), "loss", float(v)) for i, v in
                                                      zip(printed["tf1"][::2], printed["tf1"][1::2])]
    assert len(tf1) == 10
    assert _scalars(oracle, tmp_path / "tf2") == tf1
    on_tfcompat = _scalars(oracle, tmp_path / "tfcompat")
    assert [t[:2] for t in on_tfcompat] == [t[:2] for t in tf1]   # the same steps and tags, in order
    assert [t[2] for t in on_tfcompat] == pytest.approx([t[2] for t in tf1], abs=2e-4)


IN_A_CLASS = """import numpy as np
import tensorflow as tf


class Regressor:
    def __init__(self):
        self.x = tf.placeholder(tf.float32, [None, 3])
        self.y = tf.placeholder(tf.float32, [None, 1])
        self.w = tf.Variable(tf.ones([3, 1]))
        self.pred = tf.matmul(self.x, self.w)
        self.loss = tf.reduce_mean(tf.square(self.pred - self.y))
        self.train = tf.train.GradientDescentOptimizer(0.1).minimize(self.loss)
        tf.summary.scalar("loss", self.loss)
        self.summary_op = tf.summary.merge_all()


def fit(model, xs, ys):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        writer = tf.summary.FileWriter("logs")
        for step in range(3):
            l, _, s = sess.run([model.loss, model.train, model.summary_op], {model.x: xs, model.y: ys})
            writer.add_summary(s, global_step=step)
            print(l)


model = Regressor()
fit(model, np.ones((4, 3), np.float32), np.zeros((4, 1), np.float32))
"""


def test_a_summary_fetched_after_the_step_in_a_model_class_is_a_local_not_an_attribute():
    """The hoisted value's name drops the flattened instance prefix (model__summary_op): folded back, an
    attribute target (model.summary_op_fetched := ...) would be a SyntaxError."""
    result = upgrade_native(IN_A_CLASS)
    assert "compat.v1" not in result.code, [d.message for d in result.diagnostics]
    compile(result.code, "converted.py", "exec")
    assert "summary_op_fetched := model.summary_op(" in result.code
