"""`tf.contrib.seq2seq.sequence_loss` written out in core TensorFlow ops (TF2 has no tf.contrib; tfa is gone).

    tf.contrib.seq2seq.sequence_loss(logits, y, w)
    ->  tf.math.divide_no_nan(tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
                                            * w), tf.reduce_sum(w))

TF1 (contrib/seq2seq/python/ops/loss.py, 1.15) flattens logits to [-1, classes] and targets to [-1], takes the
sparse softmax cross-entropy, multiplies by the flattened weights, then: with average_across_timesteps and
average_across_batch (the defaults) sum / sum(weights) via div_no_nan; with one of them, the sum over that axis
(1 for timesteps, 0 for batch) divided by the weights' sum over it; with neither, the [batch, time] losses.
sparse_softmax_cross_entropy_with_logits takes [batch, time] labels and [batch, time, classes] logits itself,
so no reshape is needed and each argument is written once (weights twice: a pure tensor, read twice).

softmax_loss_function, sum_over_timesteps/sum_over_batch and non-literal average flags are not written out:
`sequence_loss_text` returns the reason instead, and the caller reports it.

    sequence_loss_spans(tree, aliases, text) -> [(span, new text)]     (native/equivalents.py's swap)
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.native.base import Blocked
from upgrader.scan import aliased_key

KEY = "tf.contrib.seq2seq.sequence_loss"
PARAMS = ("logits", "targets", "weights", "average_across_timesteps", "average_across_batch")
FLAGS = ("average_across_timesteps", "average_across_batch")
UNSUPPORTED = ("sum_over_timesteps", "sum_over_batch", "softmax_loss_function")


def sequence_loss_text(tf: str, args: dict[str, str], flags: dict[str, bool]) -> str:
    """The core-TF expression for one call: `args` the texts of logits/targets/weights, `flags` the two averages."""
    xent = f"{tf}.nn.sparse_softmax_cross_entropy_with_logits(labels={args['targets']}, logits={args['logits']})"
    weights = args["weights"]
    weighted = f"{xent} * {_operand(weights)}"
    over_time, over_batch = flags.get("average_across_timesteps", True), flags.get("average_across_batch", True)
    if over_time and over_batch:
        return f"{tf}.math.divide_no_nan({tf}.reduce_sum({weighted}), {tf}.reduce_sum({weights}))"
    if over_time or over_batch:
        axis = 1 if over_time else 0
        return (f"{tf}.math.divide_no_nan({tf}.reduce_sum({weighted}, axis={axis}), "
                f"{tf}.reduce_sum({weights}, axis={axis}))")
    return f"({weighted})"


def _operand(text: str) -> str:
    """`w` or `(a + b)`: weights as the right operand of `*`."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return f"({text})"
    return text if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)) else f"({text})"


def split_call(positional: list, keywords: dict, literal: Callable[[object], bool | None]) -> tuple[dict, dict] | str:
    """(arguments by name, average flags) of a sequence_loss call, or why it cannot be written out.

    `positional`/`keywords` hold the argument nodes (any syntax tree); `literal(node)` reads a True/False literal
    (None when the value is not one)."""
    if len(positional) > len(PARAMS):
        return f"{KEY} with {len(positional)} positional arguments (softmax_loss_function given positionally)"
    named = dict(zip(PARAMS, positional)) | keywords
    for arg in UNSUPPORTED:
        if arg in named:
            return f"{KEY}({arg}=...) is not written out in core TF ops (only the averaged cross-entropy is)"
    unknown = [k for k in named if k not in PARAMS and k != "name"]
    if unknown:
        return f"{KEY}: unknown argument {unknown[0]}="
    missing = [p for p in PARAMS[:3] if p not in named]
    if missing:
        return f"{KEY} without {missing[0]}="
    flags = {}
    for flag in FLAGS:
        if flag in named:
            value = literal(named[flag])
            if value is None:
                return f"{KEY}({flag}=...) must be a literal True or False to be written out"
            flags[flag] = value
    return {p: named[p] for p in PARAMS[:3]}, flags


def sequence_loss_spans(tree: ast.Module, aliases: dict[str, str], text: Callable[[ast.AST], str]) -> list:
    """The edits ((line, col, end_line, end_col), new text) writing out each sequence_loss call; Blocked when a
    call cannot be (the file falls back naming the argument)."""
    tf = next((name for name, qual in aliases.items() if qual == "tensorflow"), None)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or aliased_key(aliases, node.func) != KEY:
            continue
        if tf is None or any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise Blocked(node.lineno, f"{KEY} with *args/**kwargs or without `import tensorflow as tf` is not "
                                       "written out natively")
        split = split_call(list(node.args), {k.arg: k.value for k in node.keywords}, _literal)
        if isinstance(split, str):
            raise Blocked(node.lineno, split)
        args, flags = split
        texts = {k: text(v) for k, v in args.items()}
        if "\n" in texts["weights"]:   # NOTE: written twice; one line keeps the file's line count
            texts["weights"] = ast.unparse(args["weights"])
        new = sequence_loss_text(tf, texts, flags)
        out.append(((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset), new))
    return out


def _literal(node: ast.AST) -> bool | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, bool) else None


