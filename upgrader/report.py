"""Text and JSON reports of a run.

    text_report(outcomes)  ->  "a.py:3:5: change: [api_rename] tf.log -> tf.math.log\\n...\\n2 files: 1 changed, 0 errors"

Severities: change (a rewrite), info (a note, e.g. a skipped symlink), warning, error (code left unchanged).
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from upgrader.files import Outcome


def text_report(outcomes: list[Outcome]) -> str:
    lines: list[str] = []
    for o in outcomes:
        lines.append(f"{o.path}: {o.status}")
        lines += ["  " + d.render(o.path) for d in o.diagnostics]
    n_err = sum(1 for o in outcomes for d in o.diagnostics if d.severity == "error")
    n_warn = sum(1 for o in outcomes for d in o.diagnostics if d.severity == "warning")
    changed = sum(1 for o in outcomes if o.status == "changed")
    failed = sum(1 for o in outcomes if o.has_errors)
    skipped = sum(1 for o in outcomes if o.status == "skipped")
    files = len(outcomes) - skipped
    lines.append(f"{files} files: {changed} changed, {failed} with errors ({n_err} errors, {n_warn} warnings)"
                 + (f"; {skipped} skipped (symlinks, hidden or output folders: listed above)" if skipped else ""))
    return "\n".join(lines) + "\n"


def json_report(outcomes: list[Outcome]) -> dict[str, Any]:
    files = []
    for o in outcomes:
        by = {s: [{k: v for k, v in asdict(d).items() if k != "severity"} | {"col": d.col + 1}
                  for d in o.diagnostics if d.severity == s] for s in ("change", "info", "warning", "error")}
        files.append({"path": o.path, "status": o.status, "changes": by["change"], "notes": by["info"],
                      "warnings": by["warning"], "errors": by["error"]})
    return {"version": 1, "files": files,
            "summary": {"files": len(outcomes), "changed": sum(o.status == "changed" for o in outcomes),
                        "errors": sum(len(f["errors"]) for f in files), "warnings": sum(len(f["warnings"]) for f in files)}}
