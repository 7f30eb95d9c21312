"""model_dir interchange with TensorFlow 2.15's Estimator: each resumes training from the other's checkpoints.

Skips where the TF 2.15 oracle venv is absent (scripts/setup_tf215_oracle.sh).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests import warm_python
from tests.estimator_oracle import run_tf215, tf215_python

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(tf215_python() is None, reason="no TF 2.15 oracle (scripts/setup_tf215_oracle.sh)")

PROGRAM = '''
import sys
import numpy as np
import tensorflow as tf

X = np.linspace(-1, 1, 8).astype(np.float32)
Y = (3 * X + 2).astype(np.float32)


def model_fn(features, labels, mode):
    w = tf.get_variable("w", [], initializer=tf.constant_initializer(0.5))
    b = tf.get_variable("b", [], initializer=tf.zeros_initializer())
    loss = tf.losses.mean_squared_error(labels, w * features["x"] + b)
    opt = tf.train.MomentumOptimizer(0.05, momentum=0.9)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=opt.minimize(loss, tf.train.get_global_step()))


est = tf.estimator.Estimator(model_fn, model_dir=sys.argv[1])
est.train(tf.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=4, num_epochs=None, shuffle=False),
          max_steps=int(sys.argv[2]))
print("step %d w %.6f b %.6f momentum %.6f" % (est.get_variable_value("global_step"), est.get_variable_value("w"),
      est.get_variable_value("b"), est.get_variable_value("w/Momentum")))
'''


def _tfcompat(script: Path, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    run = warm_python.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v1", str(script), *args],
                          env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.strip()


def _tf215(script: Path, *args: str) -> str:
    run = run_tf215(script, extra_args=list(args))
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.strip()


@pytest.mark.parametrize("first, second", [("tfcompat", "tf215"), ("tf215", "tfcompat")])
def test_training_resumes_across_implementations(tmp_path, first, second) -> None:
    script = tmp_path / "train.py"
    script.write_text(PROGRAM)
    runner = {"tfcompat": _tfcompat, "tf215": _tf215}
    _tfcompat(script, str(tmp_path / "alone"), "5")         # NOTE: a resumed input_fn starts from row 0 again,
    alone = _tfcompat(script, str(tmp_path / "alone"), "10")  # so the reference is also trained 5 + 5 steps
    runner[first](script, str(tmp_path / "shared"), "5")
    resumed = runner[second](script, str(tmp_path / "shared"), "10")
    assert resumed == alone
