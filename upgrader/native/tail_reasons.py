"""Precise fallback reasons for TF1 constructs native mode keeps in compat form on purpose, and small facts
of the analysis that decide them.

    prog.block(node, contrib_reason("tf.contrib.training.HParams"))
    -> "tf.contrib.training.HParams: a Python configuration object with no TF2 counterpart ..."
    failing_imports(prog)   # `import tf.contrib.layers as layers`: the original fails on that line too
    writes_summary(prog, stmt)   # `writer.add_summary(s, i)` after the session block: rewritten as session code
    undefined_name(code)   # `tf.zeros(shape, ...)` with no `shape` anywhere: (line, reason), a NameError in TF1 too

A reason says why there is no faithful TF2 form, so the report is something a user can act on.
"""
from __future__ import annotations

import ast
import builtins
from typing import TYPE_CHECKING

from upgrader.native.imported import CURRENT
from upgrader.native.naming import per_analysis, tree_nodes
from upgrader.scan import collect_aliases

if TYPE_CHECKING:
    from upgrader.native.model import Program

CONTRIB = {
    "tf.contrib.training.HParams": (
        "a Python configuration object with no TF2 counterpart (keep the values in a dict, a dataclass or "
        "types.SimpleNamespace)"),
}


def contrib_reason(key: str) -> str | None:
    """The reason a tf.contrib call has no native form, where one is known (None: the generic reason)."""
    for prefix, why in CONTRIB.items():
        if key == prefix or key.startswith(prefix + "."):
            return f"{key}: {why}"
    return None


def failing_imports(prog: Program) -> None:
    """Block on `import tf.X` / `from tf.X import ...` when no module `tf` sits beside the file: TF1 fails there too."""
    path = CURRENT.get()
    if path is not None and ((path.parent / "tf.py").exists() or (path.parent / "tf").is_dir()):
        return
    for node in prog.tree.body:
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
        bad = next((n for n in names if n == "tf" or n.startswith("tf.")), None)
        if bad is not None:
            prog.block(node, f"import of {bad}: there is no module named 'tf' (TensorFlow's module is `tensorflow`), "
                             "so the program fails on this line in TF1 too; import tensorflow.contrib... instead")
            return


def writes_summary(prog: Program, stmt: ast.stmt) -> bool:
    """`stmt` calls a FileWriter's add_summary: it is rewritten like session code, wherever it stands."""
    writers = per_analysis(prog, "_file_writers", lambda: {   # FileWriters bound in loops are no entities
        t.id for n in tree_nodes(prog) if isinstance(n, ast.Assign)
        and prog.call_key(n.value) == "tf.summary.FileWriter" for t in n.targets if isinstance(t, ast.Name)})
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "add_summary"
               and isinstance(n.func.value, ast.Name) and (prog.kind(n.func.value.id) == "writer"
                                                           or n.func.value.id in writers) for n in ast.walk(stmt))


MODULE_NAMES = frozenset({"__file__", "__name__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__",
                          "__path__", "__annotations__", "__cached__"})


TF1_WORDS = frozenset({"Session", "InteractiveSession", "placeholder", "get_variable", "global_variables_initializer"})


def undefined_name(code: str) -> tuple[int, str] | None:
    """(line, reason) for the first name a module-level statement of a TF1 program reads that nothing in the file
    binds (nor builtins): the original raises NameError there, so it does not run as written. Checked on the file
    as the user wrote it, before native mode respells or splits it."""
    from upgrader.native.fetch import _bound   # NOTE: every name bound anywhere; `from m import *` binds all
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    words = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    if not collect_aliases(tree) or not words & TF1_WORDS or any(
            isinstance(n, ast.Name) and n.id in ("globals", "vars", "exec", "locals") for n in ast.walk(tree)):
        return None   # not a TF1 graph program, or names may be bound by code the analysis cannot read
    bound = _bound(tree)
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.Try)):
            continue   # bodies run later, or guard a NameError themselves
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in bound \
                and node.id not in MODULE_NAMES and not hasattr(builtins, node.id):
            return node.lineno, (f"name '{node.id}' is not defined anywhere in this file: the program raises NameError "
                                 "here in TF1 too (it does not run as written)")
        todo.extend(ast.iter_child_nodes(node))
    return None
