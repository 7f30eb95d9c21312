"""Each `fixtures/programs/v1/*.py` run with `tfcompat run` prints what TensorFlow printed.

Expected outputs are recorded from TensorFlow 2.21 `compat.v1` by `tests/record_expected.py`.
Outputs agree when their words are equal and their numbers equal within tolerance
(the oracle's `compare_outputs.py` rule, copied here so tests need nothing outside the repo).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = sorted((ROOT / "fixtures" / "programs" / "v1").glob("*.py"))
NUM = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")


def tokens(text: str) -> list[tuple[str, object]]:
    """Words and numbers of a program's output, in order (blank lines and brackets ignored)."""
    out: list[tuple[str, object]] = []
    for line in text.splitlines():
        line = line.strip()
        pos = 0
        for m in NUM.finditer(line):
            word = line[pos:m.start()].strip(" ,[]()")
            if word:
                out.append(("w", word))
            out.append(("n", float(m.group())))
            pos = m.end()
        tail = line[pos:].strip(" ,[]()")
        if tail:
            out.append(("w", tail))
    return out


def first_difference(expected: str, actual: str, rtol: float = 1e-3, atol: float = 1e-5) -> str | None:
    """None when the outputs agree, else a description of the first difference."""
    exp, act = tokens(expected), tokens(actual)
    for i, (e, g) in enumerate(zip(exp, act)):
        if e[0] != g[0] or (e[0] == "w" and e[1] != g[1]):
            return f"token {i}: expected {e[1]!r}, got {g[1]!r}"
        if e[0] == "n":
            a, b = float(e[1]), float(g[1])
            if not (a == b or abs(a - b) <= atol + rtol * abs(a) or (a != a and b != b)):
                return f"token {i}: expected {a}, got {b}"
    if len(exp) != len(act):
        return f"expected {len(exp)} tokens, got {len(act)}"
    return None


def test_comparison_rule() -> None:
    assert first_difference("loss 1.0000 [1, 2]", "loss 1.00001 [1 2]") is None
    assert first_difference("loss 1.0", "loss 1.1") == "token 1: expected 1.0, got 1.1"
    assert first_difference("a:0", "b:0") == "token 0: expected 'a:', got 'b:'"
    assert first_difference("x 1", "x 1 2") == "expected 2 tokens, got 3"


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_matches_tensorflow(program: Path) -> None:
    expected = program.with_suffix(".expected.txt")
    if not expected.exists():
        pytest.fail(f"{expected.name} missing: record it with `python -m tests.record_expected {program.stem}`")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", str(program)], cwd=program.parent,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{program.name} exited {proc.returncode}:\n{proc.stderr[-4000:]}"
    diff = first_difference(expected.read_text(), proc.stdout)
    assert diff is None, f"{program.name}: {diff}\n--- got ---\n{proc.stdout}"
