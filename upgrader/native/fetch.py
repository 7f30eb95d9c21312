"""Fetch conversion: what `sess.run(fetches, feed_dict)` returns, written as TF2 calls.

    fetch(prog, call, fetches, fed, edit)  ->  '[None, train_step(x, y).numpy()]'
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, call_text
from upgrader.native.datasets import bound
from upgrader.native.feeds import feed_dicts, optional_keys, reaching_keys
from upgrader.rules.native_gradient_values import standalone
from upgrader.native.gradients import minimized_loss
from upgrader.native.group_steps import members
from upgrader.native.joint_steps import fetched_elements as _elements, written
from upgrader.native.model import Entity, Program
from upgrader.native.rnn import steps
from upgrader.native.rnn_states import structured
from upgrader.rules.native_functions import expression, is_constant


def feed(prog: Program, call: ast.Call, edit: Editor, keyword: str) -> dict[str, str]:
    node = next((k.value for k in call.keywords if k.arg == keyword), None)
    if node is None and keyword == "feed_dict" and len(call.args) > 1:
        node = call.args[1]
    elif node is None and keyword == "feed_dict" and isinstance(call.func, ast.Attribute) and call.func.attr == "eval" \
            and call.args:
        node = call.args[0]   # Tensor.eval(feed_dict=None, session=None): `acc.eval({x: xs})`
    elements = bound(prog)   # get_next() elements: bound by the for loop or next() that native_dataset writes
    if node is None:
        return elements
    if isinstance(node, ast.Name) and node.id in feed_dicts(prog):
        added = {p: f'{node.id}.get("{p}"' + (")" if d == "None" else f", {d})")   # fd.update({...})
                 for p, d in optional_keys(prog, node.id).items()}
        return elements | added | {p: f'{node.id}["{p}"]' for p in reaching_keys(prog, call, node.id)}
    if not isinstance(node, ast.Dict) or None in node.keys:
        raise Blocked(call.lineno, "feed_dict is not a literal dict, so the fed placeholders cannot be followed")
    by_graph_name = {edit.graph_name(e): e.name for e in prog.entities.values() if e.kind == "placeholder"}
    fed: dict[str, str] = {}
    for k, v in zip(node.keys, node.values):
        name = k.id if isinstance(k, ast.Name) else by_graph_name.get(k.value.split(":")[0]) if (
            isinstance(k, ast.Constant) and isinstance(k.value, str)) else None
        if isinstance(k, ast.Name) and k.id not in _bound(prog.tree):
            raise Blocked(k.lineno, f"feed_dict key {k.id} is not defined anywhere in this file (it does not run as "
                                    "written: define the placeholder first)")
        if name is None or prog.kind(name) != "placeholder":
            raise Blocked(k.lineno, f"feed_dict key {edit.text(k)} is not a placeholder native mode can follow")
        fed[name] = edit.text(v)
    return elements | fed


class _Everything(set):
    def __contains__(self, item: object) -> bool:   # `from m import *` may bind any name
        return True


def _bound(tree: ast.Module) -> set[str]:
    """Every name the file binds anywhere (assignments, imports, functions, classes, parameters)."""
    if any(a.name == "*" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names):
        return _Everything()
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    names |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
              for a in n.names}
    return names | {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))} | {
        a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}


def _one(prog: Program, node: ast.expr, fed: dict[str, str], edit: Editor) -> str:
    """One fetched value as TF2 code (a NumPy value, as sess.run returned)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_one(prog, e, fed, edit) for e in node.elts]
        return ("[%s]" if isinstance(node, ast.List) else "(%s)") % (", ".join(items) + ("," if len(items) == 1 and isinstance(node, ast.Tuple) else ""))
    if isinstance(node, ast.Dict) and None not in node.keys:
        return "{" + ", ".join(f"{edit.text(k)}: {_one(prog, v, fed, edit)}" for k, v in zip(node.keys, node.values)) + "}"
    e = prog.entities.get(node.id) if isinstance(node, ast.Name) else None
    if e is not None and standalone(prog, e) is not None:   # tf.gradients fetched for its values
        grads = call_text(e, fed, prog)
        return f"[g.numpy() for g in {grads}]" if isinstance(e.stmt.targets[0], ast.Name) else f"{grads}.numpy()"
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and prog.kind(n.id) in ("train", "optimizer", "init", "session", "saver", "writer", "layer",
                                                           "gradients", "steps"):
            raise Blocked(n.lineno, f"'{n.id}' fetched in a way native mode cannot follow")
    needed = e.params if e is not None else tuple(dict.fromkeys(
        p for n in ast.walk(node) if isinstance(n, ast.Name) and (x := prog.entities.get(n.id))
        for p in ((n.id,) if x.kind == "placeholder" else x.params)))
    missing = [p for p in needed if p not in fed and not prog.entities[p].default]
    if missing:
        raise Blocked(node.lineno, f"sess.run at line {node.lineno} feeds no value for placeholder(s) {', '.join(missing)}")
    if e is not None and e.kind == "summary":
        return call_text(e, fed, prog)   # the values to write; add_summary writes them
    if e is not None and e.value:
        return f"{e.value}.numpy()"
    if e is not None and is_constant(e) and _returns_list(prog, getattr(e.stmt, "value", None)):
        return f"[t.numpy() for t in {e.name}]"   # computed once, eagerly: a list of tensors
    if e is not None and (e.kind == "variable" or is_constant(e)):
        return f"{e.name}.numpy()"
    if e is not None and e.kind == "varlist" and isinstance(e.stmt.value, ast.Dict):
        return f"{{k: v.numpy() for k, v in {e.name}.items()}}"
    if e is not None and e.kind == "varlist":
        return f"[v.numpy() for v in {e.name}]"
    if e is not None and prog.call_key(getattr(e.stmt, "value", None)) in OPS:
        return call_text(e, fed, prog)   # an op (tf.group): TF1's sess.run gave None, and so does the eager call
    if e is not None and (isinstance(getattr(e.stmt, "value", None), (ast.List, ast.Tuple, ast.ListComp)) or steps(prog, e)
                          or _returns_list(prog, getattr(e.stmt, "value", None))):
        return f"[t.numpy() for t in {call_text(e, fed, prog)}]"   # a list of tensors (or of assign ops)
    if e is not None and structured(prog, e):   # an RNN state tuple: sess.run gave the same structure of arrays
        return f"{edit.tfx('nest.map_structure')}(lambda t: t.numpy(), {call_text(e, fed, prog)})"
    if e is not None:
        return call_text(e, fed, prog) + ".numpy()"
    if isinstance(node, ast.ListComp):   # `sess.run([net[k] for k in keys])`: a list of arrays, one per element
        loops = "".join(f" for {edit.text(g.target)} in {expression(prog, g.iter, edit, fed)}" + "".join(
            f" if {expression(prog, c, edit, fed)}" for c in g.ifs) for g in node.generators)
        return f"[{_one(prog, node.elt, fed, edit)}{loops}]"
    text = expression(prog, node, edit, fed)
    if e is None and isinstance(node, ast.Name) and _returns_list(prog, _last_binding(prog, node)):
        return f"[t.numpy() for t in {text}]"   # an eager value a helper returned as a list of tensors
    many = MULTI_OUTPUT.get(prog.call_key(node) or "")
    if many:   # sess.run gave a tuple (or list) of arrays for an op with several outputs
        return f"{many}(t.numpy() for t in {text})" if many == "tuple" else f"[t.numpy() for t in {text}]"
    return (text if isinstance(node, (ast.Call, ast.Name, ast.Attribute, ast.Subscript)) else f"({text})") + ".numpy()"


OPS = frozenset({"tf.group", "tf.no_op"})   # ops whose sess.run value is None

# TF ops whose result is several tensors: sess.run returns them as a tuple (or a list, for split/unstack)
MULTI_OUTPUT = {**dict.fromkeys(("tf.self_adjoint_eig", "tf.linalg.eigh", "tf.svd", "tf.linalg.svd", "tf.qr",
                                 "tf.linalg.qr", "tf.nn.moments", "tf.unique", "tf.nn.top_k", "tf.math.top_k",
                                 "tf.unique_with_counts", "tf.meshgrid"), "tuple"),
                **dict.fromkeys(("tf.split", "tf.unstack", "tf.unpack"), "list")}


def fetch(prog: Program, call: ast.Call, fetches: ast.expr, fed: dict[str, str], edit: Editor) -> str:
    """`sess.run([train, loss], feed)` -> `[None, train(x, y).numpy()]` (the step returns its loss)."""
    fetched = {n.id for n in ast.walk(fetches) if isinstance(n, ast.Name) and n.id in prog.entities}
    for name in fetched:
        if both := sorted(_runs_first(prog, name, set()) & fetched):
            raise Blocked(call.lineno, f"sess.run fetches {', '.join(both)} and '{name}', which depends on it by "
                                       "control_dependencies: TF1 runs it once, separate TF2 calls would run it twice")
    elts = _elements(fetches)
    train = [n for n in elts if isinstance(n, ast.Name) and prog.kind(n.id) in ("train", "steps")]
    if not train:
        ops = [i for i, n in enumerate(getattr(fetches, "elts", [])) if isinstance(n, ast.Name) and n.id in prog.entities
               and prog.call_key(getattr(prog.entities[n.id].stmt, "value", None)) in OPS]
        if ops and len(fetches.elts) > ops[0] + 1:
            edit.notes.append((call.lineno, f"{', '.join(edit.text(n) for n in fetches.elts[ops[0] + 1:])}: fetched after "
                                            "an op that changes variables, now computed after it (TF1 computed every "
                                            "fetch of one sess.run from the same variable values)"))
        return _one(prog, fetches, fed, edit)
    trains = list(dict.fromkeys(m for n in train for m in members(prog, n.id)))   # a tf.group: its ops (native/group_steps.py)
    group = tuple(sorted(trains, key=prog.order.index))
    joint = written(prog).get(group) if len(group) > 1 else None
    if len(group) > 1 and joint is None:
        raise Blocked(call.lineno, "sess.run fetches two training ops: TF1 runs both from the same variable values, "
                                   "TF2 steps would run one after the other")
    params = dict.fromkeys(p for g in group for p in prog.entities[g].params)
    missing = [p for p in params if p not in fed and not prog.entities[p].default]
    if missing:
        raise Blocked(call.lineno, f"training step fed no value for placeholder(s) {', '.join(missing)}")
    if joint is None:
        step = call_text(prog.entities[group[0]], fed, prog)
    else:   # NOTE: one step takes every gradient before any update (native/joint_steps.py); it returns each loss
        step = call_text(Entity(joint, "train", call, params=tuple(p for p in prog.order if p in params), func=joint), fed, prog)
    if fetches is train[0]:
        return step
    losses = [minimized_loss(prog, prog.entities[g]) for g in group]
    loss_ids = [loss.id if isinstance(loss, ast.Name) else None for loss in losses]
    is_loss = [loss_ids.index(n.id) if isinstance(n, ast.Name) and n.id in loss_ids else None for n in elts]
    # NOTE: the step returns its loss, computed before the update as TF1 computes every fetch; the loss's
    # slot gets it (the train op's slot, None in TF1, gets the step itself when the loss is not fetched).
    items, taken = [], ""
    for n, slot in zip(elts, is_loss):
        if any(n is t for t in train):
            items.append(step if not taken and n is train[0] and all(s is None for s in is_loss) else "None")
        elif slot is not None and joint is None:
            items.append((step + ".numpy()") if not taken else _one(prog, n, fed, edit))
            taken = step
        elif slot is not None and sum(s is not None for s in is_loss) == 1:
            items.append(f"{step}[{slot}].numpy()")
        elif slot is not None:
            if not taken:
                taken = edit.claim(next(f"{joint}_losses{'_' * i}" for i in range(9) if edit.free(f"{joint}_losses{'_' * i}")))
                items.append(f"({taken} := {step})[{slot}].numpy()")
            else:
                items.append(f"{taken}[{slot}].numpy()")
        else:
            items.append(_one(prog, n, fed, edit))
    _before_step(prog, call, elts, items, step, loss_ids, edit)
    if isinstance(fetches, ast.Dict):   # `sess.run({"loss": loss, "train": train}, feed)`: the same, keyed
        return "{" + ", ".join(f"{edit.text(k)}: {v}" for k, v in zip(fetches.keys, items)) + "}"
    return ("[%s]" if isinstance(fetches, ast.List) else "(%s)") % ", ".join(items)


def _before_step(prog: Program, call: ast.Call, elts: list[ast.expr], items: list[str], step: str, loss_ids: list,
                 edit: Editor) -> None:
    """Tensors and summaries fetched with a training step are computed before it, from the variables it reads:
    `[None, train(x).numpy(), merged(x)]` -> `[None, (merged_fetched := merged(x), train(x).numpy())[-1], merged_fetched]`.

    NOTE: TF1 computes every fetch of one sess.run before the update (a summary of the loss is the fetched loss);
    Python evaluates a display left to right, so each is bound by the first item that runs the step.
    """
    first = next((i for i, item in enumerate(items) if step in item), None)
    if first is None:
        return
    # NOTE: a variable fetched before the step's slot (`[train, global_step, loss]`) was read after the update in TF1
    # (a ref variable's fetch is its buffer when the run ends): the step runs in the variable's slot instead
    late = next((i for i in range(first) if isinstance(n := elts[i], ast.Name) and prog.kind(n.id) == "variable"), None)
    mine = edit.__dict__.setdefault("before_step_names", set())
    hoisted, names, stepped = [], [], None
    if late is not None:
        stepped = next(b for k in range(99) if (b := "step_fetched" + "_" * k) in mine or edit.free(b))
        mine.add(edit.claim(stepped))
        items[first], items[late], first = stepped, f"{stepped} := {items[first]}, {items[late]}", late
    for i in range(first + 1, len(items)):
        n = elts[i]
        reads = any(isinstance(m, ast.Name) and getattr(prog.entities.get(m.id), "variables", ()) for m in ast.walk(n))
        if items[i] == stepped or not reads or isinstance(n, ast.Name) and (
                prog.kind(n.id) not in ("tensor", "summary") or n.id in loss_ids):
            continue   # the loss (the step returns it), a variable, an op, a value that reads no variable
        if _changes_variables(prog, n, set()):   # TF1 gave the update and the assignment no order: it stays after
            edit.notes.append((call.lineno, f"{edit.text(n)}: assigns variables and is fetched with the training step; "
                                            "it now runs after the update (TF1 ran both in one step, in no set order)"))
            continue
        # NOTE: a flattened class's names carry its instance prefix (model__loss); the new local must not,
        # or folding the class back would make it an attribute (model.loss_fetched), which := cannot bind
        base = (n.id.rsplit("__", 1)[-1] if isinstance(n, ast.Name) else "value") + "_fetched"
        name = next(b for k in range(99) if (b := base + "_" * k) in mine and b not in names or edit.free(b))
        mine.add(edit.claim(name))
        names.append(name)
        hoisted.append(f"{name} := {items[i]}")
        items[i] = name
    if hoisted or late is not None:
        items[first] = f"({', '.join(hoisted + [items[first]])})[-1]"


def _changes_variables(prog: Program, node: ast.AST, seen: set[str]) -> bool:
    """`node` (or a graph value it is computed from) assigns to a variable: `v.assign(...)`, `tf.assign_add`, a group."""
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and n.attr.startswith(("assign", "scatter")) or isinstance(n, ast.Call) and \
                prog.call_key(n) in OPS:
            return True
        if isinstance(n, ast.Name) and n.id not in seen and (e := prog.entities.get(n.id)) is not None:
            seen.add(n.id)
            if e.kind not in ("placeholder", "variable") and _changes_variables(prog, e.stmt, seen):
                return True
    return False


def _runs_first(prog: Program, name: str, seen: set[str]) -> set[str]:
    """Every op `name`'s function calls first (control_dependencies), through its whole dependency chain."""
    e = prog.entities[name]
    out = set(e.first)
    for d in e.deps:
        if d not in seen:
            seen.add(d)
            out |= _runs_first(prog, d, seen)
    return out


def bind_once(text: str, fed: dict[str, str], edit: Editor) -> str:
    """Feed values computed by a call (`{z: sample_z(16)}`) are computed once, as TF1 evaluated its feed dict once:
    `[D_solver(sample_z(16)), D_loss(sample_z(16)).numpy()]` -> `[D_solver((z_fed := sample_z(16))), D_loss(z_fed).numpy()]`.
    """
    for param, value in fed.items():
        if text.count(value) < 2 or all(_pure(n) for n in ast.walk(ast.parse(value, mode="eval")) if isinstance(n, ast.Call)):
            continue
        name = f"{param}_fed"
        while not edit.free(name):
            name += "_"
        edit.claim(name)
        first = text.index(value)
        text = text[:first] + f"({name} := {value})" + text[first + len(value):].replace(value, name)
    return text


PURE_METHODS = frozenset({"reshape", "astype", "transpose", "flatten", "ravel", "copy", "squeeze"})


def _pure(call: ast.Call) -> bool:
    """A call that gives the same value every time: NumPy constructors and reshapes, not np.random or user code."""
    name = ast.unparse(call.func)
    if isinstance(call.func, ast.Attribute) and call.func.attr in PURE_METHODS:
        return True
    return name.split(".")[0] in ("np", "numpy") and ".random" not in name


def _last_binding(prog: Program, name: ast.Name) -> ast.AST | None:
    """The value of the last module-level `name = ...` above `name`'s line (eager data, not a graph entity)."""
    values = [s.value for s in prog.tree.body if isinstance(s, ast.Assign) and s.end_lineno < name.lineno
              and any(isinstance(t, ast.Name) and t.id == name.id for t in s.targets)]
    return values[-1] if values else None


def _returns_list(prog: Program, value: ast.AST | None) -> bool:
    """`value` calls a def of this file that returns a list of tensors (`images = [...]; ...; return images`)."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
        return False
    fn = next((s for s in prog.tree.body if isinstance(s, ast.FunctionDef) and s.name == value.func.id), None)
    if fn is None:
        return False
    lists = {t.id for n in ast.walk(fn) if isinstance(n, ast.Assign) and isinstance(n.value, (ast.List, ast.ListComp))
             for t in n.targets if isinstance(t, ast.Name)}
    returns = [n.value for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None]
    return bool(returns) and all(isinstance(r, (ast.List, ast.ListComp)) or isinstance(r, ast.Name) and r.id in lists
                                 for r in returns)
