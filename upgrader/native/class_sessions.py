"""Sessions and method calls in a TF1 model class: which names hold a session, and the calls around it.

Used by native/class_flatten.py. A model class may keep its session on self, open it in a method
(`with tf.Session() as sess:`) and pass it to other methods (`self.train_one_epoch(sess, ...)`): in the
flat program all of them are the one module-level `sess`, so session parameters and arguments go and
the `with` block gives way to its body. Build methods the script calls right after making an instance
(`model = M(); model.build()`) are found here too.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from upgrader.native.class_flatten import Plan

INITIALIZERS = frozenset({"global_variables_initializer", "initialize_all_variables", "local_variables_initializer"})
GRAPH_CALLS = frozenset({"placeholder", "Variable", "get_variable", "dense", "conv2d", "Session"})


def _builds(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in GRAPH_CALLS for n in ast.walk(node))


class NotAModel(Exception):
    """The class builds a graph but is not a session-owning model class; args[0] says why."""


def _self_attr(node: ast.AST, attr: str | None = None) -> bool:
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
            and (attr is None or node.attr == attr))


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
    seen, todo, inlined = set(), [name], {name}
    while todo:
        m = methods[todo.pop()]
        if m.name in seen:
            continue
        seen.add(m.name)
        fetching = {id(n) for w in ast.walk(m) if fetches_only(w) for n in ast.walk(w)}
        if any(id(n) not in fetching and (isinstance(n, ast.Call) and _opens(n) or isinstance(n, ast.Attribute)
                                          and n.attr == "run") for n in ast.walk(m)):
            return False
        todo += [c.func.attr for c in ast.walk(m) if isinstance(c, ast.Call) and _self_attr(c.func) and c.func.attr in methods]
        inlined |= {s.value.func.attr for s in ast.walk(m) if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                    and _self_attr(s.value.func) and s.value.func.attr in methods}
    # NOTE: a helper called for its value (`G = self._gram(F)`) stays a method; only those inlined must not return one
    return not any(isinstance(r, ast.Return) and r.value is not None for n in inlined for r in ast.walk(methods[n]))


def fetches_only(w: ast.AST) -> bool:
    """`with tf.Session() as s:` whose block only runs `s` (`s.run(image.assign(content))`, `p = s.run(layer)`):
    a session that fetches values while the graph is built (a style-transfer target), part of construction. It
    keeps a value it fetched and runs no initialiser of all variables (a session that trains does)."""
    name = _opened(w)
    if name is None or not all(isinstance(st, (ast.Expr, ast.Assign)) for st in w.body) or not any(
            isinstance(st, ast.Assign) for st in w.body) or any(
            isinstance(n, ast.Attribute) and n.attr in INITIALIZERS for n in ast.walk(w)):
        return False
    uses = [n for st in w.body for n in ast.walk(st) if isinstance(n, ast.Name) and n.id == name]
    return bool(uses) and all(any(isinstance(c, ast.Call) and c.func is not None and isinstance(c.func, ast.Attribute)
                                  and c.func.value is u and c.func.attr == "run" for st in w.body for c in ast.walk(st))
                              for u in uses)


def _opened_any(m: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and _opens(n) for n in ast.walk(m))


def _following(tree: ast.Module, stmt: ast.stmt) -> list[ast.stmt]:
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and any(b is stmt for b in block):
                return block[[id(b) for b in block].index(id(stmt)) + 1:]
    return []


def _opens(node: ast.AST) -> bool:
    """`tf.Session()` / `tf.InteractiveSession()` (with no target or config)."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args and not node.keywords
            and node.func.attr in ("Session", "InteractiveSession"))


@dataclass
class _Span:
    lineno: int
    col_offset: int
    end_lineno: int
    end_col_offset: int


def drop(drops: dict[int, tuple[list[ast.AST], set[int]]], owner: ast.AST, items: list[ast.AST], i: int) -> None:
    """Mark items[i] of `owner`'s comma-separated list (a call's arguments, a def's parameters) for removal."""
    drops.setdefault(id(owner), (items, set()))[1].add(i)


def cuts(drops: dict[int, tuple[list[ast.AST], set[int]]]) -> list[tuple[ast.AST, str]]:
    """The spans that remove the marked items, each run of neighbours with one of its commas."""
    out: list[tuple[ast.AST, str]] = []
    for items, gone in drops.values():
        marked = sorted(gone)
        while marked:
            a = b = marked.pop(0)
            while marked and marked[0] == b + 1:
                b = marked.pop(0)
            if a > 0:
                span = _Span(items[a - 1].end_lineno, items[a - 1].end_col_offset, items[b].end_lineno, items[b].end_col_offset)
            elif b + 1 < len(items):
                span = _Span(items[a].lineno, items[a].col_offset, items[b + 1].lineno, items[b + 1].col_offset)
            else:
                span = _Span(items[a].lineno, items[a].col_offset, items[b].end_lineno, items[b].end_col_offset)
            if span.lineno != span.end_lineno:
                raise NotAModel(f"line {items[a].lineno}: a session argument spread over several lines")
            out.append((span, ""))
    return out


def _session_edits(p: Plan, m: ast.FunctionDef, edits: list[tuple[ast.AST, str]],
                   drops: dict[int, tuple[list[ast.AST], set[int]]]) -> list[tuple[ast.AST, str]]:
    """A method's local sessions are the flat program's one `sess`: session parameters and arguments go (to `drops`)."""
    names = p.local_sessions.get(m.name, {})
    gone: set[int] = set()
    out = list(edits)
    params = m.args.args
    for name, pos in names.items():
        if pos is not None:
            if len(params) - 1 - pos <= len(m.args.defaults):
                raise NotAModel(f"method '{m.name}': the session parameter '{name}' has a default value")
            drop(drops, m.args, params, pos + 1)
    for call, callee in _self_calls(m, dict.fromkeys(p.local_sessions)):
        spots = {v: k for k, v in p.local_sessions[callee].items() if v is not None}
        args: list[ast.AST] = [*call.args, *call.keywords]
        for i, a in enumerate(call.args):
            if i in spots:
                drop(drops, call, args, i); gone.update(id(n) for n in ast.walk(a))
        for k in call.keywords:
            if k.arg in spots.values():
                drop(drops, call, args, args.index(k)); gone.update(id(n) for n in ast.walk(k))
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
    return unwrap_withs(code, _opens)


def unwrap_withs(code: str, opens: Callable[[ast.expr], bool]) -> str:
    """Each `with <x>:` whose `x` `opens` says is a session gives way to its body, dedented, innermost last."""
    while True:
        tree = ast.parse(code)
        w = next((n for n in ast.walk(tree) if isinstance(n, ast.With) and len(n.items) == 1
                  and opens(n.items[0].context_expr)), None)
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


def mid_build(cls: ast.ClassDef, name: str) -> str | None:
    """Why method `name`, which builds graph objects, is not part of construction: a method calling it also calls
    one that opens a session before the graph is complete (`build()` -> `create_input()`, `losses()` with a session)."""
    methods = {m.name: m for m in cls.body if isinstance(m, ast.FunctionDef)}

    def calls(m: ast.FunctionDef) -> list[str]:
        return [c.func.attr for c in ast.walk(m) if isinstance(c, ast.Call) and _self_attr(c.func) and c.func.attr in methods]

    for caller in methods.values():
        if name not in calls(caller):
            continue
        for other in dict.fromkeys(calls(caller)):
            opens = sorted(n.lineno for n in ast.walk(methods[other]) if isinstance(n, ast.Call) and _opens(n))
            if opens and other != name:
                return (f"'{caller.name}' calls it and also '{other}', which opens a session (line {opens[0]}) while "
                        "the graph is still being built; native mode converts a model class whose graph is complete "
                        "before a session runs it")
    return None
