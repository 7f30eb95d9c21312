"""`tf.contrib.summary` calls -> `tf.compat.v2.summary` with `data=` and an explicit `step=`."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, has_star

# contrib name -> (v2 name, v1 parameters in order, {v1 parameter: v2 keyword}); unmapped parameters are dropped
_WRITES = {
    "scalar": ("scalar", ("name", "tensor", "family", "step"), {"name": "name", "tensor": "data", "step": "step"}),
    "histogram": ("histogram", ("name", "tensor", "family", "step"), {"name": "name", "tensor": "data", "step": "step"}),
    "image": ("image", ("name", "tensor", "bad_color", "max_images", "family", "step"),
              {"name": "name", "tensor": "data", "max_images": "max_outputs", "step": "step"}),
    "audio": ("audio", ("name", "tensor", "sample_rate", "max_outputs", "family", "step"),
              {"name": "name", "tensor": "data", "sample_rate": "sample_rate", "max_outputs": "max_outputs",
               "step": "step"}),
    # NOTE: tf.summary.write's value argument is `tensor` (not `data`) in TF 2.21
    "generic": ("write", ("name", "tensor", "metadata", "family", "step"),
                {"name": "tag", "tensor": "tensor", "metadata": "metadata", "step": "step"}),
    "create_file_writer": ("create_file_writer", ("logdir", "max_queue", "flush_millis", "filename_suffix", "name"),
                           {"logdir": "logdir", "max_queue": "max_queue", "flush_millis": "flush_millis",
                            "filename_suffix": "filename_suffix"}),
}
_RECORD = {"always_record_summaries": "True", "never_record_summaries": "False"}
_PREFIX = "tf.contrib.summary."


class ContribSummary(Rule):
    """Rewrite tf.contrib.summary writers to TF2's tf.summary API (step made explicit, dropped arguments reported).

    tf.contrib.summary.scalar("loss", x)           ->  tf.compat.v2.summary.scalar(name="loss", data=x, step=tf.compat.v1.train.get_or_create_global_step())
    tf.contrib.summary.always_record_summaries()   ->  tf.compat.v2.summary.record_if(True)
    """

    DESCRIPTION = "tf.contrib.summary.* -> tf.compat.v2.summary.* (explicit step, keyword arguments)"
    PRIORITY = 8
    OWNS = frozenset(_PREFIX + n for n in (*_WRITES, *_RECORD))

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        key = self.key(original.func)
        if key is None or not key.startswith(_PREFIX) or key not in self.OWNS or has_star(updated):
            return updated
        short = key[len(_PREFIX):]
        if short in _RECORD:
            if updated.args:
                return updated
            self.change(f"{key}() -> tf.compat.v2.summary.record_if({_RECORD[short]})")
            return cst.Call(self.ctx.expr("tf.compat.v2.summary.record_if"), [cst.Arg(cst.Name(_RECORD[short]))])
        new, params, mapping = _WRITES[short]
        args, given, dropped = [], set(), []
        for i, arg in enumerate(updated.args):
            name = arg.keyword.value if arg.keyword else (params[i] if i < len(params) else None)
            if name is None or name not in params:
                self.warn(f"{key}: cannot map argument {i + 1}; left unchanged")
                return updated
            given.add(name)
            if name not in mapping:
                dropped.append(name)
                continue
            args.append(arg.with_changes(keyword=cst.Name(mapping[name]), equal=_eq()))
        for name in sorted(dropped):
            self.warn(f"{key}: the '{name}' argument was removed (TF2's function has no such argument)")
        if short == "generic" and "name" in given:
            self.warn(f"{key}: the 'name' argument is now the summary's `tag`")
        if "step" in mapping and "step" not in given:
            self.warn(f"{key}: no 'step' argument: TF2 summaries need one; using "
                      "tf.compat.v1.train.get_or_create_global_step()")
            step = cst.Call(self.ctx.expr("tf.compat.v1.train.get_or_create_global_step"), [])
            args.append(cst.Arg(step, keyword=cst.Name("step"), equal=_eq()))
        if short == "create_file_writer":
            self.warn(f"{key}: the TF2 writer no longer re-uses existing event files of the same name (a new file "
                      "per writer)")
        else:
            self.warn(f"{key} -> tf.compat.v2.summary.{new}: TF2 summaries write only inside `with writer.as_default():` "
                      "(see tf.compat.v2.summary.*)")
        self.change(f"{key} -> tf.compat.v2.summary.{new}")
        return updated.with_changes(func=self.ctx.expr(f"tf.compat.v2.summary.{new}"), args=_commas(args))


def _eq() -> cst.AssignEqual:
    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """A comma after every argument but the last; the last loses a comma it no longer needs."""
    out = [a if a.comma is not cst.MaybeSentinel.DEFAULT else a.with_changes(
        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in args[:-1]]
    return out + [args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)] if args else []
