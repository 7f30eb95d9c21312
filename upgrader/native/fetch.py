"""Fetch conversion: what `sess.run(fetches, feed_dict)` returns, written as TF2 calls.

    fetch(prog, call, fetches, fed, edit)  ->  '[None, train_step(x, y).numpy()]'
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, call_text
from upgrader.native.datasets import bound
from upgrader.native.feeds import feed_dicts
from upgrader.native.gradients import minimized_loss
from upgrader.native.model import Program
from upgrader.rules.native_functions import expression, is_constant


def feed(prog: Program, call: ast.Call, edit: Editor, keyword: str) -> dict[str, str]:
    node = next((k.value for k in call.keywords if k.arg == keyword), None)
    if node is None and keyword == "feed_dict" and len(call.args) > 1:
        node = call.args[1]
    elements = bound(prog)   # get_next() elements: bound by the for loop or next() that native_dataset writes
    if node is None:
        return elements
    if isinstance(node, ast.Name) and node.id in feed_dicts(prog):
        return elements | {p: f'{node.id}["{p}"]' for p in feed_dicts(prog)[node.id]}
    if not isinstance(node, ast.Dict) or None in node.keys:
        raise Blocked(call.lineno, "feed_dict is not a literal dict, so the fed placeholders cannot be followed")
    by_graph_name = {edit.graph_name(e): e.name for e in prog.entities.values() if e.kind == "placeholder"}
    fed: dict[str, str] = {}
    for k, v in zip(node.keys, node.values):
        name = k.id if isinstance(k, ast.Name) else by_graph_name.get(k.value.split(":")[0]) if (
            isinstance(k, ast.Constant) and isinstance(k.value, str)) else None
        if name is None or prog.kind(name) != "placeholder":
            raise Blocked(k.lineno, f"feed_dict key {edit.text(k)} is not a placeholder native mode can follow")
        fed[name] = edit.text(v)
    return elements | fed


def _one(prog: Program, node: ast.expr, fed: dict[str, str], edit: Editor) -> str:
    """One fetched value as TF2 code (a NumPy value, as sess.run returned)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_one(prog, e, fed, edit) for e in node.elts]
        return ("[%s]" if isinstance(node, ast.List) else "(%s)") % (", ".join(items) + ("," if len(items) == 1 and isinstance(node, ast.Tuple) else ""))
    if isinstance(node, ast.Dict) and None not in node.keys:
        return "{" + ", ".join(f"{edit.text(k)}: {_one(prog, v, fed, edit)}" for k, v in zip(node.keys, node.values)) + "}"
    e = prog.entities.get(node.id) if isinstance(node, ast.Name) else None
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and prog.kind(n.id) in ("train", "optimizer", "init", "session", "saver", "writer", "layer", "gradients"):
            raise Blocked(n.lineno, f"'{n.id}' fetched in a way native mode cannot follow")
    needed = e.params if e is not None else tuple(dict.fromkeys(
        p for n in ast.walk(node) if isinstance(n, ast.Name) and (x := prog.entities.get(n.id))
        for p in ((n.id,) if x.kind == "placeholder" else x.params)))
    missing = [p for p in needed if p not in fed and not prog.entities[p].default]
    if missing:
        raise Blocked(node.lineno, f"sess.run at line {node.lineno} feeds no value for placeholder(s) {', '.join(missing)}")
    if e is not None and e.kind == "summary":
        return call_text(e, fed, prog)   # the values to write; add_summary writes them
    if e is not None and e.value:
        return f"{e.value}.numpy()"
    if e is not None and (e.kind == "variable" or is_constant(e)):
        return f"{e.name}.numpy()"
    if e is not None and e.kind == "varlist" and isinstance(e.stmt.value, ast.Dict):
        return f"{{k: v.numpy() for k, v in {e.name}.items()}}"
    if e is not None and e.kind == "varlist":
        return f"[v.numpy() for v in {e.name}]"
    if e is not None:
        return call_text(e, fed, prog) + ".numpy()"
    text = expression(prog, node, edit, fed)
    return (text if isinstance(node, (ast.Call, ast.Name, ast.Attribute, ast.Subscript)) else f"({text})") + ".numpy()"


def fetch(prog: Program, call: ast.Call, fetches: ast.expr, fed: dict[str, str], edit: Editor) -> str:
    """`sess.run([train, loss], feed)` -> `[None, train(x, y).numpy()]` (the step returns its loss)."""
    fetched = {n.id for n in ast.walk(fetches) if isinstance(n, ast.Name) and n.id in prog.entities}
    for name in fetched:
        if both := sorted(_runs_first(prog, name, set()) & fetched):
            raise Blocked(call.lineno, f"sess.run fetches {', '.join(both)} and '{name}', which depends on it by "
                                       "control_dependencies: TF1 runs it once, separate TF2 calls would run it twice")
    train = [n for n in (fetches.elts if isinstance(fetches, (ast.List, ast.Tuple)) else [fetches])
             if isinstance(n, ast.Name) and prog.kind(n.id) == "train"]
    if not train:
        return _one(prog, fetches, fed, edit)
    t = prog.entities[train[0].id]
    missing = [p for p in t.params if p not in fed and not prog.entities[p].default]
    if missing:
        raise Blocked(call.lineno, f"training step fed no value for placeholder(s) {', '.join(missing)}")
    step = call_text(t, fed, prog)
    if fetches is train[0]:
        return step
    loss = minimized_loss(prog, t)
    rest = [n for n in fetches.elts if n is not train[0]]
    if len(train) > 1 or len(rest) != 1 or not (isinstance(rest[0], ast.Name) and isinstance(loss, ast.Name) and rest[0].id == loss.id):
        raise Blocked(call.lineno, "sess.run fetches a training op together with values other than its loss")
    items = ["None", step + ".numpy()"] if fetches.elts[0] is train[0] else [step + ".numpy()", "None"]
    return ("[%s]" if isinstance(fetches, ast.List) else "(%s)") % ", ".join(items)


def _runs_first(prog: Program, name: str, seen: set[str]) -> set[str]:
    """Every op `name`'s function calls first (control_dependencies), through its whole dependency chain."""
    e = prog.entities[name]
    out = set(e.first)
    for d in e.deps:
        if d not in seen:
            seen.add(d)
            out |= _runs_first(prog, d, seen)
    return out
