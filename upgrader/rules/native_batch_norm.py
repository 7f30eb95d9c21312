"""`tf.layers.batch_normalization` + UPDATE_OPS becomes a Keras BatchNormalization called with a Python `training` flag."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, def_params, indent
from upgrader.native.model import Entity, Program
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import prologue

# TF1 positional parameters after `inputs`, and the TF1 defaults written out (Keras 3 and tf-keras share them today)
POSITIONAL = ("axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
              "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
              "beta_constraint", "gamma_constraint", "training", "trainable", "name")
DEFAULTS = {"momentum": "0.99", "epsilon": "0.001"}
NO_KERAS = ("reuse", "renorm", "renorm_clipping", "renorm_momentum", "virtual_batch_size", "adjustment")


class NativeBatchNorm(NativeRule):
    """Create the batch_normalization layer once; `training` is a Python bool; UPDATE_OPS disappears.

    is_training = tf.placeholder_with_default(False, shape=())    ->  (removed: a parameter defaulting to False)
    h2 = tf.layers.batch_normalization(h1, training=is_training)  ->  bn = tf.keras.layers.BatchNormalization(momentum=0.99, epsilon=0.001)

                                                                      def h2(x, is_training=False):
                                                                          return bn(h1(x), training=is_training)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)       ->  (removed: Keras updates the moving averages
    with tf.control_dependencies(update_ops): train_op = ...            itself when called with training=True)
    with tf.variable_scope("bn", reuse=True):                     ->  def moving_mean():
        moving_mean = tf.get_variable("moving_mean")                      return bn.moving_mean
    """

    DESCRIPTION = "tf.layers.batch_normalization -> Keras BatchNormalization (TF1 defaults), training= a Python bool"
    KINDS = frozenset({"tensor"})
    PRIORITY = 14

    def layer(self, prog: Program, call: ast.Call, edit: Editor) -> tuple[str, ast.expr, str]:
        """(`tf.keras.layers.BatchNormalization(...)`, the inputs node, the training argument's text)."""
        if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
            raise Blocked(call.lineno, "batch_normalization with *args/**kwargs is not converted natively")
        params = ("inputs",) + POSITIONAL
        if len(call.args) > len(params):
            raise Blocked(call.lineno, "too many arguments for tf.layers.batch_normalization")
        given = dict(zip(params, call.args)) | {k.arg: k.value for k in call.keywords}
        fused = given.pop("fused", None)
        if fused is not None and not (isinstance(fused, ast.Constant) and fused.value is None):
            raise Blocked(call.lineno, "batch_normalization fused= has no Keras BatchNormalization form")
        unknown = sorted(set(given) - set(params)) + sorted(k for k in NO_KERAS if k in given)
        if unknown or "inputs" not in given:
            raise Blocked(call.lineno, f"batch_normalization arguments {unknown or ['inputs']} have no Keras form")
        training = given.pop("training", None)
        if training is None or (isinstance(training, ast.Constant) and training.value in (False, True)):
            flag = "False" if training is None else repr(training.value)
        elif isinstance(training, ast.Name) and training.id in prog.flags:
            flag = training.id
        else:
            raise Blocked(call.lineno, "batch_normalization training= must be a bool literal or a bool placeholder")
        if flag != "False" and not any(e.kind == "collection" for e in prog.entities.values()):
            raise Blocked(call.lineno, "batch_normalization trained without UPDATE_OPS: TF1 never updated its moving "
                                       "averages, Keras does")
        args = [f"{k}={edit.text(v)}" for k, v in given.items() if k != "inputs"
                and not (isinstance(v, ast.Constant) and v.value is None)]
        args = [f"{k}={v}" for k, v in DEFAULTS.items() if k not in given] + args
        order = {k: i for i, k in enumerate(POSITIONAL)}
        args.sort(key=lambda a: order[a.split("=", 1)[0]])
        self.warn(f"line {call.lineno}: for 4-D inputs TF1 used the fused kernel, whose moving_variance takes the "
                  "unbiased batch variance; Keras BatchNormalization takes the biased one", once=True)
        return f"{edit.tfx('keras.layers.BatchNormalization')}({', '.join(args)})", given["inputs"], flag

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "tensor" or not isinstance(stmt, ast.Assign):
            return None
        key = prog.call_key(stmt.value)
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if key == "tf.get_variable":   # a Keras-owned moving_mean/moving_variance/gamma/beta, read when called
            attr = stmt.value.args[0].value if stmt.value.args else stmt.value.keywords[0].value.value
            self.change(f"get_variable('{attr}') under reuse becomes {entity.deps[0]}.{attr}, read by {entity.func}()")
            return f"def {entity.func}():\n    return {entity.deps[0]}.{attr}"
        if key != "tf.layers.batch_normalization" or not entity.layer:
            return None
        make, inputs, flag = self.layer(prog, stmt.value, edit)
        body = prologue(prog, entity, edit) + [f"return {entity.layer}({expression(prog, inputs, edit)}, training={flag})"]
        self.change(f"batch_normalization '{entity.name}' -> Keras BatchNormalization '{entity.layer}' called with "
                    f"training={flag} (UPDATE_OPS no longer needed)")
        return (f"{entity.layer} = {make}\n\n\n"
                f"def {entity.func}({def_params(prog, entity)}):\n" + indent("\n".join(body)))
