"""A top-level `for`/`if` that builds one graph value becomes a function called once.

    total = 0.0                                       def build_total():
    for x, y in zip(xs, ys):                              total = 0.0
        total += (y - (m * x + b)) ** 2       ->          for x, y in zip(xs, ys):
                                                              total += (y - (m * x + b)) ** 2
                                                          return total


                                                      total = build_total()

TF1 runs the loop (or picks the branch) once, while the graph is built, so a function that
runs it once builds the same value; the native analysis then follows it like any helper
function. A graph tensor the block reads becomes a parameter (`build_loss(logits)`), variables
and Python data stay globals. An accumulator's initial value, the statement just before the
block, moves in with it. Only blocks with exactly one value read after them are wrapped, and
nothing that makes variables, placeholders or summaries (native/summary_loops.py), runs a session or
leaves the block early.

    wrap_blocks(code, tree) -> code with each such block wrapped (or `code` unchanged)
"""
from __future__ import annotations

import ast

from upgrader.scan import collect_aliases, dotted, to_key

MAKERS = ("Variable", "get_variable", "placeholder", "Session", "InteractiveSession", "layers", "variable_scope",
          "Saver", "summary", "global_variables_initializer")


def _stores(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _loads(node: ast.AST) -> set[str]:
    """Names read, `total` of `total += x` included."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} | {
        n.target.id for n in ast.walk(node) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}


def _free_loads(stmt: ast.stmt) -> set[str]:
    """Names `stmt` reads, less those a loop inside it binds first (`for v in ...: use(v)` reads no outer `v`)."""
    bound: set[int] = set()
    for loop in (n for n in ast.walk(stmt) if isinstance(n, (ast.For, ast.ListComp, ast.SetComp, ast.GeneratorExp,
                                                               ast.DictComp))):
        targets = [loop.target] if isinstance(loop, ast.For) else [g.target for g in loop.generators]
        names = set().union(*(_stores(t) for t in targets))
        bound |= {id(n) for n in ast.walk(loop) if isinstance(n, ast.Name) and n.id in names}
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in bound}


def _appended(node: ast.AST) -> set[str]:
    """Lists a block fills: `losses.append(...)`, `losses.extend(...)` (the value it builds, as a store would be)."""
    return {n.func.value.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr in ("append", "extend") and isinstance(n.func.value, ast.Name)}


def _tf_calls(node: ast.AST, aliases: dict[str, str]) -> list[str]:
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and (d := dotted(n.func)) is not None:
            head, _, rest = d.partition(".")
            if (qual := aliases.get(head)) is not None and to_key(qual + ("." + rest if rest else "")).startswith("tf"):
                out.append(d)
    return out


def wrap_blocks(code: str, tree: ast.Module) -> str:
    aliases = collect_aliases(tree)
    if "tensorflow" not in aliases.values() or not any(
            c.rsplit(".", 1)[-1] in ("Session", "InteractiveSession", "placeholder") for c in _tf_calls(tree, aliases)):
        return code   # NOTE: TF2 code (a second upgrade) keeps its loops: only a TF1 graph program is wrapped
    from upgrader.native.variable_loops import split_variable_loops   # NOTE: it builds on this module's helpers
    if (split := split_variable_loops(code, tree)) != code:   # a loop that also makes variables: lists + a function
        return split
    graph, variables = _graph_names(tree, aliases)
    sessions = {t.id for s in tree.body if isinstance(s, ast.Assign) and isinstance(s.value, ast.Call)
                and (_tf_calls(s.value, aliases)[:1] or [""])[0].rsplit(".", 1)[-1] in ("Session", "InteractiveSession")
                for t in s.targets if isinstance(t, ast.Name)}
    lines = code.splitlines(keepends=True)
    taken = _stores(tree) | {s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.ClassDef))}
    edits: list[tuple[int, int, str]] = []   # (first line, last line, new text), 1-based inclusive
    body = tree.body
    for i, stmt in enumerate(body):
        if not isinstance(stmt, (ast.For, ast.If)) or not _tf_calls(stmt, aliases) and not (_loads(stmt) & (graph | variables)):
            continue
        plan = _plan(body, i, aliases, graph, taken, sessions)
        if plan is None:
            continue
        out, init, params = plan
        name = f"build_{out}"
        first = (init or stmt).lineno
        width = stmt.col_offset
        block = "".join(lines[first - 1:stmt.end_lineno])
        inner = "".join("    " + ln[width:] if ln.strip() else ln for ln in block.splitlines(keepends=True))
        if not inner.endswith("\n"):
            inner += "\n"
        text = (f"def {name}({', '.join(params)}):\n{inner}    return {out}\n\n\n"
                f"{out} = {name}({', '.join(params)})\n")
        top = first
        while top > 1 and lines[top - 2].lstrip().startswith("#"):   # the comments above describe the block
            top -= 1
        gap = "\n\n" if top > 1 and lines[top - 2].strip() else ""   # NOTE: two blank lines before a def (PEP 8)
        edits.append((top, stmt.end_lineno, gap + "".join(lines[top - 1:first - 1]) + text))
        taken.add(name)
    for first, last, text in sorted(edits, reverse=True):
        lines[first - 1:last] = [text]
    return "".join(lines)


def _graph_names(tree: ast.Module, aliases: dict[str, str]) -> tuple[set[str], set[str]]:
    """Module-level names bound to graph values built from TensorFlow calls: (tensors, variables)."""
    graph: set[str] = set()
    variables: set[str] = set()
    builders: set[str] = set()   # defs that compute with TensorFlow: what they return is a graph value
    for s in tree.body:
        if isinstance(s, ast.FunctionDef) and (_tf_calls(s, aliases) or _loads(s) & (graph | variables)):
            builders.add(s.name)
        elif isinstance(s, (ast.For, ast.If)) and (_tf_calls(s, aliases) or _loads(s) & (graph | variables)):
            graph |= _stores(s)
        elif isinstance(s, ast.Assign) and (_tf_calls(s.value, aliases) or _loads(s.value) & (graph | variables | builders)):
            calls = _tf_calls(s.value, aliases)
            names = {n.id for t in s.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            if calls and calls[0].rsplit(".", 1)[-1] in ("Session", "InteractiveSession"):
                continue   # NOTE: a loop handing the session on (`Model(sess)`) makes models, not graph values
            if calls and calls[0].rsplit(".", 1)[-1] in ("Variable", "get_variable"):
                variables |= names   # NOTE: variables stay globals in TF2, as in the helper functions that read them
            else:
                graph |= names
    return graph, variables


def _plan(body: list[ast.stmt], i: int, aliases: dict[str, str], graph: set[str],
          taken: set[str], sessions: set[str]) -> tuple[str, ast.Assign | None, list[str]] | None:
    """(the value it builds, the accumulator's initial assignment moved in, the graph tensors it reads), or None."""
    stmt = body[i]
    if any(isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal, ast.FunctionDef, ast.ClassDef,
                          ast.Lambda, ast.Try, ast.With)) for n in ast.walk(stmt)):
        return None
    if isinstance(stmt, ast.For) and stmt.orelse or any(isinstance(n, (ast.Break, ast.Continue)) for n in ast.walk(stmt)
                                                         if isinstance(stmt, ast.If)):
        return None
    if _loads(stmt) & sessions:
        return None   # it hands the session on (`Model(sess)`): session code, not a graph value
    if any(c.rsplit(".", 1)[-1] in MAKERS or ".layers." in c or ".summary." in c or c.endswith((".run", ".eval"))
           for c in _tf_calls(stmt, aliases)) or any(isinstance(n, ast.Attribute) and n.attr in ("run", "eval")
                                                     for n in ast.walk(stmt)):
        return None
    later: set[str] = set()
    for s in body[i + 1:]:
        later |= _free_loads(s)
    filled = _appended(stmt) if _tf_calls(stmt, aliases) else set()   # NOTE: lists of TF results, not of fetched data
    outs = sorted((_stores(stmt) | filled) & later)
    if len(outs) != 1:
        return None
    out = outs[0]
    if f"build_{out}" in taken:
        return None
    prev = body[i - 1] if i else None
    init = prev if (isinstance(prev, ast.Assign) and len(prev.targets) == 1 and isinstance(prev.targets[0], ast.Name)
                    and prev.targets[0].id == out and out in _loads(stmt)) else None
    if init is not None and any(c.rsplit(".", 1)[-1] in MAKERS for c in _tf_calls(init, aliases)):
        return None
    if init is None and out in _loads(stmt) and out in set().union(*(_stores(s) for s in body[:i])):
        return None   # an accumulator whose start value is set further up: not moved
    inside = _stores(stmt) | ({out} if init is not None else set())
    reads = (_loads(stmt) | (_loads(init) if init is not None else set())) - inside
    order = [n.id for src in ([init] if init is not None else []) + [stmt] for n in ast.walk(src) if isinstance(n, ast.Name)]
    params = sorted(reads & graph, key=order.index)
    return out, init, params
