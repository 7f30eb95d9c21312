"""`tf.assign(var, value)` ops become functions calling `var.assign(value)`, run where the op was fetched."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, def_params, indent
from upgrader.native.fetch import _one
from upgrader.native.model import ASSIGNS, Entity, Program
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import prologue


class NativeAssign(NativeRule):
    """Turn an assignment op into a function that assigns when called (sess.run(op) -> op()).

    reset = tf.assign(W, tf.zeros([2]))  ->  def reset():
                                                 return W.assign(tf.zeros([2]))
    global_step.assign(i + 1).eval()     ->  global_step.assign(i + 1)
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

    def edit_call(self, prog: Program, call: ast.Call, edit: Editor) -> str | None:
        """`v.assign(x).eval()` in the session's code: the default session ran the assign op; TF2 assigns at once."""
        f = call.func
        op = f.value if isinstance(f, ast.Attribute) and f.attr == "eval" and not call.args and not call.keywords else None
        if not (isinstance(op, ast.Call) and isinstance(op.func, ast.Attribute) and op.func.attr in METHODS
                and isinstance(op.func.value, ast.Name) and prog.kind(op.func.value.id) == "variable"):
            return None
        self.change(f"{edit.text(op)}.eval() -> {edit.text(op)}: the variable is assigned when the method runs")
        value = _one(prog, op, {}, edit)
        alone = any(isinstance(n, ast.Expr) and n.value is call for n in ast.walk(prog.tree))   # its value unused
        return value[:-len(".numpy()")] if alone and value.endswith(".numpy()") else value


METHODS = ("assign", "assign_add", "assign_sub")
