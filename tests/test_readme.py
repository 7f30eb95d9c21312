"""The README's Python snippets run as shown, and print what their comments say.

Each runs in its own process: the TF1 snippet switches eager execution off for its process.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"snippet{i}" for i in range(len(SNIPPETS))])
def test_snippet_runs_and_prints_its_comments(snippet: str) -> None:
    run = subprocess.run([sys.executable, "-c", snippet], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    promised = [m.group(1).strip() for m in re.finditer(r"^\s*print\(.*\)\s+#\s*(.+)$", snippet, re.M)]
    assert run.stdout.splitlines()[:len(promised)] == promised


def test_readme_has_python_snippets() -> None:
    assert len(SNIPPETS) >= 2
