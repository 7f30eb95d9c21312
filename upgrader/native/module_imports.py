"""`import ops` + `ops.fc_layer(...)`, with `ops.py` beside the program: the from-import the analysis follows.

    import ops                                 from ops import fc_layer, weight
    W = ops.weight([3, 2])             ->      W = weight([3, 2])
    h = ops.fc_layer(x, 4, "h")                h = fc_layer(x, 4, "h")

Functions of a module beside the program that make variables (native/imported.py) must be seen by the
analysis: a training step lists the variables its loss reads, and a variable made by `ops.weight(...)` in
a call the analysis cannot follow would be left out of it. The analysis follows `from ops import ...`,
so a module imported whole is respelled that way, on the same lines. Where the module's name is used
other than to call or name its functions (`ops.BATCH`, `f(ops)`), or a function's name is taken in the
program, native mode reports it instead.

A variable, placeholder or random tensor made at the top of such a module (`W = tf.Variable(...)` in ops.py,
read as `ops.W` or imported by `from ops import W`) is reported too: the analysis sees only this program's
statements, so a training step would leave that variable out, and a random tensor made there would be drawn
once. Constants (`tf.constant(kernel)`) are the same computed once.

    module_import_spans(tree, source) -> [(span, new text)]; raises Blocked
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.native.base import Blocked
from upgrader.native.imported import CURRENT, _tree, layer_kinds, library
from upgrader.scan import collect_aliases, dotted


def module_import_spans(tree: ast.Module, source: Callable[[ast.AST], str]) -> list:
    path = CURRENT.get()
    if path is None:
        return []
    out: list = []
    _graph_values(tree, path)
    for stmt in tree.body:
        if not isinstance(stmt, ast.Import):
            continue
        for alias in stmt.names:
            other = path.parent / f"{alias.name}.py"
            if "." in alias.name or not other.is_file() or other.resolve() == path.resolve():
                continue
            lib = _tree(other)
            if lib is None or not library(lib) or not layer_kinds(other, lib)[1]:
                continue   # NOTE: helpers that only compute are followed as opaque calls on tensors
            if len(stmt.names) != 1:
                raise Blocked(stmt.lineno, f"`{source(stmt)}`: import {alias.name} on a line of its own so native "
                                           f"mode can follow the variables {other.name} makes")
            out += _respell(tree, stmt, alias, lib, other.name)
    return out


def _respell(tree: ast.Module, stmt: ast.Import, alias: ast.alias, lib: ast.Module, file: str) -> list:
    name = alias.asname or alias.name
    defs = {s.name for s in lib.body if isinstance(s, ast.FunctionDef)}
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    used: dict[str, None] = {}
    spans = []
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Name) and n.id == name):
            continue
        up = parents.get(id(n))
        if not (isinstance(up, ast.Attribute) and up.value is n and up.attr in defs and isinstance(n.ctx, ast.Load)):
            raise Blocked(n.lineno, f"'{name}' (the module {file}, whose functions make variables) is used other than "
                                    f"as {name}.<function>(...); native mode follows its variables through "
                                    f"`from {alias.name} import ...`")
        used[up.attr] = None
        spans.append(((up.lineno, up.col_offset, up.end_lineno, up.end_col_offset), up.attr))
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id != name} | {
        n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))} | {
        n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)} | {
        (a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in n.names}
    if taken := [u for u in used if u in bound]:
        raise Blocked(stmt.lineno, f"'{taken[0]}' names both a function of {file} and something in this program")
    if not used:
        return []
    spans.append(((stmt.lineno, stmt.col_offset, stmt.end_lineno, stmt.end_col_offset),
                  f"from {alias.name} import {', '.join(used)}"))
    return spans


def _graph_values(tree: ast.Module, path) -> None:
    """Raise Blocked where the program reads a graph value made at the top of a module beside it."""
    modules = {(a.asname or a.name): a.name for s in tree.body if isinstance(s, ast.Import) for a in s.names
               if "." not in a.name}
    for s in tree.body:
        if isinstance(s, ast.ImportFrom) and s.module and s.level in (0, 1) and "." not in s.module:
            made = _made_at_top(path.parent / f"{s.module}.py", path)
            for a in s.names:
                if a.name in made or a.name + "()" in made or a.name == "*" and made:
                    what = sorted(made)[0] if a.name == "*" else a.name if a.name in made else a.name + "()"
                    raise Blocked(s.lineno, _reason(what, s.module))
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in modules:
            made = _made_at_top(path.parent / f"{modules[n.value.id]}.py", path)
            if n.attr in made or n.attr + "()" in made:
                raise Blocked(n.lineno, _reason(n.attr if n.attr in made else n.attr + "()", modules[n.value.id]))


def _reason(name: str, module: str) -> str:
    if name.endswith("()"):
        return (f"{name} makes variables in {module}.py, which also runs code at import: native mode follows "
                f"the variables of functions imported from a module of defs only (move the other statements out)")
    return (f"'{name}' is a variable, placeholder or random tensor made at the top of {module}.py, which native mode "
            f"cannot follow into this program's functions and training steps; make it in this program, or in a "
            f"function of {module}.py")


STATEFUL = ("Variable", "variable", "placeholder", "random", "truncated_normal", "multinomial", "dropout", "layers",
            "keras", "contrib", "rnn", "Cell", "Iterator", "iterator", "Dataset", "Reader", "Queue", "Session")


def _stateful(name: str, aliases: dict[str, str]) -> bool:
    """A TensorFlow call whose value is not the same computed once at import: variables, placeholders, randomness."""
    return name.split(".")[0] in aliases and any(w in name for w in STATEFUL)


def _made_at_top(other, path) -> set[str]:
    """Names the module `other` (beside `path`) binds at its top level to a variable, placeholder or random tensor
    (a constant is the same tensor computed once at import, as TF1 computed it on each run)."""
    if not other.is_file() or other.resolve() == path.resolve():
        return set()
    lib = _tree(other)
    if lib is None:
        return set()
    aliases = collect_aliases(lib)
    made = set() if library(lib) else _makers(lib, aliases)   # NOTE: a module of defs is followed (imported.py)
    todo = list(lib.body)
    while todo:
        s = todo.pop()
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            continue
        if isinstance(s, (ast.With, ast.If, ast.For, ast.While, ast.Try)):
            todo += [b for field in ("body", "orelse", "finalbody") for b in getattr(s, field, [])]
            todo += [b for h in getattr(s, "handlers", []) for b in h.body]
            continue
        if any(isinstance(c, ast.Call) and _stateful(dotted(c.func) or "", aliases) for c in ast.walk(s)):
            made |= {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return made


def _makers(lib: ast.Module, aliases: dict[str, str]) -> set[str]:
    """`name()` for each top-level def of `lib` that makes variables or random tensors, itself or through another."""
    defs = {d.name: d for d in lib.body if isinstance(d, ast.FunctionDef)}
    found = {n for n, d in defs.items() if any(isinstance(c, ast.Call) and _stateful(dotted(c.func) or "", aliases)
                                               for c in ast.walk(d))}
    while True:
        more = {n for n, d in defs.items() if n not in found and any(
            isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in found for c in ast.walk(d))}
        if not more:
            return {n + "()" for n in found}
        found |= more
