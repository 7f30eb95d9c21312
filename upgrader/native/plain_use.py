"""Statements outside any session that mention graph objects: only variables and static shapes may appear.

    check_plain(prog, stmt)   # blocks `print(pred.name)`, `tf.get_collection(...)` used as a list, ...
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.shapes import shape_reads

if TYPE_CHECKING:
    from upgrader.native.model import Program


def check_plain(prog: Program, stmt: ast.stmt) -> None:
    """A statement outside any session that mentions graph objects: only variables (and static shapes) may appear."""
    reads = shape_reads(prog, stmt)
    inside = {id(m) for n, _ in reads for m in ast.walk(n)}
    for node in ast.walk(stmt):
        if id(node) in inside:
            continue
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and prog.kind(node.value.id) in (
                "placeholder", "tensor", "train", "gradients"):
            node = node.value
            use = f"{node.id}.{stmt_attr(stmt, node)}"
        elif isinstance(node, ast.Name):
            use = node.id
        else:
            continue
        if (made := _object_from(prog, node.id, use)) is not None:
            prog.block(node, made)
            return
        if prog.kind(node.id) in ("placeholder", "tensor", "train", "optimizer", "gradients"):
            prog.block(node, f"'{node.id}' (a graph {prog.kind(node.id)}) is used outside sess.run ({use}: "
                             "graph names and collections have no TF2 eager equivalent); "
                             "remove this use to allow native conversion")
            return
    from upgrader.native.model import DROPPED   # noqa: PLC0415 (model imports this module)
    if isinstance(stmt, ast.Expr) and prog.call_key(stmt.value) in DROPPED:
        return
    if reads:
        prog.shape_stmts.add(id(stmt))
    for node in ast.walk(stmt):
        k = prog.call_key(node)
        if k is not None and (k.startswith(("tf.get_collection", "tf.global_variables", "tf.trainable_variables"))):
            prog.block(node, f"{k} (graph collections): make the list explicit to allow native conversion")
            return


TENSOR_ATTRS = frozenset({"name", "op", "graph", "shape", "dtype", "get_shape", "eval", "device", "consumers"})


def _object_from(prog: Program, name: str, use: str) -> str | None:
    """Why an object a helper class builds from graph values (`vgg = VGG(image)`; `vgg.load()`) stops the
    conversion, when `use` reads one of its own attributes; None for other uses."""
    e = prog.entities.get(name)
    call = getattr(e.stmt, "value", None) if e is not None and e.kind == "tensor" else None
    attr = use.partition(".")[2]
    if not isinstance(call, ast.Call) or prog.call_key(call) is not None or not attr or attr in TENSOR_ATTRS:
        return None
    maker = ast.unparse(call.func)
    return (f"'{name}' is an object made by {maker}(...) from graph values, and its attribute "
            f"'{attr}' is used outside sess.run: native mode follows the tensors, lists and dicts a helper returns, "
            "not an object whose methods build the graph or whose attributes hold other values")


def stmt_attr(stmt: ast.stmt, name: ast.Name) -> str:
    """The attribute read from `name` in `stmt` ('name', 'get_shape'), for the report."""
    for n in ast.walk(stmt):
        if isinstance(n, ast.Attribute) and n.value is name:
            return n.attr
    return "?"
