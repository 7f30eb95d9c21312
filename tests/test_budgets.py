"""Size budgets from STYLE.md rule 9: modules stay small enough to read in one sitting."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p for pkg in ("runtime", "tfcompat", "upgrader") for p in (ROOT / pkg).rglob("*.py"))
RULES = sorted((ROOT / "upgrader" / "rules").glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_at_most_400_lines(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= 400, f"{path.relative_to(ROOT)} has {lines} lines: split it by responsibility"


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_upgrade_rule_is_at_most_150_lines(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= 150, f"{path.relative_to(ROOT)} has {lines} lines: an upgrade rule stays under 150"
