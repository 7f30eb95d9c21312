"""Source text for the tf.Module rule: call arguments after parameters move, and statements that keep their comments.

    arguments(call_of_dense, dense, ["x", "activation"], edit.text)  ->  'h, activation=tf.nn.tanh'
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable

from upgrader.native.base import Blocked, Editor

if TYPE_CHECKING:
    from upgrader.native.model import Program
    from upgrader.native.modules import Builder


def arguments(call: ast.Call, b: Builder, wanted: list[str], render: Callable[[ast.expr], str]) -> str:
    """The call's arguments for the parameters `wanted`, positional while no earlier one was left out."""
    given = dict(zip(b.params, call.args))
    named = {k.arg: k.value for k in call.keywords}
    out, positional = [], True
    for p in wanted:
        if p in given and positional:
            out.append(render(given[p]))
        elif p in given or p in named:
            positional = False
            out.append(f"{p}={render(given.get(p) or named[p])}")
        else:
            positional = False
    return ", ".join(out)


def comments(edit: Editor, stmt: ast.stmt) -> list[str]:
    """The comment lines right above `stmt`, which move with it."""
    lines, i = [], stmt.lineno - 2
    while i >= 0 and (src := edit.src.splitlines()[i].strip()).startswith("#"):
        lines.insert(0, src)
        i -= 1
    return lines


def trailing(edit: Editor, stmt: ast.stmt) -> str:
    tail = edit.src.splitlines()[stmt.end_lineno - 1].encode("utf-8")[stmt.end_col_offset:].decode("utf-8", "replace").strip()
    return "  " + tail if tail.startswith("#") else ""


def dedent(text: str, width: int, line: int) -> str:
    out = text.split("\n")
    for i, ln in enumerate(out[1:], 1):
        if ln.strip() and not ln[:width].isspace():
            raise Blocked(line, "a multi-line string inside a graph-building function cannot be re-indented safely")
        out[i] = ln[width:]
    return "\n".join(out)


def not_computed(prog: Program, b: Builder) -> set[int]:
    """Ids of the body statements `__call__` leaves out: RNN cells, variable creation, and summaries, which the
    converted merge_all lists with the instance's variables (native/summary_tags.py)."""
    return b.cells | set(b.variables) | {id(s) for s in ast.walk(b.node) if isinstance(s, ast.Expr) and (
        prog.call_key(s.value) or "").startswith("tf.summary.")}


def kept_attribute(param: str) -> str:
    """The attribute a constructor parameter is kept in: `name` would shadow tf.Module's own `name`."""
    from upgrader.native.modules import MODULE_ATTRS
    return f"{param}_arg" if param in MODULE_ATTRS else param


class Substituted:
    """An Editor whose `text` reads parameters and variables from `self` (`num_units` -> `self.num_units`)."""

    def __init__(self, edit: Editor, attrs: dict[str, str]) -> None:
        self.edit, self.attrs = edit, attrs

    def text(self, node: ast.AST) -> str:
        return self.edit.with_edits(node, [(n, self.attrs[n.id]) for n in ast.walk(node) if isinstance(n, ast.Name)
                                           and isinstance(n.ctx, ast.Load) and n.id in self.attrs])

    def __getattr__(self, name: str) -> object:
        return getattr(self.edit, name)


def class_import(prog: Program, stmt: ast.ImportFrom) -> str | None:
    """`from ops import fc_layer` -> `from ops import FcLayer`: ops.py converts with this program (native/imported.py)."""
    builders = prog.functions.builders
    if not any(a.name in builders for a in stmt.names):
        return None
    names = ", ".join(builders[a.name].cls if a.name in builders else a.name for a in stmt.names)
    return f"from {'.' * stmt.level}{stmt.module} import {names}"
