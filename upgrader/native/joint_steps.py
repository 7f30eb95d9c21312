"""Training ops fetched by one `sess.run`: one tf.function step takes every gradient before any update.

TF1 runs `sess.run([D1_solver, D2_solver, D1_loss, D2_loss], feeds)` as one graph execution: both
losses and both gradients come from the same variable values, then both optimizers update. Two TF2
step calls would run the second from the first one's updated variables, so native mode writes one
joint step after the last of them (rules/native_minimize.py gives it each step's parts):

    @tf.function(input_signature=[...])
    def D1_solver_and_D2_solver(X1, X2, z):
        with tf.GradientTape(persistent=True) as tape:
            loss_value = D1_loss(X1, X2, z)
            loss_value_1 = D2_loss(X1, X2, z)
        variables = theta_D1
        gradients = tape.gradient(loss_value, variables)
        variables_1 = theta_D2
        gradients_1 = tape.gradient(loss_value_1, variables_1)
        optimizer.apply_gradients(zip(gradients, variables))
        D2_solver_optimizer.apply_gradients(zip(gradients_1, variables_1))
        return loss_value, loss_value_1

and the run returns the losses from it: `[None, None, (losses := D1_solver_and_D2_solver(...))[0].numpy(),
losses[1].numpy()]`. Updating one variable from both steps adds both updates, as TF1 did (each update
depends on its own gradient and slots, never on the other's result).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable

from upgrader.native.base import indent
from upgrader.native.group_steps import members
from upgrader.native.naming import per_analysis, tree_nodes


@dataclass
class StepParts:
    """One training op's step, as lines that take the names of its loss, variables and gradients."""

    first: list[str]                              # ops run first (control_dependencies)
    loss: str                                     # the loss expression
    variables: str                                # the variable list expression
    update: Callable[[str], list[str]]            # suffix -> gradient lines, then the apply_gradients line last
    after: list[str]                              # global_step.assign_add(1)


def fetched_elements(fetches: ast.expr) -> list[ast.expr]:
    """The fetched values of a list, tuple or dict literal (with no `**`), or the one fetch."""
    if isinstance(fetches, (ast.List, ast.Tuple)):
        return list(fetches.elts)
    if isinstance(fetches, ast.Dict) and None not in fetches.keys:
        return list(fetches.values)
    return [fetches]


def groups(prog) -> list[tuple[str, ...]]:
    """Training ops run together by one `sess.run`, each group once, in program order."""
    def build() -> list[tuple[str, ...]]:
        order = {n: i for i, n in enumerate(prog.order)}
        found: list[tuple[str, ...]] = []
        for n in tree_nodes(prog):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "run" and n.args
                    and isinstance(n.func.value, ast.Name) and n.func.value.id == prog.session_name):
                continue
            names = {m for e in fetched_elements(n.args[0]) if isinstance(e, ast.Name) for m in members(prog, e.id)
                     if prog.kind(m) == "train"}
            group = tuple(sorted(names, key=order.__getitem__))
            if len(group) > 1 and group not in found:
                found.append(group)
        return found
    return per_analysis(prog, "_joint_groups", build)


def only_joint(prog, name: str) -> bool:
    """The training op `name` is read only by runs (and tf.group statements) that run it with others."""
    def build() -> set[int]:
        ids: set[int] = set()
        for n in tree_nodes(prog):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "run" and n.args and (
                    isinstance(n.func.value, ast.Name) and n.func.value.id == prog.session_name):
                elements = [e for e in fetched_elements(n.args[0]) if isinstance(e, ast.Name)]
                if len({m for e in elements for m in members(prog, e.id) if prog.kind(m) == "train"}) > 1:
                    ids.update(id(e) for e in elements)
        for e in prog.entities.values():
            if e.kind == "steps":
                ids.update(id(a) for a in e.stmt.value.args)
        return ids
    grouped = per_analysis(prog, "_joint_reads", build)
    reads = [n for n in tree_nodes(prog) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    return bool(reads) and all(id(n) in grouped for n in reads)


def written(prog) -> dict[tuple[str, ...], str]:
    """Group -> the name of the joint step written for it (filled as the steps are written)."""
    return per_analysis(prog, "_joint_steps", dict)


def joint_steps(prog, entity, parts: StepParts, edit, signature: Callable[[tuple[str, ...]], str]) -> str:
    """The joint step functions of every group `entity` completes (it is the group's last training op), or ""."""
    done = per_analysis(prog, "_joint_parts", dict)
    done[entity.name] = parts
    out = []
    for group in groups(prog):
        if group[-1] != entity.name or any(name not in done for name in group):
            continue
        _shared_state(prog, group)
        funcs = [prog.entities[name].func for name in group]
        owner = next((e for e in prog.entities.values() if e.kind == "steps" and sorted(members(prog, e.name)) == sorted(group)), None)
        name = owner.func if owner is not None and edit.free(owner.func, owner) else "_and_".join(funcs)
        while not edit.free(name, owner):
            name += "_"
        written(prog)[group] = edit.claim(name)
        if (race := _race(prog, group)) is not None:
            edit.notes.append((entity.stmt.lineno, race))
        what = f"TF1's tf.group {owner.name}" if owner is not None else f"{' and '.join(group)}, run by one TF1 sess.run"
        out.append(_function(prog, group, [done[g] for g in group], name, edit, signature, what))
    return "".join(out)


def _shared_state(prog, group: tuple[str, ...]) -> None:
    """Block where two ops of one run apply one TF1 AdamOptimizer: its beta powers advance once per apply, in the
    same run, and both updates race to read them (TF1's numbers vary from run to run); Keras optimizers own one
    step count each."""
    from upgrader.native.base import Blocked
    owners = [getattr(prog.entities[g].stmt.value.func.value, "id", None) for g in group]
    for i, owner in enumerate(owners):
        if owner is not None and owner in owners[i + 1:] and (prog.call_key(prog.entities[owner].stmt.value) or "").endswith(
                "AdamOptimizer"):
            raise Blocked(prog.entities[group[i]].stmt.lineno, f"'{owner}' (AdamOptimizer) applies gradients twice in one "
                          "run: TF1 advances its beta powers once per apply and the two updates race to read them, so "
                          "its numbers vary from run to run; give each apply its own optimizer (or apply every "
                          "gradient in one apply_gradients call)")


def _race(prog, group: tuple[str, ...]) -> str | None:
    """A warning where one step updates a variable another step's loss reads: TF1 ordered neither, so its
    numbers varied from run to run; the joint step reads every variable before any update."""
    from upgrader.native.gradients import arguments   # NOTE: gradients imports the model, which imports this module's users
    for a in group:
        given = arguments(prog, prog.entities[a]).get("var_list")
        updated = set(prog.entities[a].variables) if given is None else _variables(prog, given)
        for b in group:
            if b != a and (both := sorted(updated & set(prog.entities[b].variables))):
                return (f"'{a}' updates {', '.join(both)}, which '{b}' reads: TF1 ran the two in one sess.run in no "
                        "fixed order (its numbers varied from run to run); the joint step takes every gradient from "
                        "the values before the run, then updates")
    return None


def _variables(prog, node: ast.AST) -> set[str]:
    """The variable entities a var_list expression names, through lists of them (`theta = [W, b]`)."""
    out: set[str] = set()
    for n in ast.walk(node):
        e = prog.entities.get(n.id) if isinstance(n, ast.Name) else None
        if e is not None and e.kind == "variable":
            out.add(n.id)
        elif e is not None and e.kind != "variable" and isinstance(e.stmt, ast.Assign) and e.stmt.value is not node:
            out |= _variables(prog, e.stmt.value) | set(e.variables)
    return out


def _function(prog, group: tuple[str, ...], steps: list[StepParts], name: str, edit, signature, what: str) -> str:
    order = {n: i for i, n in enumerate(prog.order)}
    params = tuple(sorted({p for g in group for p in prog.entities[g].params}, key=order.__getitem__))
    suffixes = [""] + [f"_{i}" for i in range(1, len(steps))]
    body = [line for s in steps for line in s.first]
    body.append(f"with {edit.tfx('GradientTape')}(persistent=True) as tape:")
    body += [f"    loss_value{x} = {s.loss}" for s, x in zip(steps, suffixes)]
    updates = [s.update(x) for s, x in zip(steps, suffixes)]
    for s, x, lines in zip(steps, suffixes, updates):
        body += [f"variables{x} = {s.variables}"] + lines[:-1]
    body += [lines[-1] for lines in updates] + [line for s in steps for line in s.after]
    body.append("return " + ", ".join(f"loss_value{x}" for x in suffixes))
    flags = [p for p in params if p in prog.flags]
    decorator = edit.tfx("function") + ("" if flags else f"(input_signature={signature(params)})")
    doc = f'"""{what}: every gradient from the same variable values, then every update."""'
    return f"\n\n\n@{decorator}\ndef {name}({', '.join(params)}):\n" + indent("\n".join([doc] + body))
