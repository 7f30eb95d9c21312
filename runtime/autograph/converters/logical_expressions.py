"""`and`/`or` become lazy `ag__.and_`/`ag__.or_` and `not` becomes `ag__.not_` (tensor-aware).

    a and b or not c   ->   ag__.or_(lambda: ag__.and_(lambda: a, lambda: b), lambda: ag__.not_(c))
"""
from __future__ import annotations

import ast

from ..context import Context, ScopeTransformer, ag_call, converter


def _thunk(e: ast.expr) -> ast.Lambda:
    return ast.Lambda(ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                                    kwarg=None, defaults=[]), e)


class _Logical(ScopeTransformer):
    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        fn = "and_" if isinstance(node.op, ast.And) else "or_"
        result = node.values[-1]
        for left in reversed(node.values[:-1]):
            result = ag_call(fn, _thunk(left), _thunk(result))
        return result

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        return ag_call("not_", node.operand) if isinstance(node.op, ast.Not) else node


@converter(order=40)
def convert_logical(fn: ast.FunctionDef, ctx: Context) -> None:
    _Logical().run(fn)
