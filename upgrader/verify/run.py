"""Running one side of `tf-upgrade verify`: a scratch copy of the folder, a subprocess, a time limit.

    side = run_side(script, folder, scratch, engine="tensorflow", api="v2", timeout=300, seed=None)
    side.returncode, side.stdout, side.record, side.arrays

The user's folder is only read: it is copied into `scratch` (files over 16 MB are
linked, not copied; `.git`, caches and virtual environments are left out) and the
program runs there, so checkpoints and logs it writes land in the copy.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
LINK_OVER = 16 * 2**20
SKIP_DIRS = {".git", ".hg", "__pycache__", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache", ".tox"}


@dataclass
class Side:
    """What one program did: exit status, output, and its recording (empty when it did not get that far)."""

    script: Path
    engine: str
    api: str
    returncode: int
    stdout: str
    stderr: str
    record: dict = field(default_factory=lambda: {"events": [], "variables": {}, "notes": []})
    arrays: Any = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def scratch_copy(folder: Path, dest: Path) -> None:
    """Copy `folder` into `dest` (created), linking big files and leaving out caches and VCS folders."""
    for here, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        rel = Path(here).relative_to(folder)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            src, dst = Path(here) / name, dest / rel / name
            try:
                if src.is_symlink() or src.stat().st_size > LINK_OVER:
                    os.symlink(os.path.realpath(src), dst)
                else:
                    shutil.copy2(src, dst)
            except OSError:
                continue  # unreadable or vanished: the program reports it if it needs the file


def run_side(script: Path, scratch: Path, engine: str, api: str, timeout: float, seed: int | None,
             args: tuple[str, ...] = ()) -> Side:
    """Run `script` (already inside `scratch`) on `engine` in a subprocess and load what it recorded."""
    rec = scratch.parent / f"{scratch.name}-record"
    cmd = [sys.executable, "-m", "upgrader.verify.side", "--engine", engine, "--api", api, "--out", str(rec),
           "--root", str(scratch)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    cmd += [str(script), *args]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0", MPLBACKEND="Agg")
    try:
        r = subprocess.run(cmd, cwd=script.parent, capture_output=True, text=True, timeout=timeout, env=env,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return Side(script, engine, api, 124, out, f"timed out after {timeout:g}s (--timeout)")
    side = Side(script, engine, api, r.returncode, r.stdout, r.stderr)
    if (rec / "record.json").is_file():
        side.record = json.loads((rec / "record.json").read_text(encoding="utf-8"))
        with np.load(rec / "arrays.npz", allow_pickle=False) as z:
            side.arrays = {k: z[k] for k in z.files}
    return side


def tensorflow_available() -> bool:
    """Whether real TensorFlow can be imported here (checked in a subprocess: importing it takes seconds)."""
    try:
        return subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True, timeout=120,
                              env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
