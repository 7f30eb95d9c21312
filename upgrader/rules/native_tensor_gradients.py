"""A tensor computed from `tf.gradients(ys, xs)` of graph tensors becomes a function with a GradientTape of its own."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, call_text, def_params, indent
from upgrader.native.model import Entity, Program
from upgrader.rules.native_functions import expression, is_constant
from upgrader.rules.native_placeholders import prologue


class NativeTensorGradients(NativeRule):
    """Write a tensor taking `tf.gradients` of other tensors as a function with a GradientTape of its own.

    Each tensor of xs is computed once and watched, and ys is built on that value (a gradient penalty read by a
    loss that a training step differentiates again: the outer tape records the inner gradient).

    grad = tf.gradients(D(X_inter), [X_inter])[0]   ->   def grad(X, z):
                                                             X_inter_value = X_inter(X, z)
                                                             with tf.GradientTape() as tape:
                                                                 tape.watch(X_inter_value)
                                                                 value = D(X_inter_value)
                                                             return tape.gradient(value, [X_inter_value])[0]
    """

    DESCRIPTION = "tensors computed from tf.gradients of graph tensors -> functions with their own GradientTape"
    KINDS = frozenset({"tensor"})
    PRIORITY = 18   # before native_functions, which writes every other tensor

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "tensor" or not isinstance(stmt, ast.Assign) or is_constant(entity):
            return None
        calls = [n for n in ast.walk(stmt.value) if prog.call_key(n) == "tf.gradients"]
        if not calls:
            return None
        call = calls[0]
        given = dict(zip(("ys", "xs"), call.args)) | {k.arg: k.value for k in call.keywords}
        if len(calls) > 1 or set(given) != {"ys", "xs"} or len(call.args) > 2:
            raise Blocked(call.lineno, f"'{entity.name}': tf.gradients is converted once per tensor, with ys and xs only")
        outside = {id(n) for n in ast.walk(call)}
        if any(isinstance(n, ast.Name) and n.id in prog.entities and id(n) not in outside for n in ast.walk(stmt.value)):
            raise Blocked(stmt.lineno, f"'{entity.name}' computes graph tensors beside tf.gradients (name the gradient "
                                       "first: g = tf.gradients(...)[0])")
        xs = given["xs"].elts if isinstance(given["xs"], (ast.List, ast.Tuple)) else [given["xs"]]
        bound, watched, sources = [], [], []
        for x in xs:
            e = prog.entities.get(x.id) if isinstance(x, ast.Name) else None
            if e is None or e.kind not in ("placeholder", "variable", "tensor"):
                raise Blocked(call.lineno, f"tf.gradients with respect to {edit.text(x)}: native mode follows graph "
                                           "tensors, placeholders and variables named at module level")
            if e.kind == "tensor" and not is_constant(e):
                _reached_directly(prog, given["ys"], x.id, entity)
                bound.append(x.id)
                watched.append(f"{x.id}_value")
            elif e.kind != "variable":
                watched.append(x.id)
            sources.append(f"{x.id}_value" if x.id in bound else x.id)
        saved = {x: prog.entities[x].value for x in bound}
        try:   # NOTE: ys reads the watched values, not new computations of them (a new tensor has no gradient path)
            for x in bound:
                prog.entities[x].value = f"{x}_value"
            ys = expression(prog, given["ys"], edit)
        finally:
            for x, value in saved.items():
                prog.entities[x].value = value
        taken = f"tape.gradient(value, [{', '.join(sources)}])"
        body = prologue(prog, entity, edit) + [f"{x}_value = {call_text(prog.entities[x])}" for x in bound]
        body += [f"with {edit.tfx('GradientTape')}() as tape:"] + [f"    tape.watch({w})" for w in watched]
        body += [f"    value = {ys}", f"return {edit.with_edits(stmt.value, [(call, taken)])}"]
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(f"'{entity.name}' (tf.gradients of graph tensors) becomes the function {entity.func}"
                    f"({', '.join(entity.params)}) with a GradientTape")
        return f"def {entity.func}({def_params(prog, entity)}):\n" + indent("\n".join(body))


def _reached_directly(prog: Program, ys: ast.expr, x: str, entity: Entity) -> None:
    """ys must read `x` itself: through another tensor's function it would be computed anew, off the tape's path."""
    for n in ast.walk(ys):
        e = prog.entities.get(n.id) if isinstance(n, ast.Name) else None
        if e is not None and n.id != x and _depends(prog, n.id, x, set()):
            raise Blocked(entity.stmt.lineno, f"'{entity.name}': tf.gradients' ys reads '{x}' through '{n.id}'; native "
                                              f"mode follows ys that read '{x}' directly")


def _depends(prog: Program, name: str, x: str, seen: set[str]) -> bool:
    e = prog.entities.get(name)
    if e is None or name in seen:
        return False
    seen.add(name)
    return x in e.deps or any(_depends(prog, d, x, seen) for d in e.deps)
