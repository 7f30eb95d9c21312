"""The optimizer a converted Saver checkpoints with the variables: TF1's Saver saved its slots too.

    train = tf.train.AdamOptimizer(0.1).minimize(loss)   ->  optimizer = tf.keras.optimizers.Adam(0.1, epsilon=1e-8)
    saver = tf.train.Saver()                             ->  saver = tf.train.Checkpoint(w=w, optimizer=optimizer)

A restored Adam step then goes on from the saved m and v (and step count), as TF1's did; the
Checkpoint restores the slots when the optimizer makes them, on its first step.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Editor
from upgrader.native.model import Program


def saved_optimizer(prog: Program, saver: ast.stmt, edit: Editor) -> str | None:
    """The Keras optimizer of the program's one training op, written before the Saver; None when unclear."""
    steps = [e for e in prog.entities.values() if e.kind == "train"]
    if len(steps) != 1 or steps[0].stmt.lineno > saver.lineno or not isinstance(f := steps[0].stmt.value.func, ast.Attribute):
        return None
    if isinstance(f.value, ast.Name):   # `opt = tf.train.AdamOptimizer(lr)`: the Keras optimizer keeps the name
        return f.value.id if prog.kind(f.value.id) == "optimizer" else None
    # NOTE: `tf.train.AdamOptimizer(lr).minimize(loss)`: rules/native_minimize.py claimed one of these names for it
    named = [n for n in ("optimizer", f"{steps[0].func}_optimizer") if n in edit.claimed]
    return named[0] if len(named) == 1 else None
