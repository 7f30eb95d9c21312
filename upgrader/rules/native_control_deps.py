"""`with tf.control_dependencies([...]):` becomes ordinary statement order: dependent functions run their dependencies first."""
from __future__ import annotations

import ast

from upgrader.native.base import Editor, NativeRule
from upgrader.native.model import Entity, Program


class NativeControlDeps(NativeRule):
    """Drop the control_dependencies block; each op made inside calls the ops it depended on before its own work.

    inc = tf.assign_add(v, 1.0)                ->  def inc():
    with tf.control_dependencies([inc]):               return v.assign_add(1.0)
        y = tf.identity(v) * 2.0
                                                   def y():
                                                       inc()
                                                       return tf.identity(v) * 2.0
    """

    DESCRIPTION = "control_dependencies blocks -> statement order (dependencies called first in each function)"
    PRIORITY = 5

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if not (isinstance(stmt, ast.With) and id(stmt.items[0].context_expr) in prog.control_calls):
            return None
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        made = [e.name for s in stmt.body for e in prog.entities.values() if e.stmt is s and e.first]
        self.change(f"control_dependencies block removed; {', '.join(made) or 'nothing'} now call(s) "
                    "their dependencies first")
        return edit.flatten(stmt)
