"""`with sess.as_default():` around a module-level program is unwrapped (native/session_default.py).

The converted program prints what TF1 printed, on TensorFlow 2.21 and on tfcompat's v2 API.
"""
from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

from tests import warm_python
from upgrader.native.run import upgrade_native
from upgrader.native.session_default import unwrap_session_defaults

RUN_AS_TF = Path(__file__).resolve().parents[1] / "run_as_tf.py"

PROGRAM = '''import numpy as np
import tensorflow as tf

sess = tf.Session()
with sess.as_default():
    x = tf.placeholder(tf.float32, [None, 2])
    w = tf.Variable([[0.5], [-0.25]], name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    sess.run(tf.global_variables_initializer())

    def step(batch):
        """One step.
        Returns the loss before it."""
        value, _ = sess.run([loss, train], {x: batch})
        return value

    for i in range(3):
        print(i, round(float(step(np.ones((4, 2)))), 5))
    print(w.eval().round(5).tolist())
'''


def test_the_block_is_unwrapped_with_lines_and_strings_kept() -> None:
    out = unwrap_session_defaults(PROGRAM, ast.parse(PROGRAM))
    assert out.count("\n") == PROGRAM.count("\n")
    assert "\n\nx = tf.placeholder(tf.float32, [None, 2])\n" in out and "as_default" not in out
    assert '    """One step.\n        Returns the loss before it."""\n' in out   # the string's text is unchanged
    assert "\nfor i in range(3):\n    print(i" in out


def test_a_block_on_something_else_is_left_alone() -> None:
    for code in (PROGRAM.replace("sess = tf.Session()", "sess = make_session()"),
                 PROGRAM.replace("with sess.as_default():", "with sess.as_default() as s:")):
        assert unwrap_session_defaults(code, ast.parse(code)) == code


def test_the_program_converts_and_prints_what_tf1_printed(oracle, tmp_path: Path) -> None:
    result = upgrade_native(PROGRAM)
    assert not [d for d in result.diagnostics if "native conversion blocked" in d.message]
    assert "Session" not in result.code and "as_default" not in result.code
    (tmp_path / "v1.py").write_text(PROGRAM)
    (tmp_path / "v2.py").write_text(result.code)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    runs = [warm_python.run(cmd, capture_output=True, text=True, env=env, timeout=300) for cmd in (
        [sys.executable, str(RUN_AS_TF), "v1", str(tmp_path / "v1.py")],
        [sys.executable, str(tmp_path / "v2.py")],
        [sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", str(tmp_path / "v2.py")])]
    assert all(r.returncode == 0 for r in runs), "\n".join(r.stderr[-800:] for r in runs)
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert runs[0].stdout.splitlines()[:3] == ["0 0.5625", "1 0.2025", "2 0.0729"]
