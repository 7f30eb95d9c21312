"""Graph-wide state a flat TF1 script keeps outside its tensors: control dependencies and collections.

Both are resolved statically, in statement order, as TF1 built them:

    with tf.control_dependencies([inc]): y = tf.identity(v)   ->  prog.control[id(stmt)] == ("inc",)
    tf.add_to_collection("losses", l1); tf.get_collection("losses")  ->  members ("l1",)
    tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "enc")  ->  the variables made under scope "enc"
"""
from __future__ import annotations

import ast
import re
from typing import Any

VARIABLE_KEYS = ("tf.GraphKeys.TRAINABLE_VARIABLES", "tf.GraphKeys.GLOBAL_VARIABLES")
GET = ("tf.get_collection", "tf.get_collection_ref")
LISTS = {"tf.trainable_variables": "tf.GraphKeys.TRAINABLE_VARIABLES", "tf.global_variables": "tf.GraphKeys.GLOBAL_VARIABLES"}


def control_block(prog: Any, stmt: ast.stmt) -> tuple[str, ...] | None:
    """`with tf.control_dependencies([a, b]):` -> ('a', 'b') (the ops to run first); None for other statements."""
    if not (isinstance(stmt, ast.With) and len(stmt.items) == 1
            and prog.call_key(stmt.items[0].context_expr) == "tf.control_dependencies"):
        return None
    call = stmt.items[0].context_expr
    prog.control_calls.add(id(call))
    arg = call.args[0] if len(call.args) == 1 and not call.keywords else None
    items = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
    names: list[str] = []
    for item in items:
        kind = prog.kind(item.id) if isinstance(item, ast.Name) else None
        if kind in ("collection", "varlist") or (kind == "tensor" and isinstance(prog.entities[item.id].stmt.value, ast.Call)
                                                 and prog.call_key(prog.entities[item.id].stmt.value) in GET):
            names += prog.entities[item.id].deps if kind != "varlist" else []
        elif kind in ("tensor", "variable", "placeholder"):
            names += [item.id] if kind == "tensor" else []
        else:
            prog.block(stmt, "tf.control_dependencies on something other than a list of graph ops native mode follows")
            return ()
    if stmt.items[0].optional_vars is not None:
        prog.block(stmt, "tf.control_dependencies(...) as a name")
    return tuple(dict.fromkeys(names))


def user_collection(prog: Any, stmt: ast.Expr) -> bool:
    """`tf.add_to_collection("losses", l1)` -> recorded (the statement disappears); False for other statements."""
    call = stmt.value
    if prog.call_key(call) != "tf.add_to_collection":
        return False
    key, value = (call.args + [None, None])[:2] if not call.keywords else (None, None)
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(value, ast.Name)
            and prog.kind(value.id) in ("tensor", "variable")):
        prog.block(stmt, "tf.add_to_collection with a key that is not a string or a value that is not a named tensor")
        return True
    prog.collections.setdefault(key.value, []).append(value.id)
    prog.dropped.add(id(stmt))
    return True


def _variables(prog: Any, call: ast.Call, trainable: bool, scope: str | None) -> tuple[str, ...]:
    from upgrader.native.module_lists import member   # NOTE: layer-function instances and Keras layers list their own
    out = []
    for name in prog.order:
        e = prog.entities[name]
        if (found := member(prog, call, name, scope)) is not None:
            out += found
            continue
        if e.kind == "varlist" and _creates_variables(prog, e.stmt.value):
            # `weights = {"h1": tf.Variable(...), ...}` made its variables here, in the literal's order
            if scope is not None:
                prog.block(call, f"a variable listing by scope in a file that keeps variables in '{name}' (a container)")
            elif not trainable or _all_trainable(prog, e.stmt.value):
                out.append(name)
            else:
                prog.block(call, f"'{name}' holds variables with trainable=False: list the trainable ones by name")
            continue
        if e.kind != "variable" or e.alias:
            continue
        v = e.stmt.value
        flag = next((k.value for k in v.keywords if k.arg == "trainable"), None)
        if trainable and ((isinstance(flag, ast.Constant) and flag.value is False) or prog.call_key(v) != (
                "tf.get_variable") and prog.call_key(v) != "tf.Variable"):
            continue
        full = e.scope
        if not full:
            given = next((k.value.value for k in v.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)), None)
            path = prog.scopes.get(id(e.stmt), ("", False))[0]
            full = f"{path}/{given or 'Variable'}" if path else given or "Variable"
        if scope is None or re.match(scope, full):
            out.append(name)
    return tuple(out)


def _container_items(value: ast.expr) -> list[ast.expr]:
    if isinstance(value, ast.ListComp):   # `[tf.Variable(...) for i in range(3)]`: one call, made once per item
        return [value.elt]
    return value.values if isinstance(value, ast.Dict) else value.elts if isinstance(value, (ast.List, ast.Tuple)) else []


def _creates_variables(prog: Any, value: ast.expr) -> bool:
    items = _container_items(value)
    return bool(items) and all(prog.call_key(v) in ("tf.Variable", "tf.get_variable") for v in items)


def _all_trainable(prog: Any, value: ast.expr) -> bool:
    return not any(k.arg == "trainable" and not (isinstance(k.value, ast.Constant) and k.value.value is True)
                   for v in _container_items(value) for k in v.keywords)


def members(prog: Any, call: ast.Call) -> tuple[str, ...]:
    """What `tf.get_collection(key, scope)` returns at this point of the graph (entity names); blocks what it can't read."""
    listing = LISTS.get(prog.call_key(call) or "")   # tf.trainable_variables(scope) = get_collection(TRAINABLE.., scope)
    args = dict(zip(("scope",) if listing else ("key", "scope"), call.args)) | {k.arg: k.value for k in call.keywords}
    key, scope = args.get("key"), args.get("scope")
    if scope is not None and not (isinstance(scope, ast.Constant) and isinstance(scope.value, (str, type(None)))):
        prog.block(call, "get_collection with a scope that is not a string literal")
        return ()
    scope_text = scope.value if scope is not None else None
    qual = listing or (prog.key(key) if key is not None else None)
    if qual in VARIABLE_KEYS:
        found = _variables(prog, call, qual.endswith("TRAINABLE_VARIABLES"), scope_text)
    elif qual == "tf.GraphKeys.UPDATE_OPS" and scope_text is None:
        found = ()   # NOTE: only tf.layers.batch_normalization adds update ops, and Keras layers update themselves
    elif isinstance(key, ast.Constant) and isinstance(key.value, str) and scope_text is None:
        found = tuple(prog.collections.get(key.value, ()))
    else:
        prog.block(call, f"get_collection({ast.unparse(key) if key else ''}) is not a collection native mode can list")
        found = ()
    prog.resolved[id(call)] = found
    return found


def expand_collections(prog: Any, value: ast.expr) -> list[str]:
    """The entities every get_collection call inside `value` returns (they become dependencies)."""
    return [m for n in ast.walk(value) if prog.call_key(n) in GET or prog.call_key(n) in LISTS for m in members(prog, n)]


def collection(prog: Any, stmt: ast.Assign, name: str) -> tuple[str, tuple[str, ...]]:
    """`vs = tf.get_collection(...)` -> (kind, deps): 'varlist' for variables, 'collection' for UPDATE_OPS, else 'tensor'."""
    found = prog.resolved.get(id(stmt.value), ())
    qual = LISTS.get(prog.call_key(stmt.value) or "") or (prog.key(stmt.value.args[0]) if stmt.value.args else None)
    if qual in VARIABLE_KEYS:
        return "varlist", found
    if qual == "tf.GraphKeys.UPDATE_OPS":
        uses = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and n.id == name]
        if len(uses) != 2:
            prog.block(stmt, f"'{name}' (UPDATE_OPS) is used outside one control_dependencies: TF2 has no update ops")
        return "collection", found
    return "tensor", found


def variable_list(prog: Any, value: ast.expr) -> bool:
    """`params = [w, b]`, `weights = {"h1": tf.Variable(...), ...}`, `[tf.Variable(...) for i in range(3)]`: a Python list, tuple or dict of variables
    (names of variables or tf.Variable calls) stays that container (a 'varlist'), not a function."""
    items = value.values if isinstance(value, ast.Dict) and None not in value.keys else (
        value.elts if isinstance(value, (ast.List, ast.Tuple)) else [])
    if isinstance(value, ast.ListComp) and not any(prog.kind(n.id) for g in value.generators
                                                   for n in ast.walk(g) if isinstance(n, ast.Name)):
        items = [value.elt]   # `[tf.Variable(...) for i in range(3)]` over Python values (native/variable_loops.py)
    return bool(items) and all(isinstance(n, ast.Name) and prog.kind(n.id) == "variable"
                               or prog.call_key(n) == "tf.Variable" for n in items)


def spread(prog: Any, name: str) -> str:
    """A varlist's variables inside a list display: `*weights.values()` for a dict, `*params` otherwise."""
    return f"*{name}.values()" if isinstance(prog.entities[name].stmt.value, ast.Dict) else f"*{name}"
