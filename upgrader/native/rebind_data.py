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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.model import Program


@dataclass(frozen=True)
class Respell:
    """Spell the names at these places (line, byte col, byte end col) as `new`; the file is then analysed again."""

    spots: tuple[tuple[int, int, int], ...]
    new: str


def stored_names(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def data_rebinds(prog: Program) -> list[tuple[ast.stmt, str]]:
    """Graph names bound to data where the analysis does not follow them statement by statement.

    - in a `with tf.Session()` block, a statement that binds a graph object's name to fetched values
      (`w, b = sess.run([w, b])`, anywhere in the block);
    - at module level, a tuple assignment of data to graph names (`X, Y = data.T[0], data.T[1]`).
    """
    out: list[tuple[ast.stmt, str]] = []
    for stmt in prog.tree.body:
        if isinstance(stmt, ast.With) and stmt.body and id(stmt.body[0]) in prog.session_stmts \
                and id(stmt) not in prog.flat_withs:
            out += [(s, n) for s in stmt.body for n in sorted(stored_names(s)) if _graph_object(prog, n, s)
                    and _fetched(prog, s, n)]
        elif isinstance(stmt, ast.Assign) and id(stmt) not in prog.session_stmts and not all(
                isinstance(t, ast.Name) for t in stmt.targets) and not _reads_graph(prog, stmt.value):
            out += [(stmt, n) for n in sorted(stored_names(stmt)) if n in prog.entities]
    return out


def _graph_object(prog: Program, name: str, stmt: ast.stmt) -> bool:
    """A placeholder's name reused for data in session code is only a parameter name in TF2 (rules/native_session.py).

    An iterator's element is renamed like a graph object (`x = sess.run(x)` pulls, then holds data), except in a
    loop: there TF1 would fetch the data itself on the next pass (a TypeError), so the program is not followed."""
    if prog.kind(name) not in (None, "placeholder"):
        return True
    return not any(isinstance(n, (ast.For, ast.While)) for n in ast.walk(stmt)) and any(
        name in i.elements for i in prog.iterators.values())


def _fetched(prog: Program, stmt: ast.stmt, name: str) -> bool:
    """`name` is assigned (here or in a nested statement) values fetched from the session, or plain data."""
    for node in ast.walk(stmt):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and name in stored_names(node):
            runs = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("run", "eval")
                       for n in ast.walk(node.value))
            return runs or not _reads_graph(prog, node.value)
    return False


def _reads_graph(prog: Program, value: ast.AST) -> bool:
    return any(prog.key(n) is not None or (isinstance(n, ast.Name) and n.id in prog.entities)
               for n in ast.walk(value) if isinstance(n, (ast.Name, ast.Attribute)))


def _fresh(tree: ast.Module, name: str) -> str:
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    new = f"{name}_value"
    while new in used:
        new += "_"
    return new


def rename(code: str, tree: ast.Module, rebinds: list[tuple[ast.stmt, str] | Respell]) -> str:
    """The source with each rebinding's target and the later reads of that name renamed (see the module docstring).

    A rebinding may be nested (`w, b = sess.run([w, b])` in a `with` block or a loop): the reads renamed are those
    after it in its block, then after each enclosing statement, up to the next binding of the name.
    """
    del tree   # NOTE: the analysis renamed reads in its tree to version keys; positions are looked up afresh
    fresh = ast.parse(code)
    stmts = {(s.lineno, s.col_offset): s for s in ast.walk(fresh) if isinstance(s, ast.stmt)}
    after = _following(fresh)
    spots: list[tuple[int, int, int, str]] = []   # (line, byte col, byte end col, new text)
    for item in rebinds:
        if isinstance(item, Respell):
            spots += [(line, col, end, item.new) for line, col, end in item.spots]
            continue
        stmt, name = stmts[(item[0].lineno, item[0].col_offset)], item[1]
        new = _fresh(fresh, name)
        for inner in _storing(stmt, name):
            spots += [(n.lineno, n.col_offset, n.end_col_offset, new) for n in ast.walk(inner)
                      if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)]
            for later in after(inner):
                if name in stored_names(later) or isinstance(later, (ast.FunctionDef, ast.ClassDef)) and later.name == name:
                    if isinstance(later, (ast.Assign, ast.AnnAssign)) and later.value is not None:
                        # NOTE: `c = tf.reshape(c, [-1])` reads the renamed binding before it binds the name again
                        spots += [(n.lineno, n.col_offset, n.end_col_offset, new) for n in ast.walk(later.value)
                                  if isinstance(n, ast.Name) and n.id == name]
                    break
                spots += [(n.lineno, n.col_offset, n.end_col_offset, new) for n in ast.walk(later)
                          if isinstance(n, ast.Name) and n.id == name]
    lines = code.splitlines(keepends=True)
    for line, col, end, new in sorted(set(spots), key=lambda s: (-s[0], -s[1])):
        raw = lines[line - 1].encode("utf-8")
        lines[line - 1] = (raw[:col] + new.encode("utf-8") + raw[end:]).decode("utf-8")
    return "".join(lines)


_BLOCKS = ("body", "orelse", "finalbody")


def _storing(stmt: ast.stmt, name: str) -> list[ast.stmt]:
    """The simple statements inside `stmt` (or `stmt` itself) that bind `name`."""
    inner = [s for field in _BLOCKS for s in getattr(stmt, field, None) or ()]
    inner += [s for h in getattr(stmt, "handlers", ()) for s in h.body]
    if not inner:
        return [stmt] if name in stored_names(stmt) else []
    return [found for s in inner for found in _storing(s, name)]


def _following(tree: ast.Module):
    """stmt -> the statements that run after it: the rest of its block, then the rest of each enclosing block."""
    place: dict[int, tuple[list[ast.stmt], int, ast.AST]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.stmt, ast.Module)):
            continue
        blocks = [getattr(node, f, None) or [] for f in _BLOCKS] + [h.body for h in getattr(node, "handlers", ())]
        for block in blocks:
            for i, s in enumerate(block):
                place[id(s)] = (block, i, node)

    def after(stmt: ast.stmt) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        while id(stmt) in place:
            block, i, parent = place[id(stmt)]
            out += block[i + 1:]
            if not isinstance(parent, ast.stmt) or isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                        ast.ClassDef)):
                break
            stmt = parent
        return out
    return after
