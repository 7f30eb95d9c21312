"""Module-level variables a graph-building call reads through the defs it calls (native/modules.py).

    weights = {"h1": tf.Variable(...)}; def conv_net(x): return tf.matmul(x, weights["h1"])
    global_reads(prog, <conv_net(x)>)  ->  ["weights"]
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.model import Program


def global_reads(prog: Program, value: ast.AST) -> list[str]:
    """Module-level variables that the defs `value` calls read, through the defs they call in turn.

    `logits = conv_net(x)` depends on `weights` when `conv_net` reads the module-level dict `weights`:
    its training step must list those variables.
    """
    from upgrader.native.modules import _functions, _loads   # NOTE: modules.py imports this module
    fx = _functions(prog)
    out: list[str] = []
    seen: set[str] = set()
    todo = [n.func.id for n in ast.walk(value) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    while todo:
        name = todo.pop()
        fn = fx.defs.get(name)
        if fn is None or name in seen:
            continue
        seen.add(name)
        local = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)} | {
            n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        out += [n for n in sorted(_loads(fn) - local) if prog.kind(n) in ("variable", "varlist")]
        todo += [n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    return out
