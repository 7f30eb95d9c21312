"""tf.get_variable and `tf.layers.*` in a model_fn: built once in the tf.Module's __init__ (Keras layers for tf.layers).

    h = tf.layers.dense(x, 10, activation=tf.nn.relu, name="hidden")
    ->  __init__:  self.hidden = tf.keras.layers.Dense(10, activation=tf.nn.relu, name="hidden")
        __call__:  h = self.hidden(x)

TF1 creates a layer's variables where the call runs, once per call; a call inside a loop, a comprehension
or a nested function would need one layer per iteration, so it blocks, as does anything the layer's
arguments read from the model_fn other than `params` (they move into __init__).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from upgrader.native.base import Blocked, Editor
from upgrader.native.model import Program

# tf.layers.<function> -> the Keras layer (its constructor takes the function's arguments after `inputs`)
LAYERS = {"dense": "Dense", "conv1d": "Conv1D", "conv2d": "Conv2D", "max_pooling1d": "MaxPooling1D",
          "max_pooling2d": "MaxPooling2D", "average_pooling2d": "AveragePooling2D", "flatten": "Flatten",
          "dropout": "Dropout"}
# TF1 initializers (v1 names, as in tf.compat.v1) -> the TF2 initializer with the same arguments but dtype
INITIALIZERS = {"tf.constant_initializer": "constant_initializer", "tf.zeros_initializer": "zeros_initializer",
                "tf.ones_initializer": "ones_initializer", "tf.random_normal_initializer": "random_normal_initializer",
                "tf.random_uniform_initializer": "random_uniform_initializer",
                "tf.truncated_normal_initializer": "keras.initializers.TruncatedNormal",
                "tf.glorot_uniform_initializer": "keras.initializers.GlorotUniform",
                "tf.glorot_normal_initializer": "keras.initializers.GlorotNormal"}
VARIABLE_ARGS = ("name", "shape", "dtype", "initializer", "regularizer", "trainable")
WEIGHTED = frozenset({"Dense", "Conv1D", "Conv2D"})
CALL_ARGS = frozenset({"inputs", "training"})   # arguments of the layer's call, not of its constructor


@dataclass
class Layer:
    attr: str            # self.<attr>
    call: ast.Call       # the tf.layers call in the model_fn


def find_layers(prog: Program, fn: ast.FunctionDef, taken: set[str]) -> list[Layer]:
    """The model_fn's tf.layers calls, each with a free attribute name; raises Blocked."""
    repeated = (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda, ast.FunctionDef)
    looped = {id(n) for loop in ast.walk(fn) if isinstance(loop, repeated) and loop is not fn for n in ast.walk(loop)}
    found: list[Layer] = []
    for node in ast.walk(fn):
        key = prog.call_key(node) if isinstance(node, ast.Call) else None
        if not key or not key.startswith("tf.layers."):
            continue
        kind = key.rsplit(".", 1)[-1]
        if kind not in LAYERS:
            raise Blocked(node.lineno, f"{key} in model_fn '{fn.name}' has no native conversion (converted: "
                                       f"{sorted(LAYERS)})")
        if id(node) in looped:
            raise Blocked(node.lineno, f"{key} in a loop, comprehension or nested function of model_fn '{fn.name}' "
                                       "(TF1 made a layer per call)")
        if any(k.arg in (None, "reuse") for k in node.keywords) or not (node.args or any(k.arg == "inputs" for k in node.keywords)):
            raise Blocked(node.lineno, f"{key} with reuse=/**kwargs or no inputs has no native form")
        name = next((k.value.value for k in node.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)), None)
        base = name if isinstance(name, str) and name.isidentifier() else kind
        attr, i = base, 1
        while attr in taken:
            attr, i = f"{base}_{i}", i + 1
        taken.add(attr)
        found.append(Layer(attr, node))
    return sorted(found, key=lambda layer: (layer.call.lineno, layer.call.col_offset))


def layer_texts(prog: Program, edit: Editor, layer: Layer, edits: list[tuple[ast.AST, str]]) -> tuple[str, str]:
    """(`tf.keras.layers.Dense(10, name="hidden")`, `self.hidden(x)`): the layer's construction and its call."""
    call, tf = layer.call, edit.tf
    kind = LAYERS[prog.call_key(call).rsplit(".", 1)[-1]]
    inputs = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg == "inputs")
    args = [edit.text(a) for a in call.args[1:]]
    for k in call.keywords:
        if k.arg in CALL_ARGS:
            continue
        args.append(f"{k.arg}={initializer_text(prog, edit, k.value)}")
    training = next((k.value for k in call.keywords if k.arg == "training"), None)

    def text(node: ast.AST) -> str:   # with the file's edits inside it (ModeKeys.TRAIN -> "train")
        start, end = edit.span(node)
        return edit.with_edits(node, [(n, t) for n, t in edits if start <= edit.span(n)[0] and edit.span(n)[1] <= end])
    use = f"self.{layer.attr}({text(inputs)}" + (f", training={text(training)})" if training is not None else ")")
    return f"{tf}.keras.layers.{kind}({', '.join(args)})", use


def layer_properties(prog: Program, layers: list[Layer]) -> list[str]:
    """tf.Module does not see the variables of Keras layers: the module's variable lists name them (the layers
    with weights: a Keras 3 Dropout's seed state is no variable TF1 had)."""
    attrs = [layer.attr for layer in layers if LAYERS[prog.call_key(layer.call).rsplit(".", 1)[-1]] in WEIGHTED]
    if not attrs:
        return []
    layers = "(" + ", ".join(f"self.{a}" for a in attrs) + ("," if len(attrs) == 1 else "") + ")"
    return [line for kind in ("trainable_variables", "variables") for line in (
        "", "    @property", f"    def {kind}(self):   # NOTE: the Keras layers' variables too",
        f"        return super().{kind} + tuple(v for layer in {layers} for v in layer.{kind})")]


def initializer_text(prog: Program, edit: Editor, node: ast.expr) -> str:
    """A TF1 initializer call in its TF2 form (`tf.truncated_normal_initializer(stddev=1)` -> Keras's)."""
    key = prog.call_key(node) if isinstance(node, ast.Call) else None
    if key in INITIALIZERS and not any(a.arg in ("dtype", None) for a in node.keywords):
        return f"{edit.tf}.{INITIALIZERS[key]}({', '.join(edit.text(a) for a in node.args + node.keywords)})"
    return edit.text(node)


def variable_text(prog: Program, edit: Editor, call: ast.Call) -> str:
    """`tf.get_variable("w", [1, 1], initializer=init)` -> `tf.Variable(init([1, 1]), name="w")`."""
    given = dict(zip(VARIABLE_ARGS, call.args)) | {k.arg: k.value for k in call.keywords}
    extra = set(given) - {"name", "shape", "dtype", "initializer", "trainable"}
    if extra or "name" not in given:
        raise Blocked(call.lineno, f"tf.get_variable arguments {sorted(k or '**' for k in extra)} have no native form")
    text = {k: edit.text(v) for k, v in given.items()}
    if "initializer" in given:
        text["initializer"] = initializer_text(prog, edit, given["initializer"])
    init = text.get("initializer", f"{edit.tf}.keras.initializers.GlorotUniform()")
    dtype = f", dtype={text['dtype']}" if "dtype" in text else ""
    value = f"{init}({text['shape']}{dtype})" if "shape" in text else init + dtype
    trainable = f", trainable={text['trainable']}" if "trainable" in text else ""
    return f"{edit.tf}.Variable({value}, name={text['name']}{trainable})"
