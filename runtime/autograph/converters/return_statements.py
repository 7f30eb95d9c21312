"""`return` inside `if`/loops becomes flags, so staged branches and loops can carry the result.

    def f(x):                       def f(x):
        for v in x:                     do_return = False
            if v > 0:                   retval_ = ag__.UndefinedReturnValue()
                return v      ->        for v in x:        # runs while not do_return
        return -1                           if v > 0:
                                                do_return = True
                                                retval_ = v
                                        if not do_return:
                                            do_return = True
                                            retval_ = -1
                                        return ag__.retval(retval_)

First, as TensorFlow's ConditionalReturnRewriter does, what follows an `if` one of
whose branches surely returns moves into the other branch, so a staged `cond` has a
return value on both sides (here applied again inside the branch, so elif chains fold too):

    if x > 0:                       if x > 0:
        return x * 2       ->           return x * 2
    return -x                       else:
                                        return -x

Functions whose returns are all outside control flow are left as they are.
"""
from __future__ import annotations

import ast

from ..blocks import SCOPES, and_test, assign, contains, guard_rest, lower_nested
from ..context import Context, ag_call, converter, not_

_CONTROL = (ast.If, ast.While, ast.For)


def _nested_return(fn: ast.FunctionDef) -> bool:
    todo: list[ast.AST] = list(fn.body)
    while todo:
        n = todo.pop()
        if isinstance(n, _CONTROL) and contains(n, (ast.Return,)):
            return True
        todo.extend(c for c in ast.iter_child_nodes(n) if not isinstance(c, SCOPES))
    return False


def sink_into_else(stmts: list[ast.stmt]) -> tuple[list[ast.stmt], bool]:
    """Move what follows a surely-returning branch into the other branch; True when `stmts` surely returns."""
    out: list[ast.stmt] = []
    for i, stmt in enumerate(stmts):
        out.append(stmt)
        rest = stmts[i + 1:]
        if isinstance(stmt, ast.Return):
            return out, True
        if isinstance(stmt, ast.If):
            stmt.body, body_returns = sink_into_else(stmt.body)
            stmt.orelse, else_returns = sink_into_else(stmt.orelse)
            if body_returns and else_returns:
                return out, True
            if body_returns or else_returns:
                other = "orelse" if body_returns else "body"
                block, returns = sink_into_else(getattr(stmt, other) + rest)
                setattr(stmt, other, block or [ast.Pass()] if other == "body" else block)
                return out, returns
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            stmt.body, returns = sink_into_else(stmt.body)
            if returns:
                return out, True
        elif isinstance(stmt, (ast.While, ast.For, ast.AsyncFor)):
            stmt.body, _ = sink_into_else(stmt.body)
            stmt.orelse, _ = sink_into_else(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for name in ("body", "orelse", "finalbody"):
                setattr(stmt, name, sink_into_else(getattr(stmt, name))[0])
            for handler in stmt.handlers:
                handler.body, _ = sink_into_else(handler.body)
    return out, False


@converter(order=30)
def lower_returns(fn: ast.FunctionDef, ctx: Context) -> None:
    if not _nested_return(fn):
        return
    fn.body, _ = sink_into_else(fn.body)
    flag, value = ctx.new_name("do_return"), ctx.new_name("retval_")

    def may_jump(stmt: ast.stmt) -> bool:
        return contains(stmt, (ast.Return,))

    def lower(stmt: ast.stmt) -> tuple[list[ast.stmt], bool]:
        if isinstance(stmt, ast.Return):
            result = stmt.value if stmt.value is not None else ast.Constant(None)
            return [assign(flag, ast.Constant(True)), assign(value, result)], True
        if isinstance(stmt, (ast.While, ast.For)) and may_jump(stmt):
            stmt.body = block(stmt.body)[0]
            if isinstance(stmt, ast.While):
                stmt.test = and_test(not_(flag), stmt.test)
            else:
                stmt.ag_extra_test = and_test(not_(flag), getattr(stmt, "ag_extra_test", None))
            return [stmt], False
        return [stmt], lower_nested(stmt, block)

    def block(stmts: list[ast.stmt]) -> tuple[list[ast.stmt], bool]:
        return guard_rest(stmts, lower, may_jump, flag)

    fn.body = [assign(flag, ast.Constant(False)), assign(value, ag_call("UndefinedReturnValue"))] + \
        block(fn.body)[0] + [ast.Return(ag_call("retval", ast.Name(value, ast.Load())))]
