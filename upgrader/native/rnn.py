"""`tf.nn.rnn_cell` cells and `tf.nn.dynamic_rnn` in the native analysis, and their Keras form.

A cell statement becomes one Keras RNN layer (the entity that owns the variables); `dynamic_rnn`
binds two graph tensors computed by that layer; the returned state may only be read down to a
tensor (`state.h`, `state[1].c`), since TF2 code gets Keras's flat [h, c] back:

    cell = tf.nn.rnn_cell.LSTMCell(8)                 ->  entity 'cell', kind "layer"
    outputs, state = tf.nn.dynamic_rnn(cell, x, ...)  ->  tensors 'outputs' and 'state' depending on 'cell'
    keras_cell(prog, call, edit, "cell")              ->  ("tf.keras.layers.LSTMCell(8)", ["...initial weights differ"])
"""
from __future__ import annotations

import ast
from typing import Any

from upgrader.native.graphs import VARIABLE_KEYS
from upgrader.native.rnn_states import fetched, holder_statement, holders, zero_iterated

CELLS = {f"{module}.{tf1}": keras for module in ("tf.nn.rnn_cell", "tf.contrib.rnn") for tf1, keras in (
    ("BasicLSTMCell", "LSTMCell"), ("LSTMCell", "LSTMCell"), ("GRUCell", "GRUCell"), ("BasicRNNCell", "SimpleRNNCell"))}
STACKS = frozenset({"tf.nn.rnn_cell.MultiRNNCell", "tf.contrib.rnn.MultiRNNCell"})
DROPOUT = frozenset({"tf.nn.rnn_cell.DropoutWrapper", "tf.contrib.rnn.DropoutWrapper"})
DYNAMIC_RNN = "tf.nn.dynamic_rnn"
DYNAMIC_PARAMS = ("cell", "inputs", "sequence_length", "initial_state", "dtype", "parallel_iterations",
                  "swap_memory", "time_major", "scope")
# static_rnn takes and returns a list of steps: the layer runs on tf.stack(inputs, 1), outputs are tf.unstack(..., 1)
STATIC_PARAMS = ("cell", "inputs", "initial_state", "dtype", "sequence_length", "scope")
RUN_PARAMS = {DYNAMIC_RNN: DYNAMIC_PARAMS, "tf.nn.static_rnn": STATIC_PARAMS, "tf.contrib.rnn.static_rnn": STATIC_PARAMS}
# TF1 constructor parameters, in order, and the values native mode can map (None: any value; a tuple: only these)
PARAMS: dict[str, tuple[tuple[str, Any], ...]] = {
    "BasicLSTMCell": (("num_units", None), ("forget_bias", None), ("state_is_tuple", (True,)), ("activation", None),
                      ("reuse", (None,)), ("name", None), ("dtype", None)),
    "LSTMCell": (("num_units", None), ("use_peepholes", (False,)), ("cell_clip", (None,)), ("initializer", None),
                 ("num_proj", (None,)), ("proj_clip", (None,)), ("num_unit_shards", (None,)),
                 ("num_proj_shards", (None,)), ("forget_bias", None), ("state_is_tuple", (True,)),
                 ("activation", None), ("reuse", (None,)), ("name", None), ("dtype", None)),
    "GRUCell": (("num_units", None), ("activation", None), ("reuse", (None,)), ("kernel_initializer", None),
                ("bias_initializer", None), ("name", None), ("dtype", None)),
    "BasicRNNCell": (("num_units", None), ("activation", None), ("reuse", (None,)), ("name", None), ("dtype", None)),
}
GATES = {"LSTMCell": "4 * units", "GRUCell": "2 * units (gates) and units (candidate)", "SimpleRNNCell": "units"}
CONSTANT_INITS = ("tf.zeros_initializer", "tf.ones_initializer", "tf.constant_initializer")
FLOAT32 = ("tf.float32", "tf.dtypes.float32")
VARIABLE_LISTS = ("tf.trainable_variables", "tf.global_variables", "tf.all_variables", "tf.model_variables",
                  "tf.get_collection", "tf.get_collection_ref")   # get_collection: with a GraphKeys *VARIABLES key


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def layers(prog: Any, value: ast.expr) -> tuple[list[ast.Call], bool] | None:
    """(the cell constructor calls a cell statement stacks, whether it is a MultiRNNCell); None if not followable.

    A list comprehension `[LSTMCell(n) for n in sizes]` gives its one element call (every layer has its kind).
    """
    if prog.call_key(value) in CELLS:
        return [value], False
    arg = cell_list(prog, value.args[0]) if isinstance(value, ast.Call) and len(value.args) == 1 and not \
        value.keywords else value   # MultiRNNCell([...]), or a cell list statement's own value
    items = [arg.elt] if isinstance(arg, ast.ListComp) else arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else []
    calls = [prog.entities[i.id].stmt.value if isinstance(i, ast.Name) and prog.kind(i.id) == "cell" else i for i in items]
    if not calls or not all(prog.call_key(c) in CELLS for c in calls):
        return None
    return calls, True


def cell_list(prog: Any, node: ast.expr) -> ast.expr:
    """`layers` bound to a list of cells (`layers = [GRUCell(n) for n in sizes]`): that list; else the node."""
    entity = prog.entities.get(node.id) if isinstance(node, ast.Name) else None
    if entity is not None and entity.kind == "cell" and isinstance(entity.stmt.value, (ast.List, ast.Tuple, ast.ListComp)):
        return entity.stmt.value
    return node


def cells_statement(prog: Any, stmt: ast.Assign) -> bool:
    """`layers = [GRUCell(n) for n in sizes]` / `[LSTMCell(8), LSTMCell(4)]`: a list of new cells for a MultiRNNCell."""
    value = stmt.value
    items = [value.elt] if isinstance(value, ast.ListComp) else value.elts if isinstance(value, (ast.List, ast.Tuple)) \
        else []
    return bool(items) and all(prog.call_key(i) in CELLS for i in items)


def state_kinds(prog: Any, value: ast.expr) -> tuple[list[str], bool]:
    """The Keras cell class of each layer (one entry for a comprehension) and whether the list is literal."""
    calls, _ = layers(prog, value) or ([], False)
    arg = cell_list(prog, value.args[0]) if value.args else None
    return [CELLS[prog.call_key(c)] for c in calls], not isinstance(arg, ast.ListComp)


def classify(prog: Any, stmt: ast.stmt) -> bool:
    """Record a cell or dynamic_rnn statement (True), or leave `stmt` to the rest of the analysis (False)."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return False
    key = prog.call_key(stmt.value)
    if holder_statement(prog, stmt):   # a fed state defaulting to the zero state (native/rnn_states.py)
        return True
    if cells_statement(prog, stmt):   # the layers of a MultiRNNCell built later from this name
        prog.rnn_calls.update(id(n) for n in ast.walk(stmt.value) if prog.call_key(n) in CELLS)
        _cell(prog, stmt)
        prog.rnn_calls.add(id(stmt.value))
        return True
    if zero_state_of(prog, stmt.value) or key in DROPOUT and _rewrapped(prog, stmt):
        _wrapper_or_zero(prog, stmt)
        return True
    # NOTE: these calls are followed or blocked here with a precise reason, not by model._walk_blockers
    prog.rnn_calls.update(id(n) for n in ast.walk(stmt.value) if prog.call_key(n) in CELLS or prog.call_key(n) in STACKS)
    if key in CELLS or key in STACKS:
        _cell(prog, stmt)
    elif key in RUN_PARAMS:
        _dynamic(prog, stmt)
    else:
        return False
    prog.rnn_calls.add(id(stmt.value))
    return True


def _cell(prog: Any, stmt: ast.Assign) -> None:
    from upgrader.native.model import Entity
    target, value = stmt.targets[0], stmt.value
    found = layers(prog, value)
    if not isinstance(target, ast.Name) or found is None or target.id in prog.entities:
        prog.block(stmt, "an RNN cell native mode can follow is one cell, or a MultiRNNCell of a list of cells, "
                         "assigned to one new name")
        return
    if any(isinstance(n, ast.Name) and prog.kind(n.id) in ("placeholder", "tensor") for n in ast.walk(value)):
        prog.block(stmt, f"RNN cell '{target.id}' is configured from a graph tensor")
        return
    listing = next((n for n in ast.walk(prog.tree) if prog.call_key(n) in VARIABLE_LISTS and (
        not prog.call_key(n).startswith("tf.get_collection") or (n.args and prog.key(n.args[0]) in VARIABLE_KEYS))), None)
    if listing is not None:
        prog.block(stmt, f"RNN cell '{target.id}' with {prog.call_key(listing)}() at line {listing.lineno}: TF1 lists "
                         "one [inputs + units, gates * units] kernel per cell (its names, shapes and gate order); the "
                         "Keras layer owns kernel and recurrent_kernel instead, so that listing cannot be reproduced")
        return
    parents, uses = _parents(prog.tree), 0
    for node in ast.walk(prog.tree):
        if not (isinstance(node, ast.Name) and node.id == target.id and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Attribute) and parent.attr == "zero_state" or parent in [
                w.value for w in dropouts(prog, target.id)]:
            continue   # zero_state: only as dynamic_rnn's initial_state (_dynamic checks it); `cell = DropoutWrapper(cell)`
        listed = isinstance(parent, (ast.List, ast.Tuple)) or isinstance(parent, ast.ListComp) and parent.elt is node
        if not (prog.call_key(parent) in (RUN_PARAMS.keys() | STACKS) and parent.args and parent.args[0] is node) \
                and not (listed and prog.call_key(parents.get(id(parent))) in STACKS):   # NOTE: [cell] * n shares it
            prog.block(node, f"RNN cell '{target.id}' is used other than by dynamic_rnn or MultiRNNCell "
                             "(a Keras layer has no TF1 cell attributes)")
            return
        uses += 1
    if uses != 1:
        prog.block(stmt, f"RNN cell '{target.id}' is run by {uses} dynamic_rnn/MultiRNNCell calls; native mode "
                         "follows exactly one")
        return
    prog.entities[target.id] = Entity(target.id, "cell", stmt, func=target.id)
    prog.order.append(target.id)


def _dynamic(prog: Any, stmt: ast.Assign) -> None:
    from upgrader.native.model import Entity
    call, target = stmt.value, stmt.targets[0]
    names = [e.id for e in target.elts if isinstance(e, ast.Name)] if isinstance(target, (ast.Tuple, ast.List)) else []
    if len(names) != 2 or len(target.elts) != 2:
        prog.block(stmt, "dynamic_rnn's result is followed only when unpacked as `outputs, state = ...`")
        return
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        prog.block(stmt, "dynamic_rnn with *args/**kwargs")
        return
    params = RUN_PARAMS[prog.call_key(call)]
    args = dict(zip(params, call.args)) | {k.arg: k.value for k in call.keywords}
    cell, init = args.get("cell"), args.get("initial_state")
    reason = ""
    if set(args) - set(params) or "inputs" not in args:
        reason = f"dynamic_rnn arguments {sorted(set(args) - set(params)) or ['inputs']} not understood"
    elif not (isinstance(cell, ast.Name) and prog.kind(cell.id) == "cell"):
        reason = "dynamic_rnn's cell is not an RNN cell assigned to a name before"
    elif not _constant(args.get("time_major"), (None, False)):
        reason = "dynamic_rnn(time_major=True): Keras RNN layers take batch-major inputs (transpose by hand)"
    elif "dtype" in args and not _constant(args["dtype"], (None,)) and prog.key(args["dtype"]) not in FLOAT32:
        reason = "dynamic_rnn with a dtype other than float32"
    elif not (_constant(init, (None,)) or _named(zero_state_of(prog, _bound(prog, init)), cell.id)
              or isinstance(init, ast.Name) and holders(prog).get(init.id) == cell.id):
        reason = "dynamic_rnn initial_state other than the cell's zero_state (Keras takes [h, c], TF1 (c, h))"
    elif any(n in prog.entities for n in names) or names[0] == names[1]:
        reason = f"'{names[0]}, {names[1]}' rebinds a graph name"
    if reason:
        prog.block(stmt, reason)
        return
    kinds, literal = state_kinds(prog, prog.entities[cell.id].stmt.value)
    if not _state_uses(prog, names[1], kinds, prog.call_key(prog.entities[cell.id].stmt.value) in STACKS, literal):
        return
    prog.entities[cell.id].kind = "layer"   # NOTE: the Keras layer owns the variables minimize collects
    held = isinstance(init, ast.Name) and init.id in holders(prog)   # a fed state: a parameter of its functions
    skip = {id(n) for n in ast.walk(init)} if init is not None and not held else set()
    keep = [n for w in dropouts(prog, cell.id) for k in w.value.keywords for n in ast.walk(k.value)]
    deps = tuple(dict.fromkeys(n.id for n in [*ast.walk(call), *keep] if isinstance(n, ast.Name) and id(n) not in skip
                               and n.id in prog.entities))
    for name in names:
        if name != "_":
            prog.entities[name] = Entity(name, "tensor", stmt, deps, func=name, layer=cell.id)
            prog.order.append(name)


def steps(prog: Any, entity: Any) -> bool:
    """The outputs of static_rnn: a list of per-step tensors (fetched as a list of arrays)."""
    stmt = entity.stmt
    return (isinstance(stmt, ast.Assign) and prog.call_key(stmt.value) in RUN_PARAMS and "static" in prog.call_key(
        stmt.value) and isinstance(stmt.targets[0], ast.Tuple) and _named(stmt.targets[0].elts[0], entity.name))


def zero_state_of(prog: Any, node: ast.AST | None) -> ast.expr | None:
    """`cell.zero_state(batch, tf.float32)` -> the `cell` node (a Keras layer starts from zeros itself), else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "zero_state"
            and isinstance(node.func.value, ast.Name) and prog.kind(node.func.value.id) in ("cell", "layer")):
        return node.func.value
    return None


def _bound(prog: Any, node: ast.expr | None) -> ast.expr | None:
    """A name bound at module level to a zero_state call: that call; otherwise the node itself."""
    if isinstance(node, ast.Name):
        return next((s.value for s in prog.tree.body if isinstance(s, ast.Assign) and len(s.targets) == 1
                     and _named(s.targets[0], node.id) and zero_state_of(prog, s.value) is not None), node)
    return node


def dropouts(prog: Any, cell: str) -> list[ast.Assign]:
    """`cell = DropoutWrapper(cell, output_keep_prob=p)` statements rewrapping the module-level cell `cell`."""
    return [s for s in prog.tree.body if isinstance(s, ast.Assign) and prog.call_key(s.value) in DROPOUT
            and _rewrapped(prog, s) and _named(s.targets[0], cell)]


def _rewrapped(prog: Any, stmt: ast.Assign) -> bool:
    call = stmt.value
    return (len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and len(call.args) >= 1
            and _named(call.args[0], stmt.targets[0].id))


def _wrapper_or_zero(prog: Any, stmt: ast.Assign) -> None:
    """Follow `cell = DropoutWrapper(cell, ...)` and `init = cell.zero_state(...)`: both disappear in TF2 (the
    dropout moves onto the outputs, the zero state is Keras's default); anything else they would need blocks."""
    target, call = stmt.targets[0], stmt.value
    if zero_state_of(prog, call) is not None:
        parents = _parents(prog.tree)
        uses = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                and _named(n, getattr(target, "id", ""))]
        if not isinstance(target, ast.Name) or target.id in prog.entities or not zero_iterated(prog, target.id) and any(
                not (isinstance(k := parents.get(id(n)), ast.keyword) and k.arg == "initial_state") for n in uses):
            prog.block(stmt, "a cell's zero_state is followed only as dynamic_rnn's initial_state= (Keras RNN layers "
                             "start from zeros)")
        prog.rnn_calls.add(id(call))
        return
    given = dict(zip(("cell", "input_keep_prob", "output_keep_prob"), call.args)) | {k.arg: k.value for k in call.keywords}
    if prog.kind(target.id) != "cell" or prog.call_key(prog.entities[target.id].stmt.value) not in CELLS:
        prog.block(stmt, f"DropoutWrapper around '{target.id}': native mode follows it around one cell")
    elif set(given) - {"cell", "output_keep_prob"} or len(call.args) > 1 or len(dropouts(prog, target.id)) > 1:
        prog.block(stmt, "DropoutWrapper is followed with output_keep_prob= only (once per cell): it becomes "
                         "tf.nn.dropout on the outputs")
    prog.rnn_calls.update(id(n) for n in ast.walk(call))


def _constant(node: ast.expr | None, allowed: tuple) -> bool:
    return node is None or (isinstance(node, ast.Constant) and any(node.value is a for a in allowed))


def _named(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _state_uses(prog: Any, state: str, kinds: list[str], stacked: bool, literal: bool) -> bool:
    """Every read of the state ends at a tensor: `state.h`, `state[0]` (c) or `state[1].c` (True); else blocks."""
    parents = _parents(prog.tree)
    for node in ast.walk(prog.tree):
        if not (isinstance(node, ast.Name) and node.id == state and isinstance(node.ctx, ast.Load)):
            continue
        at, kind = node, "stack" if stacked else kinds[0]
        while kind in ("stack", "LSTMCell"):
            parent = parents.get(id(at))
            index = parent.slice.value if isinstance(parent, ast.Subscript) and isinstance(parent.slice, ast.Constant) \
                and type(parent.slice.value) is int else None
            if kind == "LSTMCell" and (isinstance(parent, ast.Attribute) and parent.attr in ("c", "h") or index in (0, 1)):
                break
            if kind == "stack" and index is not None and (not literal or -len(kinds) <= index < len(kinds)):
                at, kind = parent, kinds[index] if literal else kinds[0]
                continue
            if at is node and fetched(prog, parents, node):   # sess.run gives the same structure of arrays
                break
            what = "an LSTMStateTuple(c, h)" if kind == "LSTMCell" else "a tuple of per-layer states"
            prog.block(node, f"'{state}' ({what}) is read other than down to one tensor (state.h, state[1].c): "
                             "TF2 Keras layers return their states as plain tensors")
            return False
    return True


def keras_cell(prog: Any, call: ast.Call, edit: Any, name: str) -> tuple[str, list[str], list[str]]:
    """(Keras cell class, its arguments, warnings) for one TF1 cell call; raises Blocked where numbers would differ."""
    from upgrader.native.base import Blocked
    tf1 = (prog.call_key(call) or "").rsplit(".", 1)[-1]
    params = PARAMS[tf1]
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args) or len(
            call.args) > len(params):
        raise Blocked(call.lineno, f"{tf1} with *args/**kwargs or too many arguments")
    given = dict(zip([p for p, _ in params], call.args)) | {k.arg: k.value for k in call.keywords}
    allowed = dict(params)
    for arg, node in given.items():
        if arg not in allowed or (allowed[arg] is not None and not _constant(node, allowed[arg])):
            raise Blocked(call.lineno, f"{tf1}({arg}=...) has no Keras cell form native mode can map")
    keras, warnings = CELLS[prog.call_key(call)], []
    args = [edit.text(given["num_units"])] if "num_units" in given else []
    if not args:
        raise Blocked(call.lineno, f"{tf1} without num_units")
    if "activation" in given and not _constant(given["activation"], (None,)):
        args.append(f"activation={edit.text(given['activation'])}")
    kernel = given.get("initializer", given.get("kernel_initializer"))
    if kernel is None or _constant(kernel, (None,)):
        warnings.append(f"line {call.lineno}: {name}: TF1 {tf1} draws one glorot_uniform kernel for [inputs + units, "
                        f"{GATES[keras]}]; Keras {keras} draws a glorot_uniform kernel and an orthogonal "
                        "recurrent_kernel, so the initial weights differ (a constant initializer keeps them equal)")
    else:
        text = edit.text(kernel)
        if prog.call_key(kernel) == "tf.constant_initializer" and not _exact_constant(prog, kernel):
            raise Blocked(call.lineno, f"{tf1}: a constant_initializer that is not one number fills TF1's single "
                                       "[inputs + units] kernel in TF1's gate order; Keras has two kernels and its "
                                       "own gate order, so the values would land in different places")
        if not _exact_constant(prog, kernel):
            warnings.append(f"line {call.lineno}: {name}: TF1 {tf1} draws its initializer once over the concatenated "
                            "[inputs + units] kernel, Keras separately for kernel and recurrent_kernel: the random "
                            "initial weights differ")
        args += [f"kernel_initializer={text}", f"recurrent_initializer={text}"]
    forget = given.get("forget_bias")
    if forget is not None:
        value = ast.literal_eval(forget) if _number(forget) else None
        if value is None:
            raise Blocked(call.lineno, f"{tf1}(forget_bias={edit.text(forget)}): native mode maps a number only (TF1 "
                                       "adds it to the forget gate at run time; Keras starts that bias at it)")
        if value != 1.0:
            args.append("unit_forget_bias=False")
        if value not in (0.0, 1.0):   # NOTE: Keras gate order i, f, c, o; TF1's bias starts at zeros
            n = args[0] if args[0].isidentifier() or args[0].isdigit() else f"({args[0]})"
            args.append(f"bias_initializer={edit.tfx('constant_initializer')}([0.0] * {n} + [{value!r}] * {n} + "
                        f"[0.0] * {n} * 2)")
    if keras == "GRUCell":
        bias = given.get("bias_initializer")
        if bias is None or _constant(bias, (None,)):   # NOTE: TF1 starts the r, u gate biases at 1.0, the candidate at 0
            n = args[0] if args[0].isidentifier() or args[0].isdigit() else f"({args[0]})"
            text = f"{edit.tfx('constant_initializer')}([1.0] * {n} * 2 + [0.0] * {n})"   # Keras order z, r, h
        elif not _exact_constant(prog, bias):
            raise Blocked(call.lineno, "TF1 GRUCell fills its [2 * units] gate bias and [units] candidate bias "
                                       f"separately from bias_initializer={edit.text(bias)}, Keras GRUCell one "
                                       "[3 * units] bias: native mode maps none or a one-number constant initializer")
        else:
            text = edit.text(bias)
        args += [f"bias_initializer={text}", "reset_after=False"]   # NOTE: TF1's GRU resets before the matmul
    if "name" in given and not _constant(given["name"], (None,)):
        args.append(f"name={edit.text(given['name'])}")
    dtype = given.get("dtype")
    if dtype is not None and not _constant(dtype, (None,)) and prog.key(dtype) not in FLOAT32:
        raise Blocked(call.lineno, f"{tf1} with a dtype other than float32")
    return keras, args, warnings


def _number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _exact_constant(prog: Any, node: ast.expr) -> bool:
    """A scalar-valued constant initializer: the same on TF1's concatenated kernel and Keras's two kernels."""
    if not (isinstance(node, ast.Call) and prog.call_key(node) in CONSTANT_INITS):
        return False
    value = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "value"), None)
    return prog.call_key(node) != "tf.constant_initializer" or value is None or _number(value)
