"""What `tf.summary.merge([...])` and `tf.summary.merge_all()` merge, as the converted summary functions' lists.

A converted summary op is a function returning `[(write, tag, value), ...]`; a merge returns its
members' lists one after another, as TF1's merged Summary held their values in that order:

    loss_summary = tf.summary.scalar("loss", loss)      def loss_summary(x):
    acc_summary = tf.summary.scalar("accuracy", acc)        return [(tf.summary.scalar, "loss", loss(x))]
    train_op = tf.summary.merge([loss_summary,   ->     ...
                                 acc_summary])          def train_op(x, y):
                                                            return [*loss_summary(x), *acc_summary(x, y)]

`merge_all()` collects every summary made before it at module level, bound to a name or not.

    members(prog, call)       -> ['loss_summary', 'acc_summary'] (or the reason it cannot be followed)
    collected(prog, stmt)     -> the statements merge_all collects, in order
    entry(prog, name)         -> '*loss_summary(x)'
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.model import Program


def members(prog: Program, call: ast.Call) -> list[str] | str:
    """The summary entities a `tf.summary.merge(inputs)` call lists, in order."""
    given = dict(zip(("inputs", "collections", "name"), call.args)) | {k.arg: k.value for k in call.keywords}
    inputs = given.get("inputs")
    looped = prog.entities.get(inputs.id) if isinstance(inputs, ast.Name) else None
    if looped is not None and looped.kind == "summary" and id(looped.stmt) in prog.summary_loops:
        return [inputs.id]   # a list of summaries a loop filled (native/summary_loops.py)
    if set(given) - {"inputs", "name"} or not isinstance(inputs, (ast.List, ast.Tuple)):
        return "tf.summary.merge of something other than a list of summary ops written out ([a, b])"
    out = []
    for e in inputs.elts:
        if not (isinstance(e, ast.Name) and prog.kind(e.id) == "summary"):
            return (f"tf.summary.merge of '{ast.unparse(e)}', which is not a summary op bound to a name at module "
                    "level (a list built in a loop or a function is not followed)")
        out.append(e.id)
    return out


def collected(prog: Program, stmt: ast.stmt) -> list[ast.stmt]:
    """The summary statements `merge_all` in `stmt` collects: bare ones, and named ones made before it."""
    named = [e.stmt for e in prog.entities.values() if e.kind == "summary" and e.stmt.lineno < stmt.lineno
             and prog.call_key(getattr(e.stmt, "value", None)) not in ("tf.summary.merge", "tf.summary.merge_all")]
    return sorted(prog.summaries + named, key=lambda s: (s.lineno, s.col_offset))


def collected_names(prog: Program, stmt: ast.stmt) -> list[str]:
    """The names a statement `merge_all` collects reads (a bare summary) or binds (a named one, a loop's list)."""
    if isinstance(stmt, ast.Expr):
        return [n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)]
    loop = prog.summary_loops.get(id(stmt))
    return [loop.name] if loop is not None else [t.id for t in stmt.targets if isinstance(t, ast.Name)]


def entry(prog: Program, name: str) -> str:
    """A named summary's entries, spliced into a merged list: `*loss_summary(x)`."""
    e = prog.entities[name]
    return f"*{e.func or e.name}({', '.join(e.params)})"
