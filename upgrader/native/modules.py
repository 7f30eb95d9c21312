"""Graph-building Python functions in a flat TF1 script: which become `tf.Module` classes, and which instance each call is.

A top-level `def` that calls `tf.get_variable` (directly or through another such def) is a *builder*: its
variables become attributes created once in `__init__`, its remaining statements become `__call__`.
Every top-level call is replayed against a static variable store, as TF1's variable_scope would run it,
so a call that creates its variables is a new instance and a call that reuses all of them
(reuse=True, AUTO_REUSE, reuse passed down) is the same instance:

    def model(x, reuse=False):                      prog.functions.builders["model"].cls  ->  'Model'
        with tf.variable_scope("model", reuse=reuse):
            return dense(x, 2, 1, "out")
    train = model(x_train)                          ->  new instance 'model' (creates model/out/w, model/out/b)
    evals = model(x_eval, reuse=True)               ->  the same instance

A def with graph code but no variables (a *helper*: `def leaky(x): return tf.maximum(0.1 * x, x)`)
stays a plain function. Anything whose variables the replay cannot name statically is blocked.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from upgrader.native.branch_lambdas import nested
from upgrader.native.builder_checks import builder_blocker
from upgrader.native.global_reads import global_reads  # noqa: F401  (model.py imports it from here)
from upgrader.native.imported import library_aliases
from upgrader.native.layer_functions import construction_names, follow as follow_layers, has_layers, init_loads as layer_loads
from upgrader.native.lazy_build import lazy_sizes
from upgrader.native.naming import names_in, tree_names
from upgrader.native.scope_reuse import current_scope, scope_arguments, share_children
from upgrader.native.rnn_builders import Run, cell_statement, follow, has_cells, init_loads, rnn_call, run_statement

if TYPE_CHECKING:
    from upgrader.native.model import Program

AUTO = "auto"   # tf.AUTO_REUSE
UNKNOWN = object()   # an argument whose value the replay cannot know (a tensor, a computed value)
MODULE_ATTRS = frozenset({"name", "name_scope", "variables", "trainable_variables", "non_trainable_variables",
                          "submodules", "with_name_scope"})


@dataclass(eq=False)
class Builder:
    """A def that creates variables; it becomes `class <cls>(tf.Module)`."""

    node: ast.FunctionDef
    cls: str
    params: list[str]
    defaults: dict[str, ast.expr]
    init: list[str] = field(default_factory=list)    # params that name or shape variables: __init__ parameters
    reuse: set[str] = field(default_factory=set)     # params only passed on as variable_scope(reuse=): dropped
    kept: set[str] = field(default_factory=set)      # init params the computation also reads (stored on self)
    variables: dict[int, str] = field(default_factory=dict)   # id(get_variable Assign) -> attribute name
    children: dict[int, str] = field(default_factory=dict)    # id(nested builder Call) -> attribute name
    own: ast.With | None = None      # the body's single outer variable_scope, named by the module's own name
    made: set[int] = field(default_factory=set)      # ids of `w = factory(...)` Assigns (variables named at run time)
    prep: set[int] = field(default_factory=set)      # lazy: ids of statements computing what creation needs (in_dim)
    lazy: bool = False               # variable shapes come from an input tensor: created on the first call
    scope_names: list[object] = field(default_factory=list)  # the values that outer scope took, call by call
    cells: set[int] = field(default_factory=set)     # ids of RNN cell statements (described by their run)
    rnn: dict[int, Run] = field(default_factory=dict)   # id(rnn call Assign) -> its Keras layer (native/rnn_builders.py)
    layers: dict[int, Any] = field(default_factory=dict)   # id(tf.layers call) -> its Keras layer (native/layer_functions.py)
    shared: set[int] = field(default_factory=set)    # ids of nested calls reusing an earlier one's instance (scope_reuse.py)

    @property
    def call_params(self) -> list[str]:
        return [p for p in self.params if p not in self.init and p not in self.reuse]

    def own_name_ok(self) -> bool:
        """tf.Module(name=...) needs an identifier; otherwise __init__ opens tf.name_scope itself."""
        return self.own is not None and all(isinstance(v, str) and v.isidentifier() for v in self.scope_names)


@dataclass(eq=False)
class Instance:
    """One tf.Module object at module level."""

    name: str
    builder: Builder
    path: str                            # the variable_scope the call ran under (construction scope)
    args: dict[str, ast.expr]            # init param -> the call's argument
    variables: tuple[str, ...]           # full TF1 names, in creation order


@dataclass(frozen=True)
class Site:
    instance: Instance
    call: ast.Call
    new: bool                            # this statement constructs the instance


@dataclass
class Functions:
    builders: dict[str, Builder] = field(default_factory=dict)
    helpers: set[str] = field(default_factory=set)
    factories: set[str] = field(default_factory=set)   # defs that only make and return one variable (_factory)
    variable_calls: set[int] = field(default_factory=set)   # ids of tf.Variable calls in builders: made like factories'
    defs: dict[str, ast.FunctionDef] = field(default_factory=dict)   # every def recorded so far, builders and helpers
    calls: set[int] = field(default_factory=set)     # ids of tf calls inside builders that the module rule rewrites
    sites: dict[int, Site] = field(default_factory=dict)      # id(top-level statement) -> its builder call
    store: dict[str, Instance] = field(default_factory=dict)  # variable full name -> owning instance
    layer_counts: dict[str, int] = field(default_factory=dict)  # TF1's count of each layer scope (native/layer_functions.py)
    scope_blocks: set[int] = field(default_factory=set)   # ids of module-level variable_scope blocks entered so far


class Stop(Exception):
    def __init__(self, node: ast.AST, reason: str) -> None:
        super().__init__(reason)
        self.node, self.reason = node, reason


def _functions(prog: Program) -> Functions:
    if prog.functions is None:
        prog.functions = Functions()
    return prog.functions


def _loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _builder_calls(fx: Functions, node: ast.AST) -> list[ast.Call]:
    found = [n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in fx.builders]
    return sorted(found, key=lambda c: (c.lineno, c.col_offset))


def _scope_call(prog: Program, stmt: ast.stmt) -> ast.Call | None:
    if isinstance(stmt, ast.With) and len(stmt.items) == 1 and prog.call_key(stmt.items[0].context_expr) in (
            "tf.variable_scope", "tf.name_scope"):
        return stmt.items[0].context_expr
    return None


def _arg(call: ast.Call, pos: int, *names: str) -> ast.expr | None:
    return call.args[pos] if len(call.args) > pos else next((k.value for k in call.keywords if k.arg in names), None)


def define(prog: Program, stmt: ast.stmt) -> bool:
    """A top-level def with graph code: record it as a builder or helper (True), or block it; False for other statements."""
    from upgrader.native.model import _is_tf
    prog.aliases |= {k: v for k, v in library_aliases(stmt).items() if k not in prog.aliases}   # its module's imports
    if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or not (
            _is_tf(prog, stmt) or any(prog.kind(n) for n in names_in(stmt)) or _builder_calls(_functions(prog), stmt)):
        return False
    fx = _functions(prog)
    try:
        _define(prog, fx, stmt)
    except Stop as s:
        prog.block(s.node, f"function '{stmt.name}': {s.reason}")
        fx.calls.update(id(n) for n in ast.walk(stmt) if prog.call_key(n) == "tf.get_variable")   # one reason is enough
        prog.rnn_calls.update(id(n) for n in ast.walk(stmt) if rnn_call(prog, n))
    return True


def _define(prog: Program, fx: Functions, fn: ast.stmt) -> None:
    if not isinstance(fn, ast.FunctionDef) or fn.decorator_list:
        raise Stop(fn, "decorated or async functions that build graph code are not converted natively")
    if (a := fn.args).vararg or a.kwarg or a.posonlyargs or a.kwonlyargs:
        raise Stop(fn, "*args, **kwargs and keyword-only parameters are not followed")
    params = [p.arg for p in a.args]
    bound = set(params) | {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for name in sorted(_loads(fn) - bound, key=lambda n: min(x.lineno for x in ast.walk(fn) if isinstance(x, ast.Name) and x.id == n)):
        if prog.kind(name) in ("placeholder", "tensor"):   # becomes a parameter of the def (native/implicit_args.py)
            prog.implicit.setdefault(fn.name, []).append(name)
        elif prog.kind(name) not in (None, "variable", "varlist"):   # NOTE: variables stay Python objects in TF2
            raise Stop(fn, f"reads the graph object '{name}' from module level (pass it as an argument)")
    for n in ast.walk(fn):
        if nested(prog, fn, n):   # NOTE: tf.cond's branches may be lambdas (native/branch_lambdas.py)
            raise Stop(n, "nested functions, classes and global statements are not followed")
        k = prog.call_key(n)
        if k == "tf.Variable" and not _factory(prog, fn):   # NOTE: new on every call, as a factory's variable is
            fx.variable_calls.add(id(n))
        if k == "tf.get_variable_scope" and id(n) not in scope_arguments(prog, fn):
            raise Stop(n, "tf.get_variable_scope() inside a function is not followed")
    fx.defs[fn.name] = fn
    if _factory(prog, fn):
        fx.factories.add(fn.name)
        fx.calls.update(id(n) for n in ast.walk(fn) if prog.call_key(n) == "tf.get_variable")
        return
    gets = [n for n in ast.walk(fn) if prog.call_key(n) == "tf.get_variable"]
    scopes = [n for n in ast.walk(fn) if prog.call_key(n) == "tf.variable_scope"]
    if not gets and not scopes and not _builder_calls(fx, fn) and not any(_factory_call(fx, n) for n in ast.walk(fn)) and (
            not has_cells(prog, fn)) and not has_layers(prog, fn):
        fx.helpers.add(fn.name)
        return
    if (why := builder_blocker(prog, fx.defs, fn)) is not None:   # native/builder_checks.py
        raise Stop(*why)
    defaults = dict(zip(params[len(params) - len(a.defaults):], a.defaults))
    b = Builder(fn, _class_name(prog, fn.name), params, defaults)
    body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
    if body and (call := _scope_call(prog, body[0])) is not None and prog.call_key(call) == "tf.variable_scope" and not (
            current_scope(prog, _arg(call, 0, "name_or_scope"))) and not any(
            prog.call_key(n) in ("tf.get_variable", "tf.variable_scope") or _factory_call(fx, n) for s in body[1:]
            for n in ast.walk(s)):   # NOTE: `return out` after the scope block is computation, not naming
        b.own = body[0]
    compute: list[ast.stmt] = []
    _structure(prog, fx, b, body, compute)
    share_children(prog, fx, b)   # a second call under variable_scope(..., reuse=True): the same instance
    _classify_params(prog, fx, b, compute)
    fx.builders[fn.name] = b
    fx.calls.update(id(n) for n in gets)


def _factory(prog: Program, fn: ast.FunctionDef) -> bool:
    """A def that only makes variables (`def init_weight(shape): return tf.Variable(tf.random_normal(shape))`).

    It is valid TF2 as it stands: each module-level call `w1 = init_weight([7, 25])` makes one variable,
    as in TF1. Only tf.Variable, TensorFlow initial values and Python work on the parameters may appear.
    A def that makes one `tf.get_variable` (`return tf.get_variable('W_' + name, shape=shape, initializer=init)`)
    is one too once that call becomes `tf.Variable(init(shape), name='W_' + name)` (rules/native_module.py).
    """
    made = [n for n in ast.walk(fn) if prog.call_key(n) in ("tf.Variable", "tf.get_variable")]
    if not made or any(prog.call_key(n) == "tf.variable_scope" for n in ast.walk(fn)) or (
            len(made) > 1 and any(prog.call_key(n) == "tf.get_variable" for n in made)):
        return False
    returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return)]
    made_names = {t.id for a in ast.walk(fn) if isinstance(a, ast.Assign) and any(a.value is m for m in made)
                  for t in a.targets if isinstance(t, ast.Name)}
    return len(returns) == 1 and returns[0].value is not None and (
        any(returns[0].value is m for m in made)
        or isinstance(returns[0].value, ast.Name) and returns[0].value.id in made_names)


def _class_name(prog: Program, func: str) -> str:
    base = "".join(part[:1].upper() + part[1:] for part in func.split("_") if part) or "Module"
    used = tree_names(prog)
    name = base
    while name in used or name == func:
        name += "Module" if name == base else "_"
    return name


def _structure(prog: Program, fx: Functions, b: Builder, body: list[ast.stmt], compute: list[ast.stmt]) -> None:
    """Sort the body into variable creation (get_variable, nested builders) and computation; block what mixes them."""
    for s in body:
        call = _scope_call(prog, s)
        if call is not None:
            alias = s.items[0].optional_vars
            if alias is not None and not (isinstance(alias, ast.Name) and (alias.id not in _loads(b.node) or s is b.own and all(
                    isinstance(p, ast.Attribute) and p.attr == "name" for p in _parents(b.node, alias.id)))):
                raise Stop(s, "variable_scope(...) as a scope object inside a function is not followed (only "
                              "`scope.name` of the scope around the whole body is)")
            name = _arg(call, 0, "name_or_scope", "name")
            extra = [k.arg for k in call.keywords if k.arg not in ("name_or_scope", "name", "reuse", "values")]
            if extra or len(call.args) > 1 or name is None:
                raise Stop(s, f"variable_scope arguments {extra or 'default_name'} are not followed")
            literal = isinstance(name, ast.Constant) and isinstance(name.value, str)
            if not literal and prog.call_key(call) != "tf.name_scope" and not current_scope(prog, name) and not (   # NOTE: name_scope only names ops
                    s is b.own and isinstance(name, ast.Name) and name.id in b.params):
                raise Stop(s, "a variable_scope name must be a string literal (or, for the scope around the "
                              "whole body, a parameter)")
            _structure(prog, fx, b, s.body, compute)
            continue
        if cell_statement(prog, s):
            b.cells.add(id(s))
            continue
        if run_statement(prog, s):
            b.rnn[id(s)] = follow(prog, b, s)
            compute.append(s)
            continue
        if isinstance(s, ast.Assign) and prog.call_key(s.value) == "tf.get_variable":
            if not (len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)):
                raise Stop(s, "get_variable's result must be assigned to one name")
            target = s.targets[0].id
            stores = [n for n in ast.walk(b.node) if isinstance(n, ast.Name) and n.id == target and isinstance(n.ctx, ast.Store)]
            if len(stores) > 1 or target in b.params:
                raise Stop(s, f"'{target}' names a variable and is assigned again")
            name = _arg(s.value, 0, "name")
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                raise Stop(s, "tf.get_variable with a name that is not a string literal")
            b.variables[id(s)] = _attribute(b, target)
            continue
        if isinstance(s, ast.Assign) and _factory_call(fx, s.value):   # `W = weight_variable(name, [n_in, n])`
            if not (len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)) or sum(
                    isinstance(n, ast.Name) and n.id == s.targets[0].id and isinstance(n.ctx, ast.Store) for n in ast.walk(b.node)) > 1:
                raise Stop(s, f"{ast.unparse(s.value.func)}()'s variable must be assigned to one name, once")
            b.variables[id(s)] = _attribute(b, s.targets[0].id)
            b.made.add(id(s))
            continue
        if any(prog.call_key(n) in ("tf.get_variable", "tf.variable_scope") or _factory_call(fx, n) for n in ast.walk(s)) or (
                not isinstance(s, (ast.Assign, ast.Expr, ast.Return, ast.AugAssign, ast.AnnAssign)) and _builder_calls(fx, s)):
            raise Stop(s, "variables created under Python control flow or inside an expression (the variables a "
                          "call creates must not depend on branches, loops or run-time values)")
        follow_layers(prog, fx, b, s, isinstance(s, (ast.Assign, ast.Expr, ast.Return, ast.AugAssign, ast.AnnAssign)))
        for c in _builder_calls(fx, s):
            if any(isinstance(n, (ast.comprehension, ast.IfExp, ast.BoolOp)) for n in ast.walk(s)):
                raise Stop(c, "a nested builder call inside a conditional expression or comprehension")
            b.children[id(c)] = _attribute(b, _child_name(c, fx.builders[c.func.id]))
        compute.append(s)


def _factory_call(fx: Functions, node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") in fx.factories or id(node) in fx.variable_calls


def _child_name(call: ast.Call, child: Builder) -> str:
    """`dense(h, 4, 1, "out")` -> 'out' (its own scope's name), else the function's name."""
    if child.own is not None:
        node = _arg(child.own.items[0].context_expr, 0, "name_or_scope", "name")
        if isinstance(node, ast.Name):
            node = bind(call, child).get(node.id)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            return node.value
    return call.func.id


def _attribute(b: Builder, want: str) -> str:
    taken = set(b.variables.values()) | set(b.children.values()) | MODULE_ATTRS | set(b.params) | {
        r.attr for r in b.rnn.values()} | {x.attr for x in b.layers.values()}
    name = want if not want.startswith("_") else want.lstrip("_") or "v"
    i = 1
    while name in taken:
        i += 1
        name = f"{want}_{i}"
    return name


def _classify_params(prog: Program, fx: Functions, b: Builder, compute: list[ast.stmt]) -> None:
    """Each parameter is for __init__ (names/shapes variables), for reuse= only (dropped), or for __call__."""
    init: set[str] = set()
    reuse: set[str] = set()
    init |= layer_loads(b)   # NOTE: tf.layers arguments other than inputs/training construct the Keras layer
    for n in ast.walk(b.node):
        k = prog.call_key(n)
        if k == "tf.get_variable":
            init |= _loads(n)
        elif k == "tf.variable_scope":
            init |= _loads(_arg(n, 0, "name_or_scope", "name"))
            reuse |= {r.value.id for r in n.keywords if r.arg == "reuse" and isinstance(r.value, ast.Name)}
        elif isinstance(n, ast.Assign) and id(n) in b.made:
            init |= _loads(n.value)
        elif isinstance(n, ast.Assign) and id(n) in b.cells:
            init |= init_loads(prog, b, n)
        elif isinstance(n, ast.Call) and id(n) in b.children:
            child = fx.builders[n.func.id]
            for p, node in bind(n, child).items():
                if node is not None and p in child.init:
                    init |= _loads(node)
                elif node is not None and p in child.reuse:
                    reuse |= _loads(node)
    elsewhere = set()
    construct = construction_names(b)
    for s in compute:
        for n in ast.walk(s):
            if isinstance(n, ast.Call) and id(n) in b.children:
                child = fx.builders[n.func.id]
                elsewhere |= {x for p, node in bind(n, child).items() if node is not None and p in child.call_params
                              for x in _loads(node)}
            elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and not _in_child_call(b, s, n) and (
                    id(n) not in construct):
                elsewhere.add(n.id)
    local = {n.id for n in ast.walk(b.node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    tensors = lazy_sizes(b, compute, init, local)
    init = (init | {x for s in compute if id(s) in b.prep for x in _loads(s)}) - tensors - local
    if reassigned := sorted(local & set(b.params) & (init | reuse)):
        raise Stop(b.node, f"the parameter '{reassigned[0]}' is reassigned in the function body")
    b.init = [p for p in b.params if p in init]
    b.reuse = {p for p in b.params if p in reuse and p not in init}
    mixed = sorted(b.reuse & elsewhere)
    if mixed:
        raise Stop(b.node, f"the reuse parameter '{mixed[0]}' is also used by the computation")
    built = {x for s in ast.walk(b.node) if id(s) in b.prep or id(s) in b.variables for x in _loads(s)}
    b.kept = {p for p in b.init if p in elsewhere or b.lazy and p in built}   # lazy: creation reads them in __call__


def _parents(fn: ast.FunctionDef, name: str) -> list[ast.AST]:
    """The nodes directly holding each load of `name` (`scope.name` -> the Attribute)."""
    return [p for p in ast.walk(fn) for c in ast.iter_child_nodes(p)
            if isinstance(c, ast.Name) and c.id == name and isinstance(c.ctx, ast.Load)]

def _in_child_call(b: Builder, stmt: ast.stmt, name: ast.Name) -> bool:
    return any(isinstance(c, ast.Call) and id(c) in b.children and any(n is name for n in ast.walk(c))
               for c in ast.walk(stmt))


def bind(call: ast.Call, b: Builder) -> dict[str, ast.expr | None]:
    """Parameter -> argument node (the default when omitted; None when missing); raises Stop on what Python would reject."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise Stop(call, "*args/**kwargs in a call of a graph-building function")
    if len(call.args) > len(b.params) or any(k.arg not in b.params for k in call.keywords):
        raise Stop(call, f"the call does not match {b.node.name}'s parameters")
    got: dict[str, ast.expr | None] = dict(zip(b.params, call.args)) | {k.arg: k.value for k in call.keywords}
    return {p: got.get(p, b.defaults.get(p)) for p in b.params}


def factory_call(prog: Program, value: ast.expr) -> bool:
    """`w1 = init_weight([7, 25])`: a call of a def that makes one variable (modules._factory)."""
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and prog.functions is not None
            and value.func.id in prog.functions.factories)
