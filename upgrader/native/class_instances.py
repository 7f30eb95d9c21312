"""A TF1 model class WITHOUT a session, whose one instance the script feeds and fetches, written out flat.

    class TextModel:                                  model__input_x = tf.placeholder(tf.int32, [None, 6])
        def __init__(self, vocab):            ->      model__W = tf.Variable(...)
            self.input_x = tf.placeholder(...)        model__loss = ...
            self.W = tf.Variable(...)                 train_op = tf.train.AdamOptimizer(0.1).minimize(model__loss)
            self.loss = ...                           sess.run([train_op, model__loss], {model__input_x: xb})
    model = TextModel(20)
    train_op = tf.train.AdamOptimizer(0.1).minimize(model.loss)
    sess.run([train_op, model.loss], {model.input_x: xb})

The class disappears; its instance statement gives way to __init__'s parameters bound to the call's
arguments (`model__vocab = 20`) and to the build statements (__init__ and the methods it calls, in
call order), in which `self.X`, the parameters and the locals are all spelled `model__X`. Everywhere
else `model.X` is `model__X`. The ordinary native pipeline converts that program and
native/class_instance_fold.py folds the `model__` names back into the class and its instance.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from upgrader.native.class_flatten import (NotAModel, Plan, _builds, _edits_text, _graph_attrs, _inline, _self_attr,
                                           inline_late, late_builds)

SEP = "__"


@dataclass
class Instance:
    plan: Plan
    name: str                     # the instance's name (`model`)
    stmt: ast.Assign              # `model = TextModel(...)`
    args: dict[str, str]          # __init__ parameter -> the source of its argument (or default)
    params: list[str]             # __init__'s parameters after self, in order
    locals_: set[str]             # names the build statements bind (not attributes)
    late: list[ast.stmt]          # `model.build()` statements right after it, inlined after __init__

    @property
    def prefix(self) -> str:
        return self.name + SEP


def sessionless_classes(tree: ast.Module) -> list[ast.ClassDef]:
    """Top-level classes that make placeholders and neither run nor open a session."""
    return [c for c in tree.body if isinstance(c, ast.ClassDef) and _builds(c)
            and any(isinstance(n, ast.Attribute) and n.attr == "placeholder" for n in ast.walk(c))
            and not any(isinstance(n, ast.Attribute) and n.attr in ("run", "Session", "InteractiveSession", "eval")
                        for n in ast.walk(c))]


def instance(cls: ast.ClassDef, tree: ast.Module, code: str) -> Instance:
    """The class's plan and its one instance; raises NotAModel saying why not."""
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == cls.name]
    if not calls:
        raise NotAModel("this file never makes an instance of it (a module of model classes: native mode converts "
                        "such a class in the script that makes its one instance, in the same file)")
    if len(calls) != 1:
        where = ", ".join(str(c.lineno) for c in calls)
        raise NotAModel(f"it is instantiated {len(calls)} times (lines {where}): native mode converts a model class "
                        "without a session when the script makes exactly one instance of it")
    call = calls[0]
    stmt = next((s for s in ast.walk(tree) if isinstance(s, ast.Assign) and s.value is call), None)
    if stmt is None or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
        raise NotAModel(f"line {call.lineno}: its instance is not assigned to one name (`model = {cls.name}(...)`)")
    others = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == cls.name and n is not call.func]
    if others:
        raise NotAModel(f"line {others[0].lineno}: the class is used other than by making its instance")
    late, calls = late_builds(cls, tree)
    p = _plan(cls, late)
    params = [a.arg for a in p.init.args.args[1:]]
    return Instance(p, stmt.targets[0].id, stmt, _bind(p.init, call, code), params, _locals(p), calls)


def _plan(cls: ast.ClassDef, late: list[str]) -> Plan:
    if cls.decorator_list or cls.keywords or any(not (isinstance(b, ast.Name) and b.id == "object") for b in cls.bases):
        raise NotAModel("decorated classes and subclasses are not converted natively")
    if any(not isinstance(s, ast.FunctionDef) and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
           for s in cls.body):
        raise NotAModel("class-level statements other than methods and a docstring are not followed")
    methods = {m.name: m for m in cls.body if isinstance(m, ast.FunctionDef)}
    init = methods.get("__init__")
    if init is None:
        raise NotAModel("no __init__ builds the graph")
    a = init.args
    if init.decorator_list or a.vararg or a.kwarg or a.posonlyargs or a.kwonlyargs:
        raise NotAModel("__init__ with *args, **kwargs, keyword-only parameters or decorators is not followed")
    p = Plan(cls, init, None, "")
    p.attrs = {n.attr for n in ast.walk(cls) if _self_attr(n)}
    built = {"__init__"}
    _inline(p, init, methods, built, top=True)
    inline_late(p, methods, built, late)
    graph = _graph_attrs(p)
    for name, m in methods.items():
        if name in built:
            continue
        if _builds(m) or any(_self_attr(n) and n.attr in graph for n in ast.walk(m)):
            raise NotAModel(f"method '{name}' builds or reads graph objects after __init__; call it from __init__ "
                            "(without arguments) or build that part of the graph outside the class")
        p.plain.append(m)
    if not p.graph:
        raise NotAModel("no graph built in __init__ (or the methods it calls)")
    return p


def _bind(init: ast.FunctionDef, call: ast.Call, code: str) -> dict[str, str]:
    """__init__'s parameters -> the source text of what the call passes (or of their defaults)."""
    names = [a.arg for a in init.args.args[1:]]
    defaults = dict(zip(names[len(names) - len(init.args.defaults):], init.args.defaults))
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords) \
            or len(call.args) > len(names):
        raise NotAModel(f"line {call.lineno}: the instance is made with *args, **kwargs or too many arguments")
    given: dict[str, ast.expr] = dict(zip(names, call.args))
    for k in call.keywords:
        if k.arg not in names or k.arg in given:
            raise NotAModel(f"line {call.lineno}: __init__ has no parameter '{k.arg}' (or it is given twice)")
        given[k.arg] = k.value
    out = {}
    for n in names:
        node = given.get(n, defaults.get(n))
        if node is None:
            raise NotAModel(f"line {call.lineno}: the instance is made without __init__'s argument '{n}'")
        out[n] = ast.get_source_segment(code, node) or ast.unparse(node)
    return out


def _locals(p: Plan) -> set[str]:
    return {n.id for s in p.ordered for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def flat_file(inst: Instance, code: str, tree: ast.Module) -> str:
    """The whole script with the class written out at its instance (see the module docstring)."""
    p, pre = inst.plan, inst.prefix
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id.startswith(pre)}
    if taken:
        raise NotAModel(f"the script already has a name starting '{pre}' ('{sorted(taken)[0]}')")
    shadow = inst.locals_ & p.attrs - set(inst.params)   # img = ...; self.img = tf.reshape(img, ...): model___img
    if any("_" + n in inst.locals_ | p.attrs | set(inst.params) for n in shadow):
        raise NotAModel(f"the name '{sorted(shadow)[0]}' is both a local and an attribute in __init__")
    for s in p.ordered:
        for n in ast.walk(s):
            if isinstance(n, ast.Assign) and any(_self_attr(t) and t.attr in inst.params for t in n.targets) and not (
                    isinstance(n.value, ast.Name) and _self_attr(n.targets[0], n.value.id)):
                raise NotAModel(f"line {n.lineno}: the attribute '{n.targets[0].attr}' is set to something other "
                                "than the parameter of the same name")
    own = set(inst.params) | p.attrs | inst.locals_
    lines = code.splitlines(keepends=True)
    pad = " " * inst.stmt.col_offset
    out = [f"{pad}{pre}{n} = {inst.args[n]}\n" for n in inst.params]
    for s in p.ordered:
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and _self_attr(s.targets[0]) and \
                isinstance(s.value, ast.Name) and s.value.id == s.targets[0].attr:
            continue   # self.vocab = vocab: one flat name already
        edits = [(n, pre + n.attr) for n in ast.walk(s) if _self_attr(n)]
        edits += [(n, pre + ("_" if n.id in shadow else "") + n.id) for n in ast.walk(s)
                  if isinstance(n, ast.Name) and n.id in own]
        text = _edits_text(getattr(s, "source_lines", lines), s, edits, s.col_offset)
        out.append("".join(pad + ln if ln.strip() else ln for ln in text.splitlines(keepends=True)))
    edits = _outer_edits(inst, tree)
    body = "".join(_outer_text(lines, tree, edits, inst))
    return body.replace("\0INSTANCE\0", "".join(out))


def _outer_edits(inst: Instance, tree: ast.Module) -> list[tuple[ast.AST, str]]:
    """`model.X` -> `model__X` outside the class; anything else done with `model` is reported."""
    p, known = inst.plan, inst.plan.attrs | set(inst.params)
    cls = p.cls
    inside = {id(n) for s in [cls, inst.stmt, *inst.late] for n in ast.walk(s)}
    edits, used = [], set()
    for n in ast.walk(tree):
        if id(n) in inside or not (isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                                    and n.value.id == inst.name):
            continue
        if n.attr not in known or isinstance(n.ctx, ast.Store):
            what = "set" if isinstance(n.ctx, ast.Store) else ("called" if n.attr in {m.name for m in p.plain} else
                                                               "read but never set by __init__")
            raise NotAModel(f"line {n.lineno}: '{inst.name}.{n.attr}' is {what} outside the class")
        edits.append((n, inst.prefix + n.attr))
        used.add(id(n.value))
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id == inst.name and id(n) not in inside and id(n) not in used:
            raise NotAModel(f"line {n.lineno}: the instance '{inst.name}' is used other than through its attributes")
    return edits


def _outer_text(lines: list[str], tree: ast.Module, edits: list[tuple[ast.AST, str]], inst: Instance) -> list[str]:
    """The script's lines with the class removed, the instance statement marked and `model.X` edited."""
    out = [ln.encode("utf-8") for ln in lines]
    for n, new in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        if n.lineno != n.end_lineno:
            raise NotAModel(f"line {n.lineno}: an attribute spread over several lines")
        i = n.lineno - 1
        out[i] = out[i][:n.col_offset] + new.encode("utf-8") + out[i][n.end_col_offset:]
    cls, stmt = inst.plan.cls, inst.stmt
    spans = sorted([(stmt.lineno - 1, stmt.end_lineno, b"\0INSTANCE\0"),
                    (min([cls.lineno] + [d.lineno for d in cls.decorator_list]) - 1, cls.end_lineno, b"")],
                   reverse=True)
    spans += [(s.lineno - 1, s.end_lineno, b"") for s in inst.late]
    spans.sort(reverse=True)
    for first, last, new in spans:
        out[first:last] = [new] if new else []
    return [b.decode("utf-8") for b in out]
