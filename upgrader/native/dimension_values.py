"""`Dimension.value` of TF1's static shapes, spelled as the int (or None) a TF2 shape holds already.

TF1's `TensorShape` holds `Dimension` objects (`h.get_shape()[1].value` is the int); TF2's holds
ints and None, which have no `.value`. Read straight from a shape, the dimension's value is the
element itself:

    n = h.get_shape()[1].value                       ->  n = h.get_shape()[1]
    b, h, w, c = [d.value for d in x.get_shape()]    ->  b, h, w, c = [d for d in x.get_shape()]

    dimension_spans(tree, source) -> [((line, col, end_line, end_col), new text)]
"""
from __future__ import annotations

import ast
from typing import Callable


def _shape(node: ast.expr) -> bool:
    """`x.get_shape()` or `x.shape` (a static shape of a tensor; `.as_list()` already gives ints)."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_shape"
            and not node.args) or (isinstance(node, ast.Attribute) and node.attr == "shape")


def dimension_spans(tree: ast.Module, source: Callable[[ast.AST], str]) -> list:
    """The edits dropping `.value` from dimensions read out of a shape (see the module docstring)."""
    spans = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr == "value" and isinstance(node.ctx, ast.Load)):
            continue
        inner = node.value
        if isinstance(inner, ast.Subscript) and _shape(inner.value) and not isinstance(inner.slice, ast.Slice):
            spans.append(((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset), source(inner)))
    for comp in ast.walk(tree):
        if not isinstance(comp, (ast.ListComp, ast.GeneratorExp)) or len(comp.generators) != 1:
            continue
        gen = comp.generators[0]
        if not (isinstance(gen.target, ast.Name) and _shape(gen.iter)) or gen.ifs:
            continue
        for n in ast.walk(comp.elt):
            if isinstance(n, ast.Attribute) and n.attr == "value" and isinstance(n.value, ast.Name) and \
                    n.value.id == gen.target.id:
                spans.append(((n.lineno, n.col_offset, n.end_lineno, n.end_col_offset), n.value.id))
    return spans
