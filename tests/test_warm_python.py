"""tests/warm_python.py runs a program as a fresh `python` would: its argv, folder, path, stdin, output,
exit status and traceback, in a process of its own. A light preload keeps these tests fast."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import warm_python

LIGHT = ("json",)
SCRIPT = """import os, sys
print(sys.argv, os.getcwd(), sys.path[0], __file__, __name__, sep="\\n")
print(os.getpid())
print(os.environ.get("WARM_TEST"), sys.stdin.read())
print("to stderr", file=sys.stderr)
import atexit
atexit.register(lambda: print("atexit ran"))
sys.exit(int(sys.argv[1]))
"""


def _both(cmd: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs), warm_python.run(cmd, preload=LIGHT, **kwargs)


def test_a_script_sees_what_a_fresh_interpreter_gives_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "prog.py").write_text(SCRIPT)
    env = dict(os.environ, WARM_TEST="yes")
    fresh, warm = _both([sys.executable, "sub/prog.py", "3"], cwd=tmp_path, env=env, input="fed", timeout=60)
    assert warm.returncode == fresh.returncode == 3
    assert warm.stderr == fresh.stderr == "to stderr\n"
    lines, fresh_lines = warm.stdout.splitlines(), fresh.stdout.splitlines()
    assert lines[:5] == fresh_lines[:5]   # argv, folder, sys.path[0], __file__, __name__
    assert lines[3] == str(tmp_path / "sub" / "prog.py") and lines[4] == "__main__" and int(lines[5]) != os.getpid()
    assert lines[6:] == fresh_lines[6:] == ["yes fed", "atexit ran"]


def test_each_run_is_its_own_process_with_its_own_random_state(tmp_path: Path) -> None:
    code = "import os, random; print(os.getpid(), random.random())"
    runs = [warm_python.run([sys.executable, "-c", code], preload=LIGHT, timeout=60).stdout.split() for _ in range(2)]
    assert runs[0][0] != runs[1][0] and runs[0][1] != runs[1][1]


def test_c_and_m_forms_and_module_state_left_by_a_run(tmp_path: Path) -> None:
    code = "import sys, json; json.marker = 1; print(sys.argv, sys.path[0] == '')"
    assert warm_python.run([sys.executable, "-c", code, "a"], preload=LIGHT).stdout == "['-c', 'a'] True\n"
    check = "import json; print(hasattr(json, 'marker'))"   # the first run changed only its own copy
    assert warm_python.run([sys.executable, "-c", check], preload=LIGHT).stdout == "False\n"
    (tmp_path / "mod.py").write_text("import sys\nprint(__name__, sys.argv[1:])\n")
    out = warm_python.run([sys.executable, "-m", "mod", "x"], cwd=tmp_path, preload=LIGHT)
    assert out.returncode == 0 and out.stdout == "__main__ ['x']\n", out.stderr


def test_an_uncaught_error_prints_the_programs_traceback_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def f():\n    raise ValueError('boom')\n\nf()\n")
    fresh, warm = _both([sys.executable, "bad.py"], cwd=tmp_path, timeout=60)
    assert warm.returncode == fresh.returncode == 1
    assert warm.stderr == fresh.stderr   # starts at the program's own line, as a fresh interpreter's does


def test_timeout_and_check_raise_as_subprocess_run_does() -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        warm_python.run([sys.executable, "-c", "import time; time.sleep(30)"], preload=LIGHT, timeout=1)
    with pytest.raises(subprocess.CalledProcessError):
        warm_python.run([sys.executable, "-c", "raise SystemExit(2)"], preload=LIGHT, check=True)


def test_another_program_runs_with_subprocess() -> None:
    out = warm_python.run(["sh", "-c", "echo plain"], preload=LIGHT)
    assert out.returncode == 0 and out.stdout == "plain\n"
