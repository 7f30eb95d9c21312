"""`tf.assign(var, value)` ops become functions calling `var.assign(value)`, run where the op was fetched."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, def_params, indent
from upgrader.native.model import ASSIGNS, Entity, Program
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import prologue


class NativeAssign(NativeRule):
    """Turn an assignment op into a function that assigns when called (sess.run(op) -> op()).

    reset = tf.assign(W, tf.zeros([2]))  ->  def reset():
                                                 return W.assign(tf.zeros([2]))
    """

    DESCRIPTION = "tf.assign/assign_add/assign_sub ops -> functions calling var.assign*(value)"
    KINDS = frozenset({"tensor"})
    PRIORITY = 18

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "tensor" or prog.call_key(stmt.value) not in ASSIGNS:
            return None
        call = stmt.value
        method = prog.call_key(call).rsplit(".", 1)[1]
        given = dict(zip(("ref", "value"), call.args)) | {k.arg: k.value for k in call.keywords}
        ref = given.get("ref")
        if set(given) - {"ref", "value", "name", "use_locking"} or "value" not in given or not (
                isinstance(ref, ast.Name) and prog.kind(ref.id) == "variable"):
            raise Blocked(call.lineno, f"tf.{method} on something other than a variable, or with arguments not converted")
        body = prologue(prog, entity, edit) + [f"return {ref.id}.{method}({expression(prog, given['value'], edit)})"]
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(f"tf.{method} op '{entity.name}' becomes {entity.name}(), calling {ref.id}.{method}")
        return f"def {entity.func}({def_params(prog, entity)}):\n" + indent("\n".join(body))
