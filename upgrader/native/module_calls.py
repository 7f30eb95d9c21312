"""Module-level calls of graph-building functions, replayed as TF1's variable store would run them.

Each call's get_variable names are worked out from its scope and arguments; a call that creates all of
them is a new tf.Module instance, a call that reuses all of one instance's variables is that instance:

    train_pred = model(x_train)                 ->  Site(instance 'model', new=True)
    eval_pred = model(x_eval, reuse=True)       ->  Site(instance 'model', new=False)
    b = layer(x, 2)   # same scope, no reuse    ->  blocked: TF1 raises ValueError (already exists)
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.modules import (AUTO, UNKNOWN, Builder, Functions, Instance, Site, Stop, _arg, _builder_calls,
                                     _scope_call, bind)
from upgrader.native.layer_functions import enter_blocks, events as layer_events, open_scope, training_flags
from upgrader.native.naming import names_in, tree_names
from upgrader.native.rnn_builders import variable_names
from upgrader.native.scope_reuse import current_scope

if TYPE_CHECKING:
    from upgrader.native.model import Program


def _value(node: ast.expr | None, env: dict[str, object], prog: Program) -> object:
    if node is None:
        return None
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    if prog.key(node) == "tf.AUTO_REUSE":
        return AUTO
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return UNKNOWN


def replay(prog: Program, fx: Functions, b: Builder, env: dict[str, object], path: str, reuse: object,
           events: list[tuple[bool, str]]) -> None:
    """Run `b`'s variable creation as TF1 would: events get (reused?, full name) per get_variable, in order."""
    def walk(body: list[ast.stmt], path: str, reuse: object) -> None:
        for s in body:
            call = _scope_call(prog, s)
            if call is not None:
                inner, flag = path, reuse
                if prog.call_key(call) == "tf.variable_scope" and current_scope(prog, _arg(call, 0, "name_or_scope")):
                    inner = path   # NOTE: tf.get_variable_scope(): the scope it is in, re-entered (native/scope_reuse.py)
                elif prog.call_key(call) == "tf.variable_scope":
                    name = _value(_arg(call, 0, "name_or_scope", "name"), env, prog)
                    if not isinstance(name, str):
                        raise Stop(s, "its variable_scope name is not a string known before run time")
                    if s is b.own:
                        b.scope_names.append(name)
                    inner = f"{path}/{name}" if path else name
                    open_scope(fx, inner)   # NOTE: TF1 numbers unnamed layers afresh under a scope entered by name
                if prog.call_key(call) == "tf.variable_scope":
                    given = next((k.value for k in call.keywords if k.arg == "reuse"), None)
                    value = _value(given, env, prog)
                    if value not in (None, True, False, AUTO):
                        raise Stop(s, "variable_scope(reuse=...) with a value not known statically")
                    flag = value or reuse   # NOTE: TF1 inherits the outer reuse unless this scope sets True/AUTO_REUSE
                walk(s.body, inner, flag)
            elif id(s) in b.made:   # NOTE: a factory's variable is named at run time: new on every call, never reused
                if reuse:
                    raise Stop(s, f"{ast.unparse(s.value.func)}() makes a new variable on every call, but its scope reuses")
                events.append((False, f"{path}/{ast.unparse(s.value.func)}()#{len(fx.store) + len(events)}"))
            elif id(s) in b.variables or id(s) in b.rnn:   # NOTE: an rnn call creates its cells' kernel and bias
                names = variable_names(prog, b.rnn[id(s)], path) if id(s) in b.rnn else [
                    f"{path}/{_arg(s.value, 0, 'name').value}" if path else _arg(s.value, 0, "name").value]
                for full in names:
                    exists = full in fx.store or any(full == made for _, made in events) or any(
                        e.kind == "variable" and e.scope == full for e in prog.entities.values())
                    if exists and not reuse:
                        raise Stop(s, f"get_variable('{full}') already exists and its scope does not reuse: TF1 raises ValueError")
                    if not exists and reuse is True:
                        raise Stop(s, f"get_variable('{full}') under reuse=True does not exist: TF1 raises ValueError")
                    events.append((exists, full))
            else:
                layer_events(prog, fx, b, s, path, reuse, events)
                for c in (c for c in _builder_calls(fx, s) if id(c) in b.children):
                    child = fx.builders[c.func.id]
                    inner_env = {p: _value(node, env, prog) for p, node in bind(c, child).items()}
                    mark = len(events)
                    replay(prog, fx, child, inner_env, path, reuse, events)
                    if id(c) in b.shared:   # NOTE: the instance of an earlier call: it must only read what that made
                        if not all(reused for reused, _ in events[mark:]):
                            raise Stop(c, f"{c.func.id}() under reuse makes variables the earlier call did not")
                        del events[mark:]
    walk(b.node.body, path, reuse)


def classify(prog: Program, stmt: ast.stmt) -> bool:
    """A top-level statement calling a builder: its instance (new or shared) and tensor entity (True), else False."""
    fx = prog.functions
    if fx is None:
        return False
    if isinstance(stmt, ast.Assign) and prog.call_key(stmt.value) == "tf.get_variable":
        scope = prog.scopes.get(id(stmt), ("", False))[0]
        node = _arg(stmt.value, 0, "name")
        full = f"{scope}/{node.value}" if scope and isinstance(node, ast.Constant) else getattr(node, "value", None)
        if full in fx.store:
            prog.block(stmt, f"get_variable('{full}') shares a variable created by function "
                             f"'{fx.store[full].builder.node.name}'; sharing it outside the function is not converted")
            return True
    uses = [n for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id in fx.builders]
    if not uses:
        return False
    calls = _builder_calls(fx, stmt)
    try:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and (
                calls == [stmt.value]) and len(uses) == 1:
            _site(prog, fx, stmt, stmt.value)
        else:   # NOTE: calls inside an expression, a returned tuple unpacked (native/layer_sites.py)
            from upgrader.native.layer_sites import general_sites
            general_sites(prog, fx, stmt, uses, calls)
    except Stop as s:
        prog.block(s.node, s.reason)
    return True


def _site(prog: Program, fx: Functions, stmt: ast.Assign, call: ast.Call) -> None:
    from upgrader.native.model import Entity
    name = stmt.targets[0].id
    if name in prog.entities:
        raise Stop(stmt, f"'{name}' is assigned twice while the graph is built; native mode needs one name per tensor")
    site = call_site(prog, fx, stmt, call, name)
    b, args = site.instance.builder, bind(call, site.instance.builder)
    deps = [n for p in b.call_params if args[p] is not None for n in names_in(args[p]) if n in prog.entities]
    prog.entities[name] = Entity(name, "tensor", stmt, tuple(dict.fromkeys(deps + [site.instance.name])), func=name)
    prog.order.append(name)
    fx.sites[id(stmt)] = site


def call_site(prog: Program, fx: Functions, stmt: ast.stmt, call: ast.Call, result: str) -> Site:
    """The instance one module-level call of a builder constructs (a new `layer` entity) or reuses; raises Stop.

    `result` names the instance when nothing else does ('<result>_layer')."""
    from upgrader.native.model import Entity
    b = fx.builders[call.func.id]
    args = bind(call, b)
    missing = [p for p, node in args.items() if node is None]
    if missing:
        raise Stop(call, f"{b.node.name}() is called without {', '.join(missing)}")
    for p in b.init:
        if any(prog.kind(n) for n in names_in(args[p])):
            shape = any(isinstance(n, ast.Attribute) and n.attr in ("get_shape", "shape") and isinstance(n.value, ast.Name)
                        and n.value.id == p for n in ast.walk(b.node))
            raise Stop(args[p], f"{b.node.name}(): a variable's shape is read from the tensor '{p}' ({p}.get_shape()"
                                "/.shape); give the size as a Python value" if shape else
                       f"{b.node.name}(): '{p}' names or shapes variables but is given a graph tensor")
    path, reuse = prog.scopes.get(id(stmt), ("", False))
    events: list[tuple[bool, str]] = []
    marks = {name: len(x.scope_names) for name, x in fx.builders.items()}
    enter_blocks(prog, fx, stmt)   # NOTE: a module-level variable_scope entered again numbers its layers afresh
    training_flags(prog, b, args)   # a bool placeholder fed to training=: a Python bool
    try:
        replay(prog, fx, b, {p: _value(node, {}, prog) for p, node in args.items()}, path, reuse, events)
    except Stop as s:   # NOTE: reported at the call, whose scope and reuse decided it
        raise Stop(call, f"{b.node.name}() called here: {s.reason} (line {s.node.lineno})") from None
    full = tuple(f for _, f in events)
    if all(not reused for reused, _ in events):
        inst = Instance(_instance_name(prog, fx, b, path, result), b, path, {p: args[p] for p in b.init}, full)
        fx.store.update(dict.fromkeys(full, inst))
        prog.entities[inst.name] = Entity(inst.name, "layer", stmt, func=inst.name)
        prog.order.append(inst.name)
        new = True
    else:
        owners = {fx.store.get(f) for _, f in events}
        inst = owners.pop() if len(owners) == 1 else None
        if inst is None or not all(reused for reused, _ in events) or inst.variables != full or inst.builder is not b:
            raise Stop(call, f"{b.node.name}() reuses only some of its variables, or variables made by another call "
                             "or function: one tf.Module instance cannot express that")
        differ = [p for p in b.init if ast.dump(args[p]) != ast.dump(inst.args[p]) and not _only_scope_name(b, p)]
        if differ:
            raise Stop(call, f"{b.node.name}() reuses the variables of an earlier call with a different '{differ[0]}'")
        new = False
        for x_name, x in fx.builders.items():   # NOTE: only constructions name modules; a reusing call's spelling is moot
            del x.scope_names[marks[x_name]:]
    return Site(inst, call, new)


def _instance_name(prog: Program, fx: Functions, b: Builder, path: str, result: str) -> str:
    """The scope the instance lives in ('model', 'hidden'), else '<its first result>_layer', else the function's name."""
    classes = {x.cls for x in fx.builders.values()}   # NOTE: scope 'ConvNet' of conv_net: the class's name
    used = tree_names(prog) | set(prog.entities) | set(fx.builders) - {b.node.name} | classes
    taken = {i.name for i in fx.store.values()}
    own = b.scope_names[-1] if b.own is not None and b.scope_names else None
    for want in (own, path.rsplit("/", 1)[-1] if path else None, b.node.name if own in classes else None,
                 f"{result}_layer", b.node.name):
        if isinstance(want, str) and want.isidentifier() and (want == b.node.name or want not in used) and want not in taken:
            return want
    i = 2
    while f"{b.node.name}_{i}" in used | taken:
        i += 1
    return f"{b.node.name}_{i}"


def _only_scope_name(b: Builder, p: str) -> bool:
    """`p` only names the outer variable_scope: equal variable names already prove the calls agree on it."""
    name = _arg(_scope_call_of(b), 0, "name_or_scope", "name") if b.own is not None else None
    loads = [n for n in ast.walk(b.node) if isinstance(n, ast.Name) and n.id == p and isinstance(n.ctx, ast.Load)]
    return isinstance(name, ast.Name) and name.id == p and len(loads) == 1


def _scope_call_of(b: Builder) -> ast.Call:
    return b.own.items[0].context_expr
