"""Lambdas a graph function may hold: tf.cond's branches that only compute (no variables, no nested scopes).

    content = tf.cond(tf.equal(c, 'yes'), lambda: tf.constant(1.0), lambda: tf.constant(0.0))

TF1 calls each branch once while building the graph; eager TF2 calls the one taken on every run, and
tf.data traces both. Either way a branch that makes no variable computes the same values, so such a
lambda does not stop native mode from following the function it is in.

    branch_lambdas(prog, fn)  ->  ids of the lambdas in `fn` that are such branches
    nested(prog, fn, node)    ->  True for a def, class, lambda or global statement in `fn` native mode does not follow
"""
from __future__ import annotations

import ast
from typing import Any

BRANCHES = {"tf.cond": ("true_fn", "false_fn", 1, 2)}
MAKES = {"tf.Variable", "tf.get_variable", "tf.variable_scope", "tf.name_scope", "tf.get_variable_scope"}


def branch_lambdas(prog: Any, fn: ast.AST) -> set[int]:
    """See the module docstring."""
    out: set[int] = set()
    for n in ast.walk(fn):
        spec = BRANCHES.get(prog.call_key(n) or "")
        if spec is None:
            continue
        args = [a for i, a in enumerate(n.args) if i in spec] + [k.value for k in n.keywords if k.arg in spec]
        out |= {id(a) for a in args if isinstance(a, ast.Lambda) and not a.args.args and not any(
            prog.call_key(m) in MAKES or isinstance(m, (ast.Lambda, ast.NamedExpr)) and m is not a for m in ast.walk(a))}
    return out


def nested(prog: Any, fn: ast.AST, node: ast.AST) -> bool:
    """See the module docstring (the branches are found only when `fn` holds a lambda)."""
    return node is not fn and isinstance(node, (ast.FunctionDef, ast.Lambda, ast.ClassDef, ast.Global, ast.Nonlocal)) and (
        not isinstance(node, ast.Lambda) or id(node) not in branch_lambdas(prog, fn))
