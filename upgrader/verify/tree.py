"""`tf-upgrade verify DIR`: upgrade and verify every TF1 program in a tree.

    summary = verify_tree(Path("src"), jobs=4)
    print(summary.markdown())        # | program | status | detail |, then equal / different / failed / not runnable

A program is a `.py` file that imports TensorFlow and has a `__main__` block or session
code at its top level (`tf.Session()`, `sess.run(...)`). A program whose original fails
because a file or module is missing is "not runnable: needs X", not a failure.
"""
from __future__ import annotations

import ast
import json
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import click

STATUSES = ("equal", "different", "failed", "not runnable")
SESSION_CALLS = {"Session", "InteractiveSession", "MonitoredTrainingSession", "run", "eval"}
NEEDS = [(re.compile(r"(?:FileNotFoundError|No such file or directory)[^\n]*?'([^']+)'"), "{}"),
         (re.compile(r"ModuleNotFoundError: No module named '([^']+)'"), "module {}"),
         (re.compile(r"(?:URLError|ConnectionError|Temporary failure in name resolution)"), "network access")]


def is_program(path: Path) -> bool:
    """A TF1 program: imports tensorflow, and runs something when executed (see the module docstring)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError):
        return False
    imports_tf = any(isinstance(n, (ast.Import, ast.ImportFrom)) and any(
        (a.name if isinstance(n, ast.Import) else (n.module or "")).split(".")[0] == "tensorflow" for a in n.names)
        for n in ast.walk(tree))
    if not imports_tf:
        return False
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and "__name__" in ast.unparse(stmt.test):
            return True
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            continue
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call):
                f = n.func
                name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                if name in SESSION_CALLS:
                    return True
    return False


def programs(root: Path) -> list[Path]:
    skip = {".git", "__pycache__", ".venv", "venv", "node_modules"}
    return sorted(p for p in root.rglob("*.py") if not skip & set(p.relative_to(root).parts) and is_program(p))


def needs(stderr: str) -> str | None:
    """What a failed original was missing ("data/train.csv", "module pandas"), if that is why it failed."""
    for pattern, text in NEEDS:
        m = pattern.search(stderr)
        if m:
            return text.format(*m.groups())
    return None


@dataclass
class Outcome:
    program: str
    status: str
    detail: str = ""
    mode: str = ""
    exit_code: int = 0


@dataclass
class Summary:
    root: Path
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {s: sum(o.status == s for o in self.outcomes) for s in STATUSES}

    @property
    def exit_code(self) -> int:
        return max((o.exit_code for o in self.outcomes if o.status != "not runnable"), default=0)

    def markdown(self) -> str:
        lines = ["| program | status | detail |", "|---|---|---|"]
        for o in self.outcomes:
            detail = (o.detail + (f" ({o.mode})" if o.mode and o.mode != "native" else "")).replace("|", "\\|")
            lines.append(f"| {o.program} | {o.status} | {detail} |")
        c = self.counts()
        lines += ["", "| equal | different | failed | not runnable |", "|---|---|---|---|",
                  f"| {c['equal']} | {c['different']} | {c['failed']} | {c['not runnable']} |"]
        return "\n".join(lines) + "\n"

    def write_json(self, path: Path) -> None:
        data = {"root": str(self.root), "counts": self.counts(), "exit_code": self.exit_code,
                "programs": [asdict(o) for o in self.outcomes]}
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def verify_one(path: Path, root: Path, **options: Any) -> Outcome:
    from upgrader.verify import verify
    name = str(path.relative_to(root))
    try:
        report = verify(path, folder=root, **options)
    except Exception as e:  # noqa: BLE001  (one program's problem must not stop the tree)
        return Outcome(name, "failed", f"verify could not run it: {type(e).__name__}: {e}", exit_code=2)
    if report.status == "failed":
        missing = needs(report.old.stderr) if not report.old.ok else None
        if missing:
            return Outcome(name, "not runnable", f"needs {missing}", report.mode, 2)
        side = "original" if not report.old.ok else "rewrite"
        last = (report.old if not report.old.ok else report.new).stderr.strip().splitlines()[-1:] or [""]
        return Outcome(name, "failed", f"{side}: {last[0][:160]}", report.mode, 2)
    first = report.first_difference
    detail = f"{first.kind} {first.item}: {first.first}" if first else report.summary.split(": ", 1)[1]
    return Outcome(name, report.status, detail, report.mode, report.exit_code)


def verify_tree(root: Path, jobs: int = 1, progress: bool = False, **options: Any) -> Summary:
    """Verify every program under `root` (in parallel with `jobs`); see the module docstring."""
    root = root.resolve()
    found = programs(root)
    summary = Summary(root)
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:  # NOTE: processes: the upgrader is not thread-safe
        results = pool.map(partial(verify_one, root=root, **options), found)
        if progress:
            with click.progressbar(results, length=len(found), label="verifying", file=sys.stderr) as bar:
                summary.outcomes = list(bar)
        else:
            summary.outcomes = list(results)
    return summary
