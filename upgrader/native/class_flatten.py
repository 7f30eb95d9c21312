"""A TF1 model class that owns its session, written out as the flat program it amounts to.

    class Model:                                      X = tf.placeholder(tf.float32, [None, 8])
        def __init__(self, sess, name):               logits = tf.layers.dense(X, 3)
            self.sess = sess                  ->      ...
            self.name = name                          def predict(x):
            self._build_net()                             return sess.run(logits, {X: x})
        def _build_net(self):                         sess = tf.Session()
            self.X = tf.placeholder(...)
            self.logits = tf.layers.dense(self.X, 3)
        def predict(self, x):
            return self.sess.run(self.logits, {self.X: x})

`__init__` and the methods it calls (`self._build_net()`) are inlined in call order, a
`with tf.variable_scope(self.name):` around them is dropped (the tf.Module's name takes its
place), `self.X` becomes `X`, and methods that run `self.sess` become module-level defs running
`sess`. native/class_fold.py turns the converted program back into the class.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from upgrader.native.class_midbuild import reset_edits, scope_around_fetches
from upgrader.native.class_params import constant_params, hoisted, one_session_each, param_edits
from upgrader.native.class_sessions import (INITIALIZERS, NotAModel, _builds, _opened, _opens, _self_attr,
                                            _session_edits, _session_names, cuts, fetches_only, late_builds,
                                            mid_build, unwrap_sessions)

__all__ = ["NotAModel", "Plan", "late_builds", "model_classes", "plan", "flat_program"]
RENAMED = "__param"   # a session method's parameter spelled like an attribute, renamed while flat


@dataclass
class Plan:
    cls: ast.ClassDef
    init: ast.FunctionDef
    sess_param: str | None                # __init__'s parameter stored as `self.<sess_attr>` (None: opened there)
    sess_attr: str
    name_param: str | None = None         # the parameter stored as self.name (the tf.Module's name)
    config: list[ast.stmt] = field(default_factory=list)     # __init__ statements kept as written
    graph: list[ast.stmt] = field(default_factory=list)      # build statements, inlined in call order
    runs: list[ast.FunctionDef] = field(default_factory=list)    # methods running the session
    plain: list[ast.FunctionDef] = field(default_factory=list)   # methods without graph code, kept
    attrs: set[str] = field(default_factory=set)             # every `self.X` the class mentions
    renamed: set[str] = field(default_factory=set)           # session-method parameters renamed while flat
    ordered: list[ast.stmt] = field(default_factory=list)    # config and build statements in the order they run
    local_sessions: dict[str, dict[str, int | None]] = field(default_factory=dict)
    module: ast.Module | None = None      # the whole file: where else its methods are called (native/class_params.py)
    # ^ method -> its session names: a parameter (its position after self) or `with tf.Session() as s:` (None)


def model_classes(tree: ast.Module) -> list[ast.ClassDef]:
    """Top-level classes that build graph code and run a session kept on self or opened in a method."""
    return [c for c in tree.body if isinstance(c, ast.ClassDef) and _builds(c) and (any(
        _self_attr(n.func.value) for n in ast.walk(c) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        and n.func.attr == "run") or any(_opened(w) for w in ast.walk(c)))]


def plan(cls: ast.ClassDef, late: list[str] = ()) -> Plan:
    """How `cls` splits into config, build statements and session methods; raises NotAModel.

    `late`: build methods the script calls right after making the instance, inlined after __init__."""
    methods = {m.name: m for m in cls.body if isinstance(m, ast.FunctionDef)}
    if cls.decorator_list or cls.keywords or any(not (isinstance(b, ast.Name) and b.id == "object") for b in cls.bases):
        raise NotAModel("decorated classes and subclasses are not converted natively")
    if any(not isinstance(s, ast.FunctionDef) and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
           for s in cls.body):
        raise NotAModel("class-level statements other than methods and a docstring are not followed")
    init = methods.get("__init__")
    if init is None:
        raise NotAModel("no __init__ builds the graph")
    store = next((s for s in init.body if isinstance(s, ast.Assign) and len(s.targets) == 1 and _self_attr(s.targets[0])
                  and (isinstance(s.value, ast.Name) and s.value.id in {a.arg for a in init.args.args} or _opens(s.value))
                  and any(_self_attr(n.func.value, s.targets[0].attr) for n in ast.walk(cls) if isinstance(n, ast.Call)
                          and isinstance(n.func, ast.Attribute) and n.func.attr == "run")), None)
    local = _session_names(methods)
    if store is None and not any(None in names.values() for names in local.values()):
        raise NotAModel("the session it runs is neither an __init__ parameter nor opened in __init__ or in a method "
                        "(`with tf.Session() as sess:`)")
    if store is not None:
        p = Plan(cls, init, store.value.id if isinstance(store.value, ast.Name) else None, store.targets[0].attr)
    else:
        p = Plan(cls, init, None, "")
        p.local_sessions = local
    p.attrs = {n.attr for n in ast.walk(cls) if _self_attr(n)}
    built = {"__init__"}
    _inline(p, init, methods, built, top=True)
    inline_late(p, methods, built, late)
    for name, m in methods.items():
        if name in built:
            continue
        a = m.args
        if m.decorator_list or a.vararg or a.kwarg or a.posonlyargs or a.kwonlyargs or not a.args or a.args[0].arg != "self":
            raise NotAModel(f"method '{name}': decorators, *args, **kwargs and keyword-only parameters are not followed")
        if any(_self_attr(n, p.sess_attr) for n in ast.walk(m)) or name in p.local_sessions:
            p.runs.append(m)
        elif _builds(m) or any(_self_attr(n) and n.attr in _graph_attrs(p) for n in ast.walk(m)):
            raise NotAModel(f"method '{name}' builds or reads graph objects without running the session; " + (
                mid_build(cls, name) or "call it from __init__ or fetch its values with sess.run"))
        else:
            p.plain.append(m)
    if not p.graph or not p.runs:
        raise NotAModel("no graph built in __init__ (or the methods it calls) and run in a method")
    return p


def inline_late(p: Plan, methods: dict[str, ast.FunctionDef], built: set[str], late: list[str]) -> None:
    """The build methods called on the new instance, after __init__ and in their order."""
    for name in late:
        m = methods[name]
        if name in built or len(m.args.args) != 1 or m.decorator_list:
            raise NotAModel(f"method '{name}' is called both from __init__ and on the instance, or takes arguments")
        built.add(name)
        _inline(p, m, methods, built, top=False)


def _bookkeeping(p: Plan, s: ast.stmt) -> bool:
    """`self.sess.run(tf.global_variables_initializer())`, `self.sess.close()`: nothing to do in TF2."""
    c = s.value if isinstance(s, ast.Expr) else None
    if not (isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and _self_attr(c.func.value, p.sess_attr)):
        return False
    return c.func.attr == "close" or (c.func.attr == "run" and len(c.args) == 1 and isinstance(c.args[0], ast.Call)
                                      and getattr(c.args[0].func, "attr", "") in INITIALIZERS)


def _graph_locals(p: Plan) -> set[str]:
    # NOTE: a session fetching values mid-build is the flat program's one session, not a local to keep apart
    mid = {id(w.items[0].optional_vars) for s in p.graph for w in ast.walk(s) if fetches_only(w)}
    return {n.id for s in p.graph for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            and id(n) not in mid}


def _graph_attrs(p: Plan) -> set[str]:
    return {t.attr for s in p.graph for n in ast.walk(s) if isinstance(n, ast.Assign) for t in n.targets if _self_attr(t)}


def _inline(p: Plan, fn: ast.FunctionDef, methods: dict[str, ast.FunctionDef], built: set[str], top: bool,
            body: list[ast.stmt] | None = None) -> None:
    if body is None:
        body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
    for s in body:
        call = s.value if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) else None
        if call is not None and _self_attr(call.func) and call.func.attr in methods:
            inner = methods[call.func.attr]
            if inner.name in built or inner.decorator_list:
                raise NotAModel(f"method '{inner.name}' is called from __init__ twice (or is decorated)")
            built.add(inner.name)
            for bound in _arguments(inner, call):   # self._build_rnn(seq): `seq = seq` first
                p.graph.append(bound)
                p.ordered.append(bound)
            _inline(p, inner, methods, built, top=False)
        elif top and isinstance(s, ast.Assign) and len(s.targets) == 1 and _self_attr(s.targets[0], p.sess_attr):
            continue
        elif _bookkeeping(p, s):
            continue
        elif top and isinstance(s, ast.Assign) and len(s.targets) == 1 and _self_attr(s.targets[0], "name"):
            if not (isinstance(s.value, ast.Name) and s.value.id in {a.arg for a in fn.args.args}):
                raise NotAModel("self.name is set to something other than an __init__ parameter (tf.Module owns .name)")
            p.name_param = s.value.id
        elif isinstance(s, ast.With) and len(s.items) == 1 and _scope_of_name(p, s.items[0]):
            p.graph.extend(s.body)
            p.ordered.extend(s.body)
        elif isinstance(s, ast.With) and (all(_naming_only(i) for i in s.items) or scope_around_fetches(s, p.cls)):
            _inline(p, fn, methods, built, top, s.body)   # name_scope / device: op names and placement only
        elif isinstance(s, (ast.Return, ast.Global, ast.Nonlocal)):
            raise NotAModel(f"'{type(s).__name__.lower()}' in a method that builds the graph")
        elif top and not _builds(s) and not any(_self_attr(n) and n.attr in _graph_attrs(p) or isinstance(n, ast.Name)
                                                and n.id in _graph_locals(p) for n in ast.walk(s)):
            p.config.append(s)
            p.ordered.append(s)
        else:
            p.graph.append(s)
            p.ordered.append(s)


def _arguments(fn: ast.FunctionDef, call: ast.Call) -> list[ast.stmt]:
    """`param = <argument>` statements binding a build method's parameters (each knows its own source line)."""
    a = fn.args
    names = [x.arg for x in a.args[1:]]
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or any(isinstance(x, ast.Starred) for x in call.args) \
            or any(k.arg is None for k in call.keywords) or len(call.args) > len(names):
        raise NotAModel(f"method '{fn.name}' is called from __init__ with *args/**kwargs or too many arguments")
    given = dict(zip(names, call.args)) | {k.arg: k.value for k in call.keywords}
    defaults = dict(zip(names[len(names) - len(a.defaults):], a.defaults))
    out = []
    for n in names:
        value = given.get(n, defaults.get(n))
        if value is None or n not in names:
            raise NotAModel(f"method '{fn.name}' is called from __init__ without its argument '{n}'")
        text = f"{n} = {ast.unparse(value)}\n"
        if isinstance(value, ast.Name) and value.id == n:
            continue   # self._build(seq) into def _build(self, seq): the same name already
        stmt = ast.parse(text).body[0]
        stmt.source_lines = [text]
        out.append(stmt)
    if set(given) - set(names):
        raise NotAModel(f"method '{fn.name}' has no parameter '{sorted(set(given) - set(names))[0]}'")
    return out


def _naming_only(item: ast.withitem) -> bool:
    """`tf.name_scope("conv")` / `tf.device("/cpu:0")`: a block that only names or places its ops (TF2 has neither)."""
    c = item.context_expr
    return (item.optional_vars is None and isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
            and c.func.attr in ("name_scope", "device"))


def _scope_of_name(p: Plan, item: ast.withitem) -> bool:
    """`with tf.variable_scope(self.name):`: the scope the tf.Module's own name replaces."""
    c = item.context_expr
    return (item.optional_vars is None and isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
            and c.func.attr == "variable_scope" and len(c.args) == 1 and not c.keywords and p.name_param is not None
            and (_self_attr(c.args[0], "name") or isinstance(c.args[0], ast.Name) and c.args[0].id == p.name_param))


def _edits_text(lines: list[str], node: ast.AST, edits: list[tuple[ast.AST, str]], width: int) -> str:
    """The source of `node` with each edited node's span replaced, dedented by `width` columns."""
    first, last = node.lineno - 1, node.end_lineno
    block = [ln.encode("utf-8") for ln in lines[first:last]]
    for n, new in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        if n.lineno != n.end_lineno:
            raise NotAModel(f"line {n.lineno}: an attribute spread over several lines")
        i = n.lineno - 1 - first
        block[i] = block[i][:n.col_offset] + new.encode("utf-8") + block[i][n.end_col_offset:]
    out = []
    for ln in (b.decode("utf-8") for b in block):
        if width and ln.strip() and not ln[:width].isspace():
            raise NotAModel(f"line {node.lineno}: a multi-line string at a lower indentation cannot be moved")
        out.append(ln[width:] if ln.strip() else ln.lstrip(" \t"))
    return "".join(out)


def as_method(fn: ast.FunctionDef, lines: list[str], edits: list[tuple[ast.AST, str]]) -> str:
    """A module-level def's text (decorators included) with `edits` applied and `self` as its first parameter."""
    start = ast.Module(body=[], type_ignores=[])
    start.lineno, start.end_lineno = min([fn.lineno] + [d.lineno for d in fn.decorator_list]), fn.end_lineno
    text = _edits_text(lines, start, edits, 0)
    sig = f"def {fn.name}("
    at = text.index(sig) + len(sig)
    return text[:at] + ("self" if text[at:].lstrip().startswith(")") else "self, ") + text[at:]


def flat_program(p: Plan, lines: list[str], imports: str, tf: str) -> str:
    """The class as a flat TF1 program (see the module docstring), after the file's imports."""
    clash = {a.arg for m in p.runs for a in m.args.args[1:]} | {
        n.id for m in p.runs for n in ast.walk(m) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    p.renamed = clash & (p.attrs | _graph_locals(p))   # NOTE: the flat program has one namespace
    shadow = _shadowing_locals(p)
    one_session_each(p)
    state = _run_state(p)
    hoist = hoisted(p)   # native/class_params.py: a Saver made in a session method is made with the graph
    constants = constant_params(p, hoist)
    out = [imports]
    for s in p.graph + list(hoist.values()):
        edits = [(n, n.attr) for n in ast.walk(s) if _self_attr(n)]
        edits += [(n, "_" + n.id) for n in ast.walk(s) if isinstance(n, ast.Name) and n.id in shadow]
        edits += reset_edits(p, s, tf)   # a session fetching values mid-build (native/class_midbuild.py)
        out.append(_edits_text(getattr(s, "source_lines", lines), s, edits, s.col_offset))
    for m in p.runs:
        drops: dict[int, tuple[list[ast.AST], set[int]]] = {}
        edits: list[tuple[ast.AST, str]] = param_edits(p, m, constants, drops)
        edits += [(s, "") for s in hoist.values() if any(s is x for x in ast.walk(m))]
        taken = {id(n) for n, _ in edits}
        edits += [(n, "sess" if n.attr == p.sess_attr else n.attr) for n in ast.walk(m) if _self_attr(n)
                  and n.attr not in state]
        edits += [(n, n.id + RENAMED) for n in ast.walk(m) if isinstance(n, ast.Name) and n.id in p.renamed
                  and id(n) not in taken]
        edits += [(a, a.arg + RENAMED) for a in m.args.args[1:] if a.arg in p.renamed]
        edits = _session_edits(p, m, edits, drops)
        inside = {id(x) for items, gone in drops.values() for i in gone for x in ast.walk(items[i])}
        edits = [e for e in edits if id(e[0]) not in inside] + cuts(drops)
        text = _edits_text(lines, m, edits, m.col_offset)
        out.append("\n\n" + unwrap_sessions(_drop_self(text, m.name)) + "\n")
    out.append(f"\n\nsess = {tf}.Session()\n")
    return "".join(out)


def _run_state(p: Plan) -> set[str]:
    """Attributes the session methods set: Python state they keep on self, spelled `self.X` in the flat program too.

    One the graph also read when it was built (`training=self.training`) kept its build-time value in the TF1
    graph: the method's assignment stays a local of the method, unless some method also reads it back."""
    stored = {n.attr for m in p.runs for n in ast.walk(m) if _self_attr(n) and isinstance(n.ctx, ast.Store)}
    built = {n.attr for s in p.graph for n in ast.walk(s) if _self_attr(n)}
    for name in sorted(stored & built):
        if any(_self_attr(n, name) and isinstance(n.ctx, ast.Load) for m in p.runs for n in ast.walk(m)):
            raise NotAModel(f"'self.{name}' is read when the graph is built and set again by a method that runs it: "
                            "the TF1 graph kept its first value, TF2 code would read the new one")
    return stored - built - {p.sess_attr}


def _shadowing_locals(p: Plan) -> set[str]:
    """Build-method locals spelled like an attribute (`img = ...; self.img = tf.reshape(img, ...)`): `_img` while flat."""
    stored = {n.id for s in p.graph for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    loaded = {n.id for s in p.graph for n in ast.walk(s) if isinstance(n, ast.Name)}
    clash = (stored | loaded) & p.attrs
    if not clash <= stored:
        raise NotAModel(f"the build methods read '{sorted(clash - stored)[0]}', a name the class also uses as an attribute")
    spelled = {n.id for n in ast.walk(p.cls) if isinstance(n, ast.Name)} | p.attrs
    taken = {"_" + c for c in clash} & spelled
    if taken:
        raise NotAModel(f"the name '{sorted(taken)[0][1:]}' is both a local and an attribute in the build methods")
    return clash


def _drop_self(text: str, name: str) -> str:
    """`def f(self, x):` -> `def f(x):` in a method's text."""
    head, sep, rest = text.partition(f"def {name}(")
    stripped = rest.lstrip()
    after = stripped[len("self"):].lstrip()
    return head + sep + (after[1:].lstrip() if after.startswith(",") else after)


