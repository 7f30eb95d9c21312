"""v1 summaries become `tf.summary.create_file_writer` and `tf.summary.scalar(..., step=)` calls."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, indent
from upgrader.native.model import SUMMARIES, Entity, Program
from upgrader.native.fetch import bind_once, feed, fetch
from upgrader.native.summary_images import PIXELS, pixels_helper, uint8
from upgrader.native.summary_loops import loop_function
from upgrader.native.summary_merge import collected, entry
from upgrader.native.summary_tags import layer_summaries, summary_tags
from upgrader.rules.native_functions import expression

HELPER = "write_summaries"
IMAGE = "tf.summary.image"


def _literal(node: ast.expr, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


class NativeSummaries(NativeRule):
    """Summary ops become functions returning the values to write; `add_summary` writes them with a step.

    tf.summary.scalar("loss", loss)          ->  (collected by merge_all)
    merged = tf.summary.merge_all()          ->  def merged(x):
                                                     return [(tf.summary.scalar, "loss", loss(x))]
    writer = tf.summary.FileWriter(logdir)   ->  writer = tf.summary.create_file_writer(logdir)
    writer.add_summary(s, step)              ->  write_summaries(writer, s, step)
    tf.summary.image("plot", uint8_images)   ->  (tf.summary.image, "plot", uint8_images)   (float data: blocked)
    """

    DESCRIPTION = "FileWriter/scalar/histogram/merge_all -> create_file_writer + tf.summary.scalar(step=...)"
    KINDS = frozenset({"summary", "writer"})
    PRIORITY = 35
    # NOTE: this rule turns every TF1 summary op into a TF2 call, so in native output `tf.summary.scalar`
    # and friends are TF2's functions; compat mode (without this rule) sends TF1 ones to tf.compat.v1.
    OWNS = frozenset(f"tf.summary.{n}" for n in ("audio", "histogram", "image", "scalar", "text"))

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if stmt in prog.summaries or prog.summary_loops.get(id(stmt), False) is None:   # NOTE: a loop's `lst = []`
            return ""
        if id(stmt) in prog.summary_loops:   # a loop of summaries (native/summary_loops.py)
            return loop_function(prog, stmt, entity, edit)
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
        ops = collected(prog, stmt) if key == "tf.summary.merge_all" else [] if key == "tf.summary.merge" else [
            ast.Expr(value)]
        tags = summary_tags(prog)   # native/summary_tags.py: TF1's scope-prefixed, unique tags
        named = {id(e.stmt): k for k, e in prog.entities.items() if e.kind == "summary"}
        items = [entry(prog, named[id(s)]) if id(s) in named else self.item(prog, s.value, edit, tags.get(id(s.value)))
                 for s in ops] + ([entry(prog, m) for m in entity.deps] if key == "tf.summary.merge" else [])
        if key == "tf.summary.merge_all":   # NOTE: after the module-level ones, whose values build lazy layers
            items += layer_summaries(prog, lambda inst, attr: f"{inst}.{attr}", edit)
        params = ", ".join(entity.params)
        self.change(f"summary op '{entity.name}' becomes {entity.name}({params}), the values add_summary writes")
        helper = (f"def {HELPER}(writer, summary, step):\n" + indent(
            f"with writer.as_default():\n    for write, tag, value in summary:\n        write(tag, value, step=step)"))
        first = edit.free(HELPER) and not getattr(edit, "helper_done", False)
        edit.helper_done = True   # type: ignore[attr-defined]
        pixels = any(PIXELS in i for i in items) and not getattr(edit, "pixels_done", False)
        if pixels and not edit.free(PIXELS):
            raise Blocked(stmt.lineno, f"'{PIXELS}' (the helper float image summaries need) is already a name in this file")
        edit.pixels_done = getattr(edit, "pixels_done", False) or pixels   # type: ignore[attr-defined]
        return f"def {entity.func}({params}):\n" + indent(f"return [{', '.join(items)}]") + ("\n\n\n" + helper if first else "") + (
            "\n\n\n" + pixels_helper(edit.tf) if pixels else "")

    def item(self, prog: Program, call: ast.Call, edit: Editor, tag: str | None = None) -> str:
        key = prog.call_key(call)
        given = dict(zip(("name", "tensor" if key in ("tf.summary.scalar", IMAGE) else "values", "max_outputs"),
                         call.args)) | {k.arg: k.value for k in call.keywords}
        data = given.get("tensor", given.get("values"))
        if given.get("max_outputs") is not None and key != IMAGE:
            raise Blocked(call.lineno, f"{key} with a third positional argument is not converted natively")
        if key not in SUMMARIES or data is None or set(given) - {"name", "tensor", "values", "max_outputs"}:
            raise Blocked(call.lineno, f"{key} with arguments native mode does not convert")
        value = expression(prog, data, edit)
        if isinstance(data, ast.Name) and prog.kind(data.id) == "variable":
            value = f"{edit.tfx('identity')}({value})"   # the value now, not when written
        name = edit.text(given["name"])
        if tag is not None and tag != getattr(given["name"], "value", None):   # TF1's tag: scope-prefixed, unique
            name = f"{name[0]}{tag}{name[0]}" if name[:1] in "'\"" and name[0] not in tag else repr(tag)
        write, most = edit.tfx(key[3:]), given.get("max_outputs")
        if key == IMAGE and not uint8(prog, data):   # NOTE: TF1 rescaled float images itself (native/summary_images.py)
            value = f"{PIXELS}({value})"
        if key == IMAGE and most is not None and not _literal(most, 3):   # TF2's default is 3 too
            write = f"lambda tag, data, step: {write}(tag, data, step, max_outputs={edit.text(most)})"
        return f"({write}, {name}, {value})"

    def edit_call(self, prog: Program, call: ast.Call, edit: Editor) -> str | None:
        f = call.func
        if prog.call_key(call) == "tf.summary.FileWriter":   # a writer made in session code (in a loop)
            logdir = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "logdir"), None)
            if logdir is None:
                raise Blocked(call.lineno, "tf.summary.FileWriter without a logdir")
            return f"{edit.tfx('summary.create_file_writer')}({edit.text(logdir)})"
        if not (isinstance(f, ast.Attribute) and f.attr == "add_summary" and isinstance(f.value, ast.Name)):
            return None
        given = dict(zip(("summary", "global_step"), call.args)) | {k.arg: k.value for k in call.keywords}
        if len(call.args) > 2 or set(given) != {"summary", "global_step"}:
            raise Blocked(call.lineno, "add_summary(summary, step) without an explicit step is not converted natively")
        if not edit.free(HELPER):
            raise Blocked(call.lineno, f"'{HELPER}' is already a name in this file")
        summary, step = (self.argument(prog, given[a], edit) for a in ("summary", "global_step"))
        return f"{HELPER}({f.value.id}, {summary}, {step})"

    def argument(self, prog: Program, node: ast.expr, edit: Editor) -> str:
        """An add_summary argument; `sess.run(merged, feed)` in it is converted here (this call's text replaces it)."""
        f = node.func if isinstance(node, ast.Call) else None
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == prog.session_name \
                and f.attr == "run" and node.args:
            fed = feed(prog, node, edit, "feed_dict")
            return bind_once(fetch(prog, node, node.args[0], fed, edit), fed, edit)
        if any(isinstance(n, ast.Attribute) and n.attr in ("run", "eval") for n in ast.walk(node)):
            raise Blocked(node.lineno, "add_summary(...) with a session run nested in an expression is not converted "
                                       "natively (bind the fetched summary to a name first)")
        return edit.text(node)
