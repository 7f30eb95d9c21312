"""Files on disk: decode, upgrade, verify, write atomically; notebooks; trees.

    outcome = upgrade_file(Path("a.py"), Path("b.py"), mode="compat")
    outcome.status  ->  "changed" | "unchanged" | "error"
"""
from __future__ import annotations

import io
import json
import os
import shutil
import stat
import tempfile
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from upgrader.rule import Diagnostic


@dataclass
class Outcome:
    """What happened to one file (picklable, for -j)."""

    path: str
    status: str = "unchanged"            # "changed" | "unchanged" | "error" | "copied"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    old: str = ""
    new: str = ""
    lines: int = 0

    @property
    def has_errors(self) -> bool:
        return self.status == "error" or any(d.severity == "error" for d in self.diagnostics)


def decode(data: bytes) -> tuple[str, str]:
    """Source bytes -> (text, encoding) honouring PEP 263 cookies and BOMs; raises on bad bytes."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def atomic_write(path: Path, text: str, encoding: str) -> None:
    """Write via a temp file in the same folder and os.replace; keeps the old file's mode; follows symlinks."""
    target = Path(os.path.realpath(path))
    data = text.encode(encoding)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tf-upgrade.tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _error(path: str, message: str) -> Outcome:
    return Outcome(path, "error", [Diagnostic(1, 0, "io", message, "error")])


def upgrade_text(text: str, mode: str, notebook: bool) -> tuple[str, list[Diagnostic]]:
    from upgrader.engine import upgrade_source
    if not notebook:
        result = upgrade_source(text, mode)
        return result.code, result.diagnostics
    from upgrader.notebook import upgrade_notebook
    return upgrade_notebook(text, mode)


def upgrade_file(src: Path, dst: Path | None, mode: str = "compat", write: bool = True,
                 backup_suffix: str | None = None) -> Outcome:
    """Upgrade `src` into `dst` (None: in place). Unparsable input is never modified."""
    name = str(src)
    try:
        data = src.read_bytes()
    except OSError as e:
        return _error(name, f"cannot read: {e.strerror or e}")
    try:
        text, encoding = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as e:
        out = _error(name, f"cannot decode ({type(e).__name__}: {e}); left unchanged")
        if write and dst is not None and dst != src:
            _copy(src, dst)
        return out
    new, diags = upgrade_text(text, mode, src.suffix == ".ipynb")
    out = Outcome(name, "changed" if new != text else "unchanged", diags, text, new, text.count("\n") + 1)
    if any(d.severity == "error" and d.rule in ("parse", "engine", "notebook") for d in diags):
        out.status = "error"
    target = src if dst is None else dst
    if not write:
        return out
    try:
        if new != text:
            if dst is None and backup_suffix:
                shutil.copy2(src, str(src) + backup_suffix)
            if dst is None and not os.access(os.path.realpath(src), os.W_OK):
                out.diagnostics.append(Diagnostic(1, 0, "io", "file is read-only; not rewritten", "error"))
                out.status = "error"
                return out
            atomic_write(target, new, encoding)
        elif dst is not None and dst != src:
            _copy(src, dst)
    except OSError as e:
        out.diagnostics.append(Diagnostic(1, 0, "io", f"cannot write {target}: {e.strerror or e}", "error"))
        out.status = "error"
    return out


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def walk(root: Path, include: list[str], exclude: list[str]) -> list[Path]:
    """Files under `root` (sorted, symlinked dirs not followed), filtered by globs on the relative path."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for f in sorted(filenames):
            p = Path(dirpath) / f
            rel = p.relative_to(root).as_posix()
            if exclude and any(_match(rel, g) for g in exclude):
                continue
            if include and not any(_match(rel, g) for g in include):
                continue
            found.append(p)
    return found


def _match(rel: str, glob: str) -> bool:
    from fnmatch import fnmatch
    return fnmatch(rel, glob) or fnmatch(Path(rel).name, glob)


def is_source(path: Path) -> bool:
    return path.suffix in (".py", ".ipynb")


def notebook_json(text: str) -> dict:
    return json.loads(text)
