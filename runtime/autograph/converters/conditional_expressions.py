"""`a if cond else b` becomes `ag__.if_exp(cond, lambda: a, lambda: b, 'cond')` (a `cond` on graph tensors).

    y = x if x > 0 else -x   ->   y = ag__.if_exp(x > 0, lambda: x, lambda: -x, 'x > 0')
"""
from __future__ import annotations

import ast

from ..context import Context, ScopeTransformer, ag_call, converter
from .logical_expressions import _thunk


class _IfExp(ScopeTransformer):
    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        text = ast.unparse(node.test)
        self.generic_visit(node)
        return ag_call("if_exp", node.test, _thunk(node.body), _thunk(node.orelse), ast.Constant(text))


@converter(order=38)
def convert_if_expressions(fn: ast.FunctionDef, ctx: Context) -> None:
    _IfExp().run(fn)
