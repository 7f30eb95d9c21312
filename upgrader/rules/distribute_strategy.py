"""TF1's tf.distribute strategies: TF2's class of the same name, unless the file calls a TF1-only method."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

# Same constructor (devices/cross_device_ops, device) in TF1 and TF2; checked against TF 2.21.
STRATEGIES = frozenset({"tf.distribute.MirroredStrategy", "tf.distribute.OneDeviceStrategy"})
# What TF 2.21's v1 classes have and its TF2 classes lack: the numpy helper, experimental_run (TF2: run, with
# other arguments) and reduce without axis= (TF2 requires it). `.reduce(` is matched on any receiver: a
# dataset's or functools' reduce keeps tf.compat.v1 too, which is safe.
V1_METHODS = ("experimental_make_numpy_dataset", "experimental_run", "reduce")
CHANGED = "make_dataset_iterator->experimental_distribute_dataset, experimental_run->run, reduce takes axis="


class DistributeStrategy(Rule):
    """Keep TF2's MirroredStrategy/OneDeviceStrategy, the same class to construct, and say what API changed.

    tf.distribute.MirroredStrategy()              ->  tf.distribute.MirroredStrategy()   (info: the API changes)
    s = tf.distribute.OneDeviceStrategy("/cpu:0")  ->  s = tf.compat.v1.distribute.OneDeviceStrategy("/cpu:0")
    s.reduce(tf.distribute.ReduceOp.SUM, v)            (the file calls a TF1-only method)
    """

    DESCRIPTION = "tf.distribute strategies stay TF2's classes unless the file calls TF1-only strategy methods"
    PRIORITY = 20
    MODES = frozenset({"compat"})
    KEYS = STRATEGIES
    OWNS = STRATEGIES

    @classmethod
    def file_facts(cls, code: str) -> object:
        return frozenset(m for m in V1_METHODS if f".{m}(" in code) or None

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        key = self.key(original)
        if key not in STRATEGIES:
            return updated
        used = self.ctx.facts.get(self.NAME)
        if used:
            target = "tf.compat.v1" + key[2:]
            self.change(f"{key} -> {target} (this file calls TF1-only strategy methods: {', '.join(sorted(used))})")
            return self.ctx.expr(target).with_changes(lpar=updated.lpar, rpar=updated.rpar)
        self.ctx.report(self.NAME, f"{key} API has changed in TF2 ({CHANGED}); TF2's class is kept, as this "
                        "file calls none of the TF1-only methods", "info", once=True)
        return updated
