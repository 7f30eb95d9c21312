"""A fed RNN state: `tf.placeholder_with_default` of a cell's zero state, run as dynamic_rnn's initial_state.

TF1 samplers feed the state one run returned into the next, and leave it unfed (zeros) when training. In TF2
the state is an optional parameter of the functions that run the Keras layer, None meaning Keras's zero state:

    in_state = tf.placeholder_with_default(cell.zero_state(b, tf.float32), [None, 8])   ->  (removed)
    out, state = tf.nn.dynamic_rnn(cell, x, initial_state=in_state)   ->  def state(x, in_state=None):
                                                                              return cell(x, initial_state=in_state)[1]
    zero = cells.zero_state(b, tf.float32)                             (a MultiRNNCell: one holder per layer,
    in_state = tuple([tf.placeholder_with_default(z, [None, z.shape[1]]) for z in zero])   fed as a tuple)

Only cells whose state is one tensor per layer (GRU, basic RNN) have such a holder: TF1 cannot make one
placeholder_with_default of an LSTMStateTuple.
"""
from __future__ import annotations

import ast
from typing import Any

from upgrader.native.naming import per_analysis

HOLDER = "tf.placeholder_with_default"
FEED_READS = ("update", "get", "setdefault", "pop")   # NOTE: `feed.update({in_state: s})` keys are feed keys


def holders(prog: Any) -> dict[str, str]:
    """Module-level state holders -> the name of the cell (or MultiRNNCell) whose zero state they default to."""
    return per_analysis(prog, "_rnn_state_holders", lambda: {
        s.targets[0].id: cell for s in prog.tree.body if isinstance(s, ast.Assign) and len(s.targets) == 1
        and isinstance(s.targets[0], ast.Name) and (cell := _default_of(prog, s.value)) is not None})


def _default_of(prog: Any, value: ast.expr) -> str | None:
    from upgrader.native.rnn import _bound, zero_state_of
    if prog.call_key(value) == HOLDER:   # one tensor: the zero state itself
        cell = zero_state_of(prog, _first(value))
        return cell.id if cell is not None else None
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "tuple"
            and len(value.args) == 1 and not value.keywords and isinstance(value.args[0], (ast.ListComp, ast.GeneratorExp))):
        return None
    comp = value.args[0]
    if len(comp.generators) != 1 or comp.generators[0].ifs or not isinstance(comp.generators[0].target, ast.Name):
        return None
    item = _first(comp.elt) if prog.call_key(comp.elt) == HOLDER else None
    if not (isinstance(item, ast.Name) and item.id == comp.generators[0].target.id):
        return None
    cell = zero_state_of(prog, _bound(prog, comp.generators[0].iter))   # a stack's zero state, layer by layer
    return cell.id if cell is not None else None


def _first(call: ast.Call) -> ast.expr | None:
    return call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "input"), None)


def holder_statement(prog: Any, stmt: ast.Assign) -> bool:
    """Record a state holder as an optional placeholder (default None, no dtype conversion); True if it is one."""
    from upgrader.native.model import Entity
    name = stmt.targets[0].id if isinstance(stmt.targets[0], ast.Name) else None
    cell = _default_of(prog, stmt.value) if name is not None else None
    if cell is None:
        return False
    if name in prog.entities:
        prog.block(stmt, f"'{name}' (a fed RNN state) rebinds a graph name")
        return True
    prog.rnn_calls.update(id(n) for n in ast.walk(stmt.value) if isinstance(n, ast.Call))
    prog.entities[name] = Entity(name, "placeholder", stmt, default="None")
    prog.flags.add(name)   # NOTE: None or a state: passed on as it comes (no convert_to_tensor, no TensorSpec)
    prog.order.append(name)
    parents = {id(c): p for p in ast.walk(prog.tree) for c in ast.iter_child_nodes(p)}
    for node in ast.walk(prog.tree):
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.keyword):   # dynamic_rnn(..., initial_state=in_state)
            parent = parents.get(id(parent))
        if isinstance(parent, ast.Dict) and any(k is node for k in parent.keys) or isinstance(parent, ast.Subscript) \
                and any(elementwise(prog, c) for c in ast.walk(prog.tree) if isinstance(c, ast.Call)
                        and any(k is parent for a in c.args if isinstance(a, ast.Dict) for k in a.keys)):
            continue   # a feed
        if initial_state_of(prog, parent, node) == cell or _def_call(prog, parent, node):
            continue
        prog.block(node, f"'{name}' (a placeholder_with_default of {cell}'s zero state) is read other than as "
                         "dynamic_rnn's initial_state or fed: in TF2 it is an optional parameter, None for zeros")
        return True
    return True


def initial_state_of(prog: Any, call: ast.AST | None, node: ast.AST) -> str | None:
    """The cell a dynamic_rnn `call` runs when `node` is its initial_state, else None."""
    from upgrader.native.rnn import RUN_PARAMS
    key = prog.call_key(call) if call is not None else None
    if key not in RUN_PARAMS:
        return None
    args = dict(zip(RUN_PARAMS[key], call.args)) | {k.arg: k.value for k in call.keywords}
    cell = args.get("cell")
    return cell.id if args.get("initial_state") is node and isinstance(cell, ast.Name) else None


def zero_iterated(prog: Any, name: str) -> bool:
    """`zero = cells.zero_state(...)` is read only as the comprehension a state holder is built over."""
    iters = {id(s.value.args[0].generators[0].iter) for s in prog.tree.body if isinstance(s, ast.Assign)
             and isinstance(s.targets[0], ast.Name) and s.targets[0].id in holders(prog) and prog.call_key(s.value) != HOLDER}
    reads = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    return bool(reads) and all(id(n) in iters for n in reads)


def fetched(prog: Any, parents: dict[int, ast.AST], node: ast.Name) -> bool:
    """`sess.run(state, ...)` / `sess.run([sample, state], ...)`: the whole state is fetched (and so becomes arrays)."""
    parent = parents.get(id(node))
    run = parents.get(id(parent)) if isinstance(parent, (ast.List, ast.Tuple)) else parent
    first = node if run is parent else parent
    return (isinstance(run, ast.Call) and isinstance(run.func, ast.Attribute) and run.func.attr == "run"
            and bool(run.args) and run.args[0] is first)


def structured(prog: Any, entity: Any) -> bool:
    """The entity is a dynamic_rnn state that is a structure of tensors (an LSTMStateTuple, a tuple per layer)."""
    from upgrader.native.rnn import RUN_PARAMS, STACKS
    stmt = entity.stmt
    if not (isinstance(stmt, ast.Assign) and prog.call_key(stmt.value) in RUN_PARAMS and isinstance(
            stmt.targets[0], ast.Tuple) and len(stmt.targets[0].elts) == 2 and isinstance(stmt.targets[0].elts[1], ast.Name)
            and stmt.targets[0].elts[1].id == entity.name):
        return False
    cell = prog.entities.get(getattr(_cell_arg(prog, stmt.value), "id", ""))
    return cell is not None and (prog.call_key(cell.stmt.value) in STACKS or "LSTM" in (prog.call_key(cell.stmt.value) or ""))


def _cell_arg(prog: Any, call: ast.Call) -> ast.expr | None:
    from upgrader.native.rnn import RUN_PARAMS
    return dict(zip(RUN_PARAMS[prog.call_key(call)], call.args)).get("cell") or next(
        (k.value for k in call.keywords if k.arg == "cell"), None)


def _def_call(prog: Any, call: ast.AST | None, node: ast.Name) -> bool:
    """`online_inference(sess, seq, in_state)`: handed to a def of this file (whose own uses are analysed there)."""
    defs = {d.name for d in prog.tree.body if isinstance(d, ast.FunctionDef)}
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in defs and any(
        a is node for a in call.args)


def elementwise(prog: Any, call: ast.AST) -> tuple[str, str] | None:
    """`for i in range(len(state)): feed.update({in_state[i]: state[i]})`, in_state a holder of one state per layer:
    (the holder, `state`). TF1 fed every layer's state, so TF2 passes the whole tuple: `{"in_state": tuple(state)}`."""
    arg = call.args[0] if isinstance(call, ast.Call) and len(call.args) == 1 and not call.keywords else None
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "update" and isinstance(arg, ast.Dict)
            and len(arg.keys) == 1 and isinstance(key := arg.keys[0], ast.Subscript) and isinstance(
                value := arg.values[0], ast.Subscript)):
        return None
    names = [key.value, key.slice, value.value, value.slice]
    if not all(isinstance(n, ast.Name) for n in names) or key.slice.id != value.slice.id:
        return None
    holder, index, state = key.value.id, key.slice.id, value.value.id
    stmt = next((s for s in prog.tree.body if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)
                 and s.targets[0].id == holder), None)
    if holder not in holders(prog) or stmt is None or prog.call_key(stmt.value) == HOLDER:
        return None
    parents = per_analysis(prog, "_rnn_parents", lambda: {
        id(c): p for p in ast.walk(prog.tree) for c in ast.iter_child_nodes(p)})
    loop = parents.get(id(parents.get(id(call))))
    whole = f"range(len({state}))"
    if not (isinstance(loop, ast.For) and len(loop.body) == 1 and loop.body[0] is parents.get(id(call)) and not
            loop.orelse and isinstance(loop.target, ast.Name) and loop.target.id == index
            and ast.unparse(loop.iter) == whole):
        return None
    return holder, state


SEQ2SEQ = "tf.contrib.legacy_seq2seq"


def class_cell_reason(prog: Any, node: ast.Call, key: str) -> str | None:
    """Why an RNN cell made in a class that native mode left as it was has no native form (None: not in a class).

    A model class converts when native mode can write it as a tf.Module (native/class_fold.py); a class made twice to
    share its variables, or running its cell with legacy_seq2seq's Python loops, is not one of those.
    """
    cls = next((c for c in prog.tree.body if isinstance(c, ast.ClassDef) and any(n is node for n in ast.walk(c))), None)
    if cls is None:
        return None
    made = [n.lineno for n in ast.walk(prog.tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id == cls.name]
    why = []
    if len(made) > 1:
        where = ", ".join(map(str, made))
        reuse = " (sharing variables under variable_scope reuse)" if any(
            k.arg == "reuse" for n in ast.walk(prog.tree) if isinstance(n, ast.Call) for k in n.keywords) else ""
        why.append(f"it is instantiated {len(made)} times, at lines {where}{reuse}, and native mode converts a "
                   "model class with one instance")
    seq2seq = sorted({k for n in ast.walk(cls) if isinstance(n, ast.Attribute) and (k := prog.key(n) or "").startswith(
        SEQ2SEQ + ".") and k.count(".") == 3 and "_loss" not in k})
    if seq2seq:
        looped = any(k.arg == "loop_function" for n in ast.walk(cls) if isinstance(n, ast.Call) for k in n.keywords)
        why.append(f"it runs the cell with {', '.join(seq2seq)}, a Python loop of cell calls" + (
            " (its loop_function feeds each output back as the next input)" * looped) + " with no Keras layer form")
    zeros = {t.attr for n in ast.walk(cls) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and isinstance(
        n.value.func, ast.Attribute) and n.value.func.attr == "zero_state" for t in n.targets if isinstance(t, ast.Attribute)}
    fed = sorted({k.attr for n in ast.walk(prog.tree) if isinstance(n, ast.Dict) for k in n.keys
                  if isinstance(k, ast.Attribute) and k.attr in zeros})
    if fed:
        why.append(f"it feeds the cell's zero_state tensors ('{fed[0]}') as placeholders, which a TF2 Keras layer "
                   "takes as its initial_state argument instead")
    reasons = "; ".join(why) or "native mode does not write it as a tf.Module"
    return f"{key} in class '{cls.name}' (line {cls.lineno}), which stays as written: {reasons}"
