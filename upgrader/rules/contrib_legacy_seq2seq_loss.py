"""`tf.contrib.legacy_seq2seq.sequence_loss_by_example` -> the core ops it computes (TF2 has no tf.contrib)."""
from __future__ import annotations

import libcst as cst

from upgrader.native.legacy_seq2seq import KEY, by_example_text, split_by_example
from upgrader.rule import Rule, has_star


class ContribLegacySeq2seqLoss(Rule):
    """The per-example weighted cross-entropy summed over steps, as TF1 did (native/legacy_seq2seq.py).

    tf.contrib.legacy_seq2seq.sequence_loss_by_example([logits], [y], [w])
    ->  tf.add_n([tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logit) * weight
                  for logit, target, weight in zip([logits], [y], [w])]) / (tf.add_n([w]) + 1e-12)
    sequence_loss_by_example(l, y, w, softmax_loss_function=f)  ->  error naming the argument (left unchanged)
    """

    DESCRIPTION = "tf.contrib.legacy_seq2seq.sequence_loss_by_example -> summed sparse softmax cross-entropy"
    PRIORITY = 10
    OWNS = frozenset({KEY})

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.kept: dict[int, tuple[int, int]] = {}   # references not (yet) seen as a call's function -> line, col

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if self.key(original) == KEY:   # NOTE: a call's function is left before its call, which drops it again
            self.kept[id(original)] = (self.ctx.line, self.ctx.col)
        return updated

    def finish(self, source: str) -> list[tuple[int, str]]:
        for self.ctx.line, self.ctx.col in sorted(self.kept.values()):   # `loss_fun = tf.contrib...by_example`
            self.error(f"{KEY} kept in a name or passed on: its calls are not written out in core ops; call it "
                       "directly (left unchanged)")
        return []

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.key(original.func) != KEY:
            return updated
        self.kept.pop(id(original.func), None)
        if has_star(updated):
            self.error(f"{KEY} with *args/**kwargs: write the loss out by hand (left unchanged)")
            return updated
        split = split_by_example([a.value for a in updated.args if a.keyword is None],
                                 {a.keyword.value: a.value for a in updated.args if a.keyword is not None})
        if isinstance(split, str):
            self.error(f"{split}; write it by hand with tf.nn.sparse_softmax_cross_entropy_with_logits (left unchanged)")
            return updated
        args, flag = split
        tf = _text(self.ctx.expr("tf.add_n")).rsplit(".", 1)[0]
        texts = {k: _text(v) for k, v in args.items()}
        self.change(f"{KEY} -> tf.add_n of weighted tf.nn.sparse_softmax_cross_entropy_with_logits, as TF1 did")
        return cst.parse_expression(by_example_text(tf, texts, None if flag is None else _text(flag)))


def _text(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
