"""A helper's returned static-shape number, written at the call as the shape read it is.

Tutorial helpers return a tensor together with a Python number read from a static shape
(`return layer_flat, num_features` where `num_features = layer.get_shape()[1:4].num_elements()`).
In TF1 that number is a plain int, fixed while the graph is built; unpacked at module level,
native mode would take it for a graph tensor (it comes out of a call on one). Substituting the
helper's own expression for its parameters gives the same int in TF1, as a static-shape read that
native mode traces (native/shapes.py, rules/native_static_shape.py):

    layer_flat, num_features = flatten_layer(layer_conv1)
    ->  layer_flat, num_features = flatten_layer(layer_conv1)[0], layer_conv1.get_shape()[1:4].num_elements()

which native/unpack.py then splits into one statement per name. An element qualifies when, after
substituting the helper's single-assignment locals, every name it reads is a parameter read only
through `p.get_shape()` / `p.shape`, and the parameter is given a plain name. The call stays for the
other elements (it may create variables), so only tuple unpackings that keep a graph element change.

    static_return_spans(tree, source) -> [((line, col, end_line, end_col), new text)]
"""
from __future__ import annotations

import ast
import copy
from typing import Callable

from upgrader.native.shapes import shape_read


def _static_elements(fn: ast.FunctionDef) -> dict[int, ast.expr]:
    """{index: expression over parameter shape reads} for the elements of `fn`'s one returned tuple."""
    body = fn.body
    if not body or not isinstance(body[-1], ast.Return) or not isinstance(body[-1].value, ast.Tuple):
        return {}
    if sum(isinstance(n, ast.Return) for n in ast.walk(fn)) != 1 or fn.args.vararg or fn.args.kwarg:
        return {}
    params = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
    stores: dict[str, int] = {}
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            stores[n.id] = stores.get(n.id, 0) + 1
    local: dict[str, ast.expr] = {}   # names bound once, by a top-level `name = value` before the return
    for s in body[:-1]:
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) \
                and stores[s.targets[0].id] == 1 and s.targets[0].id not in params:
            local[s.targets[0].id] = s.value
    out = {}
    for i, elt in enumerate(body[-1].value.elts):
        expr = _resolve(elt, local, params, stores, 0)
        if expr is not None and any(shape_read(n) is not None for n in ast.walk(expr)):
            out[i] = expr
    return out


def _resolve(node: ast.expr, local: dict[str, ast.expr], params: set[str], stores: dict[str, int],
             depth: int) -> ast.expr | None:
    """`node` with locals substituted, if every name left is a parameter inside a shape read; else None."""
    if depth > 20 or isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Starred)) or any(
            isinstance(n, (ast.Lambda, ast.NamedExpr, ast.comprehension)) for n in ast.walk(node)):
        return None
    node = copy.deepcopy(node)
    reads = {id(shape_read(n)) for n in ast.walk(node) if shape_read(n) is not None}
    holders: list[tuple[ast.AST, str, ast.Name]] = []
    for parent in ast.walk(node):
        for field, value in ast.iter_fields(parent):
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.Name):
                    holders.append((parent, field, child))
    if isinstance(node, ast.Name):
        holders.append((None, "", node))
    for parent, field, name in holders:
        if name.id in params and id(name) in reads and stores.get(name.id, 0) == 0:
            continue
        if name.id not in local:
            return None
        inner = _resolve(local[name.id], local, params, stores, depth + 1)
        if inner is None:
            return None
        if parent is None:
            return inner
        value = getattr(parent, field)
        setattr(parent, field, [inner if v is name else v for v in value] if isinstance(value, list) else inner)
    return node


def _bind(call: ast.Call, fn: ast.FunctionDef) -> dict[str, ast.expr] | None:
    """Parameter -> argument of `call` (defaults included); None for *args/**kwargs or a missing argument."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    positional = fn.args.posonlyargs + fn.args.args
    if len(call.args) > len(positional):
        return None
    given = {p.arg: a for p, a in zip(positional, call.args)} | {k.arg: k.value for k in call.keywords}
    defaults = dict(zip([p.arg for p in positional][len(positional) - len(fn.args.defaults):], fn.args.defaults))
    defaults |= {p.arg: d for p, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is not None}
    return {p.arg: given.get(p.arg, defaults.get(p.arg)) for p in positional + fn.args.kwonlyargs}


def static_return_spans(tree: ast.Module, source: Callable[[ast.AST], str]) -> list:
    """The edits of the module docstring, for module-level `a, b = helper(...)` statements."""
    helpers = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef) and not s.decorator_list}
    rebound = {t.id for s in tree.body if not isinstance(s, ast.FunctionDef)
               for n in ast.walk(s) for t in [n] if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    spans = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple)
                and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name)):
            continue
        fn = helpers.get(stmt.value.func.id)
        names = stmt.targets[0].elts
        if fn is None or fn.name in rebound or not all(isinstance(n, ast.Name) for n in names):
            continue
        static = _static_elements(fn)
        args = _bind(stmt.value, fn)
        if not static or args is None or len(fn.body[-1].value.elts) != len(names):
            continue
        texts, changed = [], False
        for i, target in enumerate(names):
            expr = static.get(i) if target.id != "_" else None
            text = _substitute(expr, args) if expr is not None else None
            changed |= text is not None
            texts.append(text or f"{source(stmt.value)}[{i}]")
        kept = [t for i, t in enumerate(texts) if names[i].id != "_" and i not in static]
        if changed and kept:
            v = stmt.value
            spans.append(((v.lineno, v.col_offset, v.end_lineno, v.end_col_offset), ", ".join(texts)))
    return spans


class _DropValue(ast.NodeTransformer):
    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        inner = node.value
        if node.attr == "value" and isinstance(inner, ast.Subscript) and not isinstance(inner.slice, ast.Slice) \
                and shape_read(inner.value) is not None:
            return inner
        return node


def _substitute(expr: ast.expr, args: dict[str, ast.expr]) -> str | None:
    """`expr` with each parameter replaced by its argument, which must be a plain name; None otherwise.
    A dimension's `.value` goes as native/dimension_values.py drops it (TF2's shapes hold ints)."""
    expr = _DropValue().visit(copy.deepcopy(expr))
    for n in ast.walk(expr):
        if isinstance(n, ast.Name) and n.id in args:
            arg = args[n.id]
            if not isinstance(arg, ast.Name):
                return None
            n.id = arg.id
    return ast.unparse(expr)
