"""`tf.contrib.legacy_seq2seq.sequence_loss_by_example` written out in core TensorFlow ops (TF2 has no tf.contrib).

    tf.contrib.legacy_seq2seq.sequence_loss_by_example(logits, targets, weights)
    ->  tf.add_n([tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logit) * weight
                  for logit, target, weight in zip(logits, targets, weights)]) / (tf.add_n(weights) + 1e-12)

TF1 (contrib/legacy_seq2seq/python/ops/seq2seq.py, 1.15) takes lists of per-step logits [batch, classes],
targets [batch] and weights [batch], sums the weighted sparse softmax cross-entropies over the steps with
add_n, and with average_across_timesteps (the default) divides by the summed weights plus 1e-12. A flag that
is not a literal (`self.vocab_size`, truthy) divides by `((...) if flag else 1.0)`, Python's truth as TF1's.
softmax_loss_function is not written out: the caller reports it.

    by_example_text(tf, texts, flag) -> the expression     split_by_example(...) -> (texts, flag) or why not
    by_example_spans(tree, aliases, text) -> [(span, new text)]     (native/equivalents.py's swap)
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.native.base import Blocked
from upgrader.scan import aliased_key

KEY = "tf.contrib.legacy_seq2seq.sequence_loss_by_example"
PARAMS = ("logits", "targets", "weights", "average_across_timesteps", "softmax_loss_function", "name")


def by_example_text(tf: str, args: dict[str, str], flag: str | None) -> str:
    """The core-TF expression: `args` the texts of logits/targets/weights, `flag` average_across_timesteps's text."""
    xent = f"{tf}.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logit)"
    summed = (f"{tf}.add_n([{xent} * weight for logit, target, weight in "
              f"zip({args['logits']}, {args['targets']}, {args['weights']})])")
    total = f"({tf}.add_n({args['weights']}) + 1e-12)"
    if flag in (None, "True"):
        return f"{summed} / {total}"
    return summed if flag == "False" else f"{summed} / ({total} if {flag} else 1.0)"


def split_by_example(positional: list, keywords: dict) -> tuple[dict, object] | str:
    """(logits/targets/weights nodes by name, the average flag's node or None), or why the call is not written out."""
    if len(positional) > len(PARAMS):
        return f"{KEY} with {len(positional)} positional arguments"
    named = dict(zip(PARAMS, positional)) | keywords
    if "softmax_loss_function" in named:
        return f"{KEY}(softmax_loss_function=...) is not written out in core TF ops (only the cross-entropy is)"
    unknown = [k for k in named if k not in PARAMS]
    missing = [p for p in PARAMS[:3] if p not in named]
    if unknown or missing:
        return f"{KEY}: " + (f"unknown argument {unknown[0]}=" if unknown else f"no {missing[0]}")
    return {p: named[p] for p in PARAMS[:3]}, named.get("average_across_timesteps")


def by_example_spans(tree: ast.Module, aliases: dict[str, str], text: Callable[[ast.AST], str]) -> list:
    """The edits ((line, col, end_line, end_col), new text) writing out each call; Blocked when one is not."""
    tf = next((name for name, qual in aliases.items() if qual == "tensorflow"), None)
    kept = _kept(tree, aliases)
    out = [((s.lineno, s.col_offset, s.end_lineno, s.end_col_offset), "") for s in kept.values()]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or (aliased_key(aliases, node.func) != KEY and not (
                isinstance(node.func, ast.Name) and node.func.id in kept)):
            continue
        if tf is None or any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise Blocked(node.lineno, f"{KEY} with *args/**kwargs or without `import tensorflow as tf` is not "
                                       "written out natively")
        split = split_by_example(list(node.args), {k.arg: k.value for k in node.keywords})
        if isinstance(split, str):
            raise Blocked(node.lineno, split)
        args, flag = split
        # NOTE: weights are written twice; one line each keeps the file's line count
        texts = {k: ast.unparse(v) if "\n" in text(v) and k == "weights" else text(v) for k, v in args.items()}
        new = by_example_text(tf, texts, None if flag is None else ast.unparse(flag))
        out.append(((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset), new))
    return out


def _kept(tree: ast.Module, aliases: dict[str, str]) -> dict[str, ast.Assign]:
    """`loss_fun = tf.contrib.legacy_seq2seq.sequence_loss_by_example`, bound once and only called: name -> statement.

    The statement goes (TF2 has no tf.contrib to read it from) and each `loss_fun(...)` is written out like a direct
    call; a name read any other way, or the statement alone in its block, is left for the analysis to report."""
    found: dict[str, ast.Assign] = {}
    for block in (b for n in ast.walk(tree) for f in ("body", "orelse", "finalbody") if isinstance(b := getattr(n, f, None), list)):
        for stmt in block:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                    and aliased_key(aliases, stmt.value) == KEY and len(block) > 1:
                found[stmt.targets[0].id] = stmt
    called = {id(c.func) for c in ast.walk(tree) if isinstance(c, ast.Call)}
    for name in list(found):
        uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name]
        if any(n is not found[name].targets[0] and (not isinstance(n.ctx, ast.Load) or id(n) not in called) for n in uses):
            del found[name]
    return found
