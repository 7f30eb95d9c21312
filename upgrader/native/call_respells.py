"""TF1 calls with no TF2 function of their own, respelled as the TF1 calls they amount to.

    tf.nn.xw_plus_b(h, W, b, name="scores")        ->  tf.nn.bias_add(tf.matmul(h, W), b, name="scores")
    tf.train.global_step(sess, global_step)        ->  int(sess.run(global_step))
    tf.train.Saver(tf.global_variables(), max_to_keep=5)  ->  tf.train.Saver(max_to_keep=5)

Each is what TF1 itself runs: `xw_plus_b` is `bias_add(matmul(x, weights), biases, name=name)`,
`global_step(sess, t)` returns `int(sess.run(t))`, and a Saver's default var_list is every global
variable. The analysis then follows the respelled calls like any others (`bias_add` and `matmul` are
TF2 functions, `sess.run` becomes a read of the variable, a Saver a tf.train.Checkpoint).
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.native.operand_kinds import Kinds

Span = tuple[tuple[int, int, int, int], str]
ALL_VARIABLES = frozenset({"tf.global_variables", "tf.all_variables"})


def call_respell_spans(tree: ast.Module, aliases: dict[str, str], source: Callable[[ast.AST], str]) -> list[Span]:
    """The edits (span, new text) for the calls above, spelled with the program's own TensorFlow alias."""
    kinds = Kinds(tree, aliases)
    out: list[Span] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        key = kinds.key(node.func)
        root = ast.unparse(node.func).split(".")[0]
        if key not in ("tf.nn.xw_plus_b", "tf.train.global_step", "tf.train.Saver") or aliases.get(root) != "tensorflow" \
                or any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            continue
        span = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
        if key == "tf.nn.xw_plus_b" and (args := _named(node, ("x", "weights", "biases", "name"))) is not None:
            if {"x", "weights", "biases"} <= set(args):
                name = f", name={source(args['name'])}" if "name" in args else ""
                out.append((span, f"{root}.nn.bias_add({root}.matmul({source(args['x'])}, {source(args['weights'])}), "
                                  f"{source(args['biases'])}{name})"))
        elif key == "tf.train.global_step" and (args := _named(node, ("sess", "global_step_tensor"))) is not None:
            if set(args) == {"sess", "global_step_tensor"}:
                out.append((span, f"int({source(args['sess'])}.run({source(args['global_step_tensor'])}))"))
        elif key == "tf.train.Saver":
            out += _all_variables(node, kinds)
    return out


def _named(call: ast.Call, params: tuple[str, ...]) -> dict[str, ast.expr] | None:
    """The call's arguments by parameter name, or None when there are more positionals than parameters."""
    if len(call.args) > len(params):
        return None
    named = dict(zip(params, call.args))
    named.update({k.arg: k.value for k in call.keywords})
    return named if set(named) <= set(params) else None


def _all_variables(call: ast.Call, kinds: Kinds) -> list[Span]:
    """`Saver(tf.global_variables(), ...)`: the var_list argument removed (it is the default)."""
    items: list[ast.AST] = [*call.args, *call.keywords]
    for i, item in enumerate(items):
        value = item.value if isinstance(item, ast.keyword) else item
        if (isinstance(item, ast.keyword) and item.arg != "var_list") or (not isinstance(item, ast.keyword) and i > 0):
            continue
        if not (isinstance(value, ast.Call) and not value.args and not value.keywords
                and kinds.key(value.func) in ALL_VARIABLES):
            continue
        if i + 1 < len(items):   # up to the next argument
            nxt = items[i + 1]
            return [((item.lineno, item.col_offset, nxt.lineno, nxt.col_offset), "")]
        if i > 0:   # the last one: from the end of the one before
            prev = items[i - 1]
            return [((prev.end_lineno, prev.end_col_offset, item.end_lineno, item.end_col_offset), "")]
        return [((item.lineno, item.col_offset, item.end_lineno, item.end_col_offset), "")]
    return []
