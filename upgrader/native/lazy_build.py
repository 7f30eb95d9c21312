"""Builders whose variables are sized by their input: `in_dim = x.get_shape()[1]` before `get_variable(..., [in_dim, n])`.

Such a builder becomes a tf.Module that creates its variables on its first call, as a Keras layer's build()
does; the statements its variables need (b.prep) run once, before them:

    def fc_layer(x, n, name):                       class FcLayer(tf.Module):
        in_dim = x.get_shape()[1]                        def __call__(self, x):
        W = weight_variable(name, [in_dim, n])               if not self.built:
        return tf.matmul(x, W)                                   in_dim = x.get_shape()[1]
                                                                 self.W = weight_variable(self.name_arg, [in_dim, self.n])
                                                                 self.built = True
                                                             return tf.matmul(x, self.W)
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.modules import Builder


def lazy_sizes(b: Builder, compute: list[ast.stmt], init: set[str], local: set[str]) -> set[str]:
    """Variables sized from an input (`in_dim = x.get_shape()[1]`): the builder creates them on its first call.

    Marks b.lazy and b.prep (the statements creation needs, in body order) and returns the parameters read as
    tensors (`x`), which stay `__call__` parameters.
    """
    from upgrader.native.modules import Stop   # NOTE: a local import: modules.py imports this module
    params = set(b.params)
    needed = (init & local) - params
    while True:
        prep = {id(s) for s in compute if {n.id for n in ast.walk(s) if isinstance(n, ast.Name)
                                           and isinstance(n.ctx, ast.Store)} & needed}
        more = needed | ({x for s in compute if id(s) in prep for x in loads(s)} & local) - params
        if more == needed:
            break
        needed = more
    stored = {n.id for s in compute if id(s) in prep for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if unknown := sorted(needed - stored):
        raise Stop(b.node, f"a variable's name, shape or initializer uses '{unknown[0]}', computed in the function "
                      "body outside a plain assignment")
    creation = [s for s in ast.walk(b.node) if id(s) in b.variables] + [s for s in compute if id(s) in prep]
    tensors = {n.value.id for s in creation for n in ast.walk(s) if isinstance(n, ast.Attribute)
               and n.attr in ("shape", "get_shape") and isinstance(n.value, ast.Name) and n.value.id in params}
    for s in compute:
        if id(s) in prep and (_builder_calls_in(b, s) or not isinstance(s, ast.Assign)):
            raise Stop(s, "a variable's size is computed in a loop, branch or layer call (only plain assignments "
                     "before the variables are followed)")
    b.lazy, b.prep = bool(prep or tensors), prep
    return tensors


def _builder_calls_in(b: Builder, stmt: ast.stmt) -> bool:
    return any(id(c) in b.children for c in ast.walk(stmt))


def loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
