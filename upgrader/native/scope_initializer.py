"""A variable_scope's `initializer=` handed to the get_variable calls it governs.

    with tf.variable_scope("layer", initializer=init):     with tf.variable_scope("layer"):
        w = tf.get_variable("w", [3, 2])             ->        w = tf.get_variable("w", [3, 2], initializer=init)
        b = tf.get_variable("b", [2], initializer=z)           b = tf.get_variable("b", [2], initializer=z)

In TF1 the scope's initializer is the default of every get_variable inside it that names none,
so spelling it out changes nothing, and the scope is then one native mode flattens. Only a
top-level scope whose body creates variables by direct `get_variable` calls alone is respelled:
a layer (`tf.layers.dense`) or a user function called inside would take the default too, out of
sight, so such a scope is left as it is (and blocks with its reason).

    scope_initializer_spans(tree, aliases, source) -> [(span, new text)]
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.scan import aliased_key


def _key(aliases: dict[str, str], node: ast.AST) -> str:
    return (aliased_key(aliases, node) or "").replace("tf.compat.v1.", "tf.")


def scope_initializer_spans(tree: ast.Module, aliases: dict[str, str], source: Callable[[ast.AST], str]) -> list:
    out = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.With) and len(stmt.items) == 1 and isinstance(call := stmt.items[0].context_expr, ast.Call)
                and _key(aliases, call.func) == "tf.variable_scope"):
            continue
        init = next((k for k in call.keywords if k.arg == "initializer"), None)
        if init is None:
            continue
        calls = [n for s in stmt.body for n in ast.walk(s) if isinstance(n, ast.Call)]
        gets = [c for c in calls if _key(aliases, c.func) == "tf.get_variable"]
        others = [c for c in calls if c not in gets and (isinstance(c.func, ast.Name) and not _builtin(c.func.id) or
                                                        ".layers." in _key(aliases, c.func) + ".")]
        if not gets or others or any(isinstance(n, (ast.FunctionDef, ast.Lambda)) for s in stmt.body for n in ast.walk(s)):
            continue
        rest = [k for k in call.keywords if k is not init]
        parts = [source(a) for a in call.args] + [source(k) for k in rest]
        out.append(((call.lineno, call.col_offset, call.end_lineno, call.end_col_offset),
                    f"{source(call.func)}({', '.join(parts)})"))
        for g in gets:
            if any(k.arg == "initializer" for k in g.keywords) or len(g.args) > 3 or any(k.arg is None for k in g.keywords):
                continue   # its own initializer wins (4th positional is the initializer)
            text = source(g)
            out.append(((g.lineno, g.col_offset, g.end_lineno, g.end_col_offset),
                        f"{text[:-1].rstrip().rstrip(',')}, initializer={source(init.value)})"))
    return out


def _builtin(name: str) -> bool:
    return name in {"range", "len", "int", "float", "list", "tuple", "dict", "zip", "enumerate", "print", "str"}
