"""Compat output runs on real TensorFlow 2.21 and prints what the original prints under TF1 semantics."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import warm_python
from tests.oracle_python import oracle_python
from tests.output_compare import differences
from upgrader.engine import upgrade_source

ROOT = Path(__file__).resolve().parents[2]
ORACLE = ROOT / "tests"  # run_as_tf.py
PROGRAMS = sorted((Path(__file__).parent / "data" / "programs").glob("*.py"))


def _python() -> str:
    py = oracle_python()
    if py is None or not (ORACLE / "run_as_tf.py").exists():
        pytest.skip("no TensorFlow oracle (install '.[oracle]' or set TFCOMPAT_ORACLE_PYTHON)")
    return py


def _run(py: str, api: str, script: Path) -> str:
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    r = warm_python.run([py, str(ORACLE / "run_as_tf.py"), api, str(script)], timeout=300, env=env)
    assert r.returncode == 0, f"{api} {script.name} failed:\n{r.stderr[-3000:]}"
    return r.stdout


@pytest.mark.oracle
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_compat_output_matches_tf1(program: Path, tmp_path: Path) -> None:
    py = _python()
    result = upgrade_source(program.read_text())
    assert result.changed and not result.errors
    upgraded = tmp_path / program.name
    upgraded.write_text(result.code)
    expected, actual = _run(py, "v1", program), _run(py, "v2", upgraded)
    problem = differences(expected, actual)
    assert problem is None, f"{problem}\n--- upgraded:\n{result.code}"
