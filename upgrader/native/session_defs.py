"""Functions that only run the graph: `def train(x, y): return sess.run([cost, opt], {X: x, Y: y})`.

TF1 programs wrap their `sess.run` calls in small functions (`predict`, `get_accuracy`,
`train`) that read the module-level session and graph objects. Such a def builds nothing:
its body is session code that happens to be indented, so it converts as session code does,
`sess.run` by `sess.run`, and keeps its name, parameters and callers:

    def predict(x_test):                                  def predict(x_test):
        return sess.run(logits, {X: x_test})       ->         return logits(x_test).numpy()

    runs_session(stmt, sessions)   ->  True for a def that calls `sess.run` on the module's session
    why_not(prog, stmt, sess)      ->  None when its graph reads all go through sess.run, else the reason
    session_names(prog, tree)      ->  {'sess'}: the names module-level code binds a Session to

The first is asked while the module is analysed (the def may come before the graph it runs),
the second once every graph object is known.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.feeds import feed_literal
from upgrader.native.local_savers import local_made, local_savers
from upgrader.native.projector import uses_projector
from upgrader.native.sessions import session_target

if TYPE_CHECKING:
    from upgrader.native.model import Program

# NOTE: the kinds a session function may name outside sess.run: they stay Python objects in TF2
PLAIN_KINDS = (None, "variable", "saver", "writer", "varlist")
# NOTE: calls that make or read files, not graph ops (a FileWriter's graph argument, sess.graph too, is dropped)
FILE_CALLS = frozenset({"tf.train.get_checkpoint_state", "tf.train.latest_checkpoint", "tf.summary.FileWriter"})


def session_names(prog: Program, tree: ast.Module) -> set[str]:
    """Names bound to a Session at module level (`sess = tf.Session()`; `with tf.Session() as sess:`)."""
    return {name for stmt in tree.body if (name := session_target(prog, stmt)) is not None}


def runs_session(stmt: ast.stmt, sessions: set[str]) -> bool:
    """A plain top-level def calling `<the module's session>.run(...)`."""
    if not isinstance(stmt, ast.FunctionDef) or stmt.decorator_list or len(sessions) != 1:
        return False
    sess = next(iter(sessions))
    return sess not in {a.arg for a in ast.walk(stmt.args) if isinstance(a, ast.arg)} and bool(
        _runs(stmt, sess) or _saves(stmt, sess))


def _runs(stmt: ast.AST, sess: str) -> list[ast.Call]:
    return [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name) and n.func.value.id == sess and n.func.attr == "run"]


def _saves(stmt: ast.AST, sess: str) -> list[ast.Call]:
    """`saver.save(sess, path)` / `saver.restore(sess, path)`: the session handed to a Saver (rules/native_saver.py)."""
    return [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr in ("save", "restore") and isinstance(n.func.value, ast.Name) and n.args
            and isinstance(n.args[0], ast.Name) and n.args[0].id == sess]


def why_not(prog: Program, stmt: ast.FunctionDef, sess: str) -> str | None:
    """None when `stmt` is session code (see the module docstring), else why it is not."""
    why = _why_not(prog, stmt, sess)
    opened = sorted({n.lineno for n in ast.walk(stmt) if isinstance(n, ast.Call) and prog.call_key(n) in OPENS})
    if why is None or not opened or why.startswith(("nested", "declares")):
        return why
    lines = f"line {opened[0]}" if len(opened) == 1 else f"lines {', '.join(map(str, opened))}"
    return (f"opens sessions of its own ({lines}) besides the program's: TF1 runs such a session while the graph is "
            f"still being built, and native mode converts sessions that run a graph already built (it {why})")


OPENS = frozenset({"tf.Session", "tf.InteractiveSession", "tf.compat.v1.Session", "tf.compat.v1.InteractiveSession"})


def _why_not(prog: Program, stmt: ast.FunctionDef, sess: str) -> str | None:
    if any(isinstance(n, (ast.FunctionDef, ast.Lambda, ast.ClassDef, ast.Nonlocal)) and n is not stmt
           for n in ast.walk(stmt)):
        return "nested functions and classes are not followed"
    if any(prog.kind(name) is not None for n in ast.walk(stmt) if isinstance(n, ast.Global) for name in n.names):
        return "declares a graph object global"
    local = {a.arg for a in ast.walk(stmt.args) if isinstance(a, ast.arg)} | {
        n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}   # Python's scoping
    inside = {id(m) for r in _runs(stmt, sess) for m in ast.walk(r)}
    inside |= {id(k) for n in ast.walk(stmt) if isinstance(n, ast.Dict) and feed_literal(prog, n)
               for key in n.keys if key is not None for k in ast.walk(key)}   # `fd = {x: xb}`: fed by name (feeds.py)
    inside |= {id(n.args[0]) for n in _saves(stmt, sess) if prog.kind(n.func.value.id) == "saver"}
    inside |= local_made(prog, stmt)   # a Saver or a variable made here (native/local_savers.py)
    inside |= {id(n.args[0]) for n in _saves(stmt, sess) if n.func.value.id in local_savers(prog, stmt)}
    for node in ast.walk(stmt):
        if id(node) in inside:
            continue
        if isinstance(node, ast.Call) and (prog.call_key(node) in FILE_CALLS or uses_projector(prog.call_key(node))):
            inside.update(id(m) for m in ast.walk(node))   # files: Python, not graph
            continue
        if isinstance(node, ast.Call) and prog.call_key(node) is not None:
            return f"calls {prog.call_key(node)} outside sess.run, which would add to the graph on every call"
        if not isinstance(node, ast.Name):
            continue
        if node.id == sess:
            return f"uses the session '{sess}' other than as {sess}.run(...)"
        if node.id not in local and prog.kind(node.id) not in PLAIN_KINDS:
            return f"reads the graph {prog.kind(node.id)} '{node.id}' outside sess.run"
    return None
