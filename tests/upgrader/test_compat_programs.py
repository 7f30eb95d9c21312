"""`--mode compat` output of every TF1 fixture program runs on real TensorFlow 2.21 (eager on,
except what compat mode itself switches off) and prints what the original printed under TF1."""
from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import warm_python
from tests.oracle_python import oracle_python
from tests.output_compare import differences
from upgrader.engine import upgrade_source

ROOT = Path(__file__).resolve().parents[2]
# program -> why its compat form cannot run on TF 2.21 (compat mode reports it; native mode converts it)
NOT_ON_TF2: dict[str, str] = {}   # (native_contrib_layers ran only natively until compat rewrote contrib layers)
# program -> why its compat form prints other numbers on TF 2.21: it still runs, and only that is checked
RESOURCE_VARIABLES = {"native_global_step_fetch": "a variable fetched beside the op that updates it: TF1's ref "
                                                  "variables were read after the update, TF 2.21's resource "
                                                  "variables (compat form) before it"}
PROGRAMS = [p for p in sorted((ROOT / "fixtures" / "programs" / "v1").glob("*.py")) if p.stem not in NOT_ON_TF2]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (install '.[oracle]' or set TFCOMPAT_ORACLE_PYTHON)")
    out = tmp_path_factory.mktemp("compat")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")

    # NOTE: convert serially: CPython 3.11's ast module is not thread-safe ("AST constructor
    # recursion depth mismatch"); only the TensorFlow processes run two at a time, each forked
    # from one that has imported TensorFlow (tests/warm_python.py).
    for program in PROGRAMS:
        work = out / program.stem
        work.mkdir()
        (work / program.name).write_text(upgrade_source(program.read_text(), "compat").code)

    def run(program: Path) -> tuple[str, subprocess.CompletedProcess]:
        return program.stem, warm_python.run([py, program.name], cwd=out / program.stem, env=env, timeout=600)
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, PROGRAMS))


@pytest.mark.oracle
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_compat_output_runs_on_tensorflow_2(program: Path, runs: dict) -> None:
    result = runs[program.stem]
    assert result.returncode == 0, result.stderr[-3000:]
    if program.stem in RESOURCE_VARIABLES:
        return
    # NOTE: TF1 prints an unknown dimension as `?`, TensorFlow 2 as `None`, even in graph mode; compat
    # output is TF2 code, so that spelling is the one difference allowed.
    expected = program.with_suffix(".expected.txt").read_text().replace("?", "None")
    problem = differences(expected, result.stdout)
    assert problem is None, f"{problem}\n--- stdout ---\n{result.stdout[-2000:]}"


@pytest.mark.parametrize("stem", sorted(NOT_ON_TF2))
def test_compat_mode_reports_what_tf2_lacks(stem: str) -> None:
    result = upgrade_source((ROOT / "fixtures" / "programs" / "v1" / f"{stem}.py").read_text(), "compat")
    assert any("tf.contrib.layers" in d.message for d in result.diagnostics), [d.message for d in result.diagnostics]
