"""`tf.get_variable` under `tf.variable_scope` becomes `tf.Variable` with the scoped name; reuse returns the same object."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.model import Entity, Program

# tf.get_variable's parameters, in order, that have a TF2 form here
PARAMS = ("name", "shape", "dtype", "initializer", "regularizer", "trainable")


class NativeVariableScope(NativeRule):
    """Create each `get_variable` once as a `tf.Variable` named `scope/name`; a reused one is the same Python object.

    with tf.variable_scope("enc"):                        ->  W = tf.Variable(tf.constant_initializer(0.5)([3, 2], tf.float32), name="enc/W")
        W = tf.get_variable("W", [3, 2], initializer=tf.constant_initializer(0.5))
    with tf.variable_scope("enc", reuse=True):           ->  W2 = W
        W2 = tf.get_variable("W")
    """

    DESCRIPTION = "get_variable/variable_scope -> tf.Variable with the scoped name; reuse/AUTO_REUSE -> the same object"
    KINDS = frozenset({"variable"})
    PRIORITY = 12

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "variable" or prog.call_key(stmt.value) != "tf.get_variable":
            return None
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if entity.alias:
            self.change(f"get_variable('{entity.scope}') under reuse -> the variable '{entity.alias}' itself")
            return f"{entity.name} = {entity.alias}"
        variable = new_variable(self, stmt.value, edit, entity.scope, entity.scope)
        self.change(f"get_variable('{entity.scope}') -> tf.Variable(name='{entity.scope}')")
        return f"{entity.name} = {variable}"


def new_variable(rule: NativeRule, call: ast.Call, edit: Editor, full: str, name: str | None) -> str:
    """`tf.Variable(<initial value>, name="<name>")` for a `tf.get_variable` call creating the variable `full`.

    Shared with rules/native_module.py, whose classes create the variables in `__init__`. With `name` None
    the call's own name expression is kept (`'W_' + name` in a variable factory).
    """
    if any(k.arg is None for k in call.keywords) or len(call.args) > len(PARAMS):
        raise Blocked(call.lineno, "tf.get_variable with *args/**kwargs or unsupported positional arguments")
    given = dict(zip(PARAMS, call.args)) | {k.arg: k.value for k in call.keywords}
    unknown = sorted(set(given) - set(PARAMS) - {"use_resource", "collections"} | ({"regularizer"} & set(given)))
    if unknown:
        raise Blocked(call.lineno, f"tf.get_variable arguments {unknown} are not converted natively")
    dtype = edit.text(given["dtype"]) if "dtype" in given else edit.tfx("float32")
    shape = edit.text(given["shape"]) if "shape" in given else None
    init = given.get("initializer")
    if init is None:
        if shape is None:
            raise Blocked(call.lineno, f"get_variable('{full}') has neither shape nor initializer")
        rule.warn(f"line {call.lineno}: get_variable('{full}') has no initializer: TF1 and TF2 glorot_uniform "
                  "draw different random numbers")
        value = f"{edit.tfx('keras.initializers.GlorotUniform')}()({shape}, {dtype})"
    elif shape is None:
        value = edit.text(init)   # a tensor (or value) initializer carries its own shape
    elif isinstance(init, (ast.Call, ast.Name, ast.Attribute)):   # NOTE: with a shape, TF1 requires a callable
        value = f"{edit.text(init)}({shape}, {dtype})"
    else:
        raise Blocked(call.lineno, f"get_variable('{full}'): initializer {edit.text(init)} with a shape")
    extra = f", trainable={edit.text(given['trainable'])}" if "trainable" in given else ""
    label = f'"{name}"' if name is not None else edit.text(given["name"]) if "name" in given else None
    return f'{edit.tfx("Variable")}({value}{extra}' + (f", name={label})" if label else ")")
