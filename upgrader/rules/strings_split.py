"""`tf.strings.split` returns a RaggedTensor in TF2; TF1's SparseTensor result is its `.to_sparse()`."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, has_star

V1 = "tf.strings.split"
V1_ARGS = ("input", "sep", "maxsplit", "result_type", "source", "name")   # TF1's order
SPARSE = "SparseTensor"


def _literal(node: cst.BaseExpression) -> str | None:
    return node.evaluated_value if isinstance(node, cst.SimpleString) else None


class StringsSplit(Rule):
    """Rewrite TF1's `tf.strings.split` as TF2's, which returns the RaggedTensor TF1 built first.

    tf.strings.split(x, sep)                               ->  tf.strings.split(x, sep).to_sparse()
    tf.strings.split(x, sep, result_type='SparseTensor')   ->  tf.strings.split(x, sep).to_sparse()
    tf.strings.split(x, sep, result_type=kind)             ->  tf.compat.v1.strings.split(x, sep, result_type=kind)
    """

    DESCRIPTION = "tf.strings.split -> TF2's (RaggedTensor) plus .to_sparse() where TF1 returned a SparseTensor"
    PRIORITY = 20
    OWNS = frozenset({V1})

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) != V1 or self.ctx.attr_of.get(original) == "to_sparse":
            return updated   # NOTE: `.to_sparse()` on it is TF2 code already (TF1's SparseTensor has no to_sparse)
        names = [a.keyword.value if a.keyword else (V1_ARGS[i] if i < len(V1_ARGS) else None)
                 for i, a in enumerate(updated.args)]
        result = [a for a, n in zip(updated.args, names) if n == "result_type"]
        kind = _literal(result[0].value) if result else SPARSE
        # NOTE: a plain tf.strings.split(x) would read as TF1's SparseTensor call on a second run, so TF1's
        # RaggedTensor result keeps tf.compat.v1 (each run must leave the output as it is).
        if has_star(updated) or None in names or kind != SPARSE or "source" in names:
            self.change(f"{V1} -> tf.compat.v1.strings.split (result_type is not a literal, or v1-only arguments)")
            return updated.with_changes(func=self.ctx.expr("tf.compat.v1.strings.split"))
        after = updated.args[names.index("result_type") + 1:] if result else []
        if any(a.keyword is None for a in after):   # a positional `name` after it would move
            return updated.with_changes(func=self.ctx.expr("tf.compat.v1.strings.split"))
        args = [a for a, n in zip(updated.args, names) if n != "result_type"]
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        call = updated.with_changes(func=self.ctx.expr("tf.strings.split"), args=args, lpar=[], rpar=[])
        self.change(f"{V1} -> tf.strings.split(...).to_sparse() (TF2 returns a RaggedTensor)")
        return cst.Call(func=cst.Attribute(value=call, attr=cst.Name("to_sparse")), lpar=updated.lpar, rpar=updated.rpar)
