"""`op.run(feed, session=sess)` and `t.eval(feed, session=sess)` spelled as the `sess.run` call they are.

    step.run(feed_dict, session=sess)         ->  sess.run(step, feed_dict=feed_dict)
    loss.eval(session=sess, feed_dict={x: 1})  ->  sess.run(loss, feed_dict={x: 1})

TF1's `Operation.run` and `Tensor.eval` are `session.run(self, feed_dict)`; with the session
named, native mode follows them like any other `sess.run`. Calls without `session=` (the
default session) are left to the analysis, which follows `.eval()` and `.run()` on graph objects
in a session block (rules/native_session.py).
"""
from __future__ import annotations

import ast
from typing import Callable

Span = tuple[tuple[int, int, int, int], str]


def session_calls(tree: ast.Module, text: Callable[[ast.AST], str]) -> list[Span]:
    """The edits (span, new text) that respell every `.run`/`.eval` call naming its session (`text`: a node's source)."""
    out: list[Span] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("run", "eval")):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        if None in kw or set(kw) - {"session", "feed_dict"} or not isinstance(kw.get("session"), ast.Name):
            continue
        if len(node.args) > 1 or any(isinstance(a, ast.Starred) for a in node.args) or (node.args and "feed_dict" in kw):
            continue
        receiver = node.func.value
        if not isinstance(receiver, (ast.Name, ast.Attribute, ast.Subscript)):
            continue
        feed = node.args[0] if node.args else kw.get("feed_dict")
        new = f"{kw['session'].id}.run({text(receiver)}"
        if feed is not None and not (isinstance(feed, ast.Constant) and feed.value is None):
            new += f", feed_dict={text(feed)}"
        out.append(((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset), new + ")"))
    return out

