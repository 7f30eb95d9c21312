"""Variable listings over layer-function instances: read inside the training step, where the variables exist."""
from __future__ import annotations

import ast

from upgrader.native.base import Editor, NativeRule
from upgrader.native.model import Entity, Program
from upgrader.native.module_lists import statement


class NativeModuleLists(NativeRule):
    """A listing by scope of a tf.Module's variables is read as that module's variables where var_list reads it.

    g_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='Generator')  ->  (removed)
    train_g = opt.minimize(g_loss, var_list=g_vars)     ->  ... variables = [*generator.trainable_variables]
    """

    DESCRIPTION = "variable listings of layer-function modules -> the modules' variables, read in the training step"
    KINDS = frozenset({"varlist"})
    PRIORITY = 7   # before native_collections, which writes other listings

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "varlist" or (new := statement(prog, stmt, entity.name, edit)) is None:
            return None
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(f"'{entity.name}' lists tf.Module variables: " + (
            "read where var_list reads it, inside the training step" if not new else "the modules' variables"))
        return new
