"""`tf.to_float(x)` and friends -> `tf.cast(x, tf.float32)`."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, has_star

CASTS = {"tf.to_float": "float32", "tf.to_double": "float64", "tf.to_int32": "int32", "tf.to_int64": "int64",
         "tf.to_bfloat16": "bfloat16", "tf.to_complex64": "complex64", "tf.to_complex128": "complex128"}


class ToDtypeToCast(Rule):
    """Replace the removed `tf.to_<dtype>(x)` helpers with `tf.cast`.

    tf.to_float(x, name="y")  ->  tf.cast(x, name="y", dtype=tf.float32)    # compat mode, as tf_upgrade_v2 writes it
    tf.to_float(x, name="y")  ->  tf.cast(x, tf.float32, name="y")          # native mode
    """

    DESCRIPTION = "tf.to_float/to_int32/... were removed in TF2; use tf.cast"
    PRIORITY = 20
    OWNS = frozenset(CASTS)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        key = self.key(original.func)
        if key not in CASTS:
            return updated
        if has_star(updated) or not updated.args or updated.args[0].keyword not in (None,) and updated.args[0].keyword.value != "x":
            self.warn(f"{key}: cannot rewrite a call with *args/**kwargs or unusual arguments; left as tf.compat.v1")
            return updated.with_changes(func=self.ctx.expr("tf.compat.v1" + key[2:]))
        x, *rest = updated.args
        dtype = cst.Arg(self.ctx.expr(f"tf.{CASTS[key]}"))
        eq = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
        name = [a.with_changes(keyword=cst.Name("name"), equal=eq) if a.keyword is None else a for a in rest]
        x = x.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT,
                           comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        if self.ctx.keywords:   # NOTE: compat mode spells it as tf_upgrade_v2 does: tf.cast(x, name=n, dtype=tf.T)
            args = [*([x, *name[:-1], name[-1].with_changes(comma=comma)] if name else [x]),
                    dtype.with_changes(keyword=cst.Name("dtype"), equal=eq)]
        else:
            args = [x, dtype.with_changes(comma=comma) if name else dtype, *name]
        self.change(f"{key}(x) -> tf.cast(x, tf.{CASTS[key]})")
        return updated.with_changes(func=self.ctx.expr("tf.cast"), args=args)
