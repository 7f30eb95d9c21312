"""Where a flat TF1 script opens its session and which statements run graph values.

    session_target(prog, stmt)  ->  'sess' for `with tf.Session() as sess:` or `sess = tf.Session()`
    runs_graph(prog, stmt)      ->  True for `print(sess.run(loss, fd))`, `acc.eval()`, `init.run()`
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.model import Program

SESSIONS = frozenset({"tf.Session", "tf.InteractiveSession"})


def session_target(prog: Program, stmt: ast.stmt) -> str | None:
    """`with tf.Session() as sess:` / `sess = tf.Session()` -> 'sess'."""
    if isinstance(stmt, ast.With) and len(stmt.items) == 1:
        item = stmt.items[0]
        if prog.call_key(item.context_expr) in SESSIONS and isinstance(item.optional_vars, ast.Name):
            return item.optional_vars.id
    if isinstance(stmt, ast.Assign) and prog.call_key(stmt.value) in SESSIONS:
        t = stmt.targets
        if len(t) == 1 and isinstance(t[0], ast.Name):
            return t[0].id
    return None


def runs_graph(prog: Program, stmt: ast.stmt) -> bool:
    """`stmt` uses the session (`sess.run(...)`, `sess.graph`) or evaluates a graph object (`loss.eval()`)."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and node.id == prog.session_name:
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("eval", "run") and (
                prog.call_key(node.value) is not None
                or isinstance(node.value, ast.Name) and prog.kind(node.value.id) is not None):
            return True
    return False
