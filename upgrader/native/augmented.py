"""`t += e` on a graph tensor, spelled `t = t + e`: the rebinding native mode follows.

    l2_loss = tf.constant(0.0)                  l2_loss = tf.constant(0.0)
    l2_loss += tf.nn.l2_loss(W)         ->      l2_loss = l2_loss + tf.nn.l2_loss(W)
    l2_loss += tf.nn.l2_loss(b)                 l2_loss = l2_loss + tf.nn.l2_loss(b)

TensorFlow's tensors and variables define no in-place operators (`__iadd__`...), so Python runs
`t += e` as `t = t + e` already: the respelling is exact. Only names whose binding just before is
a TensorFlow op's result are respelled (a NumPy array or list would be changed in place), in
module-level statements and the `with` blocks around them (a class's graph written out flat).

A name bound to a number (`loss = 0`) whose `+=` adds a TensorFlow op's result becomes that
tensor: `loss += tf.nn.l2_loss(W)` is `loss = 0 + tf.nn.l2_loss(W)`, a version of its own (the
number was never a graph value, so `loss = loss + ...` would read the tensor being defined); the
module-level `loss = 0` goes when nothing reads the name before the `+=`.

    augmented_spans(tree, aliases, source) -> [((line, col, end_line, end_col), new text)]
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.scan import TF, dotted, to_key

OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
# TF1 functions whose result is a Python list or other non-tensor value (`+=` on a list extends it in place)
NOT_TENSORS = frozenset({"trainable_variables", "global_variables", "local_variables", "all_variables",
                         "get_collection", "get_collection_ref", "gradients", "split", "unstack", "meshgrid",
                         "dynamic_partition", "tuple", "while_loop", "Session", "InteractiveSession",
                         "get_default_graph", "Graph", "trainable_weights"})
SIMPLE = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)


def _tf_value(value: ast.expr, aliases: dict[str, str]) -> bool:
    """Whether `value` is the result of a TensorFlow op (`tf.constant(0.0)`, `tf.nn.l2_loss(W) * 0.5`)."""
    if isinstance(value, ast.BinOp):
        return _tf_value(value.left, aliases) or _tf_value(value.right, aliases)
    if not isinstance(value, ast.Call) or (name := dotted(value.func)) is None:
        return False
    root, _, rest = name.partition(".")
    qualified = aliases.get(root, "")
    if not (qualified == TF or qualified.startswith(TF + ".")):
        return False
    return to_key(qualified + ("." + rest if rest else "")).rsplit(".", 1)[-1] not in NOT_TENSORS


def _has_op(value: ast.expr, aliases: dict[str, str]) -> bool:
    """A TensorFlow op's result anywhere in `value` (`w * tf.reduce_sum(losses)`)."""
    return any(_tf_value(n, aliases) for n in ast.walk(value) if isinstance(n, ast.Call))


def augmented_spans(tree: ast.Module, aliases: dict[str, str], source: Callable[[ast.AST], str]) -> list:
    tensors: set[str] = set()   # names bound to a TF op's result by the last statement that bound them
    numbers: dict[str, tuple] = {}   # `loss = 0`: name -> (the number, the statement at module level, else None)
    loads: dict[str, list[ast.Name]] = {}   # every read of each name, anywhere in the file
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            loads.setdefault(n.id, []).append(n)
    spans: list = []

    def walk(body: list[ast.stmt]) -> None:
        for s in body:
            if isinstance(s, ast.With):
                walk(s.body)
                continue
            if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name) and type(s.op) in OPS and (
                    s.target.id in tensors or s.target.id in numbers and _has_op(s.value, aliases)):
                value = source(s.value)
                value = value if isinstance(s.value, SIMPLE) else f"({value})"
                name = s.target.id
                start, init = numbers.pop(name, (name, None))   # NOTE: `loss = 0` ... `loss += t`: `loss = 0 + t`
                tensors.add(name)
                if init is not None and not any(n.lineno <= s.end_lineno for n in loads.get(name, ())):
                    spans.append(((init.lineno, init.col_offset, init.end_lineno, init.end_col_offset), ""))
                spans.append(((s.lineno, s.col_offset, s.end_lineno, s.end_col_offset),
                               f"{name} = {start} {OPS[type(s.op)]} {value}"))
                continue
            stored = {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stored.add(s.name)
            elif isinstance(s, (ast.Import, ast.ImportFrom)):
                stored |= {(a.asname or a.name).split(".")[0] for a in s.names}
            tensors.difference_update(stored)
            for name in stored:
                numbers.pop(name, None)
            if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) and \
                    _tf_value(s.value, aliases):
                tensors.add(s.targets[0].id)
            elif isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) and \
                    isinstance(s.value, ast.Constant) and type(s.value.value) in (int, float):
                numbers[s.targets[0].id] = (source(s.value), s if any(s is t for t in tree.body) else None)
    walk(tree.body)
    return spans
