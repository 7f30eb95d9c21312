"""A one-shot iterator in a program that runs its session once: its element is `next(iter(dataset))`.

In TF1 every `sess.run` that needs a get_next() tensor pulls one new element. A program whose only
session run (or `.eval()`) executes once, outside any loop or function, pulls at most one element
from each one-shot iterator, the first: taking it eagerly where the iterator is made gives the same
values, wherever that is (a reader function, a block the analysis wraps into a function).

    image = dataset.make_one_shot_iterator().get_next()      ->  image = next(iter(dataset))
    it = tf.data.make_one_shot_iterator(ds)                  ->  it = iter(ds)
    batch = it.get_next()                                    ->  batch = next(it)

Module-level iterators, an element unpacked into several names (`x, y = it.get_next()`) and programs
that run the session more than once are left to native/datasets.py (it pulls an element before each run).

    single_pulls(code, tree) -> code with the iterators respelled (or `code` unchanged)
"""
from __future__ import annotations

import ast

from upgrader.scan import aliased_key, collect_aliases

SCOPES = (ast.For, ast.While, ast.AsyncFor, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp,
          ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.ClassDef)


def _runs_once(tree: ast.Module, aliases: dict[str, str]) -> bool:
    """Exactly one `.run(...)` / `.eval(...)` call in the file, and it executes once (no loop or def around it)."""
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    runs = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr in ("run", "eval", "partial_run") and aliased_key(aliases, n.func) is None]
    if len(runs) != 1:
        return False
    node: ast.AST = runs[0]
    while (node := parents.get(id(node))) is not None:
        if isinstance(node, SCOPES):
            return False
    return True


def _dataset(call: ast.AST, aliases: dict[str, str]) -> ast.expr | None:
    """The dataset of `ds.make_one_shot_iterator()` or `tf.data.make_one_shot_iterator(ds)`, else None."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return None
    key = (aliased_key(aliases, call.func) or "").replace("tf.compat.v1.", "tf.")
    if key == "tf.data.make_one_shot_iterator" and len(call.args) == 1 and not call.keywords:
        return call.args[0]
    if call.func.attr == "make_one_shot_iterator" and not key and not call.args and not call.keywords:
        return call.func.value
    return None


def _named(parents: dict, call: ast.Call) -> bool:
    """`x = <call>` inside a def or block: one name takes the element (a tuple target would be split into a pull
    per name); a module-level statement is native/datasets.py's, which pulls before the run."""
    stmt = parents.get(id(call))
    return isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1 and isinstance(
        stmt.targets[0], ast.Name) and not isinstance(parents.get(id(stmt)), ast.Module)


def single_pulls(code: str, tree: ast.Module) -> str:
    aliases = collect_aliases(tree)
    if "make_one_shot_iterator" not in code or "tensorflow" not in aliases.values() or not _runs_once(tree, aliases):
        return code
    source = lambda n: ast.get_source_segment(code, n)   # noqa: E731
    edits: list[tuple[ast.AST, str]] = []
    loads: dict[str, list[ast.Name]] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            loads.setdefault(n.id, []).append(n)
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get_next" and not (
                n.args or n.keywords) and (ds := _dataset(n.func.value, aliases)) is not None and _named(parents, n):
            edits.append((n, f"next(iter({source(ds)}))"))   # the chained form
        elif isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(it := n.targets[0], ast.Name) and (
                ds := _dataset(n.value, aliases)) is not None:
            uses = loads.get(it.id, [])
            stores = [m for m in ast.walk(tree) if isinstance(m, ast.Name) and m.id == it.id and isinstance(m.ctx, ast.Store)]
            calls = [parents.get(id(parents.get(id(u)))) for u in uses]
            if len(uses) == 1 and len(stores) == 1 and isinstance(calls[0], ast.Call) and (
                    calls[0].func is parents.get(id(uses[0]))) and uses[0] is calls[0].func.value and (
                    calls[0].func.attr == "get_next") and not (calls[0].args or calls[0].keywords) and _named(
                    parents, calls[0]):
                edits += [(n.value, f"iter({source(ds)})"), (calls[0], f"next({it.id})")]
    if not edits:
        return code
    lines = code.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))

    def at(line: int, col: int) -> int:
        return starts[line - 1] + len(lines[line - 1].encode("utf-8")[:col].decode("utf-8", "replace"))

    for node, text in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        s, e = at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)
        lost = code[s:e].count("\n") - text.count("\n")
        code = code[:s] + text + "\n" * max(lost, 0) + code[e:]   # NOTE: lines stay where they were (reports)
    return code
