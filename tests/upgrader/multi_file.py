"""Helpers for tests of programs spread over files (a program and the modules beside it)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tests import warm_python
from upgrader.engine import upgrade_source
from upgrader.native import imported

ROOT = Path(__file__).resolve().parents[2]


def clear_groups() -> None:
    """Forget which files convert together (native/imported.py caches them per process)."""
    for cache in (imported._ORIGINAL, imported._GROUPS, imported._LAYERS):
        cache.clear()


def write_pair(folder: Path, ops: str, main: str) -> Path:
    """`ops.py` and `main.py` (which imports it) written into `folder`; the path of `main.py`."""
    (folder / "ops.py").write_text(ops)
    (folder / "main.py").write_text(main)
    return folder / "main.py"


def native(path: Path):
    """The native upgrade of `path` and the messages of what blocked it."""
    result = upgrade_source(path.read_text(), "native", path=path)
    return result, [d.message for d in result.warnings if d.rule == "native"]


def run_old_and_new(tmp_path: Path, files: dict[str, str], main: str = "main.py"):
    """Write `files` twice, upgrade one copy natively, run the original as TF1 and the copy on TF 2."""
    old, new = tmp_path / "old", tmp_path / "new"
    for d in (old, new):
        d.mkdir()
        for name, text in files.items():
            (d / name).write_text(text)
    for name in files:
        (new / name).write_text(native(new / name)[0].code)
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    tf1 = warm_python.run([sys.executable, str(ROOT / "tests" / "run_as_tf.py"), "v1", main], cwd=old, env=env,
                          timeout=300)
    tf2 = warm_python.run([sys.executable, main], cwd=new, timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert tf1.returncode == 0 and tf2.returncode == 0, tf1.stderr[-1500:] + tf2.stderr[-1500:]
    return tf1, tf2
