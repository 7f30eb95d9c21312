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
    status: str = "unchanged"            # "changed" | "unchanged" | "error" | "copied" | "skipped"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    old: str = ""
    new: str = ""
    lines: int = 0
    written: bool = False                # a file was written (for the summary after Ctrl-C)

    @property
    def has_errors(self) -> bool:
        return self.status == "error" or any(d.severity == "error" for d in self.diagnostics)


def decode(data: bytes) -> tuple[str, str]:
    """Source bytes -> (text, encoding) honouring PEP 263 cookies and BOMs; raises on bad bytes."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def atomic_write(path: Path, text: str, encoding: str, mode_from: Path | None = None) -> None:
    """Write via a temp file in the same folder and os.replace; follows symlinks, creates missing folders.

    An existing file keeps its mode; a new one gets `mode_from`'s (the source file: the executable bit survives).
    """
    target = Path(os.path.realpath(path))
    data = text.encode(encoding)
    if target.exists():
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    else:
        mode = stat.S_IMODE(mode_from.stat().st_mode) if mode_from is not None else None
        target.parent.mkdir(parents=True, exist_ok=True)
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


def upgrade_text(text: str, mode: str, notebook: bool, path: Path | None = None) -> tuple[str, list[Diagnostic]]:
    """Upgrade decoded text (a module, or a notebook's JSON); `path` is the file it came from."""
    from upgrader.engine import upgrade_source
    if not notebook:
        result = upgrade_source(text, mode, path=path)
        return result.code, result.diagnostics
    from upgrader.notebook import upgrade_notebook
    return upgrade_notebook(text, mode)


def upgrade_file(src: Path, dst: Path | None, mode: str = "compat", write: bool = True,
                 backup_suffix: str | None = None) -> Outcome:
    """Upgrade `src` into `dst` (None: in place). Unparsable input is never modified; never raises."""
    try:
        return _upgrade_file(src, dst, mode, write, backup_suffix)
    except Exception as e:   # NOTE: one bad file must cost one error line, not the whole run
        return _error(str(src), f"internal error ({type(e).__name__}: {e}); left unchanged")


def _upgrade_file(src: Path, dst: Path | None, mode: str, write: bool, backup_suffix: str | None) -> Outcome:
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
            out.diagnostics += copy_file(src, dst).diagnostics
        return out
    new, diags = upgrade_text(text, mode, src.suffix == ".ipynb", src)
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
            atomic_write(target, new, encoding, mode_from=src)
            out.written = True
        elif dst is not None and dst != src:
            _copy(src, dst)
    except OSError as e:
        out.diagnostics.append(Diagnostic(1, 0, "io", f"cannot write {target}: {e.strerror or e}", "error"))
        out.status = "error"
    return out


def copy_file(src: Path, dst: Path) -> Outcome:
    """Copy a file that is not Python into the output tree (with its mode); an error outcome on failure."""
    try:
        _copy(src, dst)
    except OSError as e:
        return _error(str(src), f"cannot copy to {dst}: {e.strerror or e}")
    return Outcome(str(src), "copied")


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, dst)


@dataclass
class Walked:
    """What a tree walk found: files to process, and what it left out on purpose (path, reason)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def walk(root: Path, include: list[str], exclude: list[str], follow_symlinks: bool = False,
         prune: frozenset[str] = frozenset()) -> Walked:
    """Files under `root` (sorted), filtered by globs on the relative path.

    Symlinks are reported and left alone unless `follow_symlinks` (then loops are reported); hidden
    folders are reported, not entered; folders whose real path is in `prune` (the output) are skipped.
    """
    out = Walked()
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow_symlinks, onerror=lambda e: out.skipped.append(
            (Path(e.filename or root), f"cannot list folder: {e.strerror or e}"))):
        here = Path(dirpath)
        if follow_symlinks:
            st = here.stat()
            if (st.st_dev, st.st_ino) in seen:
                out.skipped.append((here, "symlink loop: folder already visited; skipped"))
                dirnames[:] = []
                continue
            seen.add((st.st_dev, st.st_ino))
        keep = []
        for d in sorted(dirnames):
            p = here / d
            if d == "__pycache__":
                continue
            if os.path.realpath(p) in prune:
                out.skipped.append((p, "the output folder; skipped"))
            elif d.startswith("."):
                out.skipped.append((p, "hidden folder; skipped (name it as an input to upgrade it)"))
            elif p.is_symlink() and not follow_symlinks:
                out.skipped.append((p, "symlinked folder; left alone (--follow-symlinks to enter it)"))
            else:
                keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            p = here / f
            rel = p.relative_to(root).as_posix()
            if exclude and any(_match(rel, g) for g in exclude):
                continue
            if include and not any(_match(rel, g) for g in include):
                continue
            if p.is_symlink():
                if not follow_symlinks:
                    out.skipped.append((p, "symlink; left alone (--follow-symlinks to upgrade its target)"))
                    continue
                if not p.exists():
                    out.skipped.append((p, "broken or looping symlink; skipped"))
                    continue
            out.files.append(p)
    return out


def _match(rel: str, glob: str) -> bool:
    from fnmatch import fnmatch
    return fnmatch(rel, glob) or fnmatch(Path(rel).name, glob)


def is_source(path: Path) -> bool:
    return path.suffix in (".py", ".pyw", ".ipynb")


def notebook_json(text: str) -> dict:
    return json.loads(text)
