"""Two TF1 sessions open at once on one graph: the second one's variables become copies of their own.

Each TF1 session holds its own value of every variable. A session opened while another is still
in use therefore runs on a second copy of the variables; in TF2, with one variable state, that copy
is a second `tf.Variable` made like the first. The second session's runs read the copies and are
spelled with the first session's name; its `Session()` statement goes:

    W = tf.Variable(10)                         W = tf.Variable(10)
    sess1 = tf.Session()                        W_sess2 = tf.Variable(10)
    sess2 = tf.Session()                        sess1 = tf.Session()
    sess1.run(W.initializer)           ->
    sess2.run(W.initializer)                    sess1.run(W.initializer)
    print(sess1.run(W.assign_add(10)))          sess1.run(W_sess2.initializer)
    print(sess2.run(W.assign_sub(2)))           print(sess1.run(W.assign_add(10)))
                                                print(sess1.run(W_sess2.assign_sub(2)))

The file is then analysed again as a one-session program. Only what the second session names in
its `run` calls is copied: a variable made by `tf.Variable(...)` at module level. A graph tensor or
op bound to a name (`step = W.assign_add(1)`) reads the first session's variables, so a second
session that runs one keeps the file in compat form, as does any other use of that session.

    session_copies(prog, opened, name, into)  ->  True when the respells are queued (else blocked)
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.naming import per_analysis
from upgrader.native.rebind_data import Respell, stored_names

if TYPE_CHECKING:
    from upgrader.native.model import Program


def _uses(prog: Program, name: str, after: list[ast.stmt]) -> list[ast.Name] | str:
    """Every `name` node in `after` (up to its next binding); a reason when one is not `name.run(...)`/`.close()`."""
    out: list[ast.Name] = []
    for stmt in after:
        if name in stored_names(stmt):
            break
        parents = {id(c): p for p in ast.walk(stmt) for c in ast.iter_child_nodes(p)}
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name) and n.id == name:
                attr = parents.get(id(n))
                call = parents.get(id(attr)) if isinstance(attr, ast.Attribute) else None
                if not (isinstance(call, ast.Call) and call.func is attr and attr.attr in ("run", "close")):
                    return f"'{name}' is used other than as {name}.run(...) (line {n.lineno})"
                out.append(n)
    return out


def _copied(prog: Program, runs: list[ast.Call], opened: ast.stmt, sess: str) -> dict[str, list[ast.Name]] | str:
    """Variable key -> the nodes naming it in the runs; a reason when a run reads another graph name."""
    body = prog.tree.body
    later = {n for s in body[body.index(opened) + 1:] for n in stored_names(s)}
    out: dict[str, list[ast.Name]] = {}
    for run in runs:
        for n in (m for a in [*run.args, *(k.value for k in run.keywords)] for m in ast.walk(a)):
            if not isinstance(n, ast.Name) or prog.kind(n.id) is None and n.id not in later:
                continue
            key = prog.chains[n.id].keys[-1] if n.id in prog.chains else n.id   # the version bound by then
            e = prog.entities.get(key)
            if e is None or e.kind != "variable":
                return (f"'{sess}' runs '{n.id}', a graph value built on the first session's variables "
                        "(name only variables in its runs, or use one session)")
            if e.stmt not in body or prog.call_key(getattr(e.stmt, "value", None)) != "tf.Variable":
                return f"'{e.name}' is not made by tf.Variable(...) at module level, so native mode cannot copy it"
            if [s for s in body[:body.index(opened)] if e.name in stored_names(s)][-1:] != [e.stmt]:
                return f"'{e.name}' is bound more than once before it"   # NOTE: versions.py names them apart first
            if e.name in later:
                return f"'{e.name}' is bound again later, so its copy for '{sess}' would have no single name"
            out.setdefault(key, []).append(n)
    return out


def _fresh(prog: Program, base: str) -> str:
    used = {n.id for n in ast.walk(prog.tree) if isinstance(n, ast.Name)} | set(prog.entities)
    while base in used:
        base += "_"
    return base


def session_copies(prog: Program, opened: ast.stmt, name: str, into: str) -> bool:
    """Queue the respells that give session `name` (opened by `opened`) copies of the variables it runs."""
    done = per_analysis(prog, "_session_copies", set)
    if id(opened) in done:
        return True
    body = prog.tree.body
    if not isinstance(opened, ast.Assign) or opened not in body or opened.lineno != opened.end_lineno:
        return _block(prog, opened, name, "the second session is not opened by a one-line `name = tf.Session()`")
    if prog.call_key(opened.value) == "tf.InteractiveSession":
        return _block(prog, opened, name, "an InteractiveSession also becomes the session every .eval() runs in")
    uses = _uses(prog, name, body[body.index(opened) + 1:])
    if isinstance(uses, str):
        return _block(prog, opened, name, uses)
    runs = [u for u in (_call_of(prog, n) for n in uses) if u is not None]
    copied = _copied(prog, runs, opened, name)
    if isinstance(copied, str):
        return _block(prog, opened, name, copied)
    spots: list[Respell] = [Respell(((opened.lineno, opened.col_offset, opened.end_col_offset),), "")]
    spots += [Respell(((n.lineno, n.col_offset, n.end_col_offset),), into) for n in uses]
    for key, nodes in copied.items():
        e = prog.entities[key]
        copy = _fresh(prog, f"{e.name}_{name}")
        made = ast.get_source_segment(prog.source, e.stmt.value)
        end = len(prog.source.splitlines()[e.stmt.end_lineno - 1].encode("utf-8"))   # after the line, comment too
        spots.append(Respell(((e.stmt.end_lineno, end, end),), f"\n{copy} = {made}"))
        spots += [Respell(((n.lineno, n.col_offset, n.end_col_offset),), copy) for n in nodes]
    done.add(id(opened))
    prog.rebound.extend(spots)
    return True


def _call_of(prog: Program, node: ast.Name) -> ast.Call | None:
    """The `sess.run(...)` call whose receiver is `node` (None for `sess.close()`)."""
    for call in (n for n in ast.walk(prog.tree) if isinstance(n, ast.Call)):
        if isinstance(call.func, ast.Attribute) and call.func.value is node:
            return call if call.func.attr == "run" else None
    return None


def _block(prog: Program, at: ast.stmt, name: str, why: str) -> bool:
    prog.block(at, f"two sessions open at once ('{name}' is the second): each TF1 session has its own variable "
                   f"state, which native code gives a second session as copies of its variables, but {why}")
    return False
