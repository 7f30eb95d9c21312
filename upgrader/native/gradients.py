"""`compute_gradients` ... `apply_gradients`: the TF1 spelling of a training step that edits its gradients.

    gv = opt.compute_gradients(loss)                             # kind "gradients"
    clipped = [(tf.clip_by_norm(g, 5.0), v) for g, v in gv]       # kind "gradients" (derived from gradients)
    train = opt.apply_gradients(clipped, global_step=step)        # kind "train"

`rules/native_minimize.py` writes the three as one GradientTape step whose body keeps the
user's gradient code; the gradient statements themselves disappear from module level.
"""
from __future__ import annotations

import ast

from upgrader.native.group_steps import is_group_of_steps


def _optimizer_method(prog, value: ast.AST) -> str | None:
    """'compute_gradients' for `opt.compute_gradients(...)` where `opt` is a TF1 optimizer, else None."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)):
        return None
    owner = value.func.value
    if prog.kind(getattr(owner, "id", "")) == "optimizer" or (prog.call_key(owner) or "").endswith("Optimizer"):
        return value.func.attr
    return None


def gradient_kind(prog, stmt: ast.Assign, deps: tuple[str, ...]) -> str | None:
    """The entity kind of `name = value` when it is part of a gradients-editing step: gradients | train."""
    if is_group_of_steps(prog, stmt.value):   # tf.group(train_a, train_b): one joint step (native/group_steps.py)
        return "steps"
    method = _optimizer_method(prog, stmt.value)
    if prog.call_key(stmt.value) == "tf.gradients" or method == "compute_gradients":
        given = _arguments(stmt.value, ("loss", "var_list"))
        if set(given) - {"loss", "var_list"} or "loss" not in given:
            prog.block(stmt, f"gradient arguments {sorted(set(given) - {'loss', 'var_list'})} not converted")
        return "gradients"
    if method == "apply_gradients":
        given = _arguments(stmt.value, ("grads_and_vars", "global_step", "name"))
        if set(given) - {"grads_and_vars", "global_step", "name"} or source(prog, stmt.value) is None:
            prog.block(stmt, "apply_gradients of gradients that do not come from compute_gradients in this file")
        return "train"
    if method not in (None, "minimize"):
        prog.block(stmt, f"optimizer.{method}: TF1 optimizer internals have no Keras equivalent native mode can use")
        return "tensor"
    if any(prog.kind(d) == "gradients" for d in deps):
        return "gradients"
    return None


def _arguments(call: ast.Call, params: tuple[str, ...]) -> dict[str, ast.expr]:
    """By parameter name; tf.gradients' ys/xs are read as compute_gradients' loss/var_list."""
    alias = {"ys": "loss", "xs": "var_list"}
    return dict(zip(params, call.args)) | {alias.get(k.arg, k.arg): k.value for k in call.keywords if k.arg}


def _is_source(prog, node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (prog.call_key(node) == "tf.gradients"
                                           or _optimizer_method(prog, node) == "compute_gradients")


def source(prog, value: ast.AST) -> ast.Call | None:
    """The `compute_gradients(...)` / `tf.gradients(...)` call the gradients in `value` derive from."""
    seen, todo = set(), [value]
    while todo:
        node = todo.pop()
        for n in ast.walk(node):
            if _is_source(prog, n):
                return n
            e = prog.entities.get(n.id) if isinstance(n, ast.Name) else None
            if e is not None and e.kind == "gradients" and n.id not in seen:
                seen.add(n.id)
                todo.append(e.stmt.value)
    return None


def gradient_statement(prog, stmt: ast.stmt) -> bool:
    """`grads, norm = tf.clip_by_global_norm(grads, 5.0)`: every name it binds is a gradients entity."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], (ast.Tuple, ast.List))
            and all(isinstance(t, ast.Name) for t in stmt.targets[0].elts) and source(prog, stmt.value) is not None):
        return False
    from upgrader.native.model import Entity   # NOTE: model imports this module
    deps = tuple(dict.fromkeys(n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name) and n.id in prog.entities))
    for target in stmt.targets[0].elts:
        if target.id in prog.entities:
            prog.block(stmt, f"'{target.id}' is assigned twice while the graph is built")
        elif target.id != "_":
            prog.entities[target.id] = Entity(target.id, "gradients", stmt, deps, func=target.id)
            prog.order.append(target.id)
    return True


def arguments(prog, train) -> dict[str, ast.expr]:
    """loss, var_list, global_step of a train entity: minimize's, or compute_gradients' + apply_gradients'."""
    call = train.stmt.value
    if call.func.attr != "apply_gradients":
        return _arguments(call, ("loss", "global_step", "var_list", "gate_gradients"))
    return _arguments(source(prog, call), ("loss", "var_list")) | _arguments(call, ("grads_and_vars", "global_step"))


def minimized_loss(prog, train) -> ast.expr:
    return arguments(prog, train)["loss"]


def steps(prog, train) -> list:
    """The gradient entities a train entity is built from, in program order."""
    order = {n: i for i, n in enumerate(prog.order)}
    found, todo = set(), list(train.deps)
    while todo:
        name = todo.pop()
        e = prog.entities.get(name)
        if e is not None and e.kind == "gradients" and name not in found:
            found.add(name)
            todo += list(e.deps)
    return [prog.entities[n] for n in sorted(found, key=order.__getitem__)]
