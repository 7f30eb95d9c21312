"""Sessions disappear: `sess.run(fetches, feed_dict)` becomes calls of the fetched tensors' functions."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, call_text
from upgrader.native.model import DROPPED, INITS, Entity, Program
from upgrader.rules.native_functions import expression, is_constant


def _feed(prog: Program, call: ast.Call, edit: Editor, keyword: str) -> dict[str, str]:
    node = next((k.value for k in call.keywords if k.arg == keyword), None)
    if node is None and keyword == "feed_dict" and len(call.args) > 1:
        node = call.args[1]
    if node is None:
        return {}
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
    return fed


def _one(prog: Program, node: ast.expr, fed: dict[str, str], edit: Editor) -> str:
    """One fetched value as TF2 code (a NumPy value, as sess.run returned)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_one(prog, e, fed, edit) for e in node.elts]
        return ("[%s]" if isinstance(node, ast.List) else "(%s)") % (", ".join(items) + ("," if len(items) == 1 and isinstance(node, ast.Tuple) else ""))
    if isinstance(node, ast.Dict) and None not in node.keys:
        return "{" + ", ".join(f"{edit.text(k)}: {_one(prog, v, fed, edit)}" for k, v in zip(node.keys, node.values)) + "}"
    e = prog.entities.get(node.id) if isinstance(node, ast.Name) else None
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and prog.kind(n.id) in ("train", "optimizer", "init", "session"):
            raise Blocked(n.lineno, f"'{n.id}' fetched in a way native mode cannot follow")
    needed = e.params if e is not None else tuple(dict.fromkeys(
        p for n in ast.walk(node) if isinstance(n, ast.Name) and (x := prog.entities.get(n.id))
        for p in ((n.id,) if x.kind == "placeholder" else x.params)))
    missing = [p for p in needed if p not in fed]
    if missing:
        raise Blocked(node.lineno, f"sess.run at line {node.lineno} feeds no value for placeholder(s) {', '.join(missing)}")
    if e is not None and (e.kind == "variable" or is_constant(e)):
        return f"{e.name}.numpy()"
    if e is not None:
        return call_text(e, fed) + ".numpy()"
    text = expression(prog, node, edit, fed)
    return (text if isinstance(node, (ast.Call, ast.Name, ast.Attribute, ast.Subscript)) else f"({text})") + ".numpy()"


def fetch(prog: Program, call: ast.Call, fetches: ast.expr, fed: dict[str, str], edit: Editor) -> str:
    """`sess.run([train, loss], feed)` -> `[None, train(x, y).numpy()]` (the step returns its loss)."""
    train = [n for n in (fetches.elts if isinstance(fetches, (ast.List, ast.Tuple)) else [fetches])
             if isinstance(n, ast.Name) and prog.kind(n.id) == "train"]
    if not train:
        return _one(prog, fetches, fed, edit)
    t = prog.entities[train[0].id]
    missing = [p for p in t.params if p not in fed]
    if missing:
        raise Blocked(call.lineno, f"training step fed no value for placeholder(s) {', '.join(missing)}")
    step = call_text(t, fed)
    if fetches is train[0]:
        return step
    loss = t.stmt.value.args[0] if t.stmt.value.args else next(k.value for k in t.stmt.value.keywords if k.arg == "loss")
    rest = [n for n in fetches.elts if n is not train[0]]
    if len(train) > 1 or len(rest) != 1 or not (isinstance(rest[0], ast.Name) and isinstance(loss, ast.Name) and rest[0].id == loss.id):
        raise Blocked(call.lineno, "sess.run fetches a training op together with values other than its loss")
    items = ["None", step + ".numpy()"] if fetches.elts[0] is train[0] else [step + ".numpy()", "None"]
    return ("[%s]" if isinstance(fetches, ast.List) else "(%s)") % ", ".join(items)


class NativeSession(NativeRule):
    """Remove sessions and initialisers; each `sess.run` / `.eval` becomes a function call.

    with tf.Session() as sess:              ->  for epoch in range(3):
        sess.run(init)                              train_step(x, y)
        for epoch in range(3):                  c = loss(inputs, outputs).numpy()
            sess.run(train_step, {X: x, Y: y})
        c = sess.run(loss, {X: inputs, Y: outputs})
    """

    DESCRIPTION = "sessions and initialisers disappear; sess.run(fetches, feed_dict) -> calls returning NumPy values"
    KINDS = frozenset({"init", "session"})
    PRIORITY = 40

    def is_noop(self, prog: Program, stmt: ast.stmt) -> bool:
        """`sess.run(init)`, `init.run()`, `sess.close()`: statements TF2 does not need."""
        v = stmt.value if isinstance(stmt, ast.Expr) else None
        if not isinstance(v, ast.Call):
            return False
        if prog.call_key(v) in DROPPED:
            return True
        f, sess = v.func, prog.session_name
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == sess:
            if f.attr == "close":
                return True
            arg = v.args[0] if f.attr == "run" and v.args else None
            return arg is not None and (prog.call_key(arg) in INITS or (isinstance(arg, ast.Name) and prog.kind(arg.id) == "init"))
        return isinstance(f, ast.Attribute) and f.attr == "run" and not v.args and (
            prog.call_key(f.value) in INITS or (isinstance(f.value, ast.Name) and prog.kind(f.value.id) == "init"))

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is not None and entity.kind == "init":
            return ""
        if id(stmt) not in prog.session_stmts:
            return None
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if self.is_noop(prog, stmt):
            self.change("session bookkeeping (initialiser run / close) removed: TF2 variables are initialised when created")
            return ""
        edits: list[tuple[ast.AST, str]] = []
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in prog.entities:
                raise Blocked(node.lineno, f"'{node.id}' is reassigned after the graph is built")
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            f = node.func
            if isinstance(f.value, ast.Name) and f.value.id == prog.session_name and f.attr == "run" and node.args:
                edits.append((node, fetch(prog, node, node.args[0], _feed(prog, node, edit, "feed_dict"), edit)))
            elif f.attr == "eval" and isinstance(f.value, ast.Name) and prog.kind(f.value.id) in ("tensor", "variable"):
                if any(k.arg not in ("feed_dict",) for k in node.keywords) or node.args:
                    raise Blocked(node.lineno, f"{f.value.id}.eval with a session argument")
                edits.append((node, _one(prog, f.value, _feed(prog, node, edit, "feed_dict"), edit)))
        text = edit.with_edits(stmt, edits)
        covered = [edit.span(n) for n, _ in edits]
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and (node.id == prog.session_name or prog.kind(node.id) not in (None, "variable")):
                s, _ = edit.span(node)
                if not any(a <= s < b for a, b in covered):
                    raise Blocked(node.lineno, f"'{node.id}' is used outside sess.run (the session or a graph object "
                                               "escapes the analysis)")
        if edits:
            self.change(f"{len(edits)} sess.run/eval call(s) -> function calls")
        return _unpack(stmt, text, edits)


def _unpack(stmt: ast.stmt, text: str, edits: list) -> str:
    """`_, l = [None, step(x).numpy()]` -> `l = step(x).numpy()`: what a person would write."""
    if (isinstance(stmt, ast.Assign) and len(edits) == 1 and isinstance(t := stmt.targets[0], ast.Tuple) and len(t.elts) == 2
            and edits[0][0] is stmt.value and edits[0][1].startswith(("[None, ", "(None, "))
            and isinstance(t.elts[0], ast.Name) and t.elts[0].id == "_" and isinstance(t.elts[1], ast.Name)):
        return f"{t.elts[1].id} = {edits[0][1][len('[None, '):-1]}"
    if (isinstance(stmt, ast.Assign) and len(edits) == 1 and isinstance(stmt.targets[0], ast.Tuple)
            and edits[0][0] is stmt.value and isinstance(stmt.value.args[0], ast.List) and edits[0][1].startswith("[")):
        return text.replace(edits[0][1], edits[0][1][1:-1])   # `a, b = W.numpy(), b.numpy()`
    return text
