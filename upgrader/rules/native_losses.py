"""`tf.losses.*` (TF1's loss functions) -> the Keras loss that computes the same number (native mode).

TF1's losses average over every element by default (SUM_BY_NONZERO_WEIGHTS with weights=1.0);
a Keras loss averages over the last axis and then over the batch, which is the same mean. The two
elementwise losses are written as that mean itself: a Keras loss needs a last axis, and TF1 code
often takes the squared error of scalars. Calls with weights, a reduction, a loss collection or
label smoothing keep their compat form.
"""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, has_star

# TF1 name -> (Keras class, TF1 parameter names in order, extra constructor text)
LOSSES = {
    "tf.losses.mean_squared_error": ("MeanSquaredError", ("labels", "predictions"), ""),
    "tf.losses.absolute_difference": ("MeanAbsoluteError", ("labels", "predictions"), ""),
    "tf.losses.softmax_cross_entropy": ("CategoricalCrossentropy", ("onehot_labels", "logits"), "from_logits=True"),
    "tf.losses.sparse_softmax_cross_entropy": ("SparseCategoricalCrossentropy", ("labels", "logits"), "from_logits=True"),
    "tf.losses.sigmoid_cross_entropy": ("BinaryCrossentropy", ("multi_class_labels", "logits"), "from_logits=True"),
}
# NOTE: TF1's order of operands (predictions - labels); as written, on any rank, scalars included
ELEMENTWISE = {"MeanSquaredError": "{tf}.reduce_mean({tf}.math.squared_difference({predictions}, {labels}))",
               "MeanAbsoluteError": "{tf}.reduce_mean({tf}.abs({tf}.subtract({predictions}, {labels})))"}
KEEP_ARGS = frozenset({"scope"})   # names a TF1 name scope only: nothing to compute


class NativeLosses(Rule):
    """TF1 losses become Keras loss objects called on (labels, predictions).

    tf.losses.mean_squared_error(y, pred)              ->  tf.reduce_mean(tf.math.squared_difference(pred, y))
    tf.losses.softmax_cross_entropy(onehot, logits)    ->  tf.keras.losses.CategoricalCrossentropy(from_logits=True)(onehot, logits)
    """

    DESCRIPTION = "tf.losses.<loss>(labels, predictions) -> tf.keras.losses.<Loss>()(labels, predictions), same mean"
    MODES = frozenset({"native"})
    PRIORITY = 30
    OWNS = frozenset(LOSSES)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        key = self.key(original.func)
        if key not in LOSSES or has_star(updated):
            return updated
        cls, params, extra = LOSSES[key]
        if len(updated.args) > 2 or any(a.keyword is not None and a.keyword.value not in params + tuple(KEEP_ARGS)
                                        for a in updated.args):
            return updated   # weights / reduction / label smoothing: compat form keeps TF1's meaning
        given = {params[i]: a.value for i, a in enumerate(updated.args) if a.keyword is None}
        given |= {a.keyword.value: a.value for a in updated.args if a.keyword is not None and a.keyword.value in params}
        if set(given) != set(params):
            return updated
        if cls in ELEMENTWISE:
            tf = _text(self.ctx.expr("tf.reduce_mean")).rsplit(".", 1)[0]
            self.change(f"{key} -> the mean of the elementwise loss (what TF1 computed)")
            return cst.parse_expression(ELEMENTWISE[cls].format(tf=tf, labels=_text(given[params[0]]),
                                                                predictions=_text(given[params[1]])))
        self.change(f"{key} -> tf.keras.losses.{cls} (the same mean over every element)")
        make = cst.parse_expression(f"{_text(self.ctx.expr('tf.keras.losses.' + cls))}({extra})")
        return cst.Call(func=make, args=[cst.Arg(given[params[0]], comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                                         cst.Arg(given[params[1]])])


def _text(node: cst.BaseExpression) -> str:
    return cst.Module([]).code_for_node(node)
