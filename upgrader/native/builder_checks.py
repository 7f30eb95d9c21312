"""What keeps a graph-building function from becoming a tf.Module (native/modules.py), found before it is built.

    def layer(x):                                   # defined after `model`, which calls it
        w = tf.Variable(tf.zeros([3, 2]))           ->  (def, "is defined after 'model', which calls it ...")
        tf.summary.histogram("w", w)                ->  (call, "writes a tf.summary inside a function ...")
        return tf.matmul(x, w)

TF1's merge_all collected a summary made inside a layer function like any other; the converted summary
op lists only the module-level ones, so such a summary would not be written (TF2 drops a summary written
with no default writer), and the file keeps its compat form instead.

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
    for n in ast.walk(fn):
        if (prog.call_key(n) or "").startswith("tf.summary."):
            return n, (f"writes {prog.call_key(n)} inside a function that creates variables: the converted merge_all "
                       "lists only module-level summaries, so TF2 would not write it (make the summary at module "
                       "level from the function's result)")
    return None
