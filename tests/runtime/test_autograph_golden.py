"""Golden AutoGraph conversions: fixtures/autograph/<case>.input.py (function `f`) -> <case>.expected.py."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from runtime import autograph

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "autograph"
CASES = sorted(FIXTURES.glob("*.input.py"))


def case_id(path: Path) -> str:
    return path.name[: -len(".input.py")]


def load_f(path: Path):
    spec = importlib.util.spec_from_file_location(f"autograph_golden_{case_id(path)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_converted_source(case: Path, update_goldens: bool) -> None:
    code = autograph.to_code(load_f(case))
    expected = case.with_name(case_id(case) + ".expected.py")
    if update_goldens or not expected.exists():
        expected.write_text(code)
    assert code == expected.read_text()
    ast.parse(code)  # the converted source is valid Python


def test_every_case_has_an_expectation() -> None:
    assert CASES, "no golden cases found"
    missing = [case_id(c) for c in CASES if not c.with_name(case_id(c) + ".expected.py").exists()]
    assert not missing
