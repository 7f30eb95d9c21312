"""`op.run(feed, session=sess)` and `t.eval(feed, session=sess)` spelled as the `sess.run` call they are.

    step.run(feed_dict, session=sess)         ->  sess.run(step, feed_dict=feed_dict)
    loss.eval(session=sess, feed_dict={x: 1})  ->  sess.run(loss, feed_dict={x: 1})

TF1's `Operation.run` and `Tensor.eval` are `session.run(self, feed_dict)`; with the session
named, native mode follows them like any other `sess.run`. Calls without `session=` run on the
default session: inside `with tf.Session() as sess:` that is `sess`, so `op.run()` there is
`sess.run(op)` too. `.eval()` without `session=` is left to the analysis, which follows it.

    with tf.Session() as sess:                with tf.Session() as sess:
        train_step.run({x: 1})        ->          sess.run(train_step, feed_dict={x: 1})
"""
from __future__ import annotations

import ast
from typing import Callable

Span = tuple[tuple[int, int, int, int], str]


def session_calls(tree: ast.Module, text: Callable[[ast.AST], str], aliases: dict[str, str] | None = None) -> list[Span]:
    """The edits (span, new text) that respell every `.run`/`.eval` call naming its session (`text`: a node's source),
    and `op.run(...)` on the session of the `with` block around it (`aliases`: the file's imports)."""
    out: list[Span] = default_runs(tree, text, aliases) if aliases else []
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


SESSIONS = ("tensorflow.Session", "tensorflow.InteractiveSession", "tensorflow.compat.v1.Session",
            "tensorflow.compat.v1.InteractiveSession")


def _session_name(block: ast.With, aliases: dict[str, str]) -> str | None:
    """`sess` of `with tf.Session() as sess:` (`with g.as_default(), tf.Session() as sess:` too)."""
    for item in block.items:
        c = item.context_expr
        name = c.func if isinstance(c, ast.Call) else None
        parts: list[str] = []
        while isinstance(name, ast.Attribute):
            parts.insert(0, name.attr)
            name = name.value
        if isinstance(name, ast.Name) and name.id in aliases and ".".join([aliases[name.id], *parts]) in SESSIONS \
                and isinstance(item.optional_vars, ast.Name):
            return item.optional_vars.id
    return None


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def default_runs(tree: ast.Module, text: Callable[[ast.AST], str], aliases: dict[str, str]) -> list[Span]:
    """`op.run(feed)` directly inside `with tf.Session() as sess:` (no nested def) -> `sess.run(op, feed_dict=feed)`."""
    out: list[Span] = []
    modules = {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
               for a in n.names}
    for block in (n for n in ast.walk(tree) if isinstance(n, ast.With)):
        sess = _session_name(block, aliases)
        todo: list[ast.AST] = list(block.body) if sess is not None else []
        while todo:
            node = todo.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)) or (
                    isinstance(node, ast.With) and _session_name(node, aliases) is not None):
                continue   # another scope, or another session (its own block respells its calls)
            todo.extend(ast.iter_child_nodes(node))
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run"):
                continue
            receiver, kw = node.func.value, {k.arg: k.value for k in node.keywords}
            root = _root(receiver)
            if not isinstance(root, ast.Name) or root.id in modules or root.id == sess or set(kw) - {"feed_dict"} or (
                    len(node.args) + len(kw) > 1 or any(isinstance(a, ast.Starred) for a in node.args)):
                continue   # a module's run (tf.app.run), the session itself, or a session= call (above)
            feed = node.args[0] if node.args else kw.get("feed_dict")
            new = f"{sess}.run({text(receiver)}"
            if feed is not None and not (isinstance(feed, ast.Constant) and feed.value is None):
                new += f", feed_dict={text(feed)}"
            out.append(((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset), new + ")"))
    return out
