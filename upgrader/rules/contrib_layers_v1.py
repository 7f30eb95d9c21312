"""`tf.contrib.layers` fully_connected/conv2d/max_pool2d/avg_pool2d -> the `tf.compat.v1.layers` calls they equal."""
from __future__ import annotations

import libcst as cst

from upgrader.native.contrib_layers import TABLE
from upgrader.rule import Rule, has_star
from upgrader.rules.layers_legacy_keras import NOTE

ROWS = {k: v for k, v in TABLE.items() if k != "tf.contrib.layers.flatten"}   # flatten: a plain rename row
EXTRA = {"reuse": "reuse"}   # tf.compat.v1.layers take reuse= as contrib did (native Keras layers do not)
# the default scope of contrib's variables ('fully_connected/weights') and of the layer's ('dense/kernel')
VARIABLES = {"tf.contrib.layers.fully_connected": ("fully_connected", "dense"),
             "tf.contrib.layers.conv2d": ("Conv", "conv2d")}


class ContribLayersV1(Rule):
    """contrib layers become tf.compat.v1.layers with contrib's defaults (relu, SAME, stride 2) written out.

    tf.contrib.layers.fully_connected(x, 10)       ->  tf.compat.v1.layers.dense(x, 10, activation=tf.nn.relu)
    tf.contrib.layers.max_pool2d(x, 2)             ->  tf.compat.v1.layers.max_pooling2d(x, 2, strides=2, padding='VALID')
    fully_connected(x, 10, normalizer_fn=bn)       ->  error: no tf.compat.v1.layers form (left unchanged)

    Both draw kernels from Glorot-uniform and start biases at zero, so the numbers are the same; the variables are
    named like the layer ('dense/kernel', 'dense/bias') where contrib named them 'fully_connected/weights' and
    'fully_connected/biases' (a warning says so: checkpoints written by the TF1 program map by name).
    """

    DESCRIPTION = "tf.contrib.layers.fully_connected/conv2d/max_pool2d/avg_pool2d -> tf.compat.v1.layers.*"
    PRIORITY = 10
    OWNS = frozenset(ROWS)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        key = self.key(original.func)
        if key not in ROWS:
            return updated
        row = ROWS[key]
        if has_star(updated) or any(a.star for a in updated.args):
            self.error(f"{key} with *args/**kwargs: rewrite it as tf.compat.v1.{row.new} by hand (left unchanged)")
            return updated
        names = ("inputs",) + row.positional
        positional = [a for a in updated.args if a.keyword is None]
        if len(positional) > len(names):
            self.error(f"{key}: {len(positional)} positional arguments; name them to rewrite it (left unchanged)")
            return updated
        given = {n: a.value for n, a in zip(names, positional)} | {a.keyword.value: a.value for a in updated.args
                                                                   if a.keyword is not None}
        renames = {**row.renames, **EXTRA}
        other = [n for n in given if n != "inputs" and n not in renames]
        if "inputs" not in given or other:
            what = f"{other[0]}=" if other else "no inputs"
            self.error(f"{key} with {what}: tf.compat.v1.{row.new} has no such argument; rewrite it by hand, e.g. "
                       f"tf.compat.v1.{row.new}(..., activation=None) then the normalizer (left unchanged)")
            return updated
        args: list[cst.Arg] = [cst.Arg(given.pop("inputs"))]
        named: dict[str, cst.BaseExpression] = {}
        for name, value in given.items():
            new = renames[name]
            if new == "bias_initializer" and isinstance(value, cst.Name) and value.value == "None":
                named["use_bias"] = cst.Name("False")   # contrib: biases_initializer=None means no bias
            else:
                named[new] = value
        for name, default in row.defaults.items():
            if name not in named:
                named[name] = self.ctx.expr("tf.nn.relu") if default == "{tf}.nn.relu" else cst.parse_expression(default)
        second = row.renames[row.positional[0]] if row.positional else None
        if second in named and len(positional) > 1:   # units / filters / pool_size stays where it was
            args.append(cst.Arg(named.pop(second)))
        args += [cst.Arg(v, keyword=cst.Name(k), equal=_eq()) for k, v in named.items()]
        self.change(f"{key} -> tf.compat.v1.{row.new} (contrib's defaults written out)")
        self.warn(NOTE, once=True)
        if key in VARIABLES:
            self._names(key, row.new)
        return updated.with_changes(func=self.ctx.expr(f"tf.compat.v1.{row.new}"), args=_commas(args))

    def _names(self, key: str, row_new: str) -> None:
        contrib, layers = VARIABLES[key]
        self.warn(f"{key} -> tf.compat.v1.{row_new}: the same numbers, but the variables are named '<scope>/kernel' and "
                  f"'<scope>/bias' (default scope '{layers}') where TF1 named them '<scope>/weights' and "
                  f"'<scope>/biases' (default '{contrib}'): a TF1 checkpoint restores only through a name map "
                  "(assignment_map of tf.compat.v1.train.init_from_checkpoint), and lookups by name need the new names",
                  once=True)


def _eq() -> cst.AssignEqual:
    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    return [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]] + \
        [args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
