"""Sessions disappear: `sess.run(fetches, feed_dict)` becomes calls of the fetched tensors' functions."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.feeds import feed_literal, key_edits
from upgrader.native.fetch import _one, bind_once, feed, fetch
from upgrader.native.model import DROPPED, INITS, Entity, Program


PLAIN = (None, "variable", "saver", "writer", "varlist")   # graph-time objects that stay Python objects in TF2


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
            return arg is not None and (_initializer(prog, arg) or isinstance(arg, (ast.List, ast.Tuple)) and bool(
                arg.elts) and all(_initializer(prog, e) for e in arg.elts))   # a list of initialisers run at once
        return isinstance(f, ast.Attribute) and f.attr == "run" and not v.args and _initializer(prog, f.value)

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
        parents = {id(n.value): n for n in ast.walk(stmt) if isinstance(n, ast.Assign)}
        for node in ast.walk(stmt):
            # NOTE: a placeholder's name may be reused for data (`for i, x in enumerate(batches)`): in TF2 it is only
            # a parameter name, and a TF1 program that fed the rebound name afterwards would have failed anyway.
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and prog.kind(node.id) not in (None, "placeholder"):
                raise Blocked(node.lineno, f"'{node.id}' is reassigned after the graph is built")
            if isinstance(node, ast.Dict) and feed_literal(prog, node):
                edits += key_edits(prog, node)
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            f = node.func
            if isinstance(f.value, ast.Name) and f.value.id == prog.session_name and f.attr == "run" and node.args:
                fed = feed(prog, node, edit, "feed_dict")
                edits.append((node, bind_once(fetch(prog, node, node.args[0], fed, edit), fed, edit)))
                assign = parents.get(id(node))
                steps = {e.func for e in prog.entities.values() if e.kind == "train"}
                variables = {e.name for e in prog.entities.values() if e.kind == "variable"}
                if assign is not None and (pretty := _unpack(assign, edits[-1][1], steps, variables)) is not None:
                    edits.append((assign, pretty))
            elif (hook := next((t for r in edit.rules if (t := r.edit_call(prog, node, edit)) is not None), None)) is not None:
                edits.append((node, hook))
            elif f.attr == "run" and _evaluates_graph(prog, f.value, RUNS) and len(node.args) + len(node.keywords) <= 1 \
                    and all(k.arg == "feed_dict" for k in node.keywords):   # `step.run(feed)`: the default session's run
                call = ast.copy_location(ast.Call(f, [f.value, *node.args], node.keywords), node)
                fed = feed(prog, call, edit, "feed_dict")
                edits.append((node, bind_once(fetch(prog, call, f.value, fed, edit), fed, edit)))
            elif f.attr == "eval" and _evaluates_graph(prog, f.value):
                if any(k.arg not in ("feed_dict",) for k in node.keywords) or len(node.args) > 1:
                    raise Blocked(node.lineno, f"{edit.text(f.value)}.eval with a session argument")
                edits.append((node, _one(prog, f.value, feed(prog, node, edit, "feed_dict"), edit)))
        for line, note in edit.notes:
            self.ctx.line = line
            self.warn(note)
        edit.notes.clear()
        text = edit.with_edits(stmt, edits)
        if isinstance(stmt, ast.Expr) and edits and edits[0][0] is stmt.value and text.endswith(".numpy()"):
            text = text[:-len(".numpy()")]   # a value fetched only for its effect (an assign op) needs no NumPy copy
        covered = [edit.span(n) for n, _ in edits]
        reused = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id not in reused and (
                    node.id == prog.session_name or prog.kind(node.id) not in PLAIN):
                s, _ = edit.span(node)
                if not any(a <= s < b for a, b in covered):
                    raise Blocked(node.lineno, f"'{node.id}' is used outside sess.run (the session or a graph object "
                                               "escapes the analysis)")
        if edits:
            self.change(f"{len(edits)} sess.run/eval call(s) -> function calls")
        return text


RUNS = ("train", "steps", "tensor")   # `op.run()`: a training op, or an op (tf.group, an assign) kept as a tensor


def _evaluates_graph(prog: Program, value: ast.expr, kinds: tuple[str, ...] = ("tensor", "variable")) -> bool:
    """`loss.eval()` or `net['relu4_2'].eval()`: a tensor, a variable, or an element of a container of them."""
    while isinstance(value, ast.Subscript):
        value = value.value
    return isinstance(value, ast.Name) and prog.kind(value.id) in kinds


def _initializer(prog: Program, op: ast.expr) -> bool:
    """`init`, `tf.global_variables_initializer()`, `W.initializer`: TF2 variables are initialised when created."""
    if prog.call_key(op) == "tf.group" and op.args and not op.keywords:   # tf.group(global_..., local_...)
        return all(_initializer(prog, a) for a in op.args)
    return prog.call_key(op) in INITS or isinstance(op, ast.Name) and prog.kind(op.id) == "init" or (
        isinstance(op, ast.Attribute) and op.attr == "initializer" and isinstance(op.value, ast.Name)
        and prog.kind(op.value.id) == "variable")


def _unpack(node: ast.AST, fetched: str, steps: set[str] = frozenset(), variables: set[str] = frozenset()) -> str | None:
    """`_, l = sess.run([step, loss])` -> `l = step(x).numpy()`; `a, b = sess.run([W, b])` -> `a, b = W.numpy(), b.numpy()`."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(t := node.targets[0], ast.Tuple)
            and all(isinstance(e, ast.Name) for e in t.elts) and fetched.startswith("[")):
        return None
    names = [e.id for e in t.elts]
    values = ast.parse(fetched, mode="eval").body
    at = next((i for i, v in enumerate(getattr(values, "elts", [])) if any(
        isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in steps for c in ast.walk(v))), None)
    before = [v for n, v in zip(names[:at or 0], getattr(values, "elts", [])) if n != "_"]
    if at and len(values.elts) == len(names) and names[at] != "_" and before and all(   # only variable reads move
            isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr == "numpy"
            and isinstance(v.func.value, ast.Name) and v.func.value.id in variables for v in before):
        # NOTE: the step runs first, as TF1 updated the variables it fetched beside it (global_step reads 1 after step 1)
        rest = [(n, ast.unparse(v)) for i, (n, v) in enumerate(zip(names, values.elts)) if i != at and n != "_"]
        first = f"{names[at]} = {ast.unparse(values.elts[at])}"
        pad = "\n" + " " * node.col_offset
        return first + ("" if not rest else pad + f"{', '.join(n for n, _ in rest)} = {', '.join(v for _, v in rest)}")
    if len(names) == 2 and names[0] == "_" and fetched.startswith("[None, "):
        return f"{names[1]} = {fetched[len('[None, '):-1]}"
    return f"{', '.join(names)} = {fetched[1:-1]}"
