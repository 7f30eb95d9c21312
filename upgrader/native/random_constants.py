"""Random tensors of no placeholder and no variable: native mode computes them once, TF1 drew on every run.

Native code computes a constant tensor once, where it is written (`c = tf.random.uniform([])`). That is
TF1's value only where TF1 drew once too: a random tensor fetched by one `sess.run`, outside any loop.

    c = tf.random_uniform([], seed=2)
    print(sess.run(c))       # TF1: 3.57
    print(sess.run(c))       # TF1: -5.97 (a new draw); computed once, TF2 would print 3.57 again

so such a tensor blocks the file when it is read by two run sites, in a loop, or by a function (a tensor fed
by placeholders or reading variables: TF1 drew anew each time that tensor ran).
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.naming import tree_nodes

if TYPE_CHECKING:
    from upgrader.native.model import Program

RANDOM = ("tf.random", "tf.truncated_normal", "tf.multinomial", "tf.image.random_", "tf.nn.dropout")
_LOOPS = (ast.For, ast.While, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_BUILT = ("tensor", "train", "gradients")   # kinds that become functions, run each time they are called


def check(prog: Program) -> None:
    """Block on the first random constant tensor TF1 would have drawn more than once (module docstring)."""
    random = _random_constants(prog)
    if not random:
        return
    for key, e in prog.entities.items():
        if e.kind in _BUILT and (e.params or e.variables) and (hit := next((d for d in e.deps if d in random), None)):
            _block(prog, e.stmt, hit, f"'{key}' reads it and runs on every call")
            return
    defs = {id(n) for e in prog.entities.values() for n in ast.walk(e.stmt)}
    parents = {id(c): p for p in tree_nodes(prog) for c in ast.iter_child_nodes(p)}
    sites = [n for n in tree_nodes(prog) if isinstance(n, ast.Name) and n.id in random and id(n) not in defs
             and isinstance(n.ctx, ast.Load)]
    for n in sites:
        p = parents.get(id(n))
        while p is not None and not isinstance(p, _LOOPS):
            p = parents.get(id(p))
        if p is not None:
            _block(prog, n, n.id, "it is run in a loop")
            return
    runs = {id(_statement(n, parents)) for n in sites}
    if len(runs) > 1:
        _block(prog, sites[1], sites[1].id, "it is run by more than one statement")


def _block(prog: Program, node: ast.AST, key: str, how: str) -> None:
    name = prog.entities[key].name
    prog.block(node, f"'{name}' is a random tensor and {how}: TF1 draws new numbers on each run, native code computes "
                     "a tensor of no placeholder or variable once (make it a function: def sample(): return tf.random...)")


def _statement(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    while not isinstance(node, ast.stmt) and id(node) in parents:
        node = parents[id(node)]
    return node


def _random_constants(prog: Program) -> set[str]:
    """Keys of the constant tensors that draw random numbers, or compute from one that does."""
    out: set[str] = set()
    for key in prog.order:
        e = prog.entities.get(key)
        if e is None or e.kind != "tensor" or e.params or e.variables or not isinstance(e.stmt, ast.Assign):
            continue
        if any(d in out for d in e.deps) or any((k := prog.call_key(n)) is not None and k.startswith(RANDOM)
                                                for n in ast.walk(e.stmt.value)):
            out.add(key)
    return out
