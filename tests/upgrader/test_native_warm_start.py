"""warm_start_from in a converted canned Estimator reads a TF1 name-based checkpoint by variable name.

fixtures/programs/estimator/warm_start.py covers warm starts from an earlier (converted) Estimator's model_dir;
here the checkpoint is TF1's (`tf.compat.v1.train.Saver`, written by real TensorFlow), as a TF 1.15 job left it.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import warm_python
from tests.oracle_python import oracle_python
from upgrader.engine import upgrade_source

ROOT = Path(__file__).resolve().parents[2]
VALUES = {"dnn/hiddenlayer_0/kernel": [[0.5, -0.25, 0.75]], "dnn/hiddenlayer_0/bias": [0.1, 0.0, -0.1],
          "dnn/logits/kernel": [[1.0], [-2.0], [0.5]], "dnn/logits/bias": [0.25]}
WRITE = f'''import numpy as np, sys, tensorflow as tf
variables = {{k: tf.Variable(np.array(v, np.float32), name=k) for k, v in {VALUES!r}.items()}}
tf.compat.v1.train.Saver(var_list=variables).save(None, sys.argv[1])
'''
PROGRAM = '''import sys
import numpy as np
import tensorflow as tf

columns = [tf.feature_column.numeric_column("x")]
est = tf.estimator.DNNRegressor([3], columns, model_dir=sys.argv[2], warm_start_from=sys.argv[1],
                                optimizer=tf.train.GradientDescentOptimizer(0.0))
est.train(lambda: tf.data.Dataset.from_tensors(({"x": [[1.0]]}, [[2.0]])), steps=1)
for name in est.get_variable_names():
    print(name, np.round(est.get_variable_value(name), 5).ravel().tolist())
'''


def _run(args: list[str], tmp_path: Path) -> str:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    run = warm_python.run(args, capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


@pytest.mark.oracle
def test_converted_canned_estimator_warm_starts_from_a_tf1_checkpoint(tmp_path: Path) -> None:
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (set TFCOMPAT_ORACLE_PYTHON)")
    (tmp_path / "write.py").write_text(WRITE)
    _run([py, "write.py", str(tmp_path / "init")], tmp_path)
    result = upgrade_source(PROGRAM, "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    (tmp_path / "program.py").write_text(result.code)
    expected = [f"{k} {np.round(np.array(v, np.float32), 5).ravel().tolist()}" for k, v in sorted(VALUES.items())]
    for i, command in enumerate(([py], [sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2"])):
        out = _run(command + ["program.py", str(tmp_path / "init"), str(tmp_path / f"model{i}")], tmp_path).splitlines()
        assert [line for line in out if not line.startswith("global_step")] == expected, (command, out)
        assert "global_step [1]" in out
