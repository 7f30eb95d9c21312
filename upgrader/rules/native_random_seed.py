"""`tf.set_random_seed(s)` -> `tf.random.set_seed(s)` in native mode (compat keeps tf.compat.v1's graph-level seed)."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

SEEDS = frozenset({"tf.set_random_seed", "tf.compat.v1.set_random_seed", "tf.random.set_random_seed"})


class NativeRandomSeed(Rule):
    """Set the global seed the TF2 way.

    tf.set_random_seed(0)  ->  tf.random.set_seed(0)
    """

    DESCRIPTION = "set_random_seed -> tf.random.set_seed (TF2's global seed; op-level random streams differ from TF1)"
    MODES = frozenset({"native"})
    PRIORITY = 30
    OWNS = SEEDS

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) not in SEEDS:
            return updated
        self.change("set_random_seed -> tf.random.set_seed")
        self.warn("TF2 random ops draw different numbers than TF1 for the same seed", once=True)
        return updated.with_changes(func=self.ctx.expr("tf.random.set_seed"))
