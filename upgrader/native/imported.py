"""Layer functions a program imports from a module beside it: `from ops import fc_layer` with `ops.py` next to it.

Native mode turns such a module's layer functions into tf.Module classes (`FcLayer`), so the module and every
program beside it that imports them convert together or not at all: a converted `ops.py` next to a `main.py`
left in compat form would break `from ops import fc_layer`. The group is decided on the original sources,
which are remembered the first time a file is upgraded, so an in-place tree upgrade decides every file alike.

    defs, imports = preload(tree, Path("code/main.py"))   # ops.py's top-level defs, and the import statements
    group_converts(Path("code/ops.py"))                   # ops.py and every importer beside it convert natively
"""
from __future__ import annotations

import ast
from contextvars import ContextVar
from pathlib import Path
from typing import Callable

from upgrader.scan import collect_aliases

CURRENT: ContextVar[Path | None] = ContextVar("native_upgrade_path", default=None)   # the file being upgraded

_ORIGINAL: dict[Path, str] = {}   # path -> the source first seen in this process (before any in-place write)


def remember(path: Path, code: str) -> None:
    _ORIGINAL.setdefault(path.resolve(), code)


def snapshot(paths: list[Path]) -> None:
    """Start a tree run: forget earlier runs, remember the sources it will upgrade (a forked worker inherits them)."""
    for cache in (_ORIGINAL, _GROUPS, _LAYERS, _ALIASES, _NATIVE_FORM):
        cache.clear()
    for path in paths:
        if path.suffix == ".py":
            source(path)


def source(path: Path) -> str | None:
    key = path.resolve()
    if key not in _ORIGINAL:
        try:
            _ORIGINAL[key] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    return _ORIGINAL[key]


_NATIVE_FORM: dict[tuple[Path, str], str] = {}   # (path, source) -> that source as native mode analyses it


def native_source(path: Path) -> str | None:
    """The module as the native analysis reads it: with the exact TF2 respellings of native/equivalents.py
    (`variable_scope` blocks that only name ops become `name_scope`...), as its own upgrade reads it."""
    text = source(path)
    key = (path.resolve(), text or "")
    if text is None or key in _NATIVE_FORM:
        return _NATIVE_FORM.get(key, text)
    from upgrader.native.equivalents import swap   # NOTE: a local import: equivalents' helpers import the analysis
    _NATIVE_FORM[key] = text   # NOTE: modules importing each other: the second visit reads the source as written
    done, token = text, CURRENT.set(path)
    try:
        for _ in range(8):   # swap hands back one respelling at a time (hoisting, then the spans)
            new = swap(done, ast.parse(done))
            if new == done:
                break
            done = new
    except Exception:   # NOTE: a module swap blocks is analysed as written; its own upgrade reports why
        done = text
    finally:
        CURRENT.reset(token)
    _NATIVE_FORM[key] = done
    return done


def _tree(path: Path) -> ast.Module | None:
    text = native_source(path)
    try:
        return ast.parse(text) if text is not None else None
    except (SyntaxError, ValueError):
        return None


def library(tree: ast.Module) -> bool:
    """A module of functions: no session, and nothing at module level but imports, defs and constants."""
    if any(isinstance(n, ast.Attribute) and n.attr in ("Session", "InteractiveSession") for n in ast.walk(tree)):
        return False
    return all(isinstance(s, (ast.FunctionDef, ast.Import, ast.ImportFrom)) or isinstance(s, ast.Expr) and
               isinstance(s.value, ast.Constant) or isinstance(s, (ast.Assign, ast.AnnAssign)) and
               not any(isinstance(n, ast.Call) for n in ast.walk(s)) for s in tree.body)   # constants may stay


def sibling_imports(tree: ast.Module, path: Path, classes: bool = True) -> list[tuple[ast.ImportFrom, Path]]:
    """`from ops import ...` statements naming a module of layer functions in the program's folder.

    `classes`: only modules whose functions become classes (a variable factory keeps its name and works for
    a program in compat form too, so it does not tie its importers to it).
    """
    out = []
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.level in (0, 1) and "." not in stmt.module:
            other = path.parent / f"{stmt.module}.py"
            lib = _tree(other) if other.is_file() and other.resolve() != path.resolve() else None
            if lib is not None and library(lib) and layer_kinds(other, lib)[0 if classes else 1]:
                out.append((stmt, other))
    return out


_LAYERS: dict[Path, tuple[bool, bool]] = {}


def layer_kinds(path: Path, tree: ast.Module) -> tuple[bool, bool]:
    """(functions that become classes, functions that make variables at all) in the module."""
    from upgrader.native.model import analyze   # NOTE: a local import: model.py imports this module
    key = path.resolve()
    if key not in _LAYERS:
        _LAYERS[key] = (False, False)   # NOTE: modules importing each other: the cycle's second visit sees none yet
        fx = analyze(native_source(path) or "", tree, path).functions
        _LAYERS[key] = (fx is not None and bool(fx.builders), fx is not None and bool(fx.builders or fx.factories))
    return _LAYERS[key]


def preload(tree: ast.Module, path: Path | None) -> tuple[list[ast.FunctionDef], set[int]]:
    """The imported libraries' top-level defs, in order, and the ids of the import statements naming them."""
    if path is None:
        return [], set()
    defs: list[ast.FunctionDef] = []
    stmts: set[int] = set()
    for stmt, other in sibling_imports(tree, path, classes=False):
        if any(a.asname for a in stmt.names):
            continue   # NOTE: a renamed import would need the call sites renamed too; left to the analysis to block
        lib = _tree(other)
        aliases = collect_aliases(lib)   # NOTE: `from tensorflow.contrib import rnn` in ops.py names its defs' calls
        found = [s for s in lib.body if isinstance(s, ast.FunctionDef)]
        _ALIASES.update({id(s): (s, aliases) for s in found})
        defs += found
        stmts.add(id(stmt))
    return defs, stmts


_ALIASES: dict[int, tuple[ast.FunctionDef, dict[str, str]]] = {}   # id(preloaded def) -> (it, its module's aliases)


def library_aliases(fn: ast.FunctionDef) -> dict[str, str]:
    """The import aliases of the module a preloaded def comes from (empty for the program's own defs)."""
    found = _ALIASES.get(id(fn))
    return found[1] if found is not None and found[0] is fn else {}


def local_tf_modules(tree: ast.Module, path: Path) -> list[Path]:
    """Modules beside the program that it imports (`import utils`, `from ops import *`) and that use TensorFlow.

    A native program cannot import one left in compat form: that form may turn eager execution off for the
    whole process, or hand it TF1 objects.
    """
    names = [a.name for s in tree.body if isinstance(s, ast.Import) for a in s.names] + [
        s.module for s in tree.body if isinstance(s, ast.ImportFrom) and s.module and s.level in (0, 1)]
    out = []
    for name in dict.fromkeys(n for n in names if "." not in n):
        other = path.parent / f"{name}.py"
        text = source(other) if other.is_file() and other.resolve() != path.resolve() else None
        if text is not None and ("import tensorflow" in text or "from tensorflow" in text):
            out.append(other)
    return out


def importers(library: Path) -> list[Path]:
    """The programs beside `library` that import it."""
    out = []
    for other in sorted(library.parent.glob("*.py")):
        tree = _tree(other) if other.resolve() != library.resolve() else None
        if tree is not None and any(p.resolve() == library.resolve() for _, p in sibling_imports(tree, other)):
            out.append(other)
    return out


_GROUPS: dict[Path, str | None] = {}


def group_blocker(library: Path, converts: Callable[[str, Path], bool]) -> str | None:
    """Why `library` and its importers cannot all convert (None when they can); decided once per process."""
    library = library.resolve()
    if library not in _GROUPS:
        text = source(library)
        why = None if text is not None and converts(text, library) else f"{library.name} itself stays in compat form"
        for other in importers(library) if why is None else []:
            if not converts(source(other) or "", other):
                why = f"{other.name}, which imports it, stays in compat form"
                break
        _GROUPS[library] = why
    return _GROUPS[library]
