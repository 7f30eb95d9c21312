"""Placeholders disappear: they become parameters of the functions that compute what is fetched."""
from __future__ import annotations

import ast

from upgrader.native.base import Editor, NativeRule, call_text
from upgrader.native.model import Entity, Program


def prologue(prog: Program, entity: Entity, edit: Editor) -> list[str]:
    """`X = tf.convert_to_tensor(X, tf.float32)` for each placeholder the expression uses directly.

    TF1 converted fed values to the placeholder's dtype; eager code converts at the call.
    """
    direct = [p for p in entity.params if p in entity.deps and p not in prog.flags]   # flags stay Python bools
    return [f"{p} = {edit.tfx('convert_to_tensor')}({p}, {edit.dtype(prog.entities[p])})" for p in direct] + [
        call_text(prog.entities[d]) for d in entity.first]   # control_dependencies: the ops TF1 ran first


def signature(prog: Program, params: tuple[str, ...], edit: Editor) -> str:
    """`[tf.TensorSpec([None, 4], tf.float32), ...]`: the placeholders' static shapes and dtypes."""
    specs = [f"{edit.tfx('TensorSpec')}({edit.shape(prog.entities[p])}, {edit.dtype(prog.entities[p])})" for p in params]
    return "[" + ", ".join(specs) + "]"


class NativePlaceholders(NativeRule):
    """Delete `tf.placeholder` definitions; functions take the value as a parameter instead.

    X = tf.placeholder("float")          ->  (removed)
    pred = tf.multiply(X, W)             ->  def pred(X):
                                                 X = tf.convert_to_tensor(X, tf.float32)
                                                 return tf.multiply(X, W)
    """

    DESCRIPTION = "placeholders become function parameters; dtype applied with convert_to_tensor / TensorSpec"
    KINDS = frozenset({"placeholder"})
    PRIORITY = 10

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "placeholder" or entity.default:
            return None
        edit.dtype(entity)   # raises Blocked for a dtype we cannot express
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(f"placeholder '{entity.name}' becomes a function parameter")
        return ""
