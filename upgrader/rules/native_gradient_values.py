"""Gradients fetched for their values: `tf.gradients(ys, xs)` becomes a GradientTape function.

    e = a * b + b                           def e():
    g_b, g_a = tf.gradients(e, [b, a])  ->      return a * b + b
    print(sess.run([g_b, g_a]))
                                            def g_b():
                                                with tf.GradientTape() as tape:
                                                    value = e()
                                                return tape.gradient(value, [b, a])[0]
                                            ...
                                            print([g_b().numpy(), g_a().numpy()])

Only gradients no training step uses (those are written inside the step by native_minimize),
taken with respect to variables, or to placeholders, which the tape is told to watch.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, def_params, indent
from upgrader.native.model import Entity, Program
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import prologue


def standalone(prog: Program, entity: Entity) -> ast.Call | None:
    """The `tf.gradients(...)` call of a gradients entity that nothing else builds on, else None."""
    value = getattr(entity.stmt, "value", None)
    if entity.kind != "gradients" or prog.call_key(value) != "tf.gradients":
        return None
    if any(entity.name in other.deps for other in prog.entities.values()):
        return None
    return value


class NativeGradientValues(NativeRule):
    """Gradients fetched for their values become GradientTape functions.

    grads = tf.gradients(loss, [w])   ->   def grads(x):
                                               with tf.GradientTape() as tape:
                                                   value = loss(x)
                                               return tape.gradient(value, [w])
    """

    DESCRIPTION = "tf.gradients(ys, xs) fetched with sess.run -> a GradientTape function per gradient"
    KINDS = frozenset({"gradients"})
    PRIORITY = 19   # before native_minimize, which writes step gradients inside the training step

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or (call := standalone(prog, entity)) is None:
            return None
        given = dict(zip(("ys", "xs"), call.args)) | {k.arg: k.value for k in call.keywords}
        if set(given) != {"ys", "xs"}:
            raise Blocked(call.lineno, f"tf.gradients arguments {sorted(set(given) - {'ys', 'xs'})} are not converted natively")
        xs = given["xs"].elts if isinstance(given["xs"], (ast.List, ast.Tuple)) else [given["xs"]]
        watched = []
        for x in xs:
            kind = prog.kind(x.id) if isinstance(x, ast.Name) else None
            if kind == "placeholder":
                watched.append(x.id)
            elif kind != "variable":
                raise Blocked(call.lineno, f"tf.gradients with respect to {edit.text(x)}: only variables and "
                                           "placeholders have a value a GradientTape can watch")
        sources = edit.text(given["xs"]) if isinstance(given["xs"], (ast.List, ast.Tuple)) else f"[{edit.text(given['xs'])}]"
        targets = stmt.targets[0]
        names = [targets.id] if isinstance(targets, ast.Name) else [t.id for t in targets.elts]
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change("tf.gradients fetched for its values -> GradientTape function(s)")
        out = []
        for i, name in enumerate(names):
            if name == "_":
                continue
            e = prog.entities[name]
            body = prologue(prog, e, edit) + [f"with {edit.tfx('GradientTape')}() as tape:"]
            body += [f"    tape.watch({p})" for p in watched]
            body += [f"    value = {expression(prog, given['ys'], edit)}",
                     f"return tape.gradient(value, {sources})" + (f"[{i}]" if len(names) > 1 else "")]   # a list, as TF1
            out.append(f"def {e.func}({def_params(prog, e)}):\n" + indent("\n".join(body)))
        return "\n\n\n".join(out)
