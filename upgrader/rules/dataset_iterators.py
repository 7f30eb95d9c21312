"""`dataset.make_one_shot_iterator()` and friends -> `tf.compat.v1.data.*(dataset)`."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

METHODS = {"make_one_shot_iterator": "tf.compat.v1.data.make_one_shot_iterator",
           "make_initializable_iterator": "tf.compat.v1.data.make_initializable_iterator"}
PROPS = {"output_types": "tf.compat.v1.data.get_output_types", "output_shapes": "tf.compat.v1.data.get_output_shapes",
         "output_classes": "tf.compat.v1.data.get_output_classes"}


class DatasetIterators(Rule):
    """TF2 datasets have no iterator methods or output_* properties; the compat functions do it.

    ds.make_one_shot_iterator()  ->  tf.compat.v1.data.make_one_shot_iterator(ds)
    ds.output_types              ->  tf.compat.v1.data.get_output_types(ds)
    """

    DESCRIPTION = "dataset iterator methods and output_* properties -> tf.compat.v1.data functions"
    PRIORITY = 20
    ATTRS = frozenset(METHODS) | frozenset(PROPS)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in METHODS or any(a.star for a in updated.args):
            return updated
        if self.key(original.func.value) is not None:   # tf.something.make_...: a module, not a dataset
            return updated
        self.ctx.scan.uses_graph = self.ctx.scan.uses_graph or func.attr.value == "make_initializable_iterator"
        self.change(f".{func.attr.value}() -> {METHODS[func.attr.value]}(dataset)")
        first = cst.Arg(func.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if updated.args
                        else cst.MaybeSentinel.DEFAULT)
        return cst.Call(self.ctx.expr(METHODS[func.attr.value]), [first, *updated.args], lpar=updated.lpar, rpar=updated.rpar)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if updated.attr.value not in PROPS or self.key(original.value) is not None or self.key(original) is not None:
            return updated
        if _concrete_function(original.value):   # ConcreteFunction.output_shapes is TF2 API, not a dataset's
            return updated
        self.change(f".{updated.attr.value} -> {PROPS[updated.attr.value]}(dataset)")
        return cst.Call(self.ctx.expr(PROPS[updated.attr.value]), [cst.Arg(updated.value.with_changes(lpar=[], rpar=[]))],
                        lpar=updated.lpar, rpar=updated.rpar)


def _concrete_function(node: cst.BaseExpression) -> bool:
    """`f.get_concrete_function(...)`: its output_* attributes exist in TF2."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
        node.func.attr.value == "get_concrete_function"
