"""A Saver made twice in a row under one name: the first one, never used, goes.

    with tf.Session() as sess:                         with tf.Session() as sess:
        saver = tf.train.Saver()                           saver = tf.train.Saver()
        saver = tf.train.Saver()             ->            sess.run(init)
        sess.run(init)

A TF1 Saver only adds save and restore ops to the graph; one bound and bound again before anything reads
it does nothing at all, but the analysis would see two Savers under one name (native/rebind_data.py) and
a checkpoint manager for the first with nowhere to save. The statement must be on lines of its own.

    drop_dead_savers(code, tree)  ->  the source without such statements, or None
"""
from __future__ import annotations

import ast

from upgrader.native.scope_initializer import _key
from upgrader.scan import collect_aliases

SAVERS = frozenset({"tf.train.Saver", "tf.compat.v1.train.Saver"})


def _saver(stmt: ast.stmt, aliases: dict[str, str]) -> str | None:
    """`name = tf.train.Saver(...)` -> 'name'."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
            and isinstance(stmt.value, ast.Call) and _key(aliases, stmt.value.func) in SAVERS:
        return stmt.targets[0].id
    return None


def _dead(body: list[ast.stmt], aliases: dict[str, str]) -> list[ast.stmt]:
    """The Saver statements of `body` (and of the blocks in it) whose name is bound again before any read."""
    out = []
    for i, s in enumerate(body):
        name = _saver(s, aliases)
        if name is not None:
            for later in body[i + 1:]:
                if any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) for n in ast.walk(later)):
                    break
                if _saver(later, aliases) == name:
                    out.append(s)
                    break
        for block in ("body", "orelse", "finalbody"):
            inner = getattr(s, block, None)
            if isinstance(inner, list) and not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out += _dead(inner, aliases)
    return out


def _alone(s: ast.stmt, lines: list[str]) -> bool:
    """`s` has its lines to itself (nothing before it, at most a comment after it)."""
    before = lines[s.lineno - 1].encode("utf-8")[:s.col_offset]
    after = lines[s.end_lineno - 1].encode("utf-8")[s.end_col_offset:].strip()
    return not before.strip() and (not after or after.startswith(b"#"))


def drop_dead_savers(code: str, tree: ast.Module) -> str | None:
    """See the module docstring."""
    aliases = collect_aliases(tree)
    dead = _dead(tree.body, aliases) if aliases else []
    lines = code.splitlines(keepends=True)
    if not dead or not all(_alone(s, lines) for s in dead):
        return None
    for s in sorted(dead, key=lambda s: -s.lineno):
        del lines[s.lineno - 1:s.end_lineno]
    return "".join(lines)
