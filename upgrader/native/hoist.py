"""Graph tensors defined inside the session block move above it: building an op runs nothing in TF1.

    with tf.Session() as sess:                         preds = tf.nn.softmax(logits)
        sess.run(train, feed_dict=...)           ->    with tf.Session() as sess:
        preds = tf.nn.softmax(logits)                      sess.run(train, feed_dict=...)
        print(sess.run(preds, feed_dict=...))              print(sess.run(preds, feed_dict=...))

So does `init = tf.global_variables_initializer()` when nothing before it in the block stays (it covers
the variables made so far, the same ones just above the block). Otherwise only a statement
`name = <TensorFlow math>` directly in the block moves: every call in it is a
`tf.*` / `tf.nn.*` / `tf.math.*` op that makes no variable, reads no collection and changes no
state; every name it reads is bound above the block and never rebound in it; its own name is bound
nowhere else and not read before it. The native analysis then sees an ordinary module-level tensor.
"""
from __future__ import annotations

import ast
import re

from upgrader.scan import TF, collect_aliases, dotted, to_key

SESSIONS = frozenset({"tf.Session", "tf.InteractiveSession"})
INITS = frozenset({"tf.global_variables_initializer", "tf.initialize_all_variables", "tf.compat.v1.global_variables_initializer"})
PURE_MODULES = ("tf.nn.", "tf.math.", "tf.linalg.")
NOT_PURE = re.compile(r"[vV]ariable|rnn|initializer|collection|assign|print|Print|py_func|graph|control_dependencies|"
                      r"group|no_op|summary|scope|device|placeholder|random|set_seed|make_|Saver|Session")


def hoist(code: str, tree: ast.Module) -> str:
    """`code` with the movable statements of top-level session blocks placed just above them (lines kept)."""
    aliases = collect_aliases(tree)
    lines = code.splitlines(keepends=True)
    moves: list[tuple[ast.With, list[ast.Assign]]] = []
    bound_above: set[str] = set()
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.With) and len(stmt.items) == 1 and _key(stmt.items[0].context_expr, aliases) in SESSIONS:
            movable = _movable(stmt, bound_above, aliases, tree)
            if movable:
                moves.append((stmt, movable))
        bound_above |= {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        bound_above |= {(a.asname or a.name).split(".")[0] for n in ast.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom))
                        for a in n.names}
    for with_stmt, stmts in reversed(moves):
        pad = lines[stmts[0].lineno - 1][:stmts[0].col_offset]
        if pad.strip() or any(not ln.startswith(pad) and ln.strip() for s in stmts for ln in lines[s.lineno - 1:s.end_lineno]):
            continue
        if any(lines[s.end_lineno - 1].encode("utf-8")[s.end_col_offset:].decode("utf-8", "replace").strip()[:1] not in (
                "", "#") for s in stmts):
            continue   # NOTE: `a = tf.f(x); b = 1` shares its line: it stays
        moved = [ln[len(pad):] if ln.startswith(pad) else ln for s in stmts for ln in lines[s.lineno - 1:s.end_lineno]]
        for s in reversed(stmts):
            del lines[s.lineno - 1:s.end_lineno]
        at = with_stmt.lineno - 1
        lines[at:at] = moved
    return "".join(lines)


def _key(node: ast.expr, aliases: dict[str, str]) -> str | None:
    node = node.func if isinstance(node, ast.Call) else node
    name = dotted(node)
    if name is None:
        return None
    root, _, rest = name.partition(".")
    qual = aliases.get(root)
    return to_key(qual + ("." + rest if rest else "")) if qual and qual.startswith(TF) else None


def _pure(value: ast.expr, aliases: dict[str, str]) -> bool:
    calls = [n for n in ast.walk(value) if isinstance(n, ast.Call)]
    if not calls or isinstance(value, (ast.Lambda, ast.NamedExpr)):
        return False
    for c in calls:
        key = _key(c, aliases)
        if key is None or NOT_PURE.search(key) or not (key.count(".") == 1 or key.startswith(PURE_MODULES)):
            return False
    return not any(isinstance(n, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.comprehension)) for n in ast.walk(value))


def _initializer(value: ast.expr, aliases: dict[str, str]) -> bool:
    """`tf.global_variables_initializer()`: an op over the variables made so far, runs nothing when made."""
    return isinstance(value, ast.Call) and not value.args and not value.keywords and _key(value, aliases) in INITS


def _movable(block: ast.With, above: set[str], aliases: dict[str, str], tree: ast.Module) -> list[ast.Assign]:
    """The block's statements that can move above it, in order."""
    stored_in_block = [n.id for n in ast.walk(block) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    stored_anywhere = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    out: list[ast.Assign] = []
    read_before: set[str] = set()
    available = set(above)
    for at, stmt in enumerate(block.body):
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
        if isinstance(target, ast.Name) and len(out) == at and _initializer(stmt.value, aliases):
            # NOTE: nothing in the block ran before it, so just above the block it sees the same variables
            out.append(stmt)
            continue
        if (isinstance(target, ast.Name) and _pure(stmt.value, aliases) and stored_anywhere.count(target.id) == 1
                and target.id not in read_before and target.id not in above):
            reads = {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name)}
            if all((r in available and r not in stored_in_block) or r in {s.targets[0].id for s in out} or (
                    aliases.get(r, "").startswith(TF)) for r in reads):
                out.append(stmt)
                continue
        read_before |= {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return out if len(out) < len(block.body) else out[:-1]
