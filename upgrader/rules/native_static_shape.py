"""Static shapes read while the graph is built become traced shapes (placeholders: their declared shape)."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.model import Entity, Program
from upgrader.native.shapes import shape_reads
from upgrader.rules.native_functions import is_constant
from upgrader.rules.native_placeholders import signature


class NativeStaticShape(NativeRule):
    """`t.get_shape()` / `t.shape` of a graph tensor outside sess.run: trace t's function on its placeholders' specs.

    print(h1.get_shape())  ->  print(tf.function(h1).get_concrete_function(tf.TensorSpec([None, 8, 8, 1], tf.float32)).output_shapes)
    print(x.shape)         ->  print(tf.TensorShape([None, 8, 8, 1]))      (x was a placeholder)

    TF1 prints an unknown dimension as `?`, TF2 as `None`; the numbers are the same.
    """

    DESCRIPTION = "static shapes of graph tensors read outside sess.run -> the traced function's output_shapes"
    PRIORITY = 50

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is not None or id(stmt) not in prog.shape_stmts:
            return None
        edits = [(node, self._shape(prog, prog.entities[name], edit)) for node, name in shape_reads(prog, stmt)]
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change("static shapes read while building the graph are traced from the tensors' functions")
        return edit.with_edits(stmt, [(n, new) for n, new in edits if new is not None])

    @staticmethod
    def _shape(prog: Program, e: Entity, edit: Editor) -> str | None:
        if e.kind == "placeholder" and (it := next((i for i in prog.iterators.values() if e.name in i.elements), None)):
            return _element_shape(prog, e, it, edit)
        if e.kind == "placeholder":
            return f"{edit.tfx('TensorShape')}({edit.shape(e)})"
        if is_constant(e):
            return None   # an eager value: its .shape / get_shape() work as they are
        if e.value or any(p in prog.flags for p in e.params):
            raise Blocked(e.stmt.lineno, f"the static shape of '{e.name}' depends on a Python flag or schedule")
        specs = signature(prog, e.params, edit)[1:-1]
        return f"{edit.tfx('function')}({e.func}).get_concrete_function({specs}).output_shapes"


def _element_shape(prog: Program, e: Entity, it: object, edit: Editor) -> str:
    """A get_next() element's static shape: its dataset's element_spec (`ds.element_spec[0].shape`)."""
    ds = it.dataset
    owner = prog.entities.get(ds.id) if isinstance(ds, ast.Name) else None
    if owner is None or not is_constant(owner):
        raise Blocked(e.stmt.lineno, f"the static shape of '{e.name}': its dataset is not one named, constant dataset")
    index = "" if len(it.elements) == 1 and isinstance(it.target, ast.Name) else f"[{it.elements.index(e.name)}]"
    return f"{ds.id}.element_spec{index}.shape"
