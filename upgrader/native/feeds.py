"""Feed dicts kept in a name: `fd = {x: xb, y: yb}` ... `sess.run(loss, feed_dict=fd)`.

TF1 code often builds the feed dict once and passes it to several `sess.run` calls. In TF2
the placeholders are function parameters, so such a dict keeps its values under the
parameters' names, and each call reads the ones its function takes:

    fd = {x: xb, y: yb}                ->  fd = {"x": xb, "y": yb}
    sess.run(loss, feed_dict=fd)       ->  loss(fd["x"], fd["y"]).numpy()

A name is a feed dict when every binding of it in the file is a dict literal whose keys are
all placeholders. A call reads the keys of the literal bound last before it in the same block
or an enclosing one (`fd` reused for the test set further down); where that binding is not a
plain statement of such a block, only the keys that every literal has.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.naming import per_analysis, tree_nodes
from upgrader.native.rnn_states import elementwise

if TYPE_CHECKING:
    from .model import Program


def feed_dicts(prog: Program) -> dict[str, tuple[str, ...]]:
    """Feed-dict names -> the placeholders every one of their literals feeds (in the first literal's order)."""
    return per_analysis(prog, "_feed_dicts", lambda: _find(prog))


def reaching_keys(prog: Program, call: ast.AST, name: str) -> tuple[str, ...]:
    """The placeholders `call` reads from the feed dict `name` (see the module docstring)."""
    parents = per_analysis(prog, "_feed_parents", lambda: {
        id(c): p for p in tree_nodes(prog) for c in ast.iter_child_nodes(p)})
    node: ast.AST = call
    while id(node) in parents:
        parent = parents[id(node)]
        for block in ("body", "orelse", "finalbody"):
            stmts = getattr(parent, block, None)
            if not isinstance(stmts, list) or not any(s is node for s in stmts):
                continue
            for before in reversed(stmts[:next(i for i, s in enumerate(stmts) if s is node)]):
                binds = [n for n in ast.walk(before) if isinstance(n, ast.Name) and n.id == name
                         and isinstance(n.ctx, ast.Store)]
                if not binds:
                    continue
                keys = _placeholder_keys(prog, before.value) if isinstance(before, ast.Assign) and len(
                    before.targets) == 1 and before.targets[0] is binds[0] else None
                return keys if keys is not None else feed_dicts(prog)[name]
        node = parent
    return feed_dicts(prog)[name]


def feed_literal(prog: Program, node: ast.AST) -> bool:
    """`node` is a dict literal bound to a feed-dict name, or added to one by `fd.update({...})` (its keys become
    the parameters' names)."""
    return id(node) in per_analysis(prog, "_feed_literals", lambda: {
        id(n.value) for n in tree_nodes(prog) if isinstance(n, ast.Assign) and len(n.targets) == 1
        and isinstance(n.targets[0], ast.Name) and n.targets[0].id in feed_dicts(prog)} | {
        id(c.args[0]) for c in _updates(prog)})


def optional_keys(prog: Program, name: str) -> dict[str, str]:
    """Placeholders with a default that `fd.update({state: s})` may add to the feed dict `name` -> their defaults:
    a call reads them as `fd.get("state", default)`, whether or not the update ran."""
    return {(k.id if isinstance(k, ast.Name) else k.value.id): "None" if isinstance(k, ast.Subscript) else
            prog.entities[k.id].default for c in _updates(prog) if c.func.value.id == name for k in c.args[0].keys}


def _updates(prog: Program) -> list[ast.Call]:
    """`fd.update({p: v})` calls on a feed-dict name whose keys are all placeholders with a default value."""
    return per_analysis(prog, "_feed_updates", lambda: [
        n for n in tree_nodes(prog) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        and n.func.attr == "update" and isinstance(n.func.value, ast.Name) and n.func.value.id in feed_dicts(prog)
        and len(n.args) == 1 and not n.keywords and (_placeholder_keys(prog, n.args[0]) is not None
        and all(prog.entities[k.id].default for k in n.args[0].keys) or elementwise(prog, n) is not None)])


def feed_assignment(prog: Program, stmt: ast.stmt) -> bool:
    """`fd = {x: xb, y: yb}` as a statement of its own (the analysis keeps it with the session code)."""
    return isinstance(stmt, ast.Assign) and _placeholder_keys(prog, stmt.value) is not None


def key_edits(prog: Program, node: ast.Dict) -> list[tuple[ast.AST, str]]:
    """The literal's placeholder keys as strings: `{x: xb}` -> `{"x": xb}`; a state fed layer by layer whole:
    `{in_state[i]: state[i]}` -> `{"in_state": tuple(state)}` (native/rnn_states.py)."""
    return [e for k, v in zip(node.keys, node.values) for e in ([(k, f'"{k.id}"')] if isinstance(k, ast.Name) else [
        (k, f'"{k.value.id}"'), (v, f"tuple({v.value.id})")])]


def _placeholder_keys(prog: Program, value: ast.AST) -> tuple[str, ...] | None:
    if not (isinstance(value, ast.Dict) and value.keys and all(
            isinstance(k, ast.Name) and prog.kind(k.id) == "placeholder" for k in value.keys)):
        return None
    return tuple(k.id for k in value.keys)


def _find(prog: Program) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    other: set[str] = set()
    for node in tree_nodes(prog):
        if isinstance(node, ast.Assign) and any(not isinstance(t, ast.Name) for t in node.targets):
            other.update(n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            name, keys = node.targets[0].id, _placeholder_keys(prog, node.value)
            if keys is None:
                other.add(name)
            else:
                found[name] = tuple(k for k in found.get(name, keys) if k in keys)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name):
            other.add(node.target.id)
        elif isinstance(node, (ast.For, ast.comprehension)):
            other.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            other.update(a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg))
    return {n: k for n, k in found.items() if n not in other}
