"""A TensorFlow class or function kept in a local name and only called through it: the calls name it directly.

    def model(x, n):                                     def model(x, n):
        cell_unit = tf.contrib.rnn.BasicLSTMCell    ->
        fw = cell_unit(n, forget_bias=1.0)                   fw = tf.contrib.rnn.BasicLSTMCell(n, forget_bias=1.0)

The local name is the object itself, so each call is the same call; the native analysis recognises RNN
cells, layers and variables by the TensorFlow name a call spells (only those TF1 names are respelled). The name must be bound once in its
function, by a plain `name = tf.<dotted>` statement that is not the only one of its block, and read only as
the function called. A comment after the statement stays where it was.

    local_aliases(code, tree) -> code with the first function's such names respelled (or `code` unchanged)
"""
from __future__ import annotations

import ast

from upgrader.native.nested_defs import TF1_BUILDERS
from upgrader.scan import aliased_key, collect_aliases, dotted


def local_aliases(code: str, tree: ast.Module) -> str:
    """See the module docstring."""
    aliases = collect_aliases(tree)
    lines = code.splitlines(keepends=True)
    for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        edits = _edits(fn, aliases, lines)
        if edits:
            return _apply(code, edits)
    return code


def _edits(fn: ast.FunctionDef, aliases: dict[str, str], lines: list[str]) -> list[tuple[tuple[int, int, int, int], str]]:
    own = [n for n in ast.walk(fn) if n is not fn and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                                                     ast.ClassDef))]
    inside = {id(m) for d in own for m in ast.walk(d)}   # NOTE: names of nested scopes are their own
    names = [n for n in ast.walk(fn) if isinstance(n, ast.Name) and id(n) not in inside]
    params = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}
    calls = {id(c.func) for c in ast.walk(fn) if isinstance(c, ast.Call)}
    for block in _blocks(fn):
        for s in block:
            if not (len(block) > 1 and isinstance(s, ast.Assign) and len(s.targets) == 1 and
                    isinstance(s.targets[0], ast.Name) and isinstance(s.value, ast.Attribute)):
                continue
            text, local = dotted(s.value), s.targets[0].id
            after = lines[s.end_lineno - 1].encode("utf-8")[s.end_col_offset:].decode("utf-8").strip()
            if lines[s.lineno - 1].encode("utf-8")[:s.col_offset].strip() or after and not after.startswith("#"):
                continue   # NOTE: another statement on its line (`a = tf.x; b = 1`)
            if not (aliased_key(aliases, s.value) or "").startswith(TF1_BUILDERS) or local in params or local in aliases:
                continue
            same = [n for n in names if n.id == local]
            if any(isinstance(n.ctx, (ast.Store, ast.Del)) and n is not s.targets[0] for n in same) or any(
                    n.id == local for d in own for n in ast.walk(d) if isinstance(n, ast.Name)):
                continue
            loads = [n for n in same if isinstance(n.ctx, ast.Load)]
            if not loads or any(id(n) not in calls or n.lineno < s.end_lineno for n in loads):
                continue
            return [((s.lineno, s.col_offset, s.end_lineno, s.end_col_offset), "")] + [
                ((n.lineno, n.col_offset, n.end_lineno, n.end_col_offset), text) for n in loads]
    return []


def _blocks(fn: ast.AST) -> list[list[ast.stmt]]:
    return [getattr(n, f) for n in ast.walk(fn) for f in ("body", "orelse", "finalbody")
            if isinstance(getattr(n, f, None), list) and getattr(n, f) and isinstance(getattr(n, f)[0], ast.stmt)]


def _apply(code: str, edits: list[tuple[tuple[int, int, int, int], str]]) -> str:
    lines = code.splitlines(keepends=True)
    for (l0, c0, l1, c1), text in sorted(edits, reverse=True):
        head, tail = lines[l0 - 1].encode("utf-8")[:c0], lines[l1 - 1].encode("utf-8")[c1:]
        if not text:   # NOTE: the statement goes; its line keeps a trailing comment, or goes too
            rest = tail.decode("utf-8").lstrip()
            new = (head.decode("utf-8") + rest) if rest.startswith("#") else ""
        else:
            new = head.decode("utf-8") + text + tail.decode("utf-8")
        lines[l0 - 1:l1] = [new] if new else []
    return "".join(lines)
