"""What keeps a graph-building function from becoming a tf.Module (native/modules.py), found before it is built.

    def layer(x):                                   # defined after `model`, which calls it
        w = tf.Variable(tf.zeros([3, 2]))           ->  (def, "is defined after 'model', which calls it ...")
        if big:
            tf.summary.histogram("w", w)            ->  (call, "writes tf.summary.histogram ... under Python control flow")
        return tf.matmul(x, w)

TF1's merge_all collected a summary made inside a layer function like any other; the converted merge_all
lists each layer call's summaries (native/summary_tags.py) when they are statements of the body or of its
name scopes, so one under `if`/`for` or inside an expression keeps the file in compat form.

    builder_blocker(prog, defs, fn) -> (node, reason) or None
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.model import Program


def builder_blocker(prog: Program, defs: dict[str, ast.FunctionDef], fn: ast.FunctionDef) -> tuple[ast.AST, str] | None:
    """See the module docstring; `defs` are the graph-building functions recorded before `fn`."""
    for name, other in defs.items():
        if any(isinstance(n, ast.Name) and n.id == fn.name and isinstance(n.ctx, ast.Load) for n in ast.walk(other)):
            return fn, f"is defined after '{name}', which calls it (define graph-building functions first)"
    placed = {id(s.value) for s in _structure_level(fn.body) if isinstance(s, ast.Expr)}
    for n in ast.walk(fn):
        if (prog.call_key(n) or "").startswith("tf.summary.") and id(n) not in placed:
            return n, (f"writes {prog.call_key(n)} inside a function that creates variables, under Python control "
                       "flow or inside an expression: the converted merge_all lists a layer's summaries only as "
                       "statements of its body or its name scopes (native/summary_tags.py)")
    return None


def _structure_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a body and of the `with` blocks in it, nested."""
    out: list[ast.stmt] = []
    for s in body:
        out += [s] + (_structure_level(s.body) if isinstance(s, ast.With) else [])
    return out
