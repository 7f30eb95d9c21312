"""Where a flat TF1 script opens its session and which statements run graph values.

    session_target(prog, stmt)  ->  'sess' for `with tf.Session() as sess:` or `sess = tf.Session()`
    runs_graph(prog, stmt)      ->  True for `print(sess.run(loss, fd))`, `acc.eval()`, `init.run()`
    later_session(prog, stmt, n) ->  True when a second, third... session can be followed (resets respelled)
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.naming import per_analysis
from upgrader.native.session_copies import session_copies
from upgrader.native.shapes import only_shapes

if TYPE_CHECKING:
    from upgrader.native.model import Program

SESSIONS = frozenset({"tf.Session", "tf.InteractiveSession"})


def session_target(prog: Program, stmt: ast.stmt) -> str | None:
    """`with tf.Session() as sess:` / `sess = tf.Session()` -> 'sess'."""
    if isinstance(stmt, ast.With) and len(stmt.items) == 1:
        item = stmt.items[0]
        if prog.call_key(item.context_expr) in SESSIONS and isinstance(item.optional_vars, ast.Name):
            return item.optional_vars.id
    if isinstance(stmt, ast.Assign) and prog.call_key(stmt.value) in SESSIONS:
        t = stmt.targets
        if len(t) == 1 and isinstance(t[0], ast.Name):
            return t[0].id
    return None


def runs_graph(prog: Program, stmt: ast.stmt) -> bool:
    """`stmt` uses the session (`sess.run(...)`, `sess.graph`) or evaluates a graph object (`loss.eval()`)."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and node.id == prog.session_name:
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("eval", "run") and (
                prog.call_key(node.value) is not None
                or isinstance(node.value, ast.Name) and prog.kind(node.value.id) is not None
                or _variable_initializer(prog, node.value)):   # `W.initializer.run()` under an InteractiveSession
            return True
    return False


def _variable_initializer(prog: Program, node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "initializer" and isinstance(node.value, ast.Name) \
        and prog.kind(node.value.id) == "variable"


def graph_in_session(prog: Program, stmt: ast.stmt, is_tf, plain_tf) -> bool:
    """`noise = tf.placeholder(...)` / `decoder = tf.matmul(noise, W)` in the session's block: a graph value built
    there (a sampler after training) without running anything, as it would be at module level. A Saver made
    there is one too (it saves the variables made before it), and so is an op built from graph objects alone
    (`assign = emb.assign(h)`, run later in the block)."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)) \
            or runs_graph(prog, stmt) or prog.call_key(stmt.value) == "tf.summary.FileWriter":
        return False
    if not is_tf(prog, stmt.value):   # NOTE: a call or an operator only: a feed dict or a list of fetches is session code
        graph = [n for n in ast.walk(stmt.value) if isinstance(n, ast.Name)
                 and prog.kind(n.id) not in (None, "session", "writer", "saver")]
        return isinstance(stmt.value, (ast.Call, ast.BinOp, ast.UnaryOp)) and bool(graph) \
            and not only_shapes(prog, stmt.value)
    return not plain_tf(prog, stmt.value)


def block_statement(prog: Program, stmt: ast.stmt, fetched: set[str], is_tf, plain_tf) -> str:
    """What a statement of the session's `with` block is: 'graph' (graph code, see `graph_in_session`),
    'shapes' (plain Python reading static shapes, `dims = (len(x_test), h.get_shape()[1].value)`), or
    'session' (session code). A value built from what the block fetched stays session code, except a
    tf.Variable, which keeps its place and is initialised from those values (an embedding to save)."""
    value = getattr(stmt, "value", None)
    if graph_in_session(prog, stmt, is_tf, plain_tf) and (
            not {n.id for n in ast.walk(value) if isinstance(n, ast.Name)} & fetched
            or prog.call_key(value) == "tf.Variable"):
        return "graph"
    if isinstance(stmt, ast.Assign) and not runs_graph(prog, stmt) and only_shapes(prog, value):
        return "shapes"
    return "session"


def later_session(prog: Program, stmt: ast.stmt, name: str) -> bool:
    """A Session opened after the first one: True when native code follows it (see `reinitialised`); False when
    it blocks the file, or when nothing uses it.

    Sessions one after another are one program in TF2, with one variable state. That is TF1's meaning too, except
    that each TF1 session starts with uninitialised variables: a later session's initialiser run gives the
    variables their initial values again. Variables nothing has changed still hold them; the changed ones are
    assigned their initial values explicitly, in the TF1 source, and the file is analysed again:

        sess.run(init)   ->   sess.run([W.assign(10), b.assign(tf.zeros([3]))])

    Sessions open at the same time (`sess1.run(...)` after `sess2 = tf.Session()`) have separate states: the
    second one runs on copies of the variables it names (native/session_copies.py).
    A later session named differently is spelled with the first one's name.
    """
    blocked = per_analysis(prog, "_sessions_blocked", list)
    if blocked:   # NOTE: no renaming after that: this pass's reasons must stay the next pass's reasons
        return False
    body = prog.tree.body
    at = body.index(stmt)
    if not isinstance(stmt, ast.With) and not any(isinstance(n, ast.Name) and n.id == name for s in _until_bound(
            body[at + 1:], name) for n in ast.walk(s)):
        return False   # a session nothing uses runs nothing: its statement is dropped like the others
    scope = stmt.body if isinstance(stmt, ast.With) else _until_next_session(prog, body[at + 1:])
    first = prog.session_name
    if first is not None and first != name:
        if any(isinstance(n, ast.Name) and n.id == first for s in _until_bound(body[at + 1:], first) for n in ast.walk(s)):
            if not session_copies(prog, stmt, name, first):   # its own copies of the variables (native/session_copies.py)
                blocked.append(stmt)
            return False   # NOTE: its statement goes; its runs are spelled with the first session's name
        named = [stmt] if isinstance(stmt, ast.With) else [stmt, *_until_bound(body[at + 1:], name)]
        later = next((s for s in named[1:] if session_target(prog, s) not in (None, name)), None)
        if later is not None and any(isinstance(n, ast.Name) and n.id == name for s in named[named.index(later) + 1:]
                                     for n in ast.walk(s)):   # this one is used while the next one is open
            if not session_copies(prog, later, session_target(prog, later), first):
                blocked.append(stmt)
                return False
        spots = [n for s in named for n in ast.walk(s) if isinstance(n, ast.Name) and n.id == name]
        from upgrader.native.rebind_data import Respell
        prog.rebound.append(Respell(tuple((n.lineno, n.col_offset, n.end_col_offset) for n in spots), first))
        return True
    before = next(s for s in reversed(body[:at]) if session_target(prog, s) is not None)
    return reinitialised(prog, scope, name, before.end_lineno if isinstance(before, ast.With) else stmt.lineno)


def _until_bound(stmts: list[ast.stmt], name: str) -> list[ast.stmt]:
    """The statements in which `name` still means what it means before them (up to its next binding)."""
    from upgrader.native.rebind_data import stored_names
    return next((stmts[:i] for i, s in enumerate(stmts) if name in stored_names(s)), stmts)


def _until_next_session(prog: Program, stmts: list[ast.stmt]) -> list[ast.stmt]:
    return next((stmts[:i] for i, s in enumerate(stmts) if session_target(prog, s) is not None), stmts)


def reinitialised(prog: Program, scope: list[ast.stmt], sess: str, ran: int) -> bool:
    """Respell each initialiser run in `scope` that must reset changed variables (`later_session`); False if blocked.

    Only variables made before line `ran` (where the previous session stopped running) can have been changed.
    """
    from upgrader.native.rebind_data import Respell
    changed = {v: why for v, why in _changed(prog, ran).items() if prog.entities[v].stmt.lineno < ran}
    alone = {id(n.value) for s in scope for n in ast.walk(s) if isinstance(n, ast.Expr)}
    for node in (n for s in scope for n in ast.walk(s)):
        targets = _initialised(prog, node, sess)
        if targets is None:
            continue
        reset = [v for v in targets if v in changed]
        if not reset:
            continue   # nothing changed them: they still hold their initial values (the run is dropped)
        why = next((w for v in reset if (w := changed[v] or _restate(prog, v)[1])), None)
        if why is not None or node.lineno != node.end_lineno:
            prog.block(node, f"a later session re-initialises '{reset[0]}', which an earlier one changed: "
                             f"{why or 'write the initialiser run on one line'}")
            return False
        runs = [f"{sess}.run({prog.entities[v].name}.assign({_restate(prog, v)[0]}))" for v in reset]
        if id(node) in alone:   # a statement of its own: one assign statement per variable
            indent = prog.source.splitlines()[node.lineno - 1].encode("utf-8")[:node.col_offset].decode("utf-8")
            text = ("\n" + indent).join(runs)
        else:
            text = f"{sess}.run([{', '.join(r[len(sess) + 5:-1] for r in runs)}])"
        pending_resets(prog).append(Respell(((node.lineno, node.col_offset, node.end_col_offset),), text))
    return True


def pending_resets(prog: Program) -> list:
    """The initialiser runs to respell; applied only in a pass with no other rename (names must be final)."""
    return per_analysis(prog, "_pending_resets", list)


def _initialised(prog: Program, node: ast.AST, sess: str) -> list[str] | None:
    """The variables an initialiser run resets: `sess.run(init)`, `init.run()`, `sess.run(W.initializer)`."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or node.func.attr != "run":
        return None
    f = node.func
    if isinstance(f.value, ast.Name) and f.value.id == sess:
        op = node.args[0] if len(node.args) == 1 and not node.keywords else None
    else:
        op = f.value if not node.args and not node.keywords else None
    if isinstance(op, (ast.List, ast.Tuple)) and op.elts:   # `sess.run([W.initializer, b.initializer])`
        parts = [_reset_by(prog, e) for e in op.elts]
        return None if any(p is None for p in parts) else list(dict.fromkeys(v for p in parts for v in p))
    return _reset_by(prog, op)


def _reset_by(prog: Program, op: ast.expr | None) -> list[str] | None:
    """The variables one initialiser op resets (`init`, `tf.global_variables_initializer()`, `W.initializer`)."""
    if op is None:
        return None
    if prog.call_key(op) in ("tf.global_variables_initializer", "tf.initialize_all_variables",
                             "tf.initializers.global_variables") or isinstance(op, ast.Name) and prog.kind(op.id) == "init":
        return [k for k, e in prog.entities.items() if e.kind == "variable" and not e.alias]
    if isinstance(op, ast.Attribute) and op.attr == "initializer" and isinstance(op.value, ast.Name):
        key = prog.chains[op.value.id].keys[-1] if op.value.id in prog.chains else op.value.id
        return [key] if prog.kind(key) == "variable" else None
    return None


def _changed(prog: Program, ran: int) -> dict[str, str | None]:
    """Variables some op writes (train op, assign), each with the reason a reset cannot be restated, or None.

    A train op made at or after line `ran` did not exist while the earlier sessions ran: its optimizer's state
    starts with the later session (a style-transfer loss built on features fetched by an earlier session)."""
    out: dict[str, str | None] = {}
    for key, e in prog.entities.items():
        if e.kind == "train" and e.stmt.lineno < ran:
            opt = _optimizer(prog, e.stmt)
            slots = None if opt == "tf.train.GradientDescentOptimizer" else (
                f"its optimizer ({opt or 'not followed'}) keeps per-variable state that TF1 resets too")
            for v in _variables(prog, key):
                out[v] = out.get(v) or slots
    for node in ast.walk(prog.tree):
        if not isinstance(node, ast.Call):
            continue
        target = None
        if isinstance(node.func, ast.Attribute) and node.func.attr.startswith(("assign", "scatter_")):
            target = node.func.value
        elif prog.call_key(node) in ("tf.assign", "tf.assign_add", "tf.assign_sub") and node.args:
            target = node.args[0]
        if isinstance(target, ast.Name) and prog.kind(target.id) == "variable":
            out.setdefault(target.id, None)
    return out


def _variables(prog: Program, key: str) -> set[str]:
    seen, todo = set(), [key]
    while todo:
        k = todo.pop()
        if k not in seen and k in prog.entities:
            seen.add(k)
            todo += prog.entities[k].deps
    return {k for k in seen if prog.kind(k) in ("variable", "layer")}


def _optimizer(prog: Program, stmt: ast.stmt) -> str | None:
    """'tf.train.AdamOptimizer' for `opt.minimize(loss)` / `tf.train.AdamOptimizer(0.1).minimize(loss)`."""
    call = getattr(stmt, "value", None)
    recv = call.func.value if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) else None
    if isinstance(recv, ast.Name) and recv.id in prog.entities:
        recv = getattr(prog.entities[recv.id].stmt, "value", None)
    return prog.call_key(recv)


def _restate(prog: Program, key: str) -> tuple[str, str | None]:
    """The source of variable `key`'s initial value, or the reason there is none to restate."""
    e = prog.entities[key]
    call = getattr(e.stmt, "value", None)
    if e.kind == "layer" or prog.call_key(call) != "tf.Variable":
        return "", f"'{e.name}' is not made by tf.Variable(<initial value>), so native mode cannot restate its value"
    init = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "initial_value"), None)
    if init is None or any(isinstance(n, ast.Name) and n.id in prog.entities for n in ast.walk(init)):
        return "", f"'{e.name}''s initial value reads other graph values"
    if key != e.name or (e.name in prog.chains and prog.chains[e.name].keys[-1] != key):
        return "", f"'{e.name}' has been bound again since, so its earlier variable has no name to assign"
    return ast.get_source_segment(prog.source, init) or "", None
