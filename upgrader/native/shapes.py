"""Static shapes read while the graph is built: `h1.get_shape()`, `x.shape`, outside any session.

TF1 knew a tensor's static shape as soon as the graph was built; TF2 learns it by
tracing the tensor's function on its placeholders' specs. The analysis lets these
reads through (every other use of a graph tensor outside sess.run still blocks) and
`rules/native_static_shape.py` rewrites them:

    print(h1.get_shape())  ->  print(tf.function(h1).get_concrete_function(tf.TensorSpec([None, 8, 8, 1], tf.float32)).output_shapes)
"""
from __future__ import annotations

import ast

SHAPE_KINDS = ("placeholder", "tensor")


def shape_read(node: ast.AST) -> ast.Name | None:
    """The tensor name of `t.get_shape()` or `t.shape` (the whole read is `node`), else None."""
    if isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "get_shape" and isinstance(node.func.value, ast.Name):
        return node.func.value
    if isinstance(node, ast.Attribute) and node.attr == "shape" and isinstance(node.value, ast.Name) \
            and isinstance(node.ctx, ast.Load):
        return node.value
    return None


def shape_reads(prog, stmt: ast.stmt) -> list[tuple[ast.AST, str]]:
    """(read node, tensor name) for each static-shape read of a placeholder or graph tensor in `stmt`."""
    return [(n, name.id) for n in ast.walk(stmt) if (name := shape_read(n)) is not None
            and prog.kind(name.id) in SHAPE_KINDS]


def only_shapes(prog, value: ast.expr) -> bool:
    """`dims = (n, h.get_shape()[1])`: graph values appear only through static-shape reads and no TensorFlow
    call is made, so the value is plain Python, which TF1 computed once while building the graph."""
    reads = [n for n in ast.walk(value) if (name := shape_read(n)) is not None and prog.kind(name.id) in SHAPE_KINDS]
    inside = {id(m) for n in reads for m in ast.walk(n)}
    rest = [n for n in ast.walk(value) if id(n) not in inside and isinstance(n, (ast.Name, ast.Attribute))]
    return bool(reads) and all(_traceable(prog, shape_read(n).id) for n in reads) and not any(
        isinstance(n, ast.Name) and prog.kind(n.id) or prog.key(n) is not None for n in rest)


def _traceable(prog, name: str) -> bool:
    """rules/native_static_shape.py can trace the tensor's shape from its placeholders' specs: none of them is a
    Python flag or a dataset element passed as it comes (the value then stays a function of the inputs)."""
    seen, todo = set(), [name]
    while todo:   # NOTE: by dependencies: the tensor's parameters are resolved after the whole module is read
        e = prog.entities.get(n := todo.pop())
        if n in seen or e is None:
            continue
        seen.add(n)
        if n in prog.flags or (e.value and e.kind != "placeholder"):
            return False
        todo += list(e.deps)
    return True
