"""A module-level loop that makes one summary per gradient or variable becomes a summary function.

    grad_summaries = []                                       def grad_summaries(x, y):
    for g, v in grads_and_vars:                                   with tf.GradientTape() as tape:
        if g is not None:                                             loss_value = loss(x, y)
            h = tf.summary.histogram(v.name, g)         ->        variables = [W, b]
            grad_summaries.append(h)                              grads_and_vars = list(zip(tape.gradient(loss_value, variables), variables))
    merged = tf.summary.merge(grad_summaries)                 grad_summaries = []
                                                              for g, v in grads_and_vars:
    for var in tf.trainable_variables():                          if g is not None:
        tf.summary.histogram(var.name, var)                           h = (tf.summary.histogram, v.name, g)
                                                                      grad_summaries.append(h)
                                                              return grad_summaries

TF1 runs the loop once, while the graph is built, and each pass adds summary ops over that pass's
gradient or variable. The function returns the `(write, tag, value)` entries the other converted
summary ops return (rules/native_summaries.py), computed when the summary is fetched: the gradients
from a GradientTape of the loss that `compute_gradients`/`tf.gradients` differentiated, with respect
to the same variables, and each variable's value then. A loop of bare summaries (no list) is
collected by `merge_all` under a name of its own (`variable_summaries`). The loop must run over a
gradients value (taken by compute_gradients/tf.gradients, or pairs made from them: `list(zip(grads,
tf.trainable_variables()))`), `tf.trainable_variables()`/`tf.global_variables()` or a variable list, and hold
only summaries, `lst.append(...)` of them and `if` tests; anything else is left to the analysis.

    summary_loop(prog, stmt, body)  -> True when `stmt` is such a loop (its entity is recorded)
    loop_function(prog, stmt, entity, edit)  -> the function's text
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from upgrader.native.graphs import LISTS, members, spread
from upgrader.native.gradients import _arguments, source, steps

if TYPE_CHECKING:
    from upgrader.native.base import Editor
    from upgrader.native.model import Entity, Program

WRITERS = ("tf.summary.scalar", "tf.summary.histogram")


@dataclass(frozen=True)
class SummaryLoop:
    name: str                  # the list it fills, or the name its bare summaries are collected under
    over: str                  # "gradients" | "variables"
    variables: tuple[str, ...] = ()   # "variables": the entities the listing returned
    init: ast.stmt | None = None      # `lst = []` just before the loop (it moves into the function)


def summary_loop(prog: Program, stmt: ast.stmt, body: list[ast.stmt]) -> bool:
    """Record the summary function a loop of summaries becomes (see the module docstring)."""
    if not isinstance(stmt, ast.For) or stmt.orelse:
        return False
    calls, filled = _contents(prog, stmt.body)
    if not calls or filled is None or len(filled) > 1:
        return False
    targets = {n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)}
    inside = targets | {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if any(isinstance(n, ast.Name) and n.id not in inside and (prog.kind(n.id) or n.id in prog.aliases)
           for c in calls for n in ast.walk(c) if not _is_func(c, n)):
        return False   # NOTE: summaries of the pass's own values only; a graph tensor read here is not followed
    it = stmt.iter
    if isinstance(it, ast.Name) and prog.kind(it.id) == "gradients":
        over, deps, variables = "gradients", (it.id,), ()
    elif prog.call_key(it) in LISTS and not it.args and not it.keywords:
        over, variables = "variables", members(prog, it)
        deps = variables
    elif isinstance(it, ast.Name) and prog.kind(it.id) == "varlist":
        over, deps, variables = "variables", (it.id,), (it.id,)
    else:
        return False
    i = body.index(stmt)
    init = None
    if filled:
        name = next(iter(filled))
        prev = body[i - 1] if i else None
        if not (isinstance(prev, ast.Assign) and [ast.unparse(t) for t in prev.targets] == [name]
                and isinstance(prev.value, ast.List) and not prev.value.elts) or name in prog.entities:
            return False
        init = prev
    else:
        name = next(n for k in range(1, 99) if (n := f"{over[:-1]}_summaries" + (f"_{k}" if k > 1 else ""))
                    not in prog.entities and n not in {m.id for m in ast.walk(prog.tree) if isinstance(m, ast.Name)})
    from upgrader.native.model import Entity   # NOTE: model.py imports this module
    prog.summary_loops[id(stmt)] = SummaryLoop(name, over, tuple(variables), init)
    if init is not None:
        prog.summary_loops[id(init)] = None   # the empty list starts inside the function
    prog.entities[name] = Entity(name, "summary", stmt, tuple(deps), func=name)
    prog.order.append(name)
    return True


def _is_func(call: ast.Call, node: ast.AST) -> bool:
    """`tf` of `tf.summary.histogram(...)` and of TF calls inside it: module names, not values read."""
    return any(node is m for c in ast.walk(call) if isinstance(c, ast.Call) for m in ast.walk(c.func))


def _contents(prog: Program, stmts: list[ast.stmt]) -> tuple[list[ast.Call], set[str] | None]:
    """The summary calls of a loop body and the lists it appends to (None: something else is in it)."""
    calls: list[ast.Call] = []
    filled: set[str] = set()
    named: set[str] = set()
    for s in stmts:
        if isinstance(s, ast.If) and not s.orelse:
            inner, more = _contents(prog, s.body)
            if more is None:
                return [], None
            calls, filled = calls + inner, filled | more
        elif isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) and \
                prog.call_key(s.value) in WRITERS:
            calls.append(s.value)
            named.add(s.targets[0].id)
        elif isinstance(s, ast.Expr) and prog.call_key(s.value) in WRITERS:
            calls.append(s.value)
        elif isinstance(s, ast.Expr) and isinstance(c := s.value, ast.Call) and isinstance(c.func, ast.Attribute) and \
                c.func.attr == "append" and isinstance(c.func.value, ast.Name) and len(c.args) == 1 and (
                    isinstance(c.args[0], ast.Name) and c.args[0].id in named or prog.call_key(c.args[0]) in WRITERS):
            filled.add(c.func.value.id)
            if prog.call_key(c.args[0]) in WRITERS:
                calls.append(c.args[0])
        else:
            return [], None
    return calls, filled


def loop_function(prog: Program, stmt: ast.For, entity: Entity, edit: Editor) -> str:
    """`def grad_summaries(x, y): ... return grad_summaries` (see the module docstring)."""
    from upgrader.native.base import Blocked, indent   # NOTE: base imports the analysis, which imports this module
    from upgrader.rules.native_functions import expression
    from upgrader.rules.native_minimize import _trainable
    loop = prog.summary_loops[id(stmt)]
    head: list[str] = []
    edits: list[tuple[ast.AST, str]] = []
    targets = {n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)}
    if loop.over == "gradients":
        grads = prog.entities[stmt.iter.id]
        compute = source(prog, grads.stmt.value)
        chain = [g for g in steps(prog, grads) if g.stmt.value is not compute] + [grads]   # edits after the taking
        made = next((g for g in steps(prog, grads) + [grads] if g.stmt.value is compute), None)
        if compute is None or made is None:
            raise Blocked(stmt.lineno, f"summaries over '{grads.name}': native mode follows gradients taken by "
                                       "compute_gradients or tf.gradients in this file, bound to a name")
        tf_gradients = prog.call_key(compute) == "tf.gradients"
        given = _arguments(compute, ("loss", "var_list"))
        if set(given) - {"loss", "var_list"}:
            raise Blocked(stmt.lineno, f"summaries over gradients taken with {sorted(set(given) - {'loss', 'var_list'})}")
        variables = expression(prog, given["var_list"], edit) if "var_list" in given else "[" + ", ".join(
            f"*{v}.trainable_variables" if prog.kind(v) == "layer" else spread(prog, v) if prog.kind(v) == "varlist"
            else v for v in grads.variables if prog.kind(v) in ("layer", "varlist") or _trainable(prog.entities[v])) + "]"
        taken = "tape.gradient(loss_value, variables)"
        head = [f"with {edit.tfx('GradientTape')}() as tape:", f"    loss_value = {expression(prog, given['loss'], edit)}",
                f"variables = {variables}",
                f"{made.name} = {taken if tf_gradients else f'list(zip({taken}, variables))'}"]
        head += [f"{g.name} = {expression(prog, g.stmt.value, edit)}" for g in chain if g is not made]
    else:
        listed = "[" + ", ".join(spread(prog, v) if prog.kind(v) == "varlist" else v for v in loop.variables) + "]"
        edits.append((stmt.iter, listed))
    bare = {id(s.value): s for s in ast.walk(stmt) if isinstance(s, ast.Expr) and prog.call_key(s.value) in WRITERS}
    for c in (n for n in ast.walk(stmt) if isinstance(n, ast.Call) and prog.call_key(n) in WRITERS):
        given = dict(zip(("name", "data"), c.args)) | {k.arg: k.value for k in c.keywords}
        data = given.get("data", given.get("tensor", given.get("values")))
        if len(c.args) > 2 or set(given) - {"name", "data", "tensor", "values"} or data is None or "name" not in given:
            raise Blocked(c.lineno, f"{prog.call_key(c)} with arguments native mode does not convert")
        value = edit.text(data)
        if loop.over == "variables" and isinstance(data, ast.Name) and data.id in targets:
            value = f"{edit.tfx('identity')}({value})"   # the value now, not when written
        entry = f"({edit.tfx(prog.call_key(c)[3:])}, {edit.text(given['name'])}, {value})"
        # NOTE: a bare summary's entry joins the list the function returns (merge_all collected it)
        edits.append((bare[id(c)], f"{loop.name}.append({entry})") if id(c) in bare else (c, entry))
    body = edit.with_edits(stmt, edits)
    text = "\n".join(head + [f"{loop.name} = []"]) + "\n" + body + f"\nreturn {loop.name}"
    return f"def {entity.func}({', '.join(entity.params)}):\n" + indent(text)
