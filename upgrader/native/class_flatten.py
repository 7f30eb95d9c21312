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

GRAPH_CALLS = frozenset({"placeholder", "Variable", "get_variable", "dense", "conv2d", "Session"})
RENAMED = "__param"
INITIALIZERS = frozenset({"global_variables_initializer", "initialize_all_variables", "local_variables_initializer"})   # a session method's parameter spelled like an attribute, renamed while flat


class NotAModel(Exception):
    """The class builds a graph but is not a session-owning model class; args[0] says why."""


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
    # ^ method -> its session names: a parameter (its position after self) or `with tf.Session() as s:` (None)


def _self_attr(node: ast.AST, attr: str | None = None) -> bool:
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
            and (attr is None or node.attr == attr))


def _builds(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in GRAPH_CALLS for n in ast.walk(node))


def model_classes(tree: ast.Module) -> list[ast.ClassDef]:
    """Top-level classes that build graph code and run a session kept on self or opened in a method."""
    return [c for c in tree.body if isinstance(c, ast.ClassDef) and _builds(c) and (any(
        _self_attr(n.func.value) for n in ast.walk(c) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        and n.func.attr == "run") or any(_opened(w) for w in ast.walk(c)))]


def _opened(node: ast.AST) -> str | None:
    """`with tf.Session() as sess:` -> "sess"."""
    if isinstance(node, ast.With) and len(node.items) == 1 and _opens(node.items[0].context_expr) and isinstance(
            node.items[0].optional_vars, ast.Name):
        return node.items[0].optional_vars.id
    return None


def _session_names(methods: dict[str, ast.FunctionDef]) -> dict[str, dict[str, int | None]]:
    """Per method, the names that hold a session it opened (`with tf.Session() as s`) or was passed.

    A parameter is a session when the method calls its `.run(...)` or passes it on as another method's session."""
    found: dict[str, dict[str, int | None]] = {}
    for name, m in methods.items():
        opened = {o: None for w in ast.walk(m) if (o := _opened(w))}
        params = {a.arg: i for i, a in enumerate(m.args.args[1:])}
        ran = {n.func.value.id for n in ast.walk(m) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr == "run" and isinstance(n.func.value, ast.Name) and n.func.value.id in params}
        found[name] = {**opened, **{a: params[a] for a in ran}}
    changed = True
    while changed:   # a parameter only passed on to another method's session parameter
        changed = False
        for name, m in methods.items():
            params = {a.arg: i for i, a in enumerate(m.args.args[1:])}
            for call, callee in _self_calls(m, methods):
                spots = {i for i in found[callee].values() if i is not None}
                for i, a in enumerate(call.args):
                    if i in spots and isinstance(a, ast.Name) and a.id in params and a.id not in found[name]:
                        found[name][a.id] = params[a.id]
                        changed = True
    return {k: v for k, v in found.items() if v}


def _self_calls(m: ast.FunctionDef, methods: dict[str, ast.FunctionDef]) -> list[tuple[ast.Call, str]]:
    return [(n, n.func.attr) for n in ast.walk(m) if isinstance(n, ast.Call) and _self_attr(n.func)
            and n.func.attr in methods]


def late_builds(cls: ast.ClassDef, tree: ast.Module) -> tuple[list[str], list[ast.stmt]]:
    """Methods the script calls right after making each instance (`model = M(); model.build()`), in order,
    and those call statements; raises NotAModel when instances differ in them."""
    methods = {m.name for m in cls.body if isinstance(m, ast.FunctionDef)}
    seqs, stmts = [], []
    for s in ast.walk(tree):
        if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
                and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name) and s.value.func.id == cls.name):
            continue
        seq = []
        for after in _following(tree, s):
            c = after.value if isinstance(after, ast.Expr) else None
            if not (isinstance(c, ast.Call) and not c.args and not c.keywords and isinstance(c.func, ast.Attribute)
                    and isinstance(c.func.value, ast.Name) and c.func.value.id == s.targets[0].id
                    and c.func.attr in methods and _builds_via(cls, c.func.attr)):
                break
            seq.append(c.func.attr)
            stmts.append(after)
        seqs.append(seq)
    if any(q != seqs[0] for q in seqs):
        raise NotAModel("its instances call different build methods after being made")
    return (seqs[0] if seqs else []), stmts


def _builds_via(cls: ast.ClassDef, name: str) -> bool:
    """Whether method `name` (and the methods it calls on self) can run as part of __init__: no session, no result."""
    methods = {m.name: m for m in cls.body if isinstance(m, ast.FunctionDef)}
    seen, todo = set(), [name]
    while todo:
        m = methods[todo.pop()]
        if m.name in seen:
            continue
        seen.add(m.name)
        if _opened_any(m) or any(isinstance(n, ast.Attribute) and n.attr == "run" for n in ast.walk(m)):
            return False
        todo += [c.func.attr for c in ast.walk(m) if isinstance(c, ast.Call) and _self_attr(c.func) and c.func.attr in methods]
    return not any(isinstance(r, ast.Return) and r.value is not None for n in seen for r in ast.walk(methods[n]))


def _opened_any(m: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and _opens(n) for n in ast.walk(m))


def _following(tree: ast.Module, stmt: ast.stmt) -> list[ast.stmt]:
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and any(b is stmt for b in block):
                return block[[id(b) for b in block].index(id(stmt)) + 1:]
    return []


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
            raise NotAModel(f"method '{name}' builds or reads graph objects without running the session; "
                            "call it from __init__ or fetch its values with sess.run")
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


def _opens(node: ast.AST) -> bool:
    """`tf.Session()` / `tf.InteractiveSession()` (with no target or config)."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args and not node.keywords
            and node.func.attr in ("Session", "InteractiveSession"))


def _bookkeeping(p: Plan, s: ast.stmt) -> bool:
    """`self.sess.run(tf.global_variables_initializer())`, `self.sess.close()`: nothing to do in TF2."""
    c = s.value if isinstance(s, ast.Expr) else None
    if not (isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and _self_attr(c.func.value, p.sess_attr)):
        return False
    return c.func.attr == "close" or (c.func.attr == "run" and len(c.args) == 1 and isinstance(c.args[0], ast.Call)
                                      and getattr(c.args[0].func, "attr", "") in INITIALIZERS)


def _graph_locals(p: Plan) -> set[str]:
    return {n.id for s in p.graph for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _graph_attrs(p: Plan) -> set[str]:
    return {t.attr for s in p.graph for n in ast.walk(s) if isinstance(n, ast.Assign) for t in n.targets if _self_attr(t)}


def _inline(p: Plan, fn: ast.FunctionDef, methods: dict[str, ast.FunctionDef], built: set[str], top: bool,
            body: list[ast.stmt] | None = None) -> None:
    if body is None:
        body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
    for s in body:
        call = s.value if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) else None
        if call is not None and _self_attr(call.func) and call.func.attr in methods and not call.args and not call.keywords:
            inner = methods[call.func.attr]
            if inner.name in built or len(inner.args.args) != 1 or inner.decorator_list:
                raise NotAModel(f"method '{inner.name}' is called from __init__ twice or with arguments")
            built.add(inner.name)
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
        elif isinstance(s, ast.With) and all(_naming_only(i) for i in s.items):
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


def flat_program(p: Plan, lines: list[str], imports: str, tf: str) -> str:
    """The class as a flat TF1 program (see the module docstring), after the file's imports."""
    clash = {a.arg for m in p.runs for a in m.args.args[1:]} | {
        n.id for m in p.runs for n in ast.walk(m) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    p.renamed = clash & p.attrs
    shadow = _shadowing_locals(p)
    out = [imports]
    for s in p.graph:
        edits = [(n, n.attr) for n in ast.walk(s) if _self_attr(n)]
        edits += [(n, "_" + n.id) for n in ast.walk(s) if isinstance(n, ast.Name) and n.id in shadow]
        out.append(_edits_text(lines, s, edits, s.col_offset))
    for m in p.runs:
        edits: list[tuple[ast.AST, str]] = [(n, "sess" if n.attr == p.sess_attr else n.attr)
                                            for n in ast.walk(m) if _self_attr(n)]
        edits += [(n, n.id + RENAMED) for n in ast.walk(m) if isinstance(n, ast.Name) and n.id in p.renamed]
        edits += [(a, a.arg + RENAMED) for a in m.args.args[1:] if a.arg in p.renamed]
        edits = _session_edits(p, m, edits)
        text = _edits_text(lines, m, edits, m.col_offset)
        out.append("\n\n" + unwrap_sessions(_drop_self(text, m.name)) + "\n")
    out.append(f"\n\nsess = {tf}.Session()\n")
    return "".join(out)


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


@dataclass
class _Span:
    lineno: int
    col_offset: int
    end_lineno: int
    end_col_offset: int


def _cut(items: list[ast.AST], i: int) -> _Span:
    """The span that removes items[i] from a comma-separated list, with one of its commas."""
    a = items[i]
    if i > 0:
        start, end = items[i - 1], a
        span = _Span(start.end_lineno, start.end_col_offset, end.end_lineno, end.end_col_offset)
    elif len(items) > 1:
        span = _Span(a.lineno, a.col_offset, items[1].lineno, items[1].col_offset)
    else:
        span = _Span(a.lineno, a.col_offset, a.end_lineno, a.end_col_offset)
    if span.lineno != span.end_lineno:
        raise NotAModel(f"line {a.lineno}: a session argument spread over several lines")
    return span


def _session_edits(p: Plan, m: ast.FunctionDef, edits: list[tuple[ast.AST, str]]) -> list[tuple[ast.AST, str]]:
    """A method's local sessions are the flat program's one `sess`: session parameters and arguments go."""
    names = p.local_sessions.get(m.name, {})
    gone: set[int] = set()
    out = list(edits)
    params = m.args.args
    for name, pos in names.items():
        if pos is not None:
            if len(params) - 1 - pos <= len(m.args.defaults):
                raise NotAModel(f"method '{m.name}': the session parameter '{name}' has a default value")
            out.append((_cut(params, pos + 1), ""))
    for call, callee in _self_calls(m, dict.fromkeys(p.local_sessions)):
        spots = {v: k for k, v in p.local_sessions[callee].items() if v is not None}
        args: list[ast.AST] = [*call.args, *call.keywords]
        for i, a in enumerate(call.args):
            if i in spots:
                out.append((_cut(args, i), "")); gone.update(id(n) for n in ast.walk(a))
        for k in call.keywords:
            if k.arg in spots.values():
                out.append((_cut(args, args.index(k)), "")); gone.update(id(n) for n in ast.walk(k))
    for st in ast.walk(m):
        c = st.value if isinstance(st, ast.Expr) else None
        if names and isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name) \
                and c.func.value.id in names and (c.func.attr == "close" or c.func.attr == "run" and len(c.args) == 1 and
                                                 getattr(getattr(c.args[0], "func", None), "attr", "") in INITIALIZERS):
            if st.lineno != st.end_lineno:
                raise NotAModel(f"line {st.lineno}: a session call spread over several lines")
            out.append((st, "")); gone.update(id(n) for n in ast.walk(st))   # TF2 variables start initialised
    out += [(n, "sess") for n in ast.walk(m) if isinstance(n, ast.Name) and n.id in names and n.id != "sess"
            and id(n) not in gone]
    return out


def unwrap_sessions(code: str) -> str:
    """`with tf.Session() as sess:` blocks give way to their bodies, dedented, innermost last."""
    while True:
        tree = ast.parse(code)
        w = next((n for n in ast.walk(tree) if isinstance(n, ast.With) and len(n.items) == 1
                  and _opens(n.items[0].context_expr)), None)
        if w is None:
            return code
        lines = code.splitlines(keepends=True)
        width = w.body[0].col_offset - w.col_offset
        body = []
        for ln in lines[w.body[0].lineno - 1:w.end_lineno]:
            if ln.strip() and not ln[:width].isspace():
                raise NotAModel(f"line {w.lineno}: a multi-line string inside the session block")
            body.append(ln[width:] if ln.strip() else ln)
        code = "".join(lines[:w.lineno - 1] + body + lines[w.end_lineno:])
