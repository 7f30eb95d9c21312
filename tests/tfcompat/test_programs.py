"""Whole programs (`fixtures/programs/{v1,v2}`) run with `tfcompat run` print what TensorFlow 2.21 printed.

Expected outputs are recorded once from real TensorFlow by `tests/record_expected.py`
(v1 programs under `tensorflow.compat.v1` with v2 behaviour off, v2 programs on TF2).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests import warm_python
from tests.output_compare import differences

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = sorted((ROOT / "fixtures" / "programs").glob("v[12]/*.py"))


def test_comparison_rule() -> None:
    assert differences("loss 1.0000 [1, 2]", "loss 1.00001 [1 2]") is None
    assert differences("loss 1.0", "loss 1.1") == "token 1: expected 1.0, got 1.1"
    assert differences("a:0", "b:0") == "token 0: expected word 'a:', got word 'b:'"
    assert differences("x 1", "x 1 2") == "expected 2 tokens, got 3"
    assert differences("inf nan", "inf nan") is None


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_program_prints_what_tensorflow_printed(program: Path) -> None:
    expected = program.with_suffix(".expected.txt")
    if not expected.exists():
        pytest.fail(f"{expected.name} missing: record it with `python -m tests.record_expected {program.stem}`")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    # NOTE: forked from a process that has imported tfcompat (tests/warm_python.py): the import once, not per program
    run = warm_python.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", program.parent.name, program.name],
                          cwd=program.parent, env=env, timeout=300, preload=("tfcompat",))
    assert run.returncode == 0, f"{program.name} exited {run.returncode}:\n{run.stderr[-4000:]}"
    problem = differences(expected.read_text(), run.stdout)
    assert problem is None, f"{program.name}: {problem}\n--- stdout ---\n{run.stdout[-3000:]}"
