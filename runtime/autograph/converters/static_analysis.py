"""Annotate liveness and definedness (see `analysis`) once jumps are lowered, before staging rewrites.

    if x > 0: y = 1          # If.ag_state == ('y',), If.ag_undefined == ('y',)
    return y
"""
from __future__ import annotations

import ast

from .. import analysis
from ..context import Context, converter


@converter(order=49)
def annotate(fn: ast.FunctionDef, ctx: Context) -> None:
    analysis.annotate(fn)
