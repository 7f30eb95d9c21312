"""`with tf.variable_scope("conv1") as scope:` whose `scope` only gives `scope.name`: the name spelled out.

    with tf.variable_scope("conv1") as scope:              with tf.variable_scope("conv1"):
        conv1 = tf.nn.relu(z, name=scope.name)       ->        conv1 = tf.nn.relu(z, name="conv1")

TF1's `scope.name` is the scope's full path ("outer/conv1" inside `variable_scope("outer")`), known
statically here, so the analysis can flatten the block like any other variable_scope. Scopes inside
functions are the tf.Module rule's (`scope.name` -> `self.name`); other uses of the scope object
(`scope.reuse_variables()`, re-entering it) are left to the analysis, which blocks them.
"""
from __future__ import annotations

import ast

Span = tuple[tuple[int, int, int, int], str]


def scope_names(tree: ast.Module, aliases: dict[str, str]) -> list[Span]:
    """The edits (span, new text) that spell out `scope.name` of module-level variable_scopes."""
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    bound: dict[int, str] = {}     # id(load of a scope alias) -> the full path it names
    withs: dict[str, list[ast.With]] = {}

    def visit(body: list[ast.stmt], path: str, env: dict[str, str]) -> None:
        for stmt in body:
            name = _scope_name(stmt.items[0].context_expr, aliases) if isinstance(stmt, ast.With) and len(
                stmt.items) == 1 else None
            if name is None:
                bound.update({id(n): env[n.id] for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id in env})
                continue
            full = f"{path}/{name}" if path else name
            alias = stmt.items[0].optional_vars
            inner = dict(env)
            if isinstance(alias, ast.Name):
                inner[alias.id] = full
                withs.setdefault(alias.id, []).append(stmt)
            visit(stmt.body, full, inner)

    visit(tree.body, "", {})
    out: list[Span] = []
    for alias, stmts in withs.items():
        uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == alias and isinstance(n.ctx, ast.Load)]
        attrs = [parents.get(id(u)) for u in uses]
        if any(id(u) not in bound for u in uses) or not all(
                isinstance(a, ast.Attribute) and a.attr == "name" for a in attrs) or sum(
                isinstance(n, ast.Name) and n.id == alias and not isinstance(n.ctx, ast.Load)
                for n in ast.walk(tree)) != len(stmts):
            continue   # used as an object, outside its blocks, or bound elsewhere too: the analysis blocks it
        for w in stmts:
            expr, var = w.items[0].context_expr, w.items[0].optional_vars
            out.append(((expr.end_lineno, expr.end_col_offset, var.end_lineno, var.end_col_offset), ""))
        out += [((a.lineno, a.col_offset, a.end_lineno, a.end_col_offset), repr(bound[id(u)])) for u, a in zip(uses, attrs)]
    return out


def _scope_name(call: ast.expr, aliases: dict[str, str]) -> str | None:
    """"conv1" for `tf.variable_scope("conv1")` / `tf.compat.v1.variable_scope("conv1", ...)`, else None."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "variable_scope"):
        return None
    root = call.func.value
    while isinstance(root, ast.Attribute):
        root = root.value
    if not (isinstance(root, ast.Name) and aliases.get(root.id) == "tensorflow"):
        return None
    first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name_or_scope"), None)
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
