"""`with sess.as_default():` around module-level code: unwrapped, its body one level out.

    sess = tf.Session()                         sess = tf.Session()
    with sess.as_default():              ->
        w = tf.Variable(1.0)                    w = tf.Variable(1.0)
        print(w.eval())                         print(w.eval())

`as_default` only makes `sess` the session that `.eval()` and `op.run()` use; the module's own
session is the one they use in the analysis anyway, so the body is the program. The `with` line
becomes a blank line (lines keep their numbers); lines inside a multi-line string keep their
text. Only a block on a session bound at module level by `tf.Session(...)`/`tf.InteractiveSession()`,
with one item and no `as`, is unwrapped.

    unwrap_session_defaults(code, tree) -> the unwrapped source (or `code` unchanged)
"""
from __future__ import annotations

import ast

from upgrader.scan import collect_aliases, dotted, to_key

SESSIONS = frozenset({"tf.Session", "tf.InteractiveSession", "tf.compat.v1.Session", "tf.compat.v1.InteractiveSession"})


def _sessions(tree: ast.Module) -> set[str]:
    aliases = collect_aliases(tree)
    out = set()
    for s in tree.body:
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) \
                and isinstance(s.value, ast.Call) and (d := dotted(s.value.func)) is not None:
            head, _, rest = d.partition(".")
            if (qual := aliases.get(head)) is not None and to_key(qual + ("." + rest if rest else "")) in SESSIONS:
                out.add(s.targets[0].id)
    return out


def _block(stmt: ast.stmt, sessions: set[str]) -> bool:
    if not isinstance(stmt, ast.With) or len(stmt.items) != 1 or stmt.items[0].optional_vars is not None:
        return False
    c = stmt.items[0].context_expr
    return (isinstance(c, ast.Call) and not c.args and not c.keywords and isinstance(c.func, ast.Attribute)
            and c.func.attr == "as_default" and isinstance(c.func.value, ast.Name) and c.func.value.id in sessions
            and stmt.body[0].lineno > stmt.lineno)


def unwrap_session_defaults(code: str, tree: ast.Module) -> str:
    """See the module docstring."""
    sessions = _sessions(tree)
    blocks = [s for s in tree.body if _block(s, sessions)]
    if not blocks:
        return code
    lines = code.splitlines(keepends=True)
    inside = {line for n in ast.walk(tree) if isinstance(n, (ast.Constant, ast.JoinedStr))
              and isinstance(getattr(n, "value", ""), (str, bytes, list)) for line in range(n.lineno + 1, n.end_lineno + 1)}
    for b in blocks:
        pad = lines[b.body[0].lineno - 1][:b.body[0].col_offset]
        if pad.strip() or not pad:
            continue
        for i in range(b.body[0].lineno, b.end_lineno + 1):
            if i not in inside and lines[i - 1].startswith(pad):
                lines[i - 1] = lines[i - 1][len(pad):]
            elif i not in inside and lines[i - 1].strip() and not lines[i - 1].lstrip().startswith("#"):
                return code   # a line less indented than the body (a continuation): left as written
        first = lines[b.lineno - 1]
        lines[b.lineno - 1] = first[len(first.rstrip("\r\n")):]   # the `with` line: blank, its line ending kept
    return "".join(lines)
