"""`while`/`for` become a body function over the carried names and one `ag__.while_stmt`/`for_stmt` call.

    while n > 1:                 def get_state(): return (count, n)
        n = n // 2       ->      def set_state(vars_): nonlocal count, n; (count, n) = vars_
        count += 1               def loop_body(): nonlocal count, n; n = n // 2; count += 1
                                 def loop_test(): return n > 1
                                 ag__.while_stmt(loop_test, loop_body, get_state, set_state, ('count', 'n'), {})

    for i in range(3): s += i  ->  def loop_body(itr): nonlocal s; i = itr; s += i
                                   ag__.for_stmt(ag__.converted_call(range, (3,), None), None, loop_body, ...)
"""
from __future__ import annotations

import ast

from ..context import (Context, ScopeTransformer, ag_call, body_function, converter, function, state_functions,
                       strings_tuple, undefined_assigns)
from .logical_expressions import _Logical


class _Loops(ScopeTransformer):
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _common(self, node: ast.While | ast.For) -> tuple[tuple[str, ...], list[ast.stmt], list[ast.expr]]:
        state: tuple[str, ...] = node.ag_state  # type: ignore[attr-defined]
        undefined = tuple(node.ag_undefined)  # type: ignore[attr-defined]
        self.generic_visit(node)
        get, put, helpers = state_functions(self.ctx, state)
        return state, helpers + undefined_assigns(undefined), [
            ast.Name(get, ast.Load()), ast.Name(put, ast.Load()), strings_tuple(state)]

    def visit_While(self, node: ast.While) -> list[ast.stmt]:
        state, pre, tail = self._common(node)
        body, test = self.ctx.new_name("loop_body"), self.ctx.new_name("loop_test")
        defs = [body_function(body, [], node, node.body), function(test, [], [ast.Return(node.test)])]
        call = ag_call("while_stmt", ast.Name(test, ast.Load()), ast.Name(body, ast.Load()), *tail,
                       ast.Dict([], []))
        return _order(pre, defs, call)

    def visit_For(self, node: ast.For) -> list[ast.stmt]:
        extra = getattr(node, "ag_extra_test", None)
        state, pre, tail = self._common(node)
        body, itr = self.ctx.new_name("loop_body"), self.ctx.new_name("itr")
        bind = ast.Assign([node.target], ast.Name(itr, ast.Load()))
        defs = [body_function(body, [itr], node, [bind] + node.body)]
        extra_name: ast.expr = ast.Constant(None)
        if extra is not None:
            name = self.ctx.new_name("extra_test")
            defs.append(function(name, [], [ast.Return(_Logical().visit(extra))]))
            extra_name = ast.Name(name, ast.Load())
        opts = ast.Dict([ast.Constant("iterate_names")], [ast.Constant(ast.unparse(node.target))])
        call = ag_call("for_stmt", node.iter, extra_name, ast.Name(body, ast.Load()), *tail, opts)
        return _order(pre, defs, call)


def _order(pre: list[ast.stmt], defs: list[ast.stmt], call: ast.Call) -> list[ast.stmt]:
    """get/set_state, body (and test) functions, `Undefined` bindings, then the call (TF's layout)."""
    helpers = [s for s in pre if isinstance(s, ast.FunctionDef)]
    binds = [s for s in pre if not isinstance(s, ast.FunctionDef)]
    return helpers + defs + binds + [ast.Expr(call)]


@converter(order=55)
def convert_loops(fn: ast.FunctionDef, ctx: Context) -> None:
    _Loops(ctx).run(fn)
