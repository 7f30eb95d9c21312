"""`if`/`elif`/`else` becomes branch functions over the carried names and one `ag__.if_stmt` call.

    if x > 0:                    def get_state(): return (y,)
        y = x                    def set_state(vars_): nonlocal y; (y,) = vars_
    else:               ->       def if_body(): nonlocal y; y = x
        y = -x                   def else_body(): nonlocal y; y = -x
                                 y = ag__.Undefined('y')
                                 ag__.if_stmt(x > 0, if_body, else_body, get_state, set_state, ('y',), 1)
"""
from __future__ import annotations

import ast

from ..context import (Context, ScopeTransformer, ag_call, body_function, converter, state_functions,
                       strings_tuple, undefined_assigns)


class _Ifs(ScopeTransformer):
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def visit_If(self, node: ast.If) -> list[ast.stmt]:
        state: tuple[str, ...] = node.ag_state  # type: ignore[attr-defined]
        undefined: tuple[str, ...] = node.ag_undefined  # type: ignore[attr-defined]
        self.generic_visit(node)
        get, put, helpers = state_functions(self.ctx, state)
        body, orelse = self.ctx.new_name("if_body"), self.ctx.new_name("else_body")
        call = ag_call("if_stmt", node.test, ast.Name(body, ast.Load()), ast.Name(orelse, ast.Load()),
                       ast.Name(get, ast.Load()), ast.Name(put, ast.Load()), strings_tuple(state),
                       ast.Constant(len(state)))
        return helpers + [body_function(body, [], node, node.body), body_function(orelse, [], node, node.orelse)] + \
            undefined_assigns(undefined) + [ast.Expr(call)]


@converter(order=50)
def convert_ifs(fn: ast.FunctionDef, ctx: Context) -> None:
    _Ifs(ctx).run(fn)
