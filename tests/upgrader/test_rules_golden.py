"""Golden cases: fixtures/upgrade/<rule>/<case>.input.py -> <case>.expected.py (missing: unchanged)."""
from __future__ import annotations

from pathlib import Path

import pytest

from upgrader.engine import upgrade_source
from upgrader.rules import discover

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "upgrade"
CASES = sorted(FIXTURES.glob("*/*.input.py"))


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name[: -len('.input.py')]}"


def _sibling(case: Path, suffix: str) -> Path:
    return case.with_name(case.name[: -len(".input.py")] + suffix)


def mode_for(case: Path) -> str:
    """Native rules' cases run in native mode; the compat rules' cases pin compat mode."""
    return "native" if case.parent.name.startswith("native") else "compat"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_golden(case: Path, update_goldens: bool) -> None:
    source = case.read_text()
    expected_path = _sibling(case, ".expected.py")
    mode = mode_for(case)
    result = upgrade_source(source, mode)
    if update_goldens:
        if result.code != source:
            expected_path.write_text(result.code)
        elif expected_path.exists():
            expected_path.unlink()
    expected = expected_path.read_text() if expected_path.exists() else source
    assert result.code == expected
    assert upgrade_source(expected, mode).code == expected, "not idempotent"
    warnings_path = _sibling(case, ".warnings.txt")
    if warnings_path.exists():
        got = [d.message for d in result.diagnostics if d.severity in ("warning", "error")]
        assert got == warnings_path.read_text().splitlines()


@pytest.mark.parametrize("rule", [r.NAME for r in discover()])
def test_every_rule_has_changing_and_unchanged_fixture(rule: str) -> None:
    cases = sorted((FIXTURES / rule).glob("*.input.py"))
    changing = [c for c in cases if _sibling(c, ".expected.py").exists()]
    assert changing, f"rule {rule} has no changing fixture in fixtures/upgrade/{rule}/"
    assert len(changing) < len(cases), f"rule {rule} has no unchanged fixture in fixtures/upgrade/{rule}/"


@pytest.mark.parametrize("rule", discover(), ids=lambda r: r.NAME)
def test_rule_style(rule: type) -> None:
    """One-line summary plus a before/after example; the module stays under 150 lines."""
    doc = (rule.__doc__ or "").strip().splitlines()
    assert doc and doc[0].endswith("."), f"{rule.NAME}: docstring needs a one-line summary"
    assert any("->" in line for line in doc[1:]), f"{rule.NAME}: docstring needs a before -> after example"
    import inspect
    assert len(inspect.getsource(inspect.getmodule(rule)).splitlines()) <= 150
