"""A graph name rebound to its fetched value in session code: `[[b]] = sess.run(b)`, `W = sess.run(W)`.

In TF1 the name then holds NumPy data, and later statements compute with it (`y_intercept = b / a1`).
In TF2 the graph object keeps its name (functions defined earlier read it), so the data gets a name
of its own, from the rebinding on:

    [[b]] = sess.run(b)      ->   [[b_value]] = b.numpy()
    y_intercept = b / a1     ->   y_intercept = b_value / a1

The file is then analysed again. The rename stops where the name is bound anew.

`Respell` is the same step for names the analysis picks itself: a version of a rebound constant
that a function still reads after the rebinding gets a name of its own (native/versions.py).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Respell:
    """Spell the names at these places (line, byte col, byte end col) as `new`; the file is then analysed again."""

    spots: tuple[tuple[int, int, int], ...]
    new: str


def stored_names(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _fresh(tree: ast.Module, name: str) -> str:
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    new = f"{name}_value"
    while new in used:
        new += "_"
    return new


def rename(code: str, tree: ast.Module, rebinds: list[tuple[ast.stmt, str] | Respell]) -> str:
    """The source with each rebinding's target and the later reads of that name renamed (see the module docstring)."""
    body = tree.body
    spots: list[tuple[int, int, int, str]] = []   # (line, byte col, byte end col, new text)
    for item in rebinds:
        if isinstance(item, Respell):
            spots += [(line, col, end, item.new) for line, col, end in item.spots]
            continue
        stmt, name = item
        new = _fresh(tree, name)
        start = body.index(stmt)
        spots += [(n.lineno, n.col_offset, n.end_col_offset, new) for n in ast.walk(stmt)
                  if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)]
        for later in body[start + 1:]:
            if name in stored_names(later) or isinstance(later, (ast.FunctionDef, ast.ClassDef)) and later.name == name:
                break
            spots += [(n.lineno, n.col_offset, n.end_col_offset, new) for n in ast.walk(later)
                      if isinstance(n, ast.Name) and n.id == name]
    lines = code.splitlines(keepends=True)
    for line, col, end, new in sorted(set(spots), key=lambda s: (-s[0], -s[1])):
        raw = lines[line - 1].encode("utf-8")
        lines[line - 1] = (raw[:col] + new.encode("utf-8") + raw[end:]).decode("utf-8")
    return "".join(lines)
