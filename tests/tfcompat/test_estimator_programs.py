"""Estimator programs (`fixtures/programs/estimator`) run unchanged on tfcompat and print what TensorFlow 2.15 printed.

Expected outputs are recorded from TF 2.15 + tensorflow-estimator 2.15 (`python -m tests.estimator_oracle`),
the last TensorFlow with tf.estimator; where that venv exists (scripts/setup_tf215_oracle.sh) each program
is also run on it live and compared.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests import warm_python
from tests.estimator_oracle import PROGRAMS, api_of, run_tf215, tf215_python
from tests.output_compare import differences

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted(PROGRAMS.glob("*.py"))


def _tfcompat(program: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    run = warm_python.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", api_of(program), program.name], cwd=program.parent,
                          env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"{program.name} exited {run.returncode}:\n{run.stderr[-4000:]}"
    return run.stdout


@pytest.mark.parametrize("program", CASES, ids=lambda p: p.stem)
def test_estimator_program_prints_what_tf215_printed(program: Path) -> None:
    expected = program.with_suffix(".expected.txt")
    assert expected.exists(), f"{expected.name} missing: record it with `python -m tests.estimator_oracle {program.stem}`"
    out = _tfcompat(program)
    problem = differences(expected.read_text(), out)
    assert problem is None, f"{program.name}: {problem}\n--- stdout ---\n{out[-3000:]}"


@pytest.mark.skipif(tf215_python() is None, reason="no TF 2.15 oracle (scripts/setup_tf215_oracle.sh)")
@pytest.mark.parametrize("program", CASES, ids=lambda p: p.stem)
def test_recorded_output_is_what_tf215_prints_now(program: Path) -> None:
    run = run_tf215(program)
    assert run.returncode == 0, run.stderr[-3000:]
    problem = differences(program.with_suffix(".expected.txt").read_text(), run.stdout)
    assert problem is None, f"{program.name} on TF 2.15 no longer prints its recorded output: {problem}"
