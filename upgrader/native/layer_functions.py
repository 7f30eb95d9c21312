"""`tf.layers` calls inside graph-building functions: each becomes a Keras layer of the function's tf.Module.

A def whose body calls tf.layers (or tf.contrib.layers, respelled as tf.layers first) is a builder
(native/modules.py), like one calling get_variable: each layer call becomes a Keras layer created once (in
`__init__`, or on the first call when sizes come from the input) and called where the call was. TF1 names the
layers' variables (`ConvNet/dense/kernel`, unnamed layers numbered per variable scope), so the reuse replay
(native/module_calls.py) sees a second call under `reuse=True` as the same instance:

    def conv_net(x, n, reuse, is_training):                 class ConvNet(tf.Module):
        with tf.variable_scope('ConvNet', reuse=reuse):         def __init__(self, n):
            h = tf.layers.dense(x, 8)                               super().__init__(name='ConvNet')
            h = tf.layers.dropout(h, 0.5,                           with self.name_scope:
                                  training=is_training)                 self.dense = tf.keras.layers.Dense(8)
            return tf.layers.dense(h, n)                                self.dropout = tf.keras.layers.Dropout(0.5)
                                                                        self.dense_1 = tf.keras.layers.Dense(n)
                                                                def __call__(self, x, is_training):
                                                                    h = self.dense(x)
                                                                    h = self.dropout(h, training=is_training)
                                                                    return self.dense_1(h)

Keras layers and TF1's tf.layers share their defaults (glorot_uniform kernels, zero biases, 'valid' padding).
A layer call under a loop or branch, or inside a lambda or comprehension, keeps the file in compat form.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from upgrader.native.base import Editor
    from upgrader.native.model import Program
    from upgrader.native.modules import Builder, Functions

EXTRA = {"tf.layers.conv2d_transpose": "Conv2DTranspose"}   # TF1 layer functions only functions convert
REPEATED = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.IfExp, ast.BoolOp)
BASES = {"Dense": "dense", "Conv1D": "conv1d", "Conv2D": "conv2d", "Conv2DTranspose": "conv2d_transpose",
         "MaxPooling1D": "max_pooling1d", "MaxPooling2D": "max_pooling2d", "AveragePooling2D": "average_pooling2d",
         "Flatten": "flatten", "Dropout": "dropout", "BatchNormalization": "batch_normalization"}
_TRANSPOSE = ("filters", "kernel_size", "strides", "padding", "data_format", "activation", "use_bias",
              "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
              "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable", "name")


@dataclass(eq=False)
class LayerCall:
    """One tf.layers call in a builder and the Keras layer attribute it becomes."""

    call: ast.Call
    cls: str                     # the Keras class ('Dense')
    given: dict[str, ast.expr]   # TF1 parameter -> argument
    attr: str                    # the attribute of the tf.Module holding the Keras layer

    @property
    def named(self) -> str | None:
        node = self.given.get("name")
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    @property
    def base(self) -> str:
        """TF1's default layer name, the snake-case class name ('dense', 'conv2d_transpose')."""
        return BASES.get(self.cls, self.cls.lower())

    def weights(self) -> list[str]:
        """The variables TF1 made for it, in order."""
        if self.cls == "BatchNormalization":
            return ["gamma"] * _flag(self.given.get("scale")) + ["beta"] * _flag(self.given.get("center")) + [
                "moving_mean", "moving_variance"]
        if self.cls.startswith(("Dense", "Conv")):
            return ["kernel"] + ["bias"] * _flag(self.given.get("use_bias"))
        return []


def _flag(node: ast.expr | None) -> bool:
    return not (isinstance(node, ast.Constant) and node.value is False)


def keras_classes() -> dict[str, str]:
    from upgrader.native.model import LAYERS
    return LAYERS | EXTRA


def has_layers(prog: Program, fn: ast.FunctionDef) -> bool:
    """The def calls tf.layers (so it is a builder even without get_variable)."""
    table = keras_classes()
    return any(prog.call_key(n) in table for n in ast.walk(fn))


def _parameters(cls: str) -> tuple[str, ...]:
    from upgrader.rules.native_batch_norm import POSITIONAL as NORM
    from upgrader.rules.native_layers import POSITIONAL
    return ("inputs",) + (NORM if cls == "BatchNormalization" else _TRANSPOSE if cls == "Conv2DTranspose" else POSITIONAL[cls])


def follow(prog: Program, fx: Functions, b: Builder, stmt: ast.stmt, simple: bool) -> None:
    """Record the layer calls of one body statement (`simple`: not a loop, branch or other block); raises Stop."""
    from upgrader.native.modules import Stop, _attribute
    table = keras_classes()
    calls = sorted((n for n in ast.walk(stmt) if prog.call_key(n) in table), key=lambda c: (c.end_lineno, c.end_col_offset))
    if not calls:
        return
    key = prog.call_key(calls[0])
    if not simple:
        raise Stop(calls[0], f"{key} under Python control flow (a loop or branch): each run of a tf.layers call "
                             "creates a layer in TF1; native mode follows layers created once per call")
    if loop := next((n for n in ast.walk(stmt) if isinstance(n, REPEATED) and any(c is m for c in calls for m in ast.walk(n))), None):
        raise Stop(loop, f"{key} inside a {type(loop).__name__}, which may run it zero or several times")
    for call in calls:
        cls, key = table[prog.call_key(call)], prog.call_key(call)
        if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
            raise Stop(call, f"{key} with *args/**kwargs cannot be mapped to Keras {cls}")
        params = _parameters(cls)
        given = dict(zip(params, call.args)) | {k.arg: k.value for k in call.keywords}
        if len(call.args) > len(params) or "inputs" not in given:
            raise Stop(call, f"{key}: its arguments do not match TF1's signature")
        if "reuse" in given:
            raise Stop(call, f"{key}(reuse=...): share the layer through the function's variable_scope(reuse=...)")
        if cls == "BatchNormalization" and (bad := sorted(set(given) - set(params) | {k for k in given if k in (
                "renorm", "renorm_clipping", "renorm_momentum", "virtual_batch_size", "adjustment", "fused")})):
            raise Stop(call, f"batch_normalization arguments {bad} have no Keras BatchNormalization form")
        if unknown := sorted(set(given) - set(params)):
            raise Stop(call, f"{key} arguments {unknown} have no Keras {cls} form")
        name = given.get("name")
        if name is not None and not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            raise Stop(call, f"{key}(name=...) that is not a string literal: TF1 named its variables by it")
        layer = LayerCall(call, cls, given, "")
        want = layer.named if layer.named and layer.named.isidentifier() else layer.base
        layer.attr, i = want, 0
        while _attribute(b, layer.attr) != layer.attr:   # NOTE: TF1's numbering: dense, dense_1, dense_2
            i += 1
            layer.attr = f"{want}_{i}"
        b.layers[id(call)] = layer
        fx.calls.add(id(call))


def init_loads(b: Builder) -> set[str]:
    """Names the Keras layers are constructed from (all arguments but the inputs and `training`)."""
    return {n.id for layer in b.layers.values() for p, v in layer.given.items() if p not in ("inputs", "training")
            for n in ast.walk(v) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def construction_names(b: Builder) -> set[int]:
    """Ids of the Name nodes read only to construct layers (not computation)."""
    return {id(n) for layer in b.layers.values() for p, v in layer.given.items() if p not in ("inputs", "training")
            for n in ast.walk(v)}


def training_flags(prog: Program, b: Builder, args: dict[str, ast.expr | None]) -> None:
    """A bool placeholder a call passes to a parameter that reaches a layer's `training=` becomes a Python bool
    parameter (prog.flags), as for module-level layers: Keras layers take `training` as a Python value."""
    for p in _training_params(prog, b):
        node = args.get(p)
        if isinstance(node, ast.Name) and prog.kind(node.id) == "placeholder":
            prog.flags.add(node.id)


def _training_params(prog: Program, b: Builder) -> set[str]:
    from upgrader.native.modules import bind
    out = {layer.given["training"].id for layer in b.layers.values() if isinstance(layer.given.get("training"), ast.Name)}
    for c in (c for c in ast.walk(b.node) if isinstance(c, ast.Call) and id(c) in b.children):
        child = prog.functions.builders[c.func.id]
        out |= {n.id for p, n in bind(c, child).items() if p in _training_params(prog, child) and isinstance(n, ast.Name)}
    return out & set(b.params)


def open_scope(fx: Functions, path: str) -> None:
    """Entering variable_scope `path` by name restarts the numbering of unnamed layers under it, as in TF1."""
    for k in [k for k in fx.layer_counts if k.startswith(path + "/")]:
        del fx.layer_counts[k]


def enter_blocks(prog: Program, fx: Functions, stmt: ast.stmt) -> None:
    """Open the module-level variable_scope blocks around `stmt` that no earlier call ran in."""
    def chain(body: list[ast.stmt], path: str) -> list[tuple[ast.With, str]]:
        for s in body:
            if isinstance(s, ast.With) and s is not stmt and any(n is stmt for n in ast.walk(s)):
                call = s.items[0].context_expr
                name = call.args[0] if isinstance(call, ast.Call) and call.args else None
                if prog.call_key(call) != "tf.variable_scope" or not isinstance(name, ast.Constant):
                    return chain(s.body, path)
                inner = f"{path}/{name.value}" if path else str(name.value)
                return [(s, inner)] + chain(s.body, inner)
        return []
    for block, path in chain(prog.tree.body, ""):
        if id(block) not in fx.scope_blocks:
            fx.scope_blocks.add(id(block))
            open_scope(fx, path)


def events(prog: Program, fx: Functions, b: Builder, stmt: ast.stmt, path: str, reuse: object,
           out: list[tuple[bool, str]]) -> None:
    """The replay of `stmt`'s layer calls: (reused?, full TF1 name) per variable, as TF1's variable store made them."""
    from upgrader.native.modules import Stop
    for layer in sorted((b.layers[id(n)] for n in ast.walk(stmt) if id(n) in b.layers),
                        key=lambda x: (x.call.end_lineno, x.call.end_col_offset)):
        if layer.named:   # NOTE: tf.layers passes name= as the scope itself: never numbered
            scope = f"{path}/{layer.named}" if path else layer.named
        else:
            base = f"{path}/{layer.base}" if path else layer.base
            scope, i = base, 0
            while fx.layer_counts.get(scope, 0):
                i += 1
                scope = f"{base}_{i}"
        fx.layer_counts[scope] = fx.layer_counts.get(scope, 0) + 1
        open_scope(fx, scope)
        for w in layer.weights():
            full = f"{scope}/{w}"
            exists = full in fx.store or any(full == made for _, made in out)
            if exists and not reuse:
                raise Stop(layer.call, f"the layer's variable '{full}' already exists and its scope does not reuse: "
                                       "TF1 raises ValueError")
            if not exists and reuse is True:
                raise Stop(layer.call, f"the layer's variable '{full}' under reuse=True does not exist: TF1 raises ValueError")
            out.append((exists, full))


def constructions(rule: Any, prog: Program, b: Builder, stmt: ast.stmt, edit: Editor) -> list[str]:
    """`self.dense = tf.keras.layers.Dense(8)` per layer call of `stmt` and `self.h = Dense(8, "h")` per nested
    builder call, in the order they run."""
    from upgrader.native.module_text import arguments
    fx, lines = prog.functions, []
    for node in _in_run_order(b, stmt):
        if id(node) in b.shared:
            continue   # NOTE: the instance of an earlier call, under variable_scope(reuse=True) (native/scope_reuse.py)
        if id(node) in b.children:
            child = fx.builders[node.func.id]
            lines.append(f"self.{b.children[id(node)]} = {child.cls}({arguments(node, child, child.init, edit.text)})")
            continue
        layer = b.layers[id(node)]
        args = [(k, edit.text(v)) for k, v in layer.given.items() if k not in ("inputs", "training")
                and not (isinstance(v, ast.Constant) and v.value is None)]
        if layer.cls == "BatchNormalization":   # NOTE: written out: tf.layers' defaults, not Keras 3's
            from upgrader.rules.native_batch_norm import DEFAULTS
            args = [(k, v) for k, v in DEFAULTS.items() if k not in layer.given] + args
            rule.warn(f"line {layer.call.lineno}: for 4-D inputs TF1 used the fused kernel, whose moving_variance takes "
                      "the unbiased batch variance; Keras BatchNormalization takes the biased one", once=True)
        if layer.cls.startswith(("Dense", "Conv")) and "kernel_initializer" not in layer.given:
            rule.warn(f"line {layer.call.lineno}: {b.node.name}: no kernel_initializer; Keras and TF1 both use "
                      "glorot_uniform but draw different random numbers", once=True)
        first = _parameters(layer.cls)[1]
        text = ", ".join(v if i == 0 and k == first else f"{k}={v}" for i, (k, v) in enumerate(args))
        lines.append(f"self.{layer.attr} = {edit.tfx('keras.layers.' + layer.cls)}({text})")
    return lines


def _in_run_order(b: Builder, stmt: ast.stmt) -> list[ast.Call]:
    """The layer and nested builder calls of `stmt`: arguments before calls, left before right (by where each ends)."""
    return sorted((n for n in ast.walk(stmt) if id(n) in b.layers or id(n) in b.children),
                  key=lambda c: (c.end_lineno, c.end_col_offset))


def call_text(prog: Program, b: Builder, call: ast.AST, render: Callable[[ast.AST], str]) -> str | None:
    """In `__call__`: `self.dropout(h, training=is_training)` for a layer call, `self.h(x)` for a nested builder
    call; None for other nodes."""
    from upgrader.native.module_text import arguments
    if id(call) in b.children:
        child = prog.functions.builders[call.func.id]
        return f"self.{b.children[id(call)]}({arguments(call, child, child.call_params, render)})"
    layer = b.layers.get(id(call))
    if layer is None:
        return None
    training = layer.given.get("training")
    flag = f", training={render(training)}" if training is not None else ", training=False" * (
        layer.cls in ("Dropout", "BatchNormalization"))   # NOTE: TF1's default; Keras's depends on the caller
    return f"self.{layer.attr}({render(layer.given['inputs'])}{flag})"


def check_training(prog: Program, b: Builder) -> None:
    """batch_normalization trained inside a function needs TF1's UPDATE_OPS pattern to mean what Keras does."""
    from upgrader.native.base import Blocked   # NOTE: base.py imports model.py, which imports modules.py and this
    for layer in b.layers.values():
        training = layer.given.get("training")
        if layer.cls != "BatchNormalization" or training is None or (
                isinstance(training, ast.Constant) and training.value is False):
            continue
        if not any(e.kind == "collection" for e in prog.entities.values()):
            raise Blocked(layer.call.lineno, "batch_normalization trained without UPDATE_OPS: TF1 never updated its "
                                             "moving averages, Keras does")


def _family(prog: Program, b: Builder) -> list[Builder]:
    """`b` and the builders it calls, through the builders they call."""
    fx, out, todo = prog.functions, [], [b]
    while todo:
        x = todo.pop()
        if x not in out:
            out.append(x)
            todo += [fx.builders[c.func.id] for c in ast.walk(x.node) if isinstance(c, ast.Call) and id(c) in x.children]
    return out


def properties(prog: Program, b: Builder, edit: Editor) -> list[str]:
    """The class lines listing the Keras layers' weights, its own and its submodules', after tf.Module's own."""
    out = ["", "def _keras_weights(self, kind):",
           "    # tf.Module does not look inside Keras layers: their weights, this module's and its submodules'",
           "    keras_layers = [v for m in (self, *self.submodules) for v in vars(m).values() if isinstance(v, "
           f"{edit.tfx('keras.layers.Layer')})]",
           "    return tuple(w for layer in keras_layers for w in getattr(layer, kind))"]
    for prop, weights in (("trainable_variables", "trainable_weights"), ("variables", "weights"),
                          ("non_trainable_variables", "non_trainable_weights")):
        out += ["", "@property", f"def {prop}(self):", f'    return super().{prop} + self._keras_weights("{weights}")']
    return out


def class_tail(prog: Program, b: Builder, edit: Editor) -> list[str]:
    """The lines after `__call__`: weight properties when `b` or a builder it calls has tf.layers' Keras layers,
    else what the RNN layers need (native/rnn_text.py)."""
    from upgrader.native.rnn_text import STATE_TUPLE, tracked
    check_training(prog, b)
    family = _family(prog, b)
    if not any(x.layers for x in family) and not any(x.rnn for x in family if x is not b):
        return tracked(prog, b)   # NOTE: a submodule's RNN layers are listed like Keras layers, below
    tail = tracked(prog, b)   # NOTE: its checks, and the LSTMStateTuple its RNN state needs
    pair = ["", STATE_TUPLE] if STATE_TUPLE in tail else []
    return properties(prog, b, edit) + pair
