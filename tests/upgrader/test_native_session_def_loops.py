"""Functions that run the module's session and iterate a dataset, save and restore (native/session_defs.py).

`def train_epoch(epoch): sess.run(train_init); try: while True: sess.run(...) except OutOfRangeError` is a
for loop over the dataset its initializer named; `saver.save(sess, ...)`, `saver.restore(sess, ...)` and
`tf.train.get_checkpoint_state` inside such functions convert, and the Checkpoint holds the Adam
optimizer, so a second run resumes as TF1's did.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import numpy as np

from tests import warm_python
from tests.upgrader.multi_file import ROOT
from upgrader.native.run import upgrade_native

PROGRAM = """import os

import numpy as np
import tensorflow as tf

xs = np.arange(8, dtype=np.float32)
train_data = tf.data.Dataset.from_tensor_slices((xs, 2.0 * xs + 1.0)).batch(4)
test_data = tf.data.Dataset.from_tensor_slices((xs[:4], 2.0 * xs[:4] + 1.0)).batch(2)
iterator = tf.data.Iterator.from_structure(train_data.output_types, train_data.output_shapes)
x, y = iterator.get_next()
train_init = iterator.make_initializer(train_data)
test_init = iterator.make_initializer(test_data)
w = tf.Variable(0.5, name="w")
b = tf.Variable(0.0, name="b")
step = tf.Variable(0, trainable=False, name="step")
loss = tf.reduce_mean(tf.square(w * x + b - y))
train_op = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=step)
saver = tf.train.Saver()
sess = tf.Session()
sess.run(tf.global_variables_initializer())


def train_epoch(epoch):
    sess.run(train_init)
    total = 0.0
    try:
        while True:
            _, l = sess.run([train_op, loss])
            total += l
    except tf.errors.OutOfRangeError:
        pass
    saver.save(sess, "ckpt/model", global_step=step)
    print("epoch", epoch, round(float(total), 4))


def evaluate():
    sess.run(test_init)
    total = 0.0
    while True:
        try:
            total += sess.run(loss)
        except tf.errors.OutOfRangeError:
            break
    return total


def resume():
    ckpt = tf.train.get_checkpoint_state(os.path.dirname("ckpt/checkpoint"))
    if ckpt and ckpt.model_checkpoint_path:
        saver.restore(sess, ckpt.model_checkpoint_path)
        print("restored", os.path.basename(ckpt.model_checkpoint_path))


resume()
for epoch in range(3):
    train_epoch(epoch)
    print("test", round(float(evaluate()), 4))
print("step", sess.run(step))
"""

# NOTE: recorded from TensorFlow 2.21 running PROGRAM twice as TF1 (tests/run_as_tf.py v1); the second run restores
EXPECTED = ("epoch 0 95.6588\ntest 23.1615\nepoch 1 84.7002\ntest 20.2455\nepoch 2 74.516\ntest 17.5064\nstep 6\n",
            "restored model-6\nepoch 0 64.9758\ntest 14.9752\nepoch 1 56.1407\ntest 12.6631\nepoch 2 48.0376\n"
            "test 10.5742\nstep 12\n")


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.?\d*", text)]


def _twice(command: list[str], folder: Path, code: str) -> list[str]:
    folder.mkdir()
    (folder / "main.py").write_text(code)
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    runs = [warm_python.run(command + ["main.py"], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
            for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr[-2000:]
    return [r.stdout for r in runs]


def test_the_session_functions_iterate_save_and_restore() -> None:
    out = upgrade_native(PROGRAM).code
    assert not [d for d in upgrade_native(PROGRAM).warnings if d.rule == "native"]
    assert "def train_epoch(epoch):\n    total = 0.0\n    for x, y in train_data:\n" in out
    assert "def evaluate():\n    total = 0.0\n    for x, y in test_data:\n" in out
    assert "saver_manager.save(checkpoint_number=step.numpy())" in out and "saver.restore(ckpt.model_checkpoint_path)" in out
    assert "saver = tf.train.Checkpoint(w=w, b=b, step=step, optimizer=optimizer)" in out
    assert "Session" not in out and "Iterator" not in out and upgrade_native(out).code == out


def _close(got: list[str]) -> None:
    # NOTE: Keras's Adam and TF1's differ in where epsilon goes: the 4th decimal may differ
    for run, want in zip(got, EXPECTED):
        assert run.splitlines()[0].startswith(want.splitlines()[0].split()[0])
        np.testing.assert_allclose(_numbers(run), _numbers(want), rtol=2e-5, atol=2e-4)


def test_tf1_prints_the_recorded_output(tmp_path: Path, oracle) -> None:
    got = _twice([sys.executable, str(ROOT / "tests" / "run_as_tf.py"), "v1"], tmp_path / "tf1", PROGRAM)
    assert tuple(got) == EXPECTED


def test_the_conversion_resumes_like_tf1_on_tensorflow(tmp_path: Path, oracle) -> None:
    _close(_twice([sys.executable], tmp_path / "tf2", upgrade_native(PROGRAM).code))


def test_the_conversion_resumes_like_tf1_on_tfcompat(tmp_path: Path) -> None:
    _close(_twice([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2"], tmp_path / "tfcompat",
                  upgrade_native(PROGRAM).code))
