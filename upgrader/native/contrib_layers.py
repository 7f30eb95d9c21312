"""`tf.contrib.layers` calls spelled as the `tf.layers` calls they equal, for native mode to convert.

    tf.contrib.layers.fully_connected(x, 10)           ->  tf.layers.dense(x, 10, activation=tf.nn.relu)
    tf.contrib.layers.conv2d(x, 32, 5, stride=2)       ->  tf.layers.conv2d(x, 32, 5, strides=2, padding='SAME',
                                                                            activation=tf.nn.relu)
    tf.contrib.layers.max_pool2d(x, 2)                 ->  tf.layers.max_pooling2d(x, 2, strides=2, padding='VALID')
    tf.contrib.layers.flatten(x)                       ->  tf.layers.flatten(x)

contrib's defaults differ from tf.layers' (fully_connected and conv2d apply relu, conv2d pads
'SAME', the pools stride 2), so each default is written out. Both draw their kernels from
Glorot-uniform and start biases at zero. An argument with no tf.layers form (normalizer_fn,
variables_collections, outputs_collections) leaves the call as it is, and the file falls back
naming it.

    contrib_layer_spans(tree, aliases, text) -> [(span, new call text)]
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable

from upgrader.scan import aliased_key


@dataclass(frozen=True)
class Spelling:
    new: str                          # the tf.layers function
    positional: tuple[str, ...]       # contrib's parameters, in order (after inputs)
    renames: dict[str, str]           # contrib keyword -> tf.layers keyword (None: same name)
    defaults: dict[str, str]          # contrib defaults that differ from tf.layers', written out (text with {tf})


_COMMON = {"activation_fn": "activation", "weights_initializer": "kernel_initializer",
           "biases_initializer": "bias_initializer", "weights_regularizer": "kernel_regularizer",
           "biases_regularizer": "bias_regularizer", "trainable": "trainable", "scope": "name"}
_POOL = {"kernel_size": "pool_size", "stride": "strides", "padding": "padding", "scope": "name"}
TABLE = {
    "tf.contrib.layers.fully_connected": Spelling(
        "layers.dense", ("num_outputs", "activation_fn"), {"num_outputs": "units", **_COMMON},
        {"activation": "{tf}.nn.relu"}),
    "tf.contrib.layers.conv2d": Spelling(
        "layers.conv2d", ("num_outputs", "kernel_size", "stride", "padding"),
        {"num_outputs": "filters", "kernel_size": "kernel_size", "stride": "strides", "padding": "padding",
         "rate": "dilation_rate", **_COMMON}, {"padding": "'SAME'", "activation": "{tf}.nn.relu"}),
    "tf.contrib.layers.max_pool2d": Spelling("layers.max_pooling2d", ("kernel_size", "stride", "padding"), _POOL,
                                             {"strides": "2", "padding": "'VALID'"}),
    "tf.contrib.layers.avg_pool2d": Spelling("layers.average_pooling2d", ("kernel_size", "stride", "padding"), _POOL,
                                             {"strides": "2", "padding": "'VALID'"}),
    "tf.contrib.layers.flatten": Spelling("layers.flatten", (), {"scope": "name"}, {}),
}


def contrib_layer_spans(tree: ast.Module, aliases: dict[str, str], text: Callable[[ast.AST], str]) -> list:
    """The edits ((line, col, end_line, end_col), new text) respelling each convertible call."""
    tf = next((name for name, qual in aliases.items() if qual == "tensorflow"), None)
    if tf is None:
        return []
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or (row := TABLE.get(aliased_key(aliases, node.func) or "")) is None:
            continue
        new = _respell(node, row, tf, text)
        if new is not None:
            out.append(((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset), new))
    return out


def _respell(call: ast.Call, row: Spelling, tf: str, text: Callable[[ast.AST], str]) -> str | None:
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    given = dict(zip(("inputs",) + row.positional, call.args)) | {k.arg: k.value for k in call.keywords}
    if len(call.args) > 1 + len(row.positional) or "inputs" not in given:
        return None
    inputs = given.pop("inputs")   # `fully_connected(inputs=x, num_outputs=10)` as well as positional
    if any(name not in row.renames for name in given):
        return None   # normalizer_fn, collections, reuse...: no tf.layers form; the file falls back naming the call
    args = [text(inputs)]
    named = {}
    for name, value in given.items():
        if row.renames[name] == "bias_initializer" and isinstance(value, ast.Constant) and value.value is None:
            named["use_bias"] = "False"   # contrib: biases_initializer=None means no bias
            continue
        named[row.renames[name]] = text(value)
    for name, default in row.defaults.items():
        named.setdefault(name, default.format(tf=tf))
    args += [f"{k}={v}" for k, v in named.items()]
    return f"{tf}.{row.new}({', '.join(args)})"
