"""The report of `tf-upgrade verify`: one row per compared item, a summary line, text and JSON.

    call      linreg.py:26 -> linreg.py:41   ()      float32  5 calls  max abs 2.4e-07  rel 1.1e-06  equal
    variable  weight                         ()      float32           max abs 0        rel 0        equal
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

EXIT = {"equal": 0, "different": 1, "failed": 2}


@dataclass
class Row:
    """One compared item: a call site pair, a variable, or the printed output."""

    kind: str                   # "call" | "variable" | "output"
    item: str
    status: str                 # "equal" | "different" | "only in original" | "only in rewrite"
    shape: str = ""
    dtype: str = ""
    calls: int = 0
    max_abs: float = 0.0
    max_rel: float = 0.0
    first: str = ""             # where the values first differ, or what does not match
    old_line: int | None = None
    new_line: int | None = None


@dataclass
class Report:
    """The verdict (`status`, `exit_code`), its rows, and the runs behind it."""

    status: str
    old: Any
    new: Any
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    mode: str = ""
    problem: str = ""           # a side that could not run: which, and its traceback
    old_text: str = ""          # the sources, for the lines shown at the first difference
    new_text: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "equal"

    @property
    def exit_code(self) -> int:
        return EXIT[self.status]

    @property
    def summary(self) -> str:
        counts: dict[str, int] = {}
        for r in self.rows:
            counts[r.status] = counts.get(r.status, 0) + 1
        parts = ", ".join(f"{n} {s}" for s, n in counts.items()) or "nothing compared"
        verdict = {"equal": "EQUAL", "different": "DIFFERENT", "failed": "FAILED"}[self.status]
        return f"{verdict}: {len(self.rows)} items compared ({parts})"

    @property
    def first_difference(self) -> Row | None:
        return next((r for r in self.rows if r.status == "different"), None)

    @property
    def text(self) -> str:
        return render(self)

    def to_json(self) -> dict:
        return {"status": self.status, "exit_code": self.exit_code, "summary": self.summary, "mode": self.mode,
                "old": _side_json(self.old), "new": _side_json(self.new), "notes": self.notes,
                "problem": self.problem, "rows": [asdict(r) for r in self.rows]}

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")


def _side_json(side: Any) -> dict:
    return {"script": str(side.script), "engine": side.engine, "api": side.api, "returncode": side.returncode}


def _num(x: float) -> str:
    return "0" if x == 0 else f"{x:.2g}"


def _source(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def render(report: Report) -> str:
    """The report as text: the two runs, a table, the first difference with its source lines, the summary."""
    o, n = report.old, report.new
    lines = [f"original: {o.script.name} on {o.engine} ({o.api} API) -> exit {o.returncode}",
             f"rewrite:  {n.script.name} on {n.engine} ({n.api} API) -> exit {n.returncode}"
             + (f"  [{report.mode}]" if report.mode else "")]
    if report.rows:
        width = max(len(r.item) for r in report.rows)
        lines.append(f"{'kind':9} {'item':{width}} {'shape':10} {'dtype':15} {'values':>6}  {'max abs':>8}  "
                     f"{'max rel':>8}  status")
        for r in report.rows:
            status = r.status + (f" at {r.first}" if r.first else "")
            lines.append(f"{r.kind:9} {r.item:{width}} {r.shape:10} {r.dtype:15} {r.calls or '':>6}  "
                         f"{_num(r.max_abs):>8}  {_num(r.max_rel):>8}  {status}")
    if report.problem:
        lines.append(report.problem.rstrip())
    first = report.first_difference
    if first is not None:
        lines.append(f"first difference: {first.kind} {first.item}: {first.first}")
        if first.old_line is not None:
            lines.append(f"  original line {first.old_line}: {_source(report.old_text, first.old_line)}")
        if first.new_line is not None:
            lines.append(f"  rewrite  line {first.new_line}: {_source(report.new_text, first.new_line)}")
    lines += [f"note: {x}" for x in report.notes]
    lines.append(report.summary)
    return "\n".join(lines) + "\n"
