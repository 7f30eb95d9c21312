"""A function that runs its caller's graph, or makes its placeholders, called once: its body goes in place of the call.

TF1 programs often build the graph in one function and hand the tensors to another that opens
the session and trains (`train(x, y, loss, steps)`), called once. The session function cannot
convert on its own (its parameters are graph tensors it did not build), but its body at the call,
with the parameters bound to the arguments, is the program TF1 ran: the caller then builds the
graph and runs it, which native/function_body.py (or the module-level analysis) converts. A
function making the program's placeholders (`x, y, loss = build_model()`), called once, is inlined
the same way: its placeholders are the program's inputs.

    def train(x, loss, steps):                         def main():
        with tf.Session() as sess:                         x = tf.placeholder(tf.float32, [None])
            for i in range(steps):            ->           loss = tf.reduce_sum(x)
                sess.run(loss, {x: data})                  steps = 5
    def main():                                            with tf.Session() as sess:
        x = tf.placeholder(tf.float32, [None])                 for i in range(steps):
        loss = tf.reduce_sum(x)                                    sess.run(loss, {x: data})
        train(x, loss, 5)

Only a plain def (no decorators, *args, **kwargs or keyword-only parameters, no global/yield, a
return only as its last statement) referenced exactly once, by a call that is a whole statement
(`train(...)` or `name = train(...)`) directly in a def body or at module level, whose names do
not collide with the caller's, is inlined.

    inline_sessions(code, tree)  ->  the source with such functions inlined, or None
    why_kept(code, tree)         ->  (line, reason) for a session function left as it was
"""
from __future__ import annotations

import ast

from upgrader.native.inline_dicts import key_edits, returned_names
from upgrader.native.function_body import GRAPH, SESSIONS, _attrs, _body, _bound, _own, _params


def _refs(tree: ast.Module, name: str) -> list[ast.Name]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name]


def _call_site(tree: ast.Module, fn: ast.FunctionDef) -> tuple[ast.stmt, list[ast.stmt], ast.AST] | None:
    """The one statement calling `fn`, the statement list holding it and the scope (a def or the module)."""
    refs = _refs(tree, fn.name)
    if len(refs) != 1:
        return None
    scopes: list[tuple[list[ast.stmt], ast.AST]] = [(tree.body, tree)] + [
        (s.body, s) for s in tree.body if isinstance(s, ast.FunctionDef) and s is not fn]
    for body, scope in scopes:
        for s in _statements(body):   # NOTE: also in a loop or branch (`online_inference(sess, ...)` every N steps)
            value = s.value if isinstance(s, (ast.Expr, ast.Assign)) else None
            if isinstance(value, ast.Call) and value.func is refs[0] and (isinstance(s, ast.Expr) or len(s.targets) == 1
                                                                           and _assignable(s.targets[0])):
                return s, body, scope
    return None


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of `body` and of the blocks nested in them (loops, branches, with, try), not of defs or classes."""
    out = []
    for s in body:
        out.append(s)
        if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for block in ("body", "orelse", "finalbody"):
                out += _statements(getattr(s, block, None) or [])
            for h in getattr(s, "handlers", []):
                out += _statements(h.body)
    return out


def _names(node: ast.AST) -> list[str] | None:
    """`a` or `a, b` (a tuple or list of plain names) -> their names."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in node.elts):
        return [e.id for e in node.elts]
    return None


def _assignable(node: ast.AST) -> bool:
    """`a`, `a, b`, `model['op']`, or a tuple mixing names and items of a named dict (`model['loss'], b = f(...)`)."""
    elts = node.elts if isinstance(node, (ast.Tuple, ast.List)) else [node]
    return all(isinstance(e, ast.Name) or isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name) for e in elts)


def _rebound(stmt: ast.stmt) -> list[str]:
    """The names the call statement binds (a dict item it stores into rebinds nothing)."""
    if not isinstance(stmt, ast.Assign):
        return []
    t = stmt.targets[0]
    return [e.id for e in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]) if isinstance(e, ast.Name)]


def _bindings(fn: ast.FunctionDef, call: ast.Call, code: str) -> dict[str, str] | None:
    """Parameter -> the source of its argument (or default); None for calls native mode does not follow."""
    a = fn.args
    if a.vararg or a.kwarg or a.posonlyargs or a.kwonlyargs or len(call.args) > len(a.args) or any(
            isinstance(x, ast.Starred) for x in call.args) or any(k.arg is None for k in call.keywords):
        return None
    names = [p.arg for p in a.args]
    out = {p: ast.get_source_segment(code, x) for p, x in zip(names, call.args)}
    for k in call.keywords:
        if k.arg not in names or k.arg in out:
            return None
        out[k.arg] = ast.get_source_segment(code, k.value)
    defaults = dict(zip(names[len(names) - len(a.defaults):], a.defaults))
    for p in names:
        if p not in out:
            if p not in defaults:
                return None
            out[p] = ast.get_source_segment(code, defaults[p])
    return out if all(v is not None for v in out.values()) else None


def _scope_names(scope: ast.AST, skip: ast.stmt) -> set[str]:
    """Every name the caller's own scope reads or binds, outside the call statement's call."""
    nodes = _own(scope) if isinstance(scope, ast.FunctionDef) else [
        n for s in scope.body if not isinstance(s, (ast.FunctionDef, ast.ClassDef)) for n in ast.walk(s)]
    inside = {id(n) for n in ast.walk(skip.value)}
    return {n.id for n in nodes if isinstance(n, ast.Name) and id(n) not in inside} | (
        _params(scope) if isinstance(scope, ast.FunctionDef) else set())


def _inlinable(fn: ast.FunctionDef) -> bool:
    own = _own(fn)
    if fn.decorator_list or any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal)) for n in own):
        return False
    returns = [n for n in own if isinstance(n, ast.Return)]
    return not returns or (len(returns) == 1 and returns[0] is _last_return(fn))


def _last_return(fn: ast.FunctionDef) -> ast.Return | None:
    """The return ending `fn`: its last statement, or the last of the `with` blocks it ends with (a name scope's)."""
    node = fn.body[-1]
    while isinstance(node, ast.With) and node.body:
        node = node.body[-1]
    return node if isinstance(node, ast.Return) else None


SUMMARIES = frozenset({"scalar", "histogram", "image", "audio", "text", "merge_all", "merge"})


def _summarises(fn: ast.FunctionDef) -> bool:
    """`def make_summaries(model): tf.summary.scalar('loss', model['loss']); ...; return tf.summary.merge_all()`:
    a function making only summaries of the caller's tensors (in name scopes), which native mode converts where
    the graph is built."""
    def summary(node: ast.AST) -> bool:
        f = node.func if isinstance(node, ast.Call) else None
        return isinstance(f, ast.Attribute) and f.attr in SUMMARIES and isinstance(f.value, ast.Attribute) \
            and f.value.attr == "summary"

    def only(body: list[ast.stmt]) -> bool:
        return all(isinstance(s, (ast.Expr, ast.Return, ast.Assign)) and summary(s.value) or isinstance(s, ast.With)
                   and all(isinstance(i.context_expr, ast.Call) and getattr(i.context_expr.func, "attr", "") ==
                           "name_scope" for i in s.items) and only(s.body) for s in body)
    return bool(fn.args.args) and only(_body(fn))


def _runs_callers_graph(fn: ast.FunctionDef) -> bool:
    """`def train(x, loss): with tf.Session() as sess: sess.run(loss, {x: ...})`: a parameter is fetched or fed,
    and the function makes no placeholder or variable of its own (then it is a program: function_body.py)."""
    params = _params(fn)
    handed = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "run" and isinstance(
        n.func.value, ast.Name) and n.func.value.id in params for n in ast.walk(fn))   # `def sample(sess, ...)`
    # NOTE: a variable_scope only names the ops of a function that makes no variable (a loss built around a session)
    if not (_attrs(fn) & SESSIONS or handed) or _attrs(fn) & (GRAPH - {"variable_scope"}) or not fn.args.args:
        return False
    for n in ast.walk(fn):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("run", "eval"):
            roles = [n.func.value] if n.func.attr == "eval" else n.args[:1] + [
                k for a in n.args[1:2] + [k.value for k in n.keywords if k.arg == "feed_dict"]
                if isinstance(a, ast.Dict) for k in a.keys if k is not None]
            if any(isinstance(m, ast.Name) and m.id in params for r in roles for m in ast.walk(r)):
                return True
    return False


INPUTS = {"placeholder", "placeholder_with_default", "make_one_shot_iterator"}   # NOTE: `return it.get_next()` too


def _builds_once(fn: ast.FunctionDef) -> bool:
    """`def build(): x = tf.placeholder(...); ...; return x, loss`: the program's inputs are made in it, so it is
    part of the one program (a layer function making only variables is native/modules.py's: a tf.Module)."""
    words = _attrs(fn)
    return not words & SESSIONS and bool(words & INPUTS) and isinstance(fn.body[-1], ast.Return) and not any(
        _iterates_a_parameter(n, _params(fn)) for n in ast.walk(fn))


def _iterates_a_parameter(node: ast.AST, params: set[str]) -> bool:
    """`param.make_one_shot_iterator()`: the dataset is the caller's (graph_blocks.py hoists such blocks into defs)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "make_one_shot_iterator"):
        return False
    sources = [node.func.value] + node.args[:1]   # ds.make_one_shot_iterator() or tf.data.make_one_shot_iterator(ds)
    return any(isinstance(s, ast.Name) and s.id in params for s in sources)


def _text(fn: ast.FunctionDef, stmt: ast.stmt, args: dict[str, str], lines: list[str],
          keyed: bool = False, renames: dict[str, str] | None = None) -> list[str] | None:
    """The body of `fn` for the place of `stmt`: parameters bound first, its return as the call's value (none when
    the caller reads the returned dict's names directly: `keyed`, native/inline_dicts.py)."""
    pad = " " * stmt.col_offset
    out = [f"{pad}{p} = {v}\n" for p, v in args.items() if p != v]
    body = _body(fn)
    if not body:
        return None
    indent = body[0].col_offset
    last = _last_return(fn) or fn.body[-1]
    end = last.lineno - 1 if isinstance(last, ast.Return) else fn.end_lineno
    block = lines[body[0].lineno - 1:end]
    if any(ln.strip() and not ln[:indent].isspace() for ln in block + lines[end:fn.end_lineno]):
        return None   # a multi-line string at a lower indentation
    out += [pad + ln[indent:] if ln.strip() else ln for ln in block]
    if keyed:
        return out
    targets = _names(stmt.targets[0]) if isinstance(stmt, ast.Assign) else None
    returned = _names(last.value) if isinstance(last, ast.Return) and last.value is not None else None
    returned = [(renames or {}).get(r, r) for r in returned] if returned else returned
    if targets and returned and len(targets) == len(returned) and len(targets) > 1:   # x, y = build(): return x, y
        return out + [f"{pad}{t} = {r}\n" for t, r in zip(targets, returned) if t != r]
    if isinstance(last, ast.Return) and last.value is not None:
        value = [pad + ln[indent:] if ln.strip() else ln for ln in lines[last.lineno - 1:fn.end_lineno]]
        target = f"{ast.get_source_segment(''.join(lines), stmt.targets[0])} = " if isinstance(stmt, ast.Assign) else ""
        head = value[0]
        value[0] = head.replace("return ", target, 1)
        if (target or not isinstance(last.value, ast.Name)) and [
                (renames or {}).get(getattr(last.value, "id", None), getattr(last.value, "id", None))] != targets:
            out += value
    return out


def _plan(fn: ast.FunctionDef, tree: ast.Module, code: str, lines: list[str]) -> list[tuple[int, int, list[str]]] | str:
    """The edits inlining `fn`, or why it stays."""
    if not _inlinable(fn):
        return "it has decorators, yield or global statements, or returns before its last statement"
    site = _call_site(tree, fn)
    if site is None:
        n = len(_refs(tree, fn.name))
        return f"it is used {n} times" if n != 1 else "its one use is not a call statement (`f(...)`, `x = f(...)`)"
    stmt, _, scope = site
    args = _bindings(fn, stmt.value, code)
    if args is None:
        return f"its call at line {stmt.lineno} passes *args/**kwargs or arguments it does not take"
    mine = _bound(_own(fn)) | _params(fn)
    theirs = _scope_names(scope, stmt) - set(_rebound(stmt))
    same = {p for p, v in args.items() if p == v}
    rebound = {p for p in same if p in _bound(_own(fn))}
    free = {n.id for n in _own(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - mine
    local = _bound(_own(scope)) | _params(scope) if isinstance(scope, ast.FunctionDef) else set()
    if free & local:
        return f"the name '{sorted(free & local)[0]}' means one thing in it and another where it is called"
    # NOTE: its own names that the caller uses too (`seq = tf.one_hot(seq, n)` rebinding the caller's `seq`) are
    # renamed in the inlined body: `seq_ = seq; seq_ = tf.one_hot(seq_, n)`
    clash = ((mine - same) & theirs - {"_"}) | {p for p in rebound if _read_after(scope, stmt, p)}   # `_`: unread
    renames = _fresh(tree, clash)
    nested = {n.id for d in ast.walk(fn) if d is not fn and isinstance(d, (ast.FunctionDef, ast.Lambda, ast.ClassDef))
              for n in ast.walk(d) if isinstance(n, ast.Name)}
    keys = returned_names(fn) if isinstance(stmt, ast.Assign) else None
    if clash & nested or clash and keys:
        return f"the name '{sorted(clash)[0]}' means one thing in it and another where it is called"
    if renames:
        lines, args = _renamed(fn, lines, renames), {renames.get(p, p): v for p, v in args.items()}
    keyed = key_edits(scope, stmt, keys, lines) if keys else None   # ae['x'] -> x (native/inline_dicts.py)
    text = _text(fn, stmt, args, lines, keyed is not None, renames)
    if text is None:
        return "a multi-line string in it cannot be re-indented safely"
    gap = fn.end_lineno
    while gap < len(lines) and not lines[gap].strip() and gap - fn.end_lineno < 2:
        gap += 1
    return [(stmt.lineno - 1, stmt.end_lineno, text), (fn.lineno - 1, gap, [])] + (keyed or [])


def _fresh(tree: ast.Module, names: set[str]) -> dict[str, str]:
    """A new name for each of `names` (`seq` -> `seq_`) that the module uses nowhere."""
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    out: dict[str, str] = {}
    for name in sorted(names):
        new = name + "_"
        while new in taken:
            new += "_"
        out[name] = new
        taken.add(new)
    return out


def _renamed(fn: ast.FunctionDef, lines: list[str], renames: dict[str, str]) -> list[str]:
    """`lines` with every use of a renamed name in `fn`'s body respelled (columns are UTF-8 byte offsets)."""
    out = list(lines)
    uses = [n for s in fn.body for n in ast.walk(s) if isinstance(n, ast.Name) and n.id in renames]
    for n in sorted(uses, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        raw = out[n.lineno - 1].encode("utf-8")
        out[n.lineno - 1] = (raw[:n.col_offset] + renames[n.id].encode() + raw[n.end_col_offset:]).decode("utf-8")
    return out


def inline_sessions(code: str, tree: ast.Module) -> str | None:
    """See the module docstring."""
    lines = code.splitlines(keepends=True)
    edits: list[tuple[int, int, list[str]]] = []
    scopes: set[int] = set()
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and (_runs_callers_graph(fn) or _builds_once(fn) or _summarises(fn)):
            plan = _plan(fn, tree, code, lines)
            site = _call_site(tree, fn)
            # NOTE: one whose call is inside another being inlined waits for the next pass, and so does a second one
            # into the same caller (its names are checked against the caller's with the first one's body in it)
            if isinstance(plan, list) and not any(a < d and c < b for a, b, _ in plan for c, d, _ in edits) \
                    and id(site[2]) not in scopes:
                edits += plan
                scopes.add(id(site[2]))
    if not edits:
        return None
    for start, end, new in sorted(edits, key=lambda e: -e[0]):
        lines[start:end] = new
    return "".join(lines)


def why_kept(code: str, tree: ast.Module) -> tuple[int, str] | None:
    """The first function running its callers' tensors in a session that stays, and why (a fallback's reason)."""
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and _runs_callers_graph(fn):
            plan = _plan(fn, tree, code, code.splitlines(keepends=True))
            if isinstance(plan, str):
                return fn.lineno, (f"function '{fn.name}' runs a session on tensors its caller passes in; native mode "
                                   f"writes such a function into its one caller, but {plan}")
    return None


def _read_after(scope: ast.AST, stmt: ast.stmt, name: str) -> bool:
    """The caller reads `name` after the call (a parameter the inlined body rebinds would change it)."""
    nodes = _own(scope) if isinstance(scope, ast.FunctionDef) else [n for s in scope.body for n in ast.walk(s)]
    return name not in _rebound(stmt) and any(isinstance(n, ast.Name) and n.id == name and n.lineno > stmt.end_lineno
                                  for n in nodes)
