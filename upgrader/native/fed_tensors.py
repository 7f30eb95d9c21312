"""A computed constant tensor that a `sess.run` feeds: TF1 lets any tensor be fed, not only placeholders.

    a = tf.add(2, 5)                       ->   a_value = tf.add(2, 5)
    b = tf.multiply(a, 3)                       a = tf.placeholder_with_default(a_value, shape=None)
    sess.run(b)                  # 21           b = tf.multiply(a, 3)
    sess.run(b, {a: 15})         # 45           ...

The fed value replaces the tensor, the unfed run computes it: that is a placeholder with the tensor
as its default, which native mode turns into a parameter (rules/native_placeholder_default.py):
`b(a_value)` and `b(15)`, the fed value converted to the tensor's dtype as TF1 converted it. The file
is then analysed again. Only a tensor of no placeholder and no variable is respelled this way (a fed
layer activation would need its function split at the fed tensor).
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.naming import tree_nodes

if TYPE_CHECKING:
    from upgrader.native.model import Program


def fed_constants(prog: Program) -> list[tuple[ast.Assign, str]]:
    """(statement, entity key) of each module-level constant tensor some feed dict of the file feeds."""
    keys = _feed_keys(prog)
    out: list[tuple[ast.Assign, str]] = []
    for key in dict.fromkeys(keys):
        e = prog.entities.get(key)
        if e is None or e.kind != "tensor" or e.params or e.variables or getattr(e, "drawn", False):
            continue
        stmt = e.stmt
        if any(s is stmt for s in prog.tree.body) and isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name):
            out.append((stmt, key))
    return out


def respell(code: str, prog: Program, fed: list[tuple[ast.Assign, str]]) -> str:
    """The source with each fed tensor's statement split into its value and a placeholder defaulting to it."""
    lines = code.splitlines(keepends=True)
    taken = {n.id for n in tree_nodes(prog) if isinstance(n, ast.Name)} | {
        n.name for n in tree_nodes(prog) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    tf = next((a for a, q in prog.aliases.items() if q == "tensorflow"), "tf")
    spots = sorted(((n.lineno, n.col_offset, n.end_col_offset, n.id) for n in tree_nodes(prog) if isinstance(
        n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in {k for _, k in fed}), reverse=True)
    for line, col, end, key in spots:   # reads of a rebound name's version: the analysis spelled them `a_1`
        text = lines[line - 1]
        lines[line - 1] = text[:_col(text, col)] + key + text[_col(text, end):]
    for stmt, key in sorted(fed, key=lambda f: -f[0].lineno):
        name = stmt.targets[0].id
        value = _fresh(f"{name}_value", taken)
        name = key   # the placeholder takes the version's name where the user's name is bound to others too
        first, last = stmt.lineno - 1, stmt.end_lineno - 1
        pad = lines[first][:len(lines[first]) - len(lines[first].lstrip())]
        newline = "\r\n" if lines[last].endswith("\r\n") else "\n"
        head = lines[first][:_col(lines[first], stmt.targets[0].col_offset)]
        after = lines[first][_col(lines[first], stmt.targets[0].end_col_offset):]
        lines[first] = head + value + after
        lines.insert(last + 1, f"{pad}{name} = {tf}.placeholder_with_default({value}, shape=None){newline}")
    return "".join(lines)


def _feed_keys(prog: Program) -> list[str]:
    """Names used as keys of a literal feed dict, or of a dict literal bound to a name passed as feed_dict."""
    dicts: list[ast.Dict] = []
    named: set[str] = set()
    for n in tree_nodes(prog):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("run", "eval")):
            continue
        feed = next((k.value for k in n.keywords if k.arg == "feed_dict"), None)
        if feed is None and n.func.attr == "run" and len(n.args) > 1:
            feed = n.args[1]
        if feed is None and n.func.attr == "eval" and n.args:
            feed = n.args[0]
        if isinstance(feed, ast.Dict):
            dicts.append(feed)
        elif isinstance(feed, ast.Name):
            named.add(feed.id)
    for n in tree_nodes(prog):
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Dict) and any(
                isinstance(t, ast.Name) and t.id in named for t in n.targets):
            dicts.append(n.value)
    return [k.id for d in dicts for k in d.keys if isinstance(k, ast.Name)]


def _fresh(name: str, taken: set[str]) -> str:
    out, i = name, 1
    while out in taken:
        out, i = f"{name}_{i}", i + 1
    taken.add(out)
    return out


def _col(line: str, col: int) -> int:
    """ast's byte column -> a str index."""
    return len(line.encode("utf-8")[:col].decode("utf-8", "replace"))
