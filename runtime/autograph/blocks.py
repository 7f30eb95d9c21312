"""Lowering jumps (`continue`, `return`) to flags: what follows a jump that may have run is guarded.

    for x in xs:                    for x in xs:
        if x < 0:                       continue_ = False
            continue          ->        if x < 0:
        total += x                          continue_ = True
                                        if not continue_:
                                            total += x
"""
from __future__ import annotations

import ast
from typing import Callable

from .context import not_

LOOPS = (ast.While, ast.For, ast.AsyncFor)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

# (statement) -> (replacement statements, whether control surely leaves the block here)
Lower = Callable[[ast.stmt], tuple[list[ast.stmt], bool]]


def contains(node: ast.AST | list, kinds: tuple, stop: tuple = SCOPES) -> bool:
    """Whether `node` holds a `kinds` node outside any `stop` node (the root itself is searched)."""
    todo = list(node) if isinstance(node, list) else [node]
    while todo:
        n = todo.pop()
        if isinstance(n, kinds):
            return True
        todo.extend(c for c in ast.iter_child_nodes(n) if not isinstance(c, stop))
    return False


def guard_rest(stmts: list[ast.stmt], lower: Lower, may_jump: Callable[[ast.stmt], bool],
               flag: str) -> tuple[list[ast.stmt], bool]:
    """Lower each statement; after one that may jump, the rest runs under `if not flag:`."""
    out: list[ast.stmt] = []
    for i, stmt in enumerate(stmts):
        jumps = may_jump(stmt)
        new, leaves = lower(stmt)
        out.extend(new)
        if leaves:
            return out, True  # NOTE: what follows is dead code, as in Python
        if jumps:
            rest, _ = guard_rest(stmts[i + 1:], lower, may_jump, flag)
            if rest:
                out.append(ast.If(not_(flag), rest, []))
            return out, False
    return out, False


def lower_nested(stmt: ast.stmt, block: Callable[[list[ast.stmt]], tuple[list[ast.stmt], bool]]) -> bool:
    """Apply `block` to the statement lists of an `if`/`with`/`try`; True when every path leaves."""
    if isinstance(stmt, ast.If):
        stmt.body, body_leaves = block(stmt.body)
        stmt.orelse, else_leaves = block(stmt.orelse)
        stmt.body = stmt.body or [ast.Pass()]
        return body_leaves and else_leaves and bool(stmt.orelse)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        stmt.body, leaves = block(stmt.body)
        stmt.body = stmt.body or [ast.Pass()]
        return leaves
    if isinstance(stmt, ast.Try):
        stmt.body = block(stmt.body)[0] or [ast.Pass()]
        stmt.orelse = block(stmt.orelse)[0]
        stmt.finalbody = block(stmt.finalbody)[0]
        for handler in stmt.handlers:
            handler.body = block(handler.body)[0] or [ast.Pass()]
    return False


def assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name(name, ast.Store())], value)


def and_test(first: ast.expr, second: ast.expr | None) -> ast.expr:
    """`first and second` (just `first` when there is no second)."""
    return first if second is None else ast.BoolOp(ast.And(), [first, second])
