"""Graph collections become explicit Python lists of what the analysis saw added, in TF1's order."""
from __future__ import annotations

import ast

from upgrader.native.base import Editor, NativeRule
from upgrader.native.graphs import spread
from upgrader.native.model import Entity, Program


class NativeCollections(NativeRule):
    """`get_collection(TRAINABLE_VARIABLES, scope)` -> the list of those variables; `add_to_collection` disappears.

    enc = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "enc")  ->  enc = [w1, b1]
    tf.add_to_collection("losses", l1)                                ->  (removed)
    total = tf.add_n(tf.get_collection("losses"))                     ->  def total(x):
                                                                              return tf.add_n([l1(x)])
    """

    DESCRIPTION = "collections -> explicit lists (variables by scope, user tensors); UPDATE_OPS lists disappear"
    KINDS = frozenset({"varlist", "collection"})
    PRIORITY = 8

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if id(stmt) in prog.dropped:
            self.change("tf.add_to_collection removed: get_collection of its key becomes the list of tensors added")
            return ""
        if entity is None or entity.kind not in self.KINDS:
            return None
        if entity.kind == "collection":
            self.change(f"'{entity.name}' (UPDATE_OPS) removed: Keras layers update their own state in TF2")
            return ""
        if isinstance(stmt.value, (ast.List, ast.Tuple, ast.Dict, ast.ListComp)):
            return None   # already the explicit list (or dict) of variables
        self.change(f"'{entity.name}' (a variable collection) becomes the explicit list of its variables")
        return f"{entity.name} = [{', '.join(spread(prog, d) if prog.kind(d) == 'varlist' else d for d in entity.deps)}]"
