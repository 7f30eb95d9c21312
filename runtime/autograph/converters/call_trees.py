"""Every call goes through `ag__.converted_call`, which converts user functions when they are called.

    y = helper(x, n=2)   ->   y = ag__.converted_call(helper, (x,), {'n': 2})

Calls of the `ag__` helpers themselves stay direct; so does `super()` (see `transpiler`).
"""
from __future__ import annotations

import ast

from ..context import AG, Context, ScopeTransformer, ag_call, converter


class _Calls(ScopeTransformer):
    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == AG:
            return node
        if isinstance(f, ast.Name) and f.id == "super":
            return node
        args = ast.Tuple(list(node.args), ast.Load())
        kwargs: ast.expr = ast.Constant(None)
        if node.keywords:
            kwargs = ast.Dict([None if k.arg is None else ast.Constant(k.arg) for k in node.keywords],
                              [k.value for k in node.keywords])
        return ag_call("converted_call", f, args, kwargs)


@converter(order=45)
def convert_calls(fn: ast.FunctionDef, ctx: Context) -> None:
    if not ctx.recursive:
        return
    _Calls().run(fn)
