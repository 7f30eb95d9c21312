"""A graph-building def nested in a top-level def moves out beside it, the names it closed over as parameters.

    def snn(x1, x2, keep):                              def siamese_nn(x, n, keep):
        def siamese_nn(x, n):                               w = tf.get_variable("w", [n, 2])
            w = tf.get_variable("w", [n, 2])     ->         return tf.nn.dropout(tf.matmul(x, w), keep)
            return tf.nn.dropout(tf.matmul(x, w), keep)
        out1 = siamese_nn(x1, 4)                        def snn(x1, x2, keep):
        ...                                                 out1 = siamese_nn(x1, 4, keep=keep)

TF1 runs the inner def each time the outer one calls it, with the outer's values of the names it reads; a
top-level def given those values as arguments computes the same thing, and the native analysis follows
top-level defs (a def that makes variables becomes a tf.Module; native/modules.py). Only a def that builds
TF1 graph state (get_variable, variable_scope, RNN cells and runs, tf.layers, contrib; never a TF2 closure),
placed directly in the outer body, only ever called by name there (never recursively, never as a value), and
closing over names the outer def binds once before it and never rebinds (its parameters, or locals set once)
moves; its name must be free at module level. The moved text is dedented as it was written.

    nested_defs(code, tree) -> code with the first such def moved (or `code` unchanged)
"""
from __future__ import annotations

import ast
import re

from upgrader.scan import aliased_key, collect_aliases

# TF1 calls that make variables or layers: what the analysis must see in a top-level def to follow them
TF1_BUILDERS = ("tf.get_variable", "tf.variable_scope", "tf.nn.rnn_cell.", "tf.contrib.", "tf.layers.",
                "tf.nn.dynamic_rnn", "tf.nn.static_", "tf.nn.bidirectional_dynamic_rnn")

_HEADER_END = re.compile(r"\)\s*:\s*(#.*)?$")


def nested_defs(code: str, tree: ast.Module) -> str:
    """See the module docstring (one def per call; the caller analyses the result again)."""
    aliases = collect_aliases(tree)
    if not aliases:
        return code
    top = _module_names(tree) | set(aliases)
    lines = code.splitlines(keepends=True)
    for outer in (s for s in tree.body if isinstance(s, ast.FunctionDef)):
        for inner in (s for s in outer.body if isinstance(s, ast.FunctionDef)):
            closure = _closure(outer, inner, aliases, top)
            if closure is not None:
                return _moved(lines, outer, inner, closure)
    return code


def _module_names(tree: ast.Module) -> set[str]:
    """Names bound at module level (outside defs and classes), and every def, class and import name."""
    inside = {id(m) for d in ast.walk(tree) if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
              for m in ast.walk(d) if m is not d}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and id(n) not in inside} | {
        d.name for d in ast.walk(tree) if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and
        id(d) not in inside} | {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
                                if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}


def _stores(node: ast.AST) -> list[ast.Name]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))]


def _closure(outer: ast.FunctionDef, inner: ast.FunctionDef, aliases: dict[str, str], top: set[str]) -> list[str] | None:
    """The outer names `inner` reads, in the order it first reads them; None when it cannot move."""
    a = inner.args
    if inner.decorator_list or inner.returns or a.vararg or a.kwarg or a.posonlyargs or a.kwonlyargs or a.defaults:
        return None
    if inner.name in top or not any((aliased_key(aliases, n) or "").startswith(TF1_BUILDERS) for n in ast.walk(inner)):
        return None   # NOTE: only TF1 graph building moves; a TF2 closure (native mode's own output) stays
    if any(isinstance(n, (ast.Global, ast.Nonlocal, ast.Yield, ast.YieldFrom)) for n in ast.walk(inner)):
        return None
    own = {p.arg for p in ast.walk(inner) if isinstance(p, ast.arg)} | {n.id for n in _stores(inner)} | {
        d.name for d in ast.walk(inner) if isinstance(d, (ast.FunctionDef, ast.ClassDef))}
    params = [p.arg for p in outer.args.args + outer.args.kwonlyargs]
    stores = [n for s in outer.body if s is not inner for n in _stores(s)]
    nested = {d.name for s in outer.body if s is not inner for d in ast.walk(s) if isinstance(d, (ast.FunctionDef, ast.ClassDef))}
    reads = sorted((n for n in ast.walk(inner) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)),
                   key=lambda n: (n.lineno, n.col_offset))
    free = list(dict.fromkeys(n.id for n in reads if n.id not in own))
    closure = []
    for name in free:
        if name in nested or name == inner.name:
            return None   # another nested def, or a recursive call
        bound = [n for n in stores if n.id == name]
        if name in params and not bound:
            closure.append(name)
        elif name not in params and len(bound) == 1 and _once_before(outer, inner, bound[0]):
            closure.append(name)
        elif name in params or bound:
            return None
    uses = [n for s in outer.body if s is not inner for n in ast.walk(s) if isinstance(n, ast.Name) and n.id == inner.name]
    calls = [c for s in outer.body if s is not inner for c in ast.walk(s) if isinstance(c, ast.Call)
             and isinstance(c.func, ast.Name) and c.func.id == inner.name]
    if not calls or len(calls) != len(uses) or any(
            c.lineno < inner.end_lineno or any(isinstance(x, ast.Starred) for x in c.args) or
            any(k.arg is None or k.arg in closure for k in c.keywords) for c in calls):
        return None
    return closure


def _once_before(outer: ast.FunctionDef, inner: ast.FunctionDef, store: ast.Name) -> bool:
    """`store` is in a plain statement of the outer body above `inner` (not in a loop, branch or block)."""
    for s in outer.body:
        if s is inner:
            return False
        if any(n is store for n in ast.walk(s)):
            return isinstance(s, (ast.Assign, ast.AnnAssign)) and not any(
                isinstance(n, (ast.comprehension, ast.NamedExpr)) for n in ast.walk(s))
    return False


def _moved(lines: list[str], outer: ast.FunctionDef, inner: ast.FunctionDef, closure: list[str]) -> str:
    """The source with `inner` (and the comments just above it) placed before `outer`, its calls given the closure."""
    first = inner.lineno - 1
    floor = max([outer.lineno] + [x.end_lineno for x in ast.walk(outer.args) if hasattr(x, "end_lineno")])   # its header
    while first > floor and lines[first - 1].strip().startswith("#"):
        first -= 1   # NOTE: a comment introducing the def moves with it
    width = inner.col_offset
    head = inner.args.args[-1].end_lineno if inner.args.args else inner.lineno
    text = lines[first:inner.end_lineno]
    if any(ln.strip() and not ln[:width].isspace() for ln in text) or not _HEADER_END.search(lines[head - 1].rstrip()):
        return "".join(lines)   # NOTE: a multi-line string, or a header native mode does not re-spell
    moved = [ln[width:] if ln.strip() else ln.lstrip(" \t") for ln in text]
    i = head - 1 - first
    cut = _HEADER_END.search(moved[i].rstrip()).start()
    sep = ", " if inner.args.args else ""
    moved[i] = moved[i][:cut] + sep + ", ".join(closure) + moved[i][cut:]
    out = list(lines)
    for call in sorted((c for c in ast.walk(outer) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                        and c.func.id == inner.name), key=lambda c: (c.end_lineno, c.end_col_offset), reverse=True):
        row = call.end_lineno - 1
        raw = out[row].encode("utf-8")
        before = raw[:call.end_col_offset - 1].decode("utf-8")
        given = ", " if (call.args or call.keywords) and not before.rstrip().endswith(",") else ""
        extra = given + ", ".join(f"{n}={n}" for n in closure)
        out[row] = before + extra + raw[call.end_col_offset - 1:].decode("utf-8")
    while first > floor and not out[first - 1].strip():
        first -= 1   # NOTE: the blank lines before it go too, so the outer body keeps its shape
    start = min([outer.lineno - 1] + [d.lineno - 1 for d in outer.decorator_list])
    nl = "\r\n" if lines[0].endswith("\r\n") else "\n"
    if not moved[-1].endswith(("\n", "\r")):
        moved[-1] += nl
    end = inner.end_lineno
    while end < len(out) and not out[end].strip():
        end += 1
    return "".join(out[:start] + moved + [nl, nl] + out[start:first] + out[end:])
