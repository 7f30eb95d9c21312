"""Module-level tf.layers calls that reuse an earlier layer by name: the same Keras layer object, called again.

TF1 names a layer's variables by its variable scope and `name=`; a later call with the same name under
reuse (its own `reuse=True`, or its variable_scope's) reads the same variables:

    with tf.variable_scope('D'):                                 l_layer = tf.keras.layers.Dense(8, name='l')
        d_real = tf.layers.dense(real, 8, name='l')          ->  def d_real(real): return l_layer(real)
        d_fake = tf.layers.dense(fake, 8, name='l', reuse=True)  def d_fake(z): return l_layer(fake(z))

Only named layers are followed (an unnamed one under reuse reads the scope's first layer of its kind).
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.model import Program


def _name(call: ast.Call) -> str | None:
    node = next((k.value for k in call.keywords if k.arg == "name"), None)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def reuses(prog: Program, call: ast.Call, stmt: ast.stmt) -> bool:
    """The call reads existing variables: `reuse=True`/AUTO_REUSE, or under a scope that reuses."""
    flag = next((k.value for k in call.keywords if k.arg == "reuse"), None)
    if flag is not None:
        return (isinstance(flag, ast.Constant) and flag.value is True) or prog.key(flag) == "tf.AUTO_REUSE"
    return prog.scopes.get(id(stmt), ("", False))[1] in (True, "auto")


def layer_entity(prog: Program, stmt: ast.stmt, call: ast.Call, result: str) -> str:
    """The Keras layer entity a module-level tf.layers call is computed by: one it reuses, or a new one."""
    from upgrader.native.model import Entity
    from upgrader.native.versions import layer_name
    if (layer := shared_layer(prog, stmt, call)) is None:
        layer = layer_name(prog, call, result)
        prog.entities[layer] = Entity(layer, "layer", stmt, func=layer)
        prog.order.append(layer)
    return layer


def shared_layer(prog: Program, stmt: ast.stmt, call: ast.Call) -> str | None:
    """The Keras layer entity an earlier call made that this one reuses (same scope path and name), else None;
    blocks a reusing call native mode cannot pair with one layer."""
    if not reuses(prog, call, stmt):
        return None
    name, path = _name(call), prog.scopes.get(id(stmt), ("", False))[0]
    if name is None:
        prog.block(stmt, "an unnamed tf.layers call under reuse (TF1 reads the scope's first layer of its kind): "
                         "give both calls the same name=")
        return None
    for e in prog.entities.values():
        if e.kind == "layer" and isinstance(e.stmt, ast.Assign) and isinstance(e.stmt.value, ast.Call) and (
                _name(e.stmt.value) == name and prog.scopes.get(id(e.stmt), ("", False))[0] == path
                and prog.call_key(e.stmt.value) == prog.call_key(call) and e.stmt is not stmt):
            return e.name
    auto = next((k.value for k in call.keywords if k.arg == "reuse"), None)
    if auto is None or prog.key(auto) != "tf.AUTO_REUSE":
        prog.block(stmt, f"tf.layers call named '{name}' under reuse, with no earlier layer of that name in its scope "
                         "(TF1 raises ValueError)")
    return None
