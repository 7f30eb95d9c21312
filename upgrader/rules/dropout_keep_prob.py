"""`tf.nn.dropout(x, keep_prob)` -> `tf.nn.dropout(x, rate=1 - keep_prob)`."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, has_star

_SIMPLE = (cst.Name, cst.Attribute, cst.Integer, cst.Float, cst.Call, cst.Subscript)


class DropoutKeepProb(Rule):
    """TF2 dropout takes the drop `rate`, not `keep_prob`.

    tf.nn.dropout(h, keep_prob)       ->  tf.nn.dropout(h, rate=1 - keep_prob)
    tf.nn.dropout(h, keep_prob=a + b) ->  tf.nn.dropout(h, rate=1 - (a + b))
    """

    DESCRIPTION = "dropout(keep_prob=p) becomes dropout(rate=1 - p)"
    PRIORITY = 20

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) != "tf.nn.dropout" or has_star(updated):
            return updated
        args = list(updated.args)
        keys = [a.keyword.value if a.keyword else None for a in args]
        if "rate" in keys:
            if "keep_prob" in keys:
                self.warn("tf.nn.dropout: both keep_prob and rate given; left unchanged")
            return updated
        if "keep_prob" in keys:
            i = keys.index("keep_prob")
        elif len(args) > 1 and keys[1] is None:
            i = 1
        else:
            return updated
        kp = args[i].value
        if not isinstance(kp, _SIMPLE) or kp.lpar:
            kp = kp.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]) if not kp.lpar else kp
        rate = cst.BinaryOperation(cst.Integer("1"), cst.Subtract(), kp)
        args[i] = args[i].with_changes(keyword=cst.Name("rate"), value=rate, equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
        self.change("tf.nn.dropout: keep_prob -> rate=1 - keep_prob")
        return updated.with_changes(args=args)
