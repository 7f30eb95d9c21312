"""Variables whose initial value is a graph tensor: native mode keeps those TF1 computed exactly once.

    x0 = tf.constant(1.0) * 2.0
    X = tf.Variable(x0)          # converts: x0 is a constant tensor, computed once where it is written,
                                 # which is the value TF1's initializer ran once
    a = tf.placeholder(tf.float32)
    Y = tf.Variable(a * 2.0)     # blocks: TF1 read `a` from the initializer run's feed

A tensor fed by placeholders or reading variables becomes a function in native code, and a random tensor
that is also fetched elsewhere drew anew in TF1 for the initializer, so both still block the file.
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.naming import tree_nodes
from upgrader.native.random_constants import RANDOM

if TYPE_CHECKING:
    from upgrader.native.model import Program


def check(prog: Program) -> None:
    """After `_resolve`: block each variable initialised from a tensor native code does not compute once."""
    for key in prog.order:
        e = prog.entities[key]
        if e.kind != "variable":
            continue
        for d in e.deps:
            dep = prog.entities.get(d)
            if dep is None or dep.kind not in ("placeholder", "tensor"):
                continue
            if dep.kind == "placeholder" or dep.params or dep.variables:
                prog.block(e.stmt, f"variable '{e.name}' is initialised from a placeholder or graph tensor")
                return
            if _random(prog, d, set()) and _reads(prog, dep.name) > 1:
                prog.block(e.stmt, f"variable '{e.name}' is initialised from the random tensor '{dep.name}', which is "
                                   "also run elsewhere: TF1 drew new numbers for the initializer, native code computes "
                                   "the tensor once")
                return


def _random(prog: Program, key: str, seen: set[str]) -> bool:
    """The constant tensor `key` draws random numbers, or computes from one that does."""
    e = prog.entities.get(key)
    if e is None or key in seen or e.kind != "tensor":
        return False
    seen.add(key)
    return any((k := prog.call_key(n)) is not None and k.startswith(RANDOM) for n in ast.walk(e.stmt)) or any(
        _random(prog, d, seen) for d in e.deps)


def _reads(prog: Program, name: str) -> int:
    return sum(1 for n in tree_nodes(prog) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))
