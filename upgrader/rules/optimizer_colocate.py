"""`optimizer.minimize(..., colocate_gradients_with_ops=...)`: the argument is gone; TF2 always colocates."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

_METHODS = frozenset({"minimize", "compute_gradients"})
_ARG = "colocate_gradients_with_ops"


class OptimizerColocate(Rule):
    """Drop `colocate_gradients_with_ops=` from optimizer methods, which TF2's optimizers do not take.

    opt.minimize(loss, colocate_gradients_with_ops=True)  ->  opt.minimize(loss)
    """

    DESCRIPTION = "Optimizer.minimize/compute_gradients lose colocate_gradients_with_ops= (TF2 always colocates)"
    PRIORITY = 60
    # NOTE: runs in native mode too, so a native fallback is exactly the compat form
    ATTRS = _METHODS

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _METHODS:
            return updated
        args = [a for a in updated.args if not (a.keyword is not None and a.keyword.value == _ARG)]
        if len(args) == len(updated.args) or self.key(original.func) is not None:   # tf.x.minimize: not a method
            return updated
        self.warn(f"Optimizer.{func.attr.value} no longer takes '{_ARG}' (TF2 always colocates gradients); removed")
        if args:
            args[-1] = args[-1].with_changes(comma=updated.args[-1].comma)
        return updated.with_changes(args=args)
