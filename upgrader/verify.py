"""`tf-upgrade verify OLD.py [NEW.py]`: run the original on the v1 runtime and the rewrite on v2, compare output.

    report = verify(Path("linreg.py"))          # NEW omitted: OLD is upgraded (native mode) in memory
    report.ok, report.text                      # words equal, numbers within rtol/atol

Each program runs in its own subprocess (`python -m tfcompat.cli run --api v1|v2`),
with the original's folder as working directory; nothing is imported here.
"""
from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")


@dataclass(frozen=True)
class Run:
    api: str
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Report:
    ok: bool
    text: str
    old: Run
    new: Run


def tokens(text: str) -> list[tuple[str, object]]:
    """Words and numbers in order; brackets, commas and blank lines do not count."""
    out: list[tuple[str, object]] = []
    for line in text.splitlines():
        line, pos = line.strip(), 0
        for m in NUMBER.finditer(line):
            if word := line[pos:m.start()].strip(" ,[]()"):
                out.append(("word", word))
            out.append(("number", float(m.group())))
            pos = m.end()
        if tail := line[pos:].strip(" ,[]()"):
            out.append(("word", tail))
    return out


def difference(expected: str, actual: str, rtol: float, atol: float) -> str | None:
    """None when the outputs agree, else the first difference in words."""
    exp, act = tokens(expected), tokens(actual)
    for i, ((ke, e), (ka, a)) in enumerate(zip(exp, act)):
        if ke != ka or (ke == "word" and e != a):
            return f"token {i}: original printed {ke} {e!r}, rewrite printed {ka} {a!r}"
        if ke == "number" and not (abs(e - a) <= atol + rtol * abs(e) or (e != e and a != a)):
            return f"token {i}: original printed {e}, rewrite printed {a} (rtol={rtol}, atol={atol})"
    if len(exp) != len(act):
        return f"original printed {len(exp)} words/numbers, rewrite printed {len(act)}"
    return None


def run_program(api: str, script: Path, cwd: Path, timeout: float) -> Run:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                                      os.environ.get("PYTHONPATH")])))
    try:
        r = subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", api, str(script)], cwd=cwd,
                           capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        return Run(api, 124, e.stdout or "" if isinstance(e.stdout, str) else "", f"timed out after {timeout}s")
    return Run(api, r.returncode, r.stdout, r.stderr)


def verify(old: Path, new: Path | None = None, rtol: float = 1e-3, atol: float = 1e-5, timeout: float = 300) -> Report:
    """Run both programs and compare what they print; see the module docstring."""
    old = old.resolve()
    with tempfile.TemporaryDirectory(prefix="tf-upgrade-verify-") as tmp:
        if new is None:
            from upgrader.engine import upgrade_source
            result = upgrade_source(old.read_text(encoding="utf-8"), "native")
            new = Path(tmp) / old.name
            new.write_text(result.code, encoding="utf-8")
        a = run_program("v1", old, old.parent, timeout)
        b = run_program("v2", new.resolve(), old.parent, timeout)
    lines = [f"original  (v1 runtime): {old} -> exit {a.returncode}",
             f"rewritten (v2 runtime): {new} -> exit {b.returncode}"]
    problem = None
    if a.returncode != 0:
        problem = "the original failed under the v1 runtime:\n" + a.stderr[-2000:]
    elif b.returncode != 0:
        problem = "the rewritten program failed under the v2 runtime:\n" + b.stderr[-2000:]
    else:
        problem = difference(a.stdout, b.stdout, rtol, atol)
    if problem is None:
        lines.append(f"OK: same output ({len(tokens(a.stdout))} words/numbers, rtol={rtol}, atol={atol})")
        return Report(True, "\n".join(lines) + "\n", a, b)
    lines.append("DIFFERENT: " + problem)
    lines += [ln.rstrip("\n") for ln in difflib.unified_diff(
        a.stdout.splitlines(True), b.stdout.splitlines(True), "original output", "rewritten output", n=2)][:80]
    return Report(False, "\n".join(lines) + "\n", a, b)
