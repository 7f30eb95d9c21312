"""`continue` sets a flag; the rest of the loop body runs under `if not continue_:`.

    for x in xs:                    for x in xs:
        if x < 0:                       continue_ = False
            continue          ->        if x < 0:
        total += x                          continue_ = True
                                        if not continue_:
                                            total += x
"""
from __future__ import annotations

import ast

from ..blocks import LOOPS, SCOPES, assign, contains, guard_rest, lower_nested
from ..context import Context, ScopeTransformer, converter


class _Loops(ScopeTransformer):
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _loop(self, node: ast.While | ast.For) -> ast.AST:
        self.generic_visit(node)
        if not contains(node.body, (ast.Continue,), LOOPS + SCOPES):
            return node
        flag = self.ctx.new_name("continue_")

        def may_jump(stmt: ast.stmt) -> bool:
            return contains(stmt, (ast.Continue,), LOOPS + SCOPES)

        def lower(stmt: ast.stmt) -> tuple[list[ast.stmt], bool]:
            if isinstance(stmt, ast.Continue):
                return [assign(flag, ast.Constant(True))], True
            return [stmt], lower_nested(stmt, block)

        def block(stmts: list[ast.stmt]) -> tuple[list[ast.stmt], bool]:
            return guard_rest(stmts, lower, may_jump, flag)

        node.body = [assign(flag, ast.Constant(False))] + block(node.body)[0]
        return node

    visit_While = visit_For = _loop  # type: ignore[assignment]


@converter(order=20)
def lower_continues(fn: ast.FunctionDef, ctx: Context) -> None:
    _Loops(ctx).run(fn)
