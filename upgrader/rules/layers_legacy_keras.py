"""`tf.layers` / `tf.nn.rnn_cell` -> `tf.compat.v1.*`, with the tf_keras note they need."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

PREFIXES = ("tf.layers", "tf.nn.rnn_cell")
NOTE = ("tf.compat.v1.layers / nn.rnn_cell need tf_keras on TF >= 2.16 "
        "(pip install tf_keras; export TF_USE_LEGACY_KERAS=1)")


class LayersLegacyKeras(Rule):
    """Move v1 layers onto tf.compat.v1 (TF 2.21's own tf_upgrade_v2 leaves them broken).

    tf.layers.dense(x, 10)  ->  tf.compat.v1.layers.dense(x, 10)   # + warning: needs tf_keras
    """

    DESCRIPTION = "tf.layers.* -> tf.compat.v1.layers.* with a note that TF >= 2.16 needs tf_keras"
    PRIORITY = 40

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        key = self.key(original)
        if key is None or not any(key == p or key.startswith(p + ".") for p in PREFIXES):
            return updated
        target = "tf.compat.v1" + key[2:]
        self.change(f"{key} -> {target}")
        self.warn(NOTE, once=True)
        return self.ctx.expr(target).with_changes(lpar=updated.lpar, rpar=updated.rpar)
