"""`break` becomes a flag the loop tests, then a `continue` (lowered next by continue_statements).

    while n > 0:                    break_ = False
        if n == 3:                  while not break_ and n > 0:
            break          ->           if n == 3:
        n -= 1                              break_ = True
    else:                                   continue
        done()                          n -= 1
                                    if not break_:
                                        done()
"""
from __future__ import annotations

import ast

from ..blocks import LOOPS, SCOPES, and_test, assign
from ..context import Context, ScopeTransformer, converter, not_


class _Breaks(ast.NodeTransformer):
    """Replace the `break`s of one loop (not of loops nested in it)."""

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def visit_Break(self, node: ast.Break) -> list[ast.stmt]:
        return [assign(self.flag, ast.Constant(True)), ast.Continue()]

    def _stop(self, node: ast.AST) -> ast.AST:
        return node

    visit_While = visit_For = visit_AsyncFor = visit_FunctionDef = visit_AsyncFunctionDef = _stop
    visit_ClassDef = visit_Lambda = _stop


class _Loops(ScopeTransformer):
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _loop(self, node: ast.While | ast.For) -> list[ast.stmt]:
        self.generic_visit(node)  # NOTE: inner loops first; their breaks are theirs
        before: list[ast.stmt] = []
        after: list[ast.stmt] = list(node.orelse)
        node.orelse = []
        if _has_break(node.body):
            flag = self.ctx.new_name("break_")
            node.body = [s for stmt in node.body for s in _as_list(_Breaks(flag).visit(stmt))]
            before.append(assign(flag, ast.Constant(False)))
            if isinstance(node, ast.While):
                node.test = and_test(not_(flag), node.test)
            else:
                node.ag_extra_test = and_test(not_(flag), getattr(node, "ag_extra_test", None))
            if after:
                after = [ast.If(not_(flag), after, [])]
        return before + [node] + after

    visit_While = visit_For = _loop  # type: ignore[assignment]


def _has_break(body: list[ast.stmt]) -> bool:
    todo: list[ast.AST] = list(body)
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Break):
            return True
        todo.extend(c for c in ast.iter_child_nodes(n) if not isinstance(c, LOOPS + SCOPES))
    return False


def _as_list(result: ast.AST | list) -> list:
    return result if isinstance(result, list) else [result]


@converter(order=10)
def lower_breaks(fn: ast.FunctionDef, ctx: Context) -> None:
    _Loops(ctx).run(fn)
