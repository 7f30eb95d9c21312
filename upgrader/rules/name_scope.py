"""`tf.name_scope` forms: v2 takes one string; the v1-only forms stay on tf.compat.v1."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

_STRINGS = (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)


class NameScope(Rule):
    """Only `tf.name_scope("literal")` means the same in TF2; other forms keep the v1 class.

    tf.name_scope("layer1")               ->  tf.name_scope("layer1")            (unchanged)
    tf.name_scope(name, "Dense", [x, w])  ->  tf.compat.v1.name_scope(name, "Dense", [x, w])
    """

    DESCRIPTION = "name_scope(name, default_name, values) and non-literal names use tf.compat.v1.name_scope"
    PRIORITY = 30

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) != "tf.name_scope":
            return updated
        if len(updated.args) == 1 and not updated.args[0].star and isinstance(updated.args[0].value, _STRINGS) \
                and (updated.args[0].keyword is None or updated.args[0].keyword.value == "name"):
            return updated
        self.change("tf.name_scope -> tf.compat.v1.name_scope (default_name/values or a possibly-None name)")
        return updated.with_changes(func=self.ctx.expr("tf.compat.v1.name_scope"))
