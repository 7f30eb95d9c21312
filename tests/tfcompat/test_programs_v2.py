"""Whole TF2 programs (fixtures/programs/v2) run with `tfcompat run --api v2` print what TF 2.21 printed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.output_compare import differences

PROGRAMS = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "programs" / "v2").glob("*.py"))


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_program_prints_what_tensorflow_printed(program: Path) -> None:
    expected = program.with_suffix(".expected.txt").read_text()
    run = subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", program.name],
                         cwd=program.parent, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    problem = differences(expected, run.stdout)
    assert problem is None, f"{problem}\n--- stdout ---\n{run.stdout[-2000:]}"
