"""Reinitializable iterators: one get_next() whose dataset is the one its last initializer run chose.

    iterator = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)   ->  (removed)
    img, label = iterator.get_next()                                                      ->  (removed)
    train_init = iterator.make_initializer(train)                                         ->  (removed)
    sess.run(train_init)                                                                  ->  (removed)
    while True: try: sess.run(step) except tf.errors.OutOfRangeError: break   ->  for img, label in train: ...

Natively each loop iterates the dataset its initializer named (or `iterator = iter(train)` where
elements are pulled one sess.run at a time); the rest of the dataset machinery is native/datasets.py's.
"""
from __future__ import annotations

import ast
from typing import Any

FROM_STRUCTURE = frozenset({"tf.data.Iterator.from_structure"})


def reinit_statement(prog: Any, stmt: ast.stmt) -> bool:
    """Record `it = tf.data.Iterator.from_structure(...)` / `init = it.make_initializer(ds)` (True), else False."""
    from upgrader.native.datasets import Iterator, _entity   # NOTE: datasets imports this module
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Call)):
        return False
    target, call = stmt.targets[0], stmt.value
    if prog.call_key(call) in FROM_STRUCTURE:
        if not isinstance(target, ast.Name):
            prog.block(stmt, "Iterator.from_structure() assigned to something other than a name")
            return True
        prog.iterators[target.id] = Iterator(target.id, None, False, stmt, call)
    elif isinstance(call.func, ast.Attribute) and call.func.attr == "make_initializer" and isinstance(
            call.func.value, ast.Name) and call.func.value.id in prog.iterators:
        it = prog.iterators[call.func.value.id]
        dataset = call.args[0] if len(call.args) == 1 and not call.keywords else None
        if it.dataset is not None or it.one_shot or not isinstance(target, ast.Name) or not isinstance(dataset, ast.Name):
            prog.block(stmt, "make_initializer() native mode follows is `init = it.make_initializer(dataset_name)` "
                             "on an Iterator.from_structure iterator")
            return True
        ds = prog.entities.get(dataset.id)
        if ds is not None and ds.kind != "tensor":
            prog.block(stmt, f"'{dataset.id}' (a graph {ds.kind}) is not a dataset native mode can iterate")
        it.inits[target.id] = dataset
        it.init_stmts.append(stmt)
    else:
        return False
    prog.entities[target.id] = _entity(target.id, stmt)
    prog.order.append(target.id)
    return True


def reinit_run(prog: Any, fetched: ast.expr) -> str | None:
    """`sess.run(train_init)`: the key of the iterator whose initializer `fetched` names, else None."""
    if isinstance(fetched, ast.Name):
        return next((k for k, it in prog.iterators.items() if fetched.id in it.inits), None)
    return None


def chosen_dataset(it: Any, init: ast.Call | None) -> ast.expr | None:
    """The dataset an initializer run of a reinitializable iterator starts; None for other iterators."""
    if it.dataset is not None:
        return None
    from upgrader.native.base import Blocked
    if init is None or not (init.args and isinstance(init.args[0], ast.Name) and init.args[0].id in it.inits):
        raise Blocked(it.stmt.lineno, f"'{it.name}' is read before any of its initializers runs")
    return it.inits[init.args[0].id]
