"""A Saver made inside a function that runs the session (native/session_defs.py): a Checkpoint made there.

TF1 programs often make their Saver where they train or export, not with the graph. A Saver
saves the global variables that exist when it is made, so in a function that runs the graph
built before it, `tf.train.Saver()` means the module's variables and the ones the function has
made so far. It becomes a tf.train.Checkpoint of those, made at the same place, and its save and
restore calls lose the session:

    def train(steps):                          def train(steps):
        saver = tf.train.Saver()         ->        saver = tf.train.Checkpoint(W=W, b=b)
        saver.save(sess, "out/model")              saver.write("out/model")
        saver.restore(sess, path)                  saver.restore(path)

When something reads the checkpoint state file TF1's save wrote (tf.train.get_checkpoint_state, or
TensorBoard's projector) and the one save path is a directory and a name with a global_step, the
Saver is a CheckpointManager, which numbers checkpoints and writes that file as TF1's Saver did:

        saver = tf.train.Saver()         ->        saver = tf.train.CheckpointManager(tf.train.Checkpoint(W=W, b=b),
                                                       "ckpt", max_to_keep=5, checkpoint_name="model")
        saver.save(sess, "ckpt/model", i)  ->      saver.save(checkpoint_number=i)
        saver.restore(sess, path)          ->      saver.checkpoint.restore(path)

A variable the function makes from fetched values (`emb = tf.Variable(final[:n])`) is an eager
variable in TF2, made at the same place; its `sess.run(emb.initializer)` goes (TF2 initialises it).
"""
from __future__ import annotations

import ast
import json
from typing import TYPE_CHECKING

from upgrader.native.projector import uses_projector
from upgrader.native.save_paths import split_save_path
from upgrader.scan import aliased_key

if TYPE_CHECKING:
    from upgrader.native.base import Editor
    from upgrader.native.model import Program

STATE_READERS = ("tf.train.latest_checkpoint", "tf.train.get_checkpoint_state")
SAVER_ARGS = ("var_list", "reshape", "sharded", "max_to_keep")


def local_made(prog: Program, fn: ast.FunctionDef) -> set[int]:
    """Ids of the nodes of `name = tf.train.Saver(...)` and `name = tf.Variable(<no graph value>)` statements in
    `fn`: graph objects it may make outside sess.run (see the module docstring)."""
    out: set[int] = set()
    for stmt in ast.walk(fn):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        key = prog.call_key(stmt.value)
        plain = not any(isinstance(n, ast.Name) and prog.kind(n.id) not in (None, "variable") for n in ast.walk(stmt.value))
        if key == "tf.train.Saver" or key == "tf.Variable" and plain:
            out |= {id(n) for n in ast.walk(stmt.value)}
    return out


def _function(prog: Program, node: ast.AST) -> ast.FunctionDef | None:
    """The session function (a top-level def run as session code) `node` is in."""
    return next((s for s in prog.tree.body if isinstance(s, ast.FunctionDef) and id(s) in prog.session_stmts
                 and s.lineno <= node.lineno and node.end_lineno <= s.end_lineno), None)


def local_savers(prog: Program, fn: ast.FunctionDef) -> set[str]:
    """The names `fn` binds to a tf.train.Saver."""
    return set(_savers(fn, prog))


def _savers(fn: ast.FunctionDef, prog: Program) -> dict[str, ast.Assign]:
    return {s.targets[0].id: s for s in ast.walk(fn) if isinstance(s, ast.Assign) and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name) and prog.call_key(s.value) == "tf.train.Saver"}


def saver_text(prog: Program, call: ast.Call, edit: Editor) -> str | None:
    """The TF2 text of `tf.train.Saver(...)` made in a session function, or None when it is made elsewhere."""
    from upgrader.native.base import Blocked
    from upgrader.native.saver_slots import saved_optimizer
    fn = _function(prog, call)
    stmt = next((s for s in _savers(fn, prog).values() if s.value is call), None) if fn else None
    if stmt is None:
        return None
    given = dict(zip(SAVER_ARGS, call.args)) | {k.arg: k.value for k in call.keywords}
    if set(given) - {"var_list", "max_to_keep", "name", "keep_checkpoint_every_n_hours", "save_relative_paths"}:
        raise Blocked(call.lineno, f"tf.train.Saver arguments {sorted(given)} are not converted natively")
    var_list = given.get("var_list")
    if var_list is None:   # NOTE: the module's variables, and those this function made before the Saver
        names = [e.name for e in prog.entities.values() if e.kind == "variable" and not e.alias
                 or e.kind == "layer" and any(e.name in t.deps for t in prog.entities.values())]
        names += [s.targets[0].id for s in ast.walk(fn) if isinstance(s, ast.Assign) and s.lineno < call.lineno
                  and prog.call_key(s.value) == "tf.Variable" and isinstance(s.targets[0], ast.Name)]
        items = [f"{n}={n}" for n in dict.fromkeys(names)]
        stateful = next((k for n in ast.walk(prog.tree) if (k := prog.call_key(n) or "").startswith("tf.train.")
                         and k.endswith("Optimizer") and k != "tf.train.GradientDescentOptimizer"), None)
        if stateful:
            opt = saved_optimizer(prog, stmt, edit)
            if opt is None:
                raise Blocked(call.lineno, f"the Saver in '{fn.name}' saves every global variable, the {stateful}'s "
                                           "slots too, and native mode cannot name the optimizer that holds them")
            items.append(f"optimizer={opt}")
    elif isinstance(var_list, (ast.List, ast.Tuple)) and all(isinstance(v, ast.Name) for v in var_list.elts):
        items = [f"{v.id}={v.id}" for v in var_list.elts]
    else:
        raise Blocked(call.lineno, "tf.train.Saver var_list native mode cannot name statically")
    checkpoint = f"{edit.tfx('train.Checkpoint')}({', '.join(items)})"
    managed = _managed(prog, fn, stmt)
    if managed is None:
        return checkpoint
    keep = edit.text(given["max_to_keep"]) if "max_to_keep" in given else "5"   # NOTE: TF1 Saver's default
    return f"{edit.tfx('train.CheckpointManager')}({checkpoint}, {managed[0]}, max_to_keep={keep}, " \
           f"checkpoint_name={json.dumps(managed[1])})"


def _managed(prog: Program, fn: ast.FunctionDef, stmt: ast.Assign) -> tuple[str, str] | None:
    """(directory text, checkpoint name) when the Saver is a CheckpointManager (see the module docstring)."""
    readers = any(prog.call_key(n) in STATE_READERS or uses_projector(prog.call_key(n)) for n in ast.walk(prog.tree))
    saves = _uses(fn, stmt.targets[0].id, "save")
    if not readers or not saves:
        return None
    parts = [dict(zip(("sess", "save_path", "global_step"), s.args)) | {k.arg: k.value for k in s.keywords} for s in saves]
    paths = {ast.dump(p["save_path"]) for p in parts if "save_path" in p}
    if len(paths) != 1 or any(p.get("global_step") is None for p in parts):
        return None
    path = parts[0]["save_path"]
    if isinstance(path, ast.Constant) and isinstance(path.value, str) and "/" in path.value:
        head, _, tail = path.value.rpartition("/")
        return (json.dumps(head), tail) if tail else None
    split = split_save_path(path)
    later = {n.id for s in ast.walk(fn) if isinstance(s, ast.stmt) and s.lineno > stmt.lineno
             for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if split is None or any(isinstance(n, ast.Name) and n.id in later for n in ast.walk(split[0])):
        return None   # NOTE: the directory must be known where the Saver is made
    return ast.unparse(split[0]), split[1]


def _uses(fn: ast.FunctionDef, name: str, attr: str) -> list[ast.Call]:
    return [n for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == attr and isinstance(n.func.value, ast.Name) and n.func.value.id == name]


def use_text(prog: Program, call: ast.Call, edit: Editor) -> str | None:
    """`saver.save(sess, ...)` / `saver.restore(sess, ...)` of a Saver made in the same session function."""
    from upgrader.native.base import Blocked
    f = call.func
    fn = _function(prog, call) if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else None
    stmt = _savers(fn, prog).get(f.value.id) if fn else None
    if stmt is None:
        return None
    names = {"save": ("sess", "save_path", "global_step"), "restore": ("sess", "save_path")}.get(f.attr)
    given = dict(zip(names or (), call.args)) | {k.arg: k.value for k in call.keywords}
    if names is None or set(given) - set(names) or "save_path" not in given:
        raise Blocked(call.lineno, f"{f.value.id}.{f.attr}(...) is not converted natively")
    managed = _managed(prog, fn, stmt) is not None
    path, step = edit.text(given["save_path"]), given.get("global_step")
    if f.attr == "restore":
        return f"{f.value.id}.checkpoint.restore({path})" if managed else f"{f.value.id}.restore({path})"
    number = f"{step.id}.numpy()" if isinstance(step, ast.Name) and prog.kind(step.id) == "variable" else (
        edit.text(step) if step is not None else None)
    if managed:
        return f"{f.value.id}.save(checkpoint_number={number})"
    return f"{f.value.id}.write({path})" if step is None else f'{f.value.id}.write("%s-%d" % ({path}, {number}))'


def initializer_spans(tree: ast.Module, aliases: dict[str, str]) -> list:
    """Edits deleting `sess.run(v.initializer)` right after `v = tf.Variable(...)` in a function (nothing reads v
    in between): TF2 initialises the variable where it is made. Other statements stay in its block."""
    spans = []
    for fn in (s for s in tree.body if isinstance(s, ast.FunctionDef)):
        made = {s.targets[0].id: s for s in ast.walk(fn) if isinstance(s, ast.Assign) and len(s.targets) == 1
                and isinstance(s.targets[0], ast.Name) and aliased_key(aliases, getattr(s.value, "func", None)) == "tf.Variable"}
        for block in (getattr(n, "body", None) for n in ast.walk(fn)):
            for stmt in block if isinstance(block, list) and len(block) > 1 else []:
                v = _initialised(stmt)
                if v is None or v not in made or made[v].lineno > stmt.lineno or any(
                        isinstance(n, ast.Name) and n.id == v and made[v].end_lineno < n.lineno < stmt.lineno
                        for n in ast.walk(fn)):
                    continue
                spans.append(((stmt.lineno, 0, stmt.end_lineno, stmt.end_col_offset), ""))   # NOTE: an empty line
    return spans


def _initialised(stmt: ast.stmt) -> str | None:
    """'v' for the statement `<session>.run(v.initializer)`."""
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "run" \
            and len(call.args) == 1 and not call.keywords and isinstance(a := call.args[0], ast.Attribute) \
            and a.attr == "initializer" and isinstance(a.value, ast.Name):
        return a.value.id
    return None
