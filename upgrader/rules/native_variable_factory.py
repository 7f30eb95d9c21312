"""A function that makes and returns one `tf.get_variable` makes a `tf.Variable` instead, a new one per call."""
from __future__ import annotations

import ast

from upgrader.native.base import Editor, NativeRule
from upgrader.native.model import Entity, Program
from upgrader.rules.native_variable_scope import new_variable


class NativeVariableFactory(NativeRule):
    """`weight_variable(name, shape)` helpers: TF1 made a new variable on each call without reuse; so does TF2.

    def weight_variable(name, shape):                    ->  def weight_variable(name, shape):
        init = tf.truncated_normal_initializer(0.0, 0.1)         init = tf.keras.initializers.TruncatedNormal(0.0, 0.1)
        return tf.get_variable("W_" + name, shape=shape,         return tf.Variable(init(shape, tf.float32), name="W_" + name)
                               initializer=init)

    Calls under a reusing variable_scope are blocked by the analysis (upgrader/native/module_calls.py): the
    variable's name is only known at run time, so which call reuses which variable cannot be followed.
    """

    DESCRIPTION = "functions returning one get_variable -> functions returning a tf.Variable"
    PRIORITY = 14

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        fx = prog.functions
        if fx is None or not isinstance(stmt, ast.FunctionDef) or stmt.name not in fx.factories:
            return None
        call = next((n for n in ast.walk(stmt) if prog.call_key(n) == "tf.get_variable"), None)
        if call is None:
            return None   # a tf.Variable factory is TF2 as it stands
        self.ctx.line, self.ctx.col = call.lineno, call.col_offset
        self.change(f"function '{stmt.name}' makes one variable: tf.get_variable -> tf.Variable (a new one per call, "
                    "as TF1 made without reuse)")
        return edit.with_edits(stmt, [(call, new_variable(self, call, edit, f"{stmt.name}()", None))])
