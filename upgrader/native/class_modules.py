"""A model class defined in one module and instantiated in a script beside it, converted as if in one file.

    # model.py                               # train.py
    class Linear(object):                    from model import Linear
        def __init__(self, start):           model = Linear(0.5)
            self.x = tf.placeholder(...)     train_op = tf.train.AdamOptimizer(0.1).minimize(model.loss)
            ...                              sess.run([train_op, model.loss], {model.x: xs})

The script is upgraded with the class written in place of its import (with the statements of model.py
the class reads, such as `import config`): the single-file paths (native/class_instances.py,
native/class_fold.py) turn it into `class Linear(tf.Module)` and the script into calls of it. The class
text then goes back to model.py and the script imports it again:

    imported(code, tree, path, upgrade)  ->  None (no such class), the script's Result, or its blockers
    class_module(code, tree, path)       ->  None (not a module of model classes), model.py's Result, or why not

model.py converts only when every script beside it that imports its classes converts, and they all
write its classes alike; a script converts only with model.py (native/run.py's check of the modules
a program imports), so a converted script never imports a class left in TF1 form, nor the reverse.
"""
from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path
from typing import Callable

from upgrader.engine import Result, upgrade_rules
from upgrader.native.base import Blocked
from upgrader.native.class_sessions import _builds
from upgrader.native.imported import CURRENT, source

_RECORDED: dict[tuple[Path, Path, str, str], str] = {}   # (script, module, class, script source) -> converted text


def graph_classes(tree: ast.Module) -> dict[str, ast.ClassDef] | None:
    """The graph-building classes of a module of model classes (None when it is not one).

    Such a module holds a docstring, imports, constants, functions and classes, and nothing else runs at import."""
    out = {}
    for s in tree.body:
        if isinstance(s, ast.ClassDef):
            if _builds(s):
                out[s.name] = s
        elif not (isinstance(s, (ast.Import, ast.ImportFrom, ast.FunctionDef)) or isinstance(s, ast.Expr) and isinstance(
                s.value, ast.Constant) or isinstance(s, (ast.Assign, ast.AnnAssign)) and not any(
                isinstance(n, ast.Call) for n in ast.walk(s))):
            return None
    return out or None


def _module_tree(path: Path) -> ast.Module | None:
    text = source(path) if path.is_file() else None
    try:
        return ast.parse(text) if text is not None else None
    except (SyntaxError, ValueError):
        return None


def class_imports(tree: ast.Module, path: Path) -> list[tuple[ast.ImportFrom, Path, ast.Module, dict[str, ast.ClassDef]]]:
    """`from model import Linear` statements naming graph classes of a module beside `path` that the program uses
    (an import of a class the program never mentions again ties nothing together)."""
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    out = []
    for s in tree.body:
        if isinstance(s, ast.ImportFrom) and s.module and s.level in (0, 1) and "." not in s.module:
            other = path.parent / f"{s.module}.py"
            if other.resolve() == path.resolve():
                continue
            lib = _module_tree(other)
            classes = graph_classes(lib) if lib is not None else None
            if classes and any(a.name in classes and (a.asname or a.name) in read for a in s.names):
                out.append((s, other, lib, classes))
    return out


def _bound(tree: ast.Module) -> set[str]:
    """Every name the module binds anywhere (so an added statement cannot change what a name means)."""
    out = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    out |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    out |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    return out | {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                  for a in n.names}


def _binds(s: ast.stmt) -> set[str]:
    if isinstance(s, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in s.names}
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {s.name}
    return {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def imported(code: str, tree: ast.Module, path: Path | None, upgrade: Callable[[str], object]
             ) -> Result | list[Blocked] | None:
    """The script with the model classes it imports converted with it (see the module docstring)."""
    found = class_imports(tree, path) if path is not None else []
    if not found:
        return None
    stmt, other, lib, classes = found[0]   # NOTE: a second module's import is still there: the next pass takes it
    names = [a.name for a in stmt.names]
    if any(a.asname for a in stmt.names) or any(n not in classes for n in names) or ";" in _line(code, stmt):
        return [Blocked(stmt.lineno, f"`from {stmt.module} import ...`: native mode converts a model class of "
                                     f"{other.name} when its import names only such classes, unrenamed, on a line of "
                                     "its own")]
    mine = _bound(tree)
    have = {ast.dump(s) for s in tree.body}
    added: list[ast.stmt] = []
    for s in lib.body:
        if isinstance(s, ast.ClassDef) or isinstance(s, ast.Expr) or isinstance(s, ast.ImportFrom) and \
                s.module == "__future__" or ast.dump(s) in have:
            continue
        if clash := sorted(_binds(s) & mine):
            return [Blocked(stmt.lineno, f"'{clash[0]}' names one thing in {other.name} and another in this program: "
                                         f"native mode converts {other.name}'s model class here only when the names "
                                         "it reads mean the same in both")]
        added.append(s)
    lib_text = source(other) or ""
    inserted, where = "", {}   # the text in place of the import; its lines -> the module's lines
    for node in added + [classes[n] for n in names]:
        inserted += "\n\n" if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ""
        text = _segment(lib_text, node) + "\n"
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        where |= {stmt.lineno + inserted.count("\n") + i: first + i for i in range(text.count("\n"))}
        inserted += text
    inserted += "\n\n"
    lines = code.splitlines(keepends=True)
    combined = "".join(lines[:stmt.lineno - 1]) + inserted + "".join(lines[stmt.end_lineno:])
    out = upgrade(combined)
    width = inserted.count("\n") - (stmt.end_lineno - stmt.lineno + 1)
    if isinstance(out, list):
        return [Blocked(_line_back(b.line, stmt, width), _reason_back(b, stmt, width, other, where)) for b in out]
    try:
        script, texts = _split(out.code, names, added, stmt, _spaced(code, stmt), lib)
    except ValueError as e:
        return [Blocked(stmt.lineno, f"class '{names[0]}' of {other.name}: {e.args[0]}")]
    for n, text in texts.items():   # NOTE: keyed by the script's source, which decides the text
        if _RECORDED.setdefault((path.resolve(), other.resolve(), n, source(path) or ""), text) != text:
            return [Blocked(stmt.lineno, f"class '{n}' of {other.name} converts differently in two parts of this "
                                         "program (graphs built one after the other)")]
    return Result(script, code, [d for d in out.diagnostics if d.severity != "change"])


def _segment(code: str, node: ast.stmt) -> str:
    lines = code.splitlines(keepends=True)
    return "".join(lines[min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1:
                         node.end_lineno]).rstrip("\n")


def _line(code: str, stmt: ast.stmt) -> str:
    return "".join(code.splitlines(keepends=True)[stmt.lineno - 1:stmt.end_lineno])


def _spaced(code: str, stmt: ast.stmt) -> str:
    """The import statement with the blank lines around it in the script."""
    lines = code.splitlines(keepends=True)
    before = len(lines[:stmt.lineno - 1]) - len("".join(lines[:stmt.lineno - 1]).rstrip("\n").splitlines(keepends=True))
    after = len(lines[stmt.end_lineno:]) - len("".join(lines[stmt.end_lineno:]).lstrip("\n").splitlines(keepends=True))
    return "\n" * before + _line(code, stmt).strip("\n") + "\n" + "\n" * after


def _import_line(stmt: ast.ImportFrom, names: list[str]) -> str:
    return f"from {'.' * stmt.level}{stmt.module} import {', '.join(names)}"


def _line_back(line: int, stmt: ast.stmt, width: int) -> int:
    return line if line < stmt.lineno else stmt.lineno if line <= stmt.lineno + width else line - width


def _reason_back(b: Blocked, stmt: ast.ImportFrom, width: int, other: Path, where: dict[int, int]) -> str:
    """A reason about the combined program with the line numbers in it as the script's or the module's lines."""

    def one(m: re.Match) -> str:
        n = int(m.group())
        if n < stmt.lineno or n > stmt.lineno + width:
            return str(_line_back(n, stmt, width))
        return f"{other.name}:{where[n]}" if n in where else str(stmt.lineno)
    text = re.sub(r"(?<=\bline )\d+|(?<=\blines )[\d, ]+", lambda m: re.sub(r"\d+", one, m.group()), b.reason)
    return text


def _split(converted: str, names: list[str], added: list[ast.stmt], stmt: ast.ImportFrom, import_text: str,
           lib: ast.Module) -> tuple[str, dict[str, str]]:
    """The converted combined program -> (the script importing the classes again, the converted text of each class
    and function of the module)."""
    tree = ast.parse(converted)
    lines = converted.splitlines(keepends=True)
    defs = [a.name for a in added if isinstance(a, ast.FunctionDef)]
    found = {s.name: s for s in tree.body if isinstance(s, ast.ClassDef) and s.name in names or
             isinstance(s, ast.FunctionDef) and s.name in defs}
    if lost := [n for n in names + defs if n not in found]:
        raise ValueError(f"its converted form has no {'class' if lost[0] in names else 'function'} '{lost[0]}'")
    texts = {n: "".join(lines[min([c.lineno] + [d.lineno for d in c.decorator_list]) - 1:c.end_lineno])
             for n, c in found.items()}
    lib_names = _bound_at_top(lib) | set(dir(builtins))
    for n, c in found.items():
        if free := sorted(_free(c) - lib_names):
            raise ValueError(f"its converted form reads '{free[0]}', which its own module does not define")
    first = min((found[n] for n in names), key=lambda c: c.lineno)
    added_dumps = {ast.dump(s) for s in added}
    rest = [s for s in tree.body if id(s) not in {id(c) for c in found.values()} and ast.dump(s) not in added_dumps]
    used = {n.id for s in rest for n in ast.walk(s) if isinstance(n, ast.Name)}
    mine = {b for a in added for b in _binds(a)} | set(defs)
    extra = sorted(used & mine - {b for a in added if isinstance(a, (ast.Import, ast.ImportFrom)) for b in _binds(a)})
    if extra:   # the converted script reads a function or constant of the module: it imports it too
        import_text = import_text.replace(import_text.strip("\n"), _import_line(stmt, names + extra))
    drop = [s for s in tree.body if id(s) in {id(found[n]) for n in defs} or not isinstance(s, ast.ClassDef) and (
        ast.dump(s) in added_dumps or isinstance(s, (ast.Import, ast.ImportFrom))) and _binds(s) and
        _binds(s) <= mine and not _binds(s) & used]
    out = list(lines)
    for s in sorted([found[n] for n in names] + drop, key=lambda s: -s.lineno):
        start, end = min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", [])]) - 1, s.end_lineno
        if s is first:   # the class and the blank lines around it give way to the import as the script spaced it
            while start > 0 and out[start - 1] is not None and not out[start - 1].strip():
                start -= 1
            while end < len(out) and out[end] is not None and not out[end].strip():
                end += 1
        elif start == 0 or out[start - 1] is not None and not out[start - 1].strip():   # a dropped statement takes its blank lines after it along
            while end < len(out) and out[end] is not None and not out[end].strip():
                end += 1
        out[start:end] = [None] if s is first else []
    at = out.index(None)
    blanks = 0
    while at - blanks > 0 and not out[at - blanks - 1].strip():
        blanks += 1
    want = len(import_text) - len(import_text.lstrip("\n")) if at - blanks > 0 else 0
    out[at - blanks:at + 1] = ["\n" * want + import_text.lstrip("\n")]
    return "".join(out), texts


def _bound_at_top(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for s in tree.body:
        out |= _binds(s) | ({s.name} if isinstance(s, (ast.ClassDef, ast.FunctionDef)) else set())
    return out


def _free(cls: ast.ClassDef) -> set[str]:
    """Names the class reads that neither its methods nor comprehensions bind."""
    bound = {n.id for n in ast.walk(cls) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {n.arg for n in ast.walk(cls) if isinstance(n, ast.arg)}
    bound |= {n.name for n in ast.walk(cls) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    bound |= {(a.asname or a.name).split(".")[0] for n in ast.walk(cls) if isinstance(n, (ast.Import, ast.ImportFrom))
              for a in n.names}
    return {n.id for n in ast.walk(cls) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


def users(path: Path) -> tuple[list[Path], list[Path]]:
    """The programs beside the module `path` that import its model classes, and those that import it whole."""
    named, whole = [], []
    for other in sorted(path.parent.glob("*.py")):
        tree = _module_tree(other) if other.resolve() != path.resolve() else None
        if tree is None:
            continue
        if any(lib.resolve() == path.resolve() for _, lib, _, _ in class_imports(tree, other)):
            named.append(other)
        elif any(isinstance(s, ast.Import) and any(a.name == path.stem for a in s.names) for s in ast.walk(tree)):
            whole.append(other)
    return named, whole


def class_module(code: str, tree: ast.Module, path: Path | None, converts: Callable[[str, Path], bool]
                 ) -> Result | list[Blocked] | None:
    """A module of model classes, converted as the scripts beside it that make their instances wrote them."""
    classes = graph_classes(tree) if path is not None else None
    named, whole = users(path) if classes else ([], [])
    if not named:
        return None
    if whole:
        return [Blocked(1, f"{whole[0].name} imports {path.name} whole (`import {path.stem}`): native mode converts "
                           f"its model classes with the programs that import them by name (`from {path.stem} import "
                           f"{next(iter(classes))}`)")]
    texts: dict[str, str] = {}
    here = path.resolve()
    for user in named:
        key = user.resolve()
        for k in [k for k in _RECORDED if k[0] == key]:
            del _RECORDED[k]
        if not converts(source(user) or "", user):
            return [Blocked(1, f"{path.name}'s model classes convert only with every program beside it that imports "
                               f"them: {user.name}, which imports them, stays in compat form")]
        for (script, module, name, text_of), text in list(_RECORDED.items()):
            if script == key and module == here and text_of == (source(user) or ""):
                if texts.setdefault(name, text) != text:
                    return [Blocked(classes[name].lineno, f"class '{name}' converts differently in {user.name} and "
                                                          f"another program beside {path.name}")]
    if missing := [n for n in classes if n not in texts]:
        return [Blocked(classes[missing[0]].lineno, f"class '{missing[0]}': no program beside {path.name} makes an "
                                                    "instance of it (native mode converts a model class with the "
                                                    "script that makes its one instance)")]
    lines = code.splitlines(keepends=True)
    defs = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name in texts} | classes
    for name, node in sorted(defs.items(), key=lambda kv: -kv[1].lineno):
        start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
        lines[start:node.end_lineno] = [texts[name]]
    return _finish("".join(lines), code)


def _finish(new: str, code: str) -> Result | list[Blocked]:
    """The module's other statements through the rename rules, with nothing of TF1 left."""
    from upgrader.modes import rules_for   # NOTE: local imports: the rule registry and the package import this module
    from upgrader.native import leftover
    result = upgrade_rules(new, list(rules_for("native")))
    left = leftover(result.code, result.diagnostics)
    if left is not None:
        return [left]
    return Result(result.code, code, [d for d in result.diagnostics if d.severity != "change"])


def cross_module(code: str, tree: ast.Module, upgrade: Callable[[str], object],
                 converts: Callable[[str, Path], bool]) -> Result | list[Blocked] | None:
    """native/run.py's entry: a script importing model classes from beside it, or such a module; else None."""
    path = CURRENT.get()
    found = imported(code, tree, path, upgrade)
    return found if found is not None else class_module(code, tree, path, converts)
