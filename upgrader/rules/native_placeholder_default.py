"""`tf.placeholder_with_default(value, shape)` becomes a function parameter with a default value."""
from __future__ import annotations

import ast
import keyword

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.model import Entity, Program
from upgrader.native.rnn_states import holders


class NativePlaceholderDefault(NativeRule):
    """Delete the placeholder_with_default; functions take it as a last parameter defaulting to the same value.

    scale = tf.placeholder_with_default(2.0, shape=())  ->  (removed)
    y = x * scale                                        ->  def y(x, scale=2.0):
                                                                 ...
                                                                 return x * scale
    sess.run(y, {x: d})                                  ->  y(d, 2.0).numpy()   (unfed: the default is passed)
    """

    DESCRIPTION = "placeholder_with_default -> a function parameter with the same default value"
    KINDS = frozenset({"placeholder"})
    PRIORITY = 9

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "placeholder" or not entity.default:
            return None
        if entity.name in holders(prog):   # an RNN state: None is Keras's zero state (native/rnn_states.py)
            self.change(f"placeholder_with_default '{entity.name}' (a fed RNN state) becomes a parameter defaulting "
                        "to None, the zero state")
            return ""
        edit.dtype(entity)   # raises Blocked when the default's dtype cannot be read statically
        tensor = prog.entities.get(entity.default)
        if entity.default.isidentifier() and not keyword.iskeyword(entity.default) and (tensor is None or tensor.kind != "tensor" or tensor.params
                                              or tensor.variables):
            raise Blocked(stmt.lineno, f"placeholder_with_default '{entity.name}': its default {entity.default} is "
                                       "not a constant tensor native mode computes once")
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(f"placeholder_with_default '{entity.name}' becomes a parameter defaulting to {entity.default}")
        return ""
