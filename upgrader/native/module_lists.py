"""Variable listings (`tf.get_collection(TRAINABLE_VARIABLES, scope)`, `tf.trainable_variables()`) over layer-function
instances: an instance whose every TF1 variable the listing matched stands for its variables.

A tf.Module made from a layer function creates its variables on its first call when Keras layers or input sizes
make them (native/layer_functions.py, native/lazy_build.py), so the list is read where TF1 read it, inside the
training step:

    g_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='Generator')     ->  (removed)
    train_g = tf.train.AdamOptimizer(0.01).minimize(g_loss, var_list=g_vars)          ->  variables = [*generator.trainable_variables]

A listing that takes some but not all of an instance's variables, or one read elsewhere than as a var_list
before the instance is built, keeps the file in compat form with the reason.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.base import Editor
    from upgrader.native.model import Program
    from upgrader.native.modules import Instance


def instances(prog: Program) -> dict[str, Instance]:
    """Layer-function instances by entity name."""
    fx = prog.functions
    return {} if fx is None else {i.name: i for i in fx.store.values()}


def member(prog: Program, call: ast.Call, name: str, scope: str | None) -> list[str] | None:
    """[name] when the listing takes every variable of instance `name`, [] when none; None when `name` is no
    instance. A listing taking only some blocks the file."""
    inst = instances(prog).get(name)
    if inst is None:
        return None
    taken = [v for v in inst.variables if scope is None or re.match(scope, v)]
    if taken and len(taken) != len(inst.variables):
        prog.block(call, f"the variable listing by scope '{scope}' takes {len(taken)} of the {len(inst.variables)} "
                         f"variables of '{inst.name}' ({inst.builder.node.name}()): one tf.Module cannot be split")
    return [name] if taken else []


def _trainable(prog: Program, value: ast.expr) -> bool:
    listing = (prog.call_key(value) or "").rsplit(".", 1)[-1]
    key = value.args[0] if isinstance(value, ast.Call) and value.args else next(
        (k.value for k in getattr(value, "keywords", []) if k.arg == "key"), None)
    return listing == "trainable_variables" or (prog.key(key) or "").endswith("TRAINABLE_VARIABLES")


def listed(prog: Program, name: str) -> bool:
    """`name` is a variable listing holding a layer-function instance."""
    e = prog.entities.get(name)
    return e is not None and e.kind == "varlist" and any(d in instances(prog) for d in e.deps)


def items(prog: Program, name: str) -> str:
    """The listing as a list display: `[*generator.trainable_variables, w]`."""
    from upgrader.native.graphs import spread
    e = prog.entities[name]
    attr = "trainable_variables" if _trainable(prog, e.stmt.value) else "variables"
    return "[" + ", ".join(f"*{d}.{attr}" if d in instances(prog) else spread(prog, d) if prog.kind(d) == "varlist"
                           else d for d in e.deps) + "]"


def var_list(prog: Program, node: ast.expr) -> str | None:
    """A minimize/compute_gradients var_list naming such a listing, as the list display read in the step."""
    return items(prog, node.id) if isinstance(node, ast.Name) and listed(prog, node.id) else None


def only_var_lists(prog: Program, name: str) -> bool:
    """Every read of `name` is a `var_list=` argument (or minimize's third positional)."""
    loads = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    allowed = {id(k.value) for c in ast.walk(prog.tree) if isinstance(c, ast.Call) for k in c.keywords if k.arg == "var_list"}
    allowed |= {id(c.args[2]) for c in ast.walk(prog.tree) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                and c.func.attr == "minimize" and len(c.args) > 2}
    return all(id(n) in allowed for n in loads)


def statement(prog: Program, stmt: ast.stmt, name: str, edit: Editor) -> str | None:
    """The listing's own statement: removed when only var_lists read it (they read it in the step), else kept as
    the list when every instance made its variables at construction; raises Blocked otherwise."""
    from upgrader.native.base import Blocked
    if not listed(prog, name):
        return None
    if only_var_lists(prog, name):
        return ""
    built = [d for d in prog.entities[name].deps if d in instances(prog) and not _eager(prog, instances(prog)[d])]
    if built:
        raise Blocked(stmt.lineno, f"'{name}' lists the variables of '{built[0]}', which its tf.Module creates on its "
                                   "first call: read it only as a var_list (or list them after the first call by hand)")
    return f"{name} = {items(prog, name)}"


def _eager(prog: Program, inst: Instance) -> bool:
    """The instance's variables exist once it is constructed (no Keras layers, no sizes from the input)."""
    from upgrader.native.layer_functions import _family
    return not any(x.lazy or x.layers or x.rnn for x in _family(prog, inst.builder))
