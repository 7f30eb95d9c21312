"""Graph objects a model class hands from method to method, followed in the flat program.

    def train(self, n):                                  saver = tf.train.Saver()      (built with the graph)
        saver = tf.train.Saver()                   ->    def train(n):
        with tf.Session() as sess:                           for epoch in range(n):
            for epoch in range(n):                               train_one_epoch()
                self.train_one_epoch(sess, saver, self.train_init)
    def train_one_epoch(self, sess, saver, init):        def train_one_epoch():
        sess.run(init)                                       sess.run(train_init)
        ...                                                  saver.save(sess, "ckpt/model")
        saver.save(sess, "ckpt/model")

A Saver a session method makes from nothing of its own (`tf.train.Saver()`) is made once with the
graph: TF1 builds the same Saver there, over the same variables, as no session method makes
variables. A parameter every call passes the same graph object (`self.train_init`, that Saver) reads
it directly, so the flat program names it as a module-level program would (`sess.run(train_init)`).
native/class_flatten.py writes both; native/class_fold.py turns them back into attributes.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.class_sessions import _self_attr, _self_calls, drop

if TYPE_CHECKING:
    from upgrader.native.class_flatten import Plan

HOISTED = frozenset({"Saver"})


def _stored(node: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


def _top(m: ast.FunctionDef) -> list[ast.stmt]:
    """A method's own statements and those of the `with tf.Session() as sess:` blocks directly in it."""
    from upgrader.native.class_sessions import _opened
    out = []
    for s in m.body:
        out += [s, *s.body] if _opened(s) else [s]
    return out


def hoisted(p: Plan) -> dict[str, ast.Assign]:
    """Session-method statements `name = tf.train.Saver(...)` made once with the graph: name -> statement."""
    everywhere = [n for m in p.cls.body if isinstance(m, ast.FunctionDef) for n in _stored(m)]
    taken = p.attrs | {n for s in p.graph for n in _stored(s)}
    out: dict[str, ast.Assign] = {}
    for m in p.runs:
        local = {a.arg for a in ast.walk(m.args) if isinstance(a, ast.arg)} | set(_stored(m))
        for s in _top(m):
            if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(name := s.targets[0], ast.Name)
                    and isinstance(c := s.value, ast.Call) and isinstance(c.func, ast.Attribute)
                    and c.func.attr in HOISTED and s.lineno == s.end_lineno):
                continue
            reads = {n.id for n in ast.walk(c) if isinstance(n, ast.Name)} - {"self"}   # self.X: the graph's X
            if reads & local or everywhere.count(name.id) != 1 or name.id in taken:
                continue   # NOTE: it reads the method's own values, or the name means something else elsewhere
            out[name.id] = s
    return out


def constant_params(p: Plan, hoist: dict[str, ast.Assign]) -> dict[str, dict[int, str]]:
    """Per session method, the parameters (position after self) every call passes one graph object: its flat name."""
    from upgrader.native.class_flatten import _graph_attrs
    methods = {m.name: m for m in p.cls.body if isinstance(m, ast.FunctionDef)}
    graph = _graph_attrs(p)
    calls: dict[str, list[tuple[ast.Call, ast.FunctionDef]]] = {}
    for caller in methods.values():
        for call, callee in _self_calls(caller, methods):
            calls.setdefault(callee, []).append((call, caller))
    out: dict[str, dict[int, str]] = {}
    for m in p.runs:
        sites = calls.get(m.name, [])
        attr_uses = sum(isinstance(n, ast.Attribute) and n.attr == m.name for n in ast.walk(p.module or p.cls))
        if not sites or attr_uses != len(sites) or any(isinstance(a, ast.Starred) for c, _ in sites for a in c.args):
            continue   # NOTE: called from outside the class (or passed around): its callers are not all known
        stored = set(_stored(m))
        for i, param in enumerate(m.args.args[1:]):
            if param.arg in stored or param.arg in p.local_sessions.get(m.name, {}):
                continue
            names = {_object(p, c, caller, i, param.arg, graph, hoist) for c, caller in sites}
            if len(names) == 1 and None not in names:
                out.setdefault(m.name, {})[i] = names.pop()
    return out


def _object(p: Plan, call: ast.Call, caller: ast.FunctionDef, i: int, param: str, graph: set[str],
            hoist: dict[str, ast.Assign]) -> str | None:
    """The graph object `call` passes as parameter `i` (`self.train_init` -> 'train_init', a hoisted Saver), else None."""
    arg = call.args[i] if i < len(call.args) else next((k.value for k in call.keywords if k.arg == param), None)
    if _self_attr(arg) and arg.attr in graph:
        return arg.attr
    if isinstance(arg, ast.Name) and arg.id in hoist and any(s is hoist[arg.id] for s in ast.walk(caller)):
        return arg.id
    return None


def param_edits(p: Plan, m: ast.FunctionDef, constants: dict[str, dict[int, str]],
                drops: dict[int, tuple[list[ast.AST], set[int]]]) -> list[tuple[ast.AST, str]]:
    """`m`'s constant parameters read as the objects themselves; they leave its signature and its calls."""
    own = constants.get(m.name, {})
    names = {m.args.args[i + 1].arg: flat for i, flat in own.items()}
    edits: list[tuple[ast.AST, str]] = [(n, names[n.id]) for n in ast.walk(m) if isinstance(n, ast.Name)
                                        and n.id in names]
    for i in own:
        drop(drops, m.args, m.args.args, i + 1)
    methods = {k: None for k in constants}
    for call, callee in _self_calls(m, methods):
        items: list[ast.AST] = [*call.args, *call.keywords]
        params = [a.arg for a in next(r for r in p.runs if r.name == callee).args.args[1:]]
        for i in constants[callee]:
            at = i if i < len(call.args) else next(j for j, k in enumerate(items) if getattr(k, "arg", None) == params[i])
            drop(drops, call, items, at)
    return edits


def one_session_each(p: Plan) -> None:
    """A method that opens its own session runs once: each TF1 session started the variables again from their
    initializers, where the converted class keeps training the same ones; raises NotAModel otherwise."""
    from upgrader.native.class_sessions import NotAModel
    tree = p.module or p.cls
    loops = {id(n) for s in ast.walk(tree) if isinstance(s, (ast.For, ast.While, ast.comprehension))
             for n in ast.walk(s)}
    for name, sessions in p.local_sessions.items():
        if None not in sessions.values():
            continue   # NOTE: handed its session by a caller: the opener is what counts
        sites = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == name]
        if len(sites) > 1 or any(id(n) in loops for n in sites):
            raise NotAModel(f"method '{name}' opens a new session and runs more than once: each TF1 session starts "
                            "the variables again from their initializers, the converted class would keep training them")
