"""v1 summaries become `tf.summary.create_file_writer` and `tf.summary.scalar(..., step=)` calls."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, indent
from upgrader.native.model import SUMMARIES, Entity, Program
from upgrader.rules.native_functions import expression

HELPER = "write_summaries"


class NativeSummaries(NativeRule):
    """Summary ops become functions returning the values to write; `add_summary` writes them with a step.

    tf.summary.scalar("loss", loss)          ->  (collected by merge_all)
    merged = tf.summary.merge_all()          ->  def merged(x):
                                                     return [(tf.summary.scalar, "loss", loss(x))]
    writer = tf.summary.FileWriter(logdir)   ->  writer = tf.summary.create_file_writer(logdir)
    writer.add_summary(s, step)              ->  write_summaries(writer, s, step)
    """

    DESCRIPTION = "FileWriter/scalar/histogram/merge_all -> create_file_writer + tf.summary.scalar(step=...)"
    KINDS = frozenset({"summary", "writer"})
    PRIORITY = 35
    # NOTE: this rule turns every TF1 summary op into a TF2 call, so in native output `tf.summary.scalar`
    # and friends are TF2's functions; compat mode (without this rule) sends TF1 ones to tf.compat.v1.
    OWNS = frozenset(f"tf.summary.{n}" for n in ("audio", "histogram", "image", "scalar", "text"))

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if stmt in prog.summaries:
            return ""
        value = stmt.value if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
        key = prog.call_key(value) if value is not None else None
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if key == "tf.summary.FileWriter":
            logdir = value.args[0] if value.args else next((k.value for k in value.keywords if k.arg == "logdir"), None)
            if logdir is None:
                raise Blocked(stmt.lineno, "tf.summary.FileWriter without a logdir")
            self.change("tf.summary.FileWriter -> tf.summary.create_file_writer (the graph argument is dropped)")
            return f"{edit.text(stmt.targets[0])} = {edit.tfx('summary.create_file_writer')}({edit.text(logdir)})"
        if entity is None or entity.kind != "summary":
            return None
        ops = prog.summaries if key == "tf.summary.merge_all" else [ast.Expr(value)]
        items = [self.item(prog, s.value, edit) for s in ops]
        params = ", ".join(entity.params)
        self.change(f"summary op '{entity.name}' becomes {entity.name}({params}), the values add_summary writes")
        helper = (f"def {HELPER}(writer, summary, step):\n" + indent(
            f"with writer.as_default():\n    for write, tag, value in summary:\n        write(tag, value, step=step)"))
        first = edit.free(HELPER) and not getattr(edit, "helper_done", False)
        edit.helper_done = True   # type: ignore[attr-defined]
        return f"def {entity.func}({params}):\n" + indent(f"return [{', '.join(items)}]") + ("\n\n\n" + helper if first else "")

    def item(self, prog: Program, call: ast.Call, edit: Editor) -> str:
        key = prog.call_key(call)
        given = dict(zip(("name", "tensor" if key == "tf.summary.scalar" else "values"), call.args)) | {
            k.arg: k.value for k in call.keywords}
        data = given.get("tensor", given.get("values"))
        if key not in SUMMARIES or data is None or set(given) - {"name", "tensor", "values"}:
            raise Blocked(call.lineno, f"{key} with arguments native mode does not convert")
        value = expression(prog, data, edit)
        if isinstance(data, ast.Name) and prog.kind(data.id) == "variable":
            value = f"{edit.tfx('identity')}({value})"   # the value now, not when written
        return f"({edit.tfx(key[3:])}, {edit.text(given['name'])}, {value})"

    def edit_call(self, prog: Program, call: ast.Call, edit: Editor) -> str | None:
        f = call.func
        if not (isinstance(f, ast.Attribute) and f.attr == "add_summary" and isinstance(f.value, ast.Name)):
            return None
        if len(call.args) != 2 or call.keywords:
            raise Blocked(call.lineno, "add_summary(summary, step) without an explicit step is not converted natively")
        if not edit.free(HELPER):
            raise Blocked(call.lineno, f"'{HELPER}' is already a name in this file")
        return f"{HELPER}({f.value.id}, {edit.text(call.args[0])}, {edit.text(call.args[1])})"
