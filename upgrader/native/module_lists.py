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
    """[name] when the listing takes every variable of instance or module-level Keras layer `name`, [] when none;
    None when `name` is neither. A listing taking only some of an instance's blocks the file."""
    inst = instances(prog).get(name)
    if inst is None:
        return _keras_layer(prog, call, name, scope)
    taken = [v for v in inst.variables if scope is None or re.match(scope, v)]
    if taken and len(taken) != len(inst.variables):
        prog.block(call, f"the variable listing by scope '{scope}' takes {len(taken)} of the {len(inst.variables)} "
                         f"variables of '{inst.name}' ({inst.builder.node.name}()): one tf.Module cannot be split")
    return [name] if taken else []


def _keras_layer(prog: Program, call: ast.Call, name: str, scope: str | None) -> list[str] | None:
    """A module-level tf.layers layer under variable_scope path P, named N: its variables are 'P/N/kernel'..."""
    from upgrader.native.layer_functions import BASES, keras_classes
    e = prog.entities.get(name)
    if e is None or e.kind != "layer":
        return None
    cls = keras_classes().get(prog.call_key(getattr(e.stmt, "value", None)) or "")
    if cls is None:
        prog.block(call, f"a variable listing in a file with the Keras layer '{name}', whose TF1 variable names "
                         "native mode does not follow")
        return []
    if not cls.startswith(("Dense", "Conv", "Batch")):
        return []   # pooling, flatten, dropout: no variables
    given = next((k.value for k in e.stmt.value.keywords if k.arg == "name"), None)
    layer = given.value if isinstance(given, ast.Constant) and isinstance(given.value, str) else BASES[cls]
    path = prog.scopes.get(id(e.stmt), ("", False))[0]
    return [name] if scope is None or re.match(scope, f"{path}/{layer}/" if path else f"{layer}/") else []


def _trainable(prog: Program, value: ast.expr) -> bool:
    listing = (prog.call_key(value) or "").rsplit(".", 1)[-1]
    key = value.args[0] if isinstance(value, ast.Call) and value.args else next(
        (k.value for k in getattr(value, "keywords", []) if k.arg == "key"), None)
    return listing == "trainable_variables" or (prog.key(key) or "").endswith("TRAINABLE_VARIABLES")


def listed(prog: Program, name: str) -> bool:
    """`name` is a variable listing holding a layer-function instance."""
    e = prog.entities.get(name)
    return e is not None and e.kind == "varlist" and any(prog.kind(d) == "layer" for d in e.deps)


def items(prog: Program, name: str) -> str:
    """The listing as a list display: `[*generator.trainable_variables, w]`."""
    e = prog.entities[name]
    return _display(prog, e.stmt.value, e.deps)


def _display(prog: Program, listing: ast.expr, members: tuple[str, ...]) -> str:
    from upgrader.native.graphs import spread
    attr = "trainable_variables" if _trainable(prog, listing) else "variables"
    return "[" + ", ".join(f"*{d}.{attr}" if prog.kind(d) == "layer" else spread(prog, d) if prog.kind(d) == "varlist"
                           else d for d in members) + "]"


def var_list(prog: Program, node: ast.expr) -> str | None:
    """A minimize/compute_gradients var_list naming such a listing (or making it: `var_list=tf.get_collection(...)`),
    as the list display read in the step."""
    if isinstance(node, ast.Call) and any(prog.kind(d) == "layer" for d in prog.resolved.get(id(node), ())):
        return _display(prog, node, prog.resolved[id(node)])
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
    built = [d for d in prog.entities[name].deps if prog.kind(d) == "layer" and not (
        d in instances(prog) and _eager(prog, instances(prog)[d]))]
    if built:
        raise Blocked(stmt.lineno, f"'{name}' lists the variables of '{built[0]}', which its tf.Module creates on its "
                                   "first call: read it only as a var_list (or list them after the first call by hand)")
    return f"{name} = {items(prog, name)}"


def _eager(prog: Program, inst: Instance) -> bool:
    """The instance's variables exist once it is constructed (no Keras layers, no sizes from the input)."""
    from upgrader.native.layer_functions import _family
    return not any(x.lazy or x.layers or x.rnn for x in _family(prog, inst.builder))
