"""A module-level naming scope around sessions that run the graph while it is built: its block, one level out.

Style-transfer programs fetch the features of a fixed image in the middle of building the loss, inside the
loss's scope, and build on with the fetched NumPy values:

    with tf.variable_scope('loss') as scope:             with tf.Session() as sess:
        with tf.Session() as sess:                           sess.run(image.assign(content))
            sess.run(image.assign(content))      ->          p = sess.run(net['conv4'])
            p = sess.run(net['conv4'])                   content_loss = tf.reduce_sum((net['conv4'] - p) ** 2)
        content_loss = tf.reduce_sum((net['conv4'] - p) ** 2)

The analysis (native/model.py) follows sessions among the module's statements, where such a mid-build
session already converts to plain evaluation (`image.assign(content)`, `p = net()['conv4'].numpy()`). A
`variable_scope` or `name_scope` whose block makes no variable, layer or summary only prefixes op names,
which TF2 code does not have, so the block can stand one level out. Its scope object (`as scope`) must be
unused and its name a string.

    unwrap_scoped_sessions(code, tree)  ->  the source with such blocks unwrapped, or None
"""
from __future__ import annotations

import ast

from upgrader.native.plain_scopes import _creates_nothing, _unwrapped
from upgrader.native.scope_initializer import _key
from upgrader.scan import collect_aliases

SCOPES = frozenset({"tf.variable_scope", "tf.name_scope"})
SESSIONS = frozenset({"tf.Session", "tf.InteractiveSession"})


def _opens_session(stmt: ast.stmt, aliases: dict[str, str]) -> bool:
    """`with tf.Session() as sess:`."""
    return isinstance(stmt, ast.With) and len(stmt.items) == 1 and isinstance(stmt.items[0].context_expr, ast.Call) \
        and _key(aliases, stmt.items[0].context_expr.func) in SESSIONS


def _naming_block(w: ast.stmt, tree: ast.Module, aliases: dict[str, str]) -> bool:
    """A `with <scope>('name') [as unused]:` holding a session block, whose other statements make nothing."""
    if not (isinstance(w, ast.With) and len(w.items) == 1 and isinstance(w.items[0].context_expr, ast.Call)):
        return False
    call, alias = w.items[0].context_expr, w.items[0].optional_vars
    if _key(aliases, call.func) not in SCOPES or call.keywords or len(call.args) != 1 or not (
            isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
        return False
    if alias is not None and not (isinstance(alias, ast.Name) and not any(
            isinstance(n, ast.Name) and n.id == alias.id and isinstance(n.ctx, ast.Load) for n in ast.walk(tree))):
        return False
    sessions = [s for s in w.body if _opens_session(s, aliases)]
    defs = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
    return bool(sessions) and all(_creates_nothing(s, aliases, defs, {}) for s in w.body if s not in sessions)


def unwrap_scoped_sessions(code: str, tree: ast.Module) -> str | None:
    """See the module docstring."""
    aliases = collect_aliases(tree)
    blocks = [s for s in tree.body if _naming_block(s, tree, aliases)]
    if not blocks:
        return None
    lines = code.splitlines(keepends=True)
    for w in reversed(blocks):
        text = _unwrapped(w, lines)
        if text is None:
            return None
        end = lines[w.end_lineno - 1]
        newline = end[len(end.rstrip("\r\n")):] or "\n"
        lines[w.lineno - 1:w.end_lineno] = [text + newline]
    return "".join(lines)
