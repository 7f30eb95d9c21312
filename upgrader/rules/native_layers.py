"""`tf.layers.*` calls become Keras layer objects, created once and called by the tensor's function."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, def_params, indent
from upgrader.native.model import LAYERS, Entity, Program
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import prologue

# TF1 positional parameters after `inputs` (Keras orders some differently, so positionals become keywords)
POSITIONAL = {
    "Dense": ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
              "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable", "name"),
    "Conv2D": ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias",
               "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
               "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable", "name"),
    "MaxPooling2D": ("pool_size", "strides", "padding", "data_format", "name"),
    "Flatten": ("name", "data_format"),
    "Dropout": ("rate", "noise_shape", "seed", "training", "name"),
}
POSITIONAL["Conv1D"] = POSITIONAL["Conv2D"]
POSITIONAL["AveragePooling2D"] = POSITIONAL["MaxPooling1D"] = POSITIONAL["MaxPooling2D"]
INITIALIZERS = ("kernel_initializer", "bias_initializer")


class NativeLayers(NativeRule):
    """Create each `tf.layers` layer once as a Keras layer; the tensor's function calls it.

    h = tf.layers.dense(x, 4, kernel_initializer=init, name="fc")  ->  fc = tf.keras.layers.Dense(4, kernel_initializer=init, name="fc")

                                                                        def h(x):
                                                                            x = tf.convert_to_tensor(x, tf.float32)
                                                                            return fc(x)
    """

    DESCRIPTION = "tf.layers functions -> Keras layer objects created once (same initializers), called in functions"
    KINDS = frozenset({"layer"})
    PRIORITY = 15

    def layer(self, prog: Program, call: ast.Call, edit: Editor, entity: Entity) -> tuple[str, ast.expr, str]:
        """(`tf.keras.layers.Dense(...)`, the inputs node, extra call arguments)."""
        cls = LAYERS[prog.call_key(call) or ""]
        if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
            raise Blocked(call.lineno, f"tf.layers call with *args/**kwargs cannot be mapped to {cls}")
        params = ("inputs",) + POSITIONAL[cls]
        if len(call.args) > len(params):
            raise Blocked(call.lineno, f"too many arguments for tf.layers -> {cls}")
        given = dict(zip(params, call.args)) | {k.arg: k.value for k in call.keywords}
        if "inputs" not in given:
            raise Blocked(call.lineno, "tf.layers call without inputs")
        if "reuse" in given and prog.entities[entity.layer].stmt is entity.stmt:   # NOTE: a shared layer is made once
            raise Blocked(call.lineno, "tf.layers reuse= with no earlier layer of its name to share is not converted natively")
        given.pop("reuse", None)
        unknown = sorted(set(given) - set(params))
        if unknown:
            raise Blocked(call.lineno, f"tf.layers arguments {unknown} have no Keras {cls} form")
        training = given.pop("training", None)
        args = [f"{k}={edit.text(v)}" for k, v in given.items()
                if k != "inputs" and not (isinstance(v, ast.Constant) and v.value is None)]
        if args and args[0].startswith(POSITIONAL[cls][0] + "="):
            args[0] = args[0].split("=", 1)[1]
        if cls in ("Dense", "Conv2D", "Conv1D") and "kernel_initializer" not in given and (
                prog.entities[entity.layer].stmt is entity.stmt):
            self.warn(f"line {call.lineno}: {entity.name}: no kernel_initializer; Keras and TF1 both use glorot_uniform "
                      "but draw different random numbers", once=False)
        extra = "" if cls != "Dropout" else f", training={edit.text(training) if training is not None else 'False'}"
        if training is not None and not (isinstance(training, ast.Name) and training.id in prog.flags) and any(
                isinstance(n, ast.Name) and prog.kind(n.id) for n in ast.walk(training)):
            raise Blocked(call.lineno, "tf.layers training= from a graph tensor is not converted natively")
        return f"{edit.tfx('keras.layers.' + cls)}({', '.join(args)})", given["inputs"], extra

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or not entity.layer:
            return None
        make, inputs, extra = self.layer(prog, stmt.value, edit, entity)
        body = prologue(prog, entity, edit) + [f"return {entity.layer}({expression(prog, inputs, edit)}{extra})"]
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(f"tf.layers call '{entity.name}' -> Keras layer object '{entity.layer}' called in {entity.name}()")
        shared = prog.entities[entity.layer].stmt is not stmt   # reused by name (native/layer_reuse.py): made before
        return ("" if shared else f"{entity.layer} = {make}\n\n\n") + (
            f"def {entity.func}({def_params(prog, entity)}):\n" + indent("\n".join(body)))
