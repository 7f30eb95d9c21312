"""TF1 initializer constructors keep TF1's class: `tf.compat.v1.<same name>` (compat mode)."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule
from upgrader.tables import tables


class V1Initializers(Rule):
    """TF1 initializers take `dtype` (and positional arguments) when built; TF2's take none, so keep TF1's.

    init = tf.zeros_initializer(dtype=tf.float32)  ->  init = tf.compat.v1.zeros_initializer(dtype=tf.float32)
    """

    DESCRIPTION = "tf.*_initializer, tf.initializers.* and tf.keras.initializers.* -> tf.compat.v1 (TF1 signatures)"
    PRIORITY = 40
    MODES = frozenset({"compat"})   # NOTE: native mode converts initializers itself (native_initializers)
    OWNS = tables().groups.get("v1_initializers", frozenset())
    KEYS = OWNS

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        key = self.key(original)
        if key not in self.OWNS:
            return updated
        target = "tf.compat.v1" + key[2:]
        self.change(f"{key} -> {target} (TF2's initializers take no dtype or positional arguments when built)")
        return self.ctx.expr(target).with_changes(lpar=updated.lpar, rpar=updated.rpar)
