"""Graph objects a program stores into the dict its model function returned: names of their own.

TF1 programs keep the whole model in one dict, adding their own items to the layers a helper built:

    model = vgg.load_vgg(path, image)                    model = vgg.load_vgg(path, image)
    model['global_step'] = tf.Variable(0)        ->      model_global_step = tf.Variable(0)
    model['opt'] = opt.minimize(model['loss'])           model_opt = opt.minimize(model_loss)
    sess.run(model['opt'])                               sess.run(model_opt)

The analysis (native/model.py) follows a dict a helper returns as one graph value; an item stored into it
afterwards is a graph object of its own, and is named as one. Only a dict bound once at module level, whose
added items are stored by module-level statements (or in their `with` blocks) with string keys (one a TensorFlow value), and read by
module-level code with the same keys, is respelled: a function of the file that reads such a key from the
dict (it was passed in, or read as a global) keeps the file as it is, and so does any other use of the
dict than an item or an argument of such a function (iterating it, `len`, `.keys()`, printing it).

    item_names(code, tree)  ->  the source with the items respelled, or None
"""
from __future__ import annotations

import ast
import re

from upgrader.native.scope_initializer import _key
from upgrader.scan import collect_aliases


def _key_of(node: ast.AST, name: str) -> str | None:
    """`name['k']` -> 'k'."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name \
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None


def _module_nodes(tree: ast.Module) -> list[ast.AST]:
    """The nodes of module-level code, not of defs or classes."""
    out, todo = [], [s for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    while todo:
        n = todo.pop()
        out.append(n)
        todo += [c for c in ast.iter_child_nodes(n) if not isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                          ast.ClassDef, ast.Lambda))]
    return out


def _straight(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements that run once, in order: the module's, and those of the `with` blocks among them (a name scope)."""
    return [x for s in body for x in ([s] + (_straight(s.body) if isinstance(s, ast.With) else []))]


def _targets(stmt: ast.stmt) -> list[ast.AST]:
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return []
    t = stmt.targets[0]
    return list(t.elts) if isinstance(t, (ast.Tuple, ast.List)) else [t]


def _renames(tree: ast.Module, name: str, aliases: dict[str, str]) -> dict[str, str] | None:
    """The added keys of dict `name` and their new names, or None when it is not respelled (module docstring)."""
    nodes = _module_nodes(tree)
    binds = [n for n in nodes if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)]
    bound = next((s for s in tree.body if isinstance(s, ast.Assign) and s.targets[0] in binds), None)
    if len(binds) != 1 or bound is None or not isinstance(bound.value, (ast.Call, ast.Dict)):
        return None
    stores = [(s, k) for s in _straight(tree.body) for t in _targets(s) if (k := _key_of(t, name)) is not None]
    keys = {k for _, k in stores}
    stored = {id(t) for s, _ in stores for t in _targets(s)}
    if not stores or any(s.lineno < bound.lineno for s, _ in stores) or not any(
            _key(aliases, c.func).startswith("tf.") or getattr(c.func, "attr", "") == "minimize"
            for s, _ in stores for c in ast.walk(s.value) if isinstance(c, ast.Call)):
        return None
    first = {k: min(s.lineno for s, key in stores if key == k) for k in keys}
    subscripts = {id(n.value) for n in nodes if isinstance(n, ast.Subscript)}
    defs = {d.name for d in tree.body if isinstance(d, ast.FunctionDef)}   # NOTE: whose reads are checked below
    called = {id(a) for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in defs
              for a in n.args + [k.value for k in n.keywords]}
    for n in nodes:
        if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) and isinstance(n.value, ast.Name) \
                and n.value.id == name and id(n) not in stored:
            return None   # an item stored inside a loop or block, or by a non-constant key
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and id(n) not in subscripts | called:
            return None   # iterated, measured or aliased: every key must be a real item
        k = _key_of(n, name)
        if k in keys and isinstance(n.ctx, ast.Load) and n.lineno < first[k]:
            return None   # an item the helper made, stored over later
    if _read_in_functions(tree, name, keys):
        return None
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)} | {
        n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    out = {}
    for k in sorted(keys):
        new = f"{name}_{re.sub(r'[^0-9A-Za-z_]', '_', k)}"
        while new in taken:
            new += "_"
        out[k] = new
        taken.add(new)
    return out


def _read_in_functions(tree: ast.Module, name: str, keys: set[str]) -> bool:
    """A def reads one of `keys` from a dict: the global `name`, or any parameter (the dict may be passed in)."""
    for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
        params = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)} | {name}
        if any(_key_of(n, p) in keys for n in ast.walk(fn) for p in params):
            return True
    return False


def item_names(code: str, tree: ast.Module) -> str | None:
    """See the module docstring."""
    aliases = collect_aliases(tree)
    if not aliases:
        return None
    candidates = {s.targets[0].id for s in tree.body if isinstance(s, ast.Assign) and len(s.targets) == 1
                  and isinstance(s.targets[0], ast.Name)}
    spots: list[tuple[int, int, int, str]] = []
    for name in sorted(candidates):
        renames = _renames(tree, name, aliases)
        if not renames:
            continue
        for n in _module_nodes(tree):
            k = _key_of(n, name)
            if k in renames:
                if n.lineno != n.end_lineno:
                    return None
                spots.append((n.lineno, n.col_offset, n.end_col_offset, renames[k]))
    if not spots:
        return None
    lines = code.splitlines(keepends=True)
    for line, start, end, new in sorted(spots, reverse=True):
        raw = lines[line - 1].encode("utf-8")
        lines[line - 1] = (raw[:start] + new.encode("utf-8") + raw[end:]).decode("utf-8")
    return "".join(lines)
