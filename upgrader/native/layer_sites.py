"""Layer-function calls anywhere in a module-level statement, and the tuples layer functions return.

A module-level statement runs once, so each layer-function call in it is one call of TF1's variable store:
replayed in the order Python evaluates them (native/module_calls.py), each constructs an instance or reuses
one, and the statement's function calls the instances where the calls were:

    out = tf.nn.softmax(fc_layer(fc_layer(x, 4, "h"), 2, "o"))     ->  h = FcLayer(4, "h")
                                                                        o = FcLayer(2, "o")
                                                                        def out(x):
                                                                            return tf.nn.softmax(o(h(x)))

A layer function that returns a tuple (`return layer, W`) is unpacked name by name. An element that is one of
the function's variables is that variable of the instance, read where it is used (it does not depend on the
input); any other element is a function of the inputs:

    fc1, W1 = fc_layer(x, 4, "Hidden")    ->  Hidden = FcLayer(4, "Hidden")
    norm = W1 / tf.norm(W1)                   def fc1(x):
                                                  return Hidden(x)[0]
                                              def norm():
                                                  return Hidden.W / tf.norm(Hidden.W)

A call that may run zero or several times (in a lambda, comprehension, conditional expression or `and`/`or`),
a call whose result binds no name, or a function named without being called keeps the file in compat form.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable

from upgrader.native.modules import Builder, Functions, Site, Stop, bind
from upgrader.native.naming import names_in
from upgrader.native.unpack import unpack_targets

if TYPE_CHECKING:
    from upgrader.native.base import Editor
    from upgrader.native.model import Program

REPEATED = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.IfExp, ast.BoolOp)


def general_sites(prog: Program, fx: Functions, stmt: ast.stmt, uses: list[ast.Name], calls: list[ast.Call]) -> None:
    """Sites and entities of a statement calling builders other than as `name = f(...)`; raises Stop."""
    from upgrader.native.model import Entity
    from upgrader.native.module_calls import call_site
    name = uses[0].id
    called = {id(c.func) for c in calls}
    if bare := next((u for u in uses if id(u) not in called), None):
        raise Stop(bare, f"'{bare.id}' (a function that creates variables) is used other than by calling it; native "
                         "mode follows each call's variables, not the function passed on or stored")
    if loop := next((n for n in ast.walk(stmt) if isinstance(n, REPEATED) and any(
            c is m for c in calls for m in ast.walk(n))), None):
        raise Stop(loop, f"'{name}' is called inside a {type(loop).__name__}, which may run it zero or several "
                         "times: each run of a layer function creates variables in TF1")
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        raise Stop(stmt, f"'{name}()' (a function that creates variables) is called in a statement that binds no one "
                         "name to its result; write `name = ...` or `a, b = f(...)` at module level")
    target = stmt.targets[0]
    names = [target.id] if isinstance(target, ast.Name) else unpack_targets(stmt)
    if names is None:
        raise Stop(stmt, f"'{name}()''s result is bound to {ast.unparse(target)}: native mode follows a name, or "
                         "a tuple of names")
    if not isinstance(target, ast.Name) and calls != [stmt.value]:
        raise Stop(stmt, f"a tuple is unpacked from an expression calling '{name}': unpack the call's own result "
                         f"(`a, b = {name}(...)`)")
    if taken := next((n for n in names if n in prog.entities), None):
        raise Stop(stmt, f"'{taken}' is assigned twice while the graph is built; native mode needs one name per tensor")
    hint = next((n for n in names if n != "_"), name)   # NOTE: names the instance when its scope does not
    sites = [call_site(prog, fx, stmt, c, hint) for c in sorted(calls, key=_run_order)]
    fx.sites.update((id(s.call), s) for s in sites)
    layers = [s.instance.name for s in sites]
    if isinstance(target, ast.Name):
        deps = [n for n in names_in(stmt.value) if n in prog.entities and n not in layers]
        _entity(prog, Entity(target.id, "tensor", stmt, tuple(dict.fromkeys(deps + layers)), func=target.id))
        return
    site = sites[0]
    b, args = site.instance.builder, bind(site.call, site.instance.builder)
    deps = [n for p in b.call_params if args[p] is not None for n in names_in(args[p]) if n in prog.entities]
    attrs = returned(b, len(names))
    if b.lazy and not any(n != "_" and a is None for n, a in zip(names, attrs)):
        raise Stop(stmt, f"'{b.node.name}' sizes its variables from its input, so its TF2 module makes them on its first "
                         "call, and this call's result is used only for its variables: nothing would call it")
    for i, (n, attr) in enumerate(zip(names, attrs)):
        if n == "_":
            continue
        if attr is None:   # computed from the inputs: a function of them
            _entity(prog, Entity(n, "tensor", stmt, tuple(dict.fromkeys(deps + layers)), func=n))
        else:   # NOTE: the variable itself, as TF1 returned it: no input needed to read it
            _entity(prog, Entity(n, "tensor", stmt, (site.instance.name,), func=n, value=f"{site.instance.name}.{attr}"))


def _entity(prog: Program, e) -> None:
    prog.entities[e.name] = e
    prog.order.append(e.name)


def _run_order(call: ast.Call) -> tuple[int, int]:
    """Python evaluates a call's arguments before the call and left operands before right: by where each call ends."""
    return call.end_lineno, call.end_col_offset


def returned(b: Builder, n: int) -> list[str | None]:
    """Per element of the tuple every `return` of `b` gives: the attribute of the variable returned, or None."""
    rets = [r.value for r in ast.walk(b.node) if isinstance(r, ast.Return)]
    if not rets or not all(isinstance(v, ast.Tuple) and len(v.elts) == n and not any(
            isinstance(e, ast.Starred) for e in v.elts) for v in rets):
        raise Stop(b.node, f"'{b.node.name}' is unpacked into {n} names, but not every return statement gives a "
                           f"tuple of {n} values")
    attrs = {s.targets[0].id: b.variables[id(s)] for s in ast.walk(b.node) if id(s) in b.variables}
    out: list[str | None] = []
    for i in range(n):
        elts = [v.elts[i] for v in rets]
        same = {e.id for e in elts if isinstance(e, ast.Name)}
        out.append(attrs[elts[0].id] if len(same) == 1 and all(isinstance(e, ast.Name) for e in elts)
                   and elts[0].id in attrs else None)
    return out


def statement_sites(fx: Functions, stmt: ast.stmt) -> list[Site]:
    """The builder calls a module-level statement makes, in the order they run."""
    if id(stmt) in fx.sites:
        return [fx.sites[id(stmt)]]
    if not isinstance(stmt, (ast.Assign, ast.Expr)):
        return []
    return sorted((fx.sites[id(c)] for c in ast.walk(stmt) if id(c) in fx.sites), key=lambda s: _run_order(s.call))


def construction(prog: Program, site: Site, edit: Editor) -> str:
    """`Hidden = FcLayer(h1, 'Hidden')`, under the name scope the call ran in."""
    from upgrader.native.module_text import arguments
    inst, b = site.instance, site.instance.builder
    make = f"{inst.name} = {b.cls}({arguments(site.call, b, b.init, edit.text)})"
    if inst.path:   # NOTE: the variable_scope around the call: TF2 name scopes name eager variables too
        make = f'with {edit.tfx("name_scope")}("{inst.path}"):\n    {make}'
    return make


def general_text(prog: Program, stmt: ast.stmt, edit: Editor, expression: Callable, report: Callable[[str], None]) -> str:
    """The instances a general statement constructs, then one function per name it binds that has none."""
    from upgrader.native.base import def_params, indent
    from upgrader.native.module_text import arguments
    from upgrader.rules.native_placeholders import prologue
    sites = {id(s.call): s for s in statement_sites(prog.functions, stmt)}

    def render(node: ast.AST) -> str:
        if (site := sites.get(id(node))) is not None:
            b = site.instance.builder
            return f"{site.instance.name}({arguments(node, b, b.call_params, render)})"
        if not any(id(n) in sites for n in ast.walk(node)):
            return expression(prog, node, edit)
        return edit.with_edits(node, [(c, render(c)) for c in ast.iter_child_nodes(node) if hasattr(c, "end_col_offset")])

    out = []
    for site in sites.values():
        b = site.instance.builder
        if site.new:
            report(f"{b.node.name}() creates {len(site.instance.variables)} variable(s): instance '{site.instance.name}' "
                   f"of {b.cls}")
            out.append(construction(prog, site, edit))
        else:
            report(f"{b.node.name}() reuses the variables of '{site.instance.name}': the same {b.cls} instance")
    target = stmt.targets[0]
    names = [target.id] if isinstance(target, ast.Name) else [e.id for e in target.elts]
    for i, n in enumerate(names):
        e = prog.entities.get(n)
        if e is None or e.stmt is not stmt or e.value:
            continue
        value = render(stmt.value) + ("" if isinstance(target, ast.Name) else f"[{i}]")
        body = prologue(prog, e, edit) + [f"return {value}"]
        out.append(f"def {e.func}({def_params(prog, e)}):\n" + indent("\n".join(body)))
    return "\n\n\n".join(out)
