"""`tf.group` of training ops: one joint step (native/joint_steps.py) under the group's name.

Optimizer calls written inside the group are first named, so each is a training op of its own, and
the file is analysed again:

    D_solver = tf.group(D_opt.apply_gradients(D_gv), D_opt2.apply_gradients(D_shared_gv))
    ->  D_solver_1 = D_opt.apply_gradients(D_gv)
        D_solver_2 = D_opt2.apply_gradients(D_shared_gv)
        D_solver = tf.group(D_solver_1, D_solver_2)

`sess.run(D_solver)` then runs `D_solver(...)`: every member's gradient from the same variable values,
then every update, as TF1's group did.
"""
from __future__ import annotations

import ast

from upgrader.native.naming import tree_names

STEP_METHODS = ("minimize", "apply_gradients")


def members(prog, name: str) -> tuple[str, ...]:
    """The training ops a fetched name runs: itself, or a group's members."""
    e = prog.entities.get(name)
    if e is not None and e.kind == "steps":
        return tuple(d for d in e.deps if prog.kind(d) == "train")
    return (name,)


def is_group_of_steps(prog, value: ast.AST) -> bool:
    """`tf.group(train_a, train_b)`: every argument a training op's name (the entity kind "steps")."""
    return (prog.call_key(value) == "tf.group" and len(value.args) > 1 and not value.keywords and all(
        isinstance(a, ast.Name) and prog.kind(a.id) == "train" for a in value.args))


def name_group_steps(code: str, prog) -> tuple[str, list[tuple[int, int, int]]] | None:
    """The source with the optimizer calls inside module-level `tf.group(...)` statements named, and each rewritten
    statement's (first line, old line count, new line count) for `original_line`; or None."""
    lines = code.splitlines(keepends=True)
    taken = tree_names(prog)
    spans: list[tuple[int, int, int]] = []
    for stmt in reversed(prog.tree.body):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and prog.call_key(stmt.value) == "tf.group" and not stmt.value.keywords and stmt.col_offset == 0):
            continue
        args = stmt.value.args
        inline = [a for a in args if _step_call(prog, a)]
        if not inline or any(isinstance(a, ast.Starred) for a in args) or stmt.lineno == getattr(
                _previous(prog, stmt), "end_lineno", 0):
            continue
        target, new, names = stmt.targets[0].id, [], []
        for i, a in enumerate(args, 1):
            text = ast.get_source_segment(code, a)
            if a in inline:
                name = next(n for n in (f"{target}_{i}" + "_" * k for k in range(9)) if n not in taken)
                new.append(f"{name} = {text}\n")
                names.append(name)
            else:
                names.append(text)
        tail = lines[stmt.end_lineno - 1][len(lines[stmt.end_lineno - 1].rstrip("\r\n")):]
        group = ast.get_source_segment(code, stmt.value.func)
        new.append(f"{target} = {group}({', '.join(names)}){tail}")
        lines[stmt.lineno - 1:stmt.end_lineno] = new
        spans.append((stmt.lineno, stmt.end_lineno - stmt.lineno + 1, len(new)))
    return ("".join(lines), sorted(spans)) if spans else None


def original_line(spans: list[tuple[int, int, int]], line: int) -> int:
    """A line of the named source -> the original's (a named statement's lines -> the group's first line)."""
    shift = 0
    for first, old, new in spans:
        if line < first + shift:
            break
        if line < first + shift + new:
            return first
        shift += new - old
    return line - shift


def _step_call(prog, node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STEP_METHODS):
        return False
    owner = node.func.value
    return prog.kind(getattr(owner, "id", "")) == "optimizer" or (prog.call_key(owner) or "").endswith("Optimizer")


def _previous(prog, stmt: ast.stmt) -> ast.stmt | None:
    body = prog.tree.body
    i = body.index(stmt)
    return body[i - 1] if i else None
