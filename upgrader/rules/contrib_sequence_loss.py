"""`tf.contrib.seq2seq.sequence_loss` -> the core ops it computes (TF2 has no tf.contrib; tensorflow_addons is gone)."""
from __future__ import annotations

import libcst as cst

from upgrader.native.sequence_loss import KEY, sequence_loss_text, split_call
from upgrader.rule import Rule, has_star


class ContribSequenceLoss(Rule):
    """The weighted sequence cross-entropy written out in core ops, with TF1's averaging (native/sequence_loss.py).

    tf.contrib.seq2seq.sequence_loss(logits, y, w)
    ->  tf.math.divide_no_nan(tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
                                            * w), tf.reduce_sum(w))
    sequence_loss(logits, y, w, softmax_loss_function=f)  ->  error naming the argument (left unchanged)
    """

    DESCRIPTION = "tf.contrib.seq2seq.sequence_loss -> sparse softmax cross-entropy, weighted and averaged as TF1 did"
    PRIORITY = 10
    OWNS = frozenset({KEY})

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) != KEY:
            return updated
        if has_star(updated):
            self.error(f"{KEY} with *args/**kwargs: write the loss out by hand (left unchanged)")
            return updated
        split = split_call([a.value for a in updated.args if a.keyword is None],
                           {a.keyword.value: a.value for a in updated.args if a.keyword is not None}, _literal)
        if isinstance(split, str):
            self.error(f"{split}; write it by hand with tf.nn.sparse_softmax_cross_entropy_with_logits (left unchanged)")
            return updated
        args, flags = split
        tf = _text(self.ctx.expr("tf.reduce_sum")).rsplit(".", 1)[0]
        texts = {k: _text(v) for k, v in args.items()}
        self.change(f"{KEY} -> weighted tf.nn.sparse_softmax_cross_entropy_with_logits, averaged as TF1 did")
        return cst.parse_expression(sequence_loss_text(tf, texts, flags))


def _literal(node: cst.BaseExpression) -> bool | None:
    return {"True": True, "False": False}.get(node.value) if isinstance(node, cst.Name) else None


def _text(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
