"""Graph resets disappear in native mode, and so do imports of TensorFlow's private modules they needed."""
from __future__ import annotations

import ast

from upgrader.native.base import Editor, NativeRule
from upgrader.native.model import DROPPED, Entity, Program


class NativeGraphReset(NativeRule):
    """TF2 has no default graph to reset or leave: the calls go, and a private import used only by them.

    from tensorflow.python.framework import ops   ->  (removed)
    ops.reset_default_graph()                     ->  (removed)
    tf.disable_v2_behavior()                      ->  (removed)
    """

    DESCRIPTION = "reset_default_graph / disable_eager_execution removed, with private imports only they used"
    PRIORITY = 5

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if _dropped(prog, stmt):
            self.change(f"{prog.call_key(stmt.value)}() removed: TF2 runs eagerly and has no default graph")
            return ""
        if isinstance(stmt, ast.ImportFrom) and (stmt.module or "").startswith("tensorflow.python") and not any(
                _used(prog, a.asname or a.name) for a in stmt.names):
            self.change(f"from {stmt.module} import ... removed: only graph resets used it")
            return ""
        return None


def _dropped(prog: Program, stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and prog.call_key(stmt.value) in DROPPED


def _used(prog: Program, name: str) -> bool:
    """`name` is read by a statement that native mode keeps."""
    kept = [s for s in ast.walk(prog.tree) if isinstance(s, ast.stmt) and not _dropped(prog, s)
            and not isinstance(s, (ast.Import, ast.ImportFrom))]
    return any(isinstance(n, ast.Name) and n.id == name for s in kept for n in ast.iter_child_nodes(s)
               for n in ast.walk(n) if not isinstance(n, ast.stmt))
