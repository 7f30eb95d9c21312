"""v1 softmax cross-entropy never back-propagated into labels; TF2's does, so wrap them."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule
from upgrader.rules.api_rename import ApiRename, _fix_commas


class SoftmaxXentStopGradient(Rule):
    """Keep v1 gradients: `labels` of softmax_cross_entropy_with_logits get `tf.stop_gradient`.

    tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z, dim=1)
      ->  tf.nn.softmax_cross_entropy_with_logits(labels=tf.stop_gradient(y), logits=z, axis=1)
    """

    DESCRIPTION = "softmax_cross_entropy_with_logits: labels wrapped in tf.stop_gradient, dim -> axis"
    PRIORITY = 30

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) != "tf.nn.softmax_cross_entropy_with_logits":
            return updated
        args = list(updated.args)
        for i, a in enumerate(args):
            label = (a.keyword and a.keyword.value == "labels") or (a.keyword is None and i == 0 and not a.star)
            if not label:
                continue
            if isinstance(a.value, cst.Call) and (self.key(a.value.func) or "").endswith("stop_gradient"):
                return updated
            args[i] = a.with_changes(value=cst.Call(self.ctx.expr("tf.stop_gradient"), [cst.Arg(a.value)]))
            self.change("softmax_cross_entropy_with_logits: labels wrapped in tf.stop_gradient (v1 gradients)")
            new = updated.with_changes(args=args)
            row = self.ctx.tables.rows.get("tf.nn.softmax_cross_entropy_with_logits")
            fixed = None if row is None else ApiRename(self.ctx).fix_args(row, new)   # dim -> axis
            return new if fixed is None else new.with_changes(args=_fix_commas(fixed))
        return updated
