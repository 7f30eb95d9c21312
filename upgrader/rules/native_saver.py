"""`tf.train.Saver` becomes `tf.train.Checkpoint` over the same variables; save/restore drop the session."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.model import Entity, Program


class NativeSaver(NativeRule):
    """Checkpoint the program's variables (and Keras layers) by their Python names.

    saver = tf.train.Saver()                 ->  saver = tf.train.Checkpoint(W=W, b=b)
    path = saver.save(sess, prefix)          ->  path = saver.write(prefix)
    saver.restore(sess, path)                ->  saver.restore(path)
    """

    DESCRIPTION = "train.Saver -> tf.train.Checkpoint; saver.save/restore(sess, path) -> write/restore(path)"
    KINDS = frozenset({"saver"})
    PRIORITY = 35
    # NOTE: native output is eager TF2 code, where `tf.train.Checkpoint` means TF2's class; compat mode
    # (without this rule) sends a TF1 `tf.train.Checkpoint` to tf.compat.v1.
    OWNS = frozenset({"tf.train.Checkpoint"})

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "saver":
            return None
        call = stmt.value
        given = dict(zip(("var_list", "reshape", "sharded", "max_to_keep"), call.args)) | {k.arg: k.value for k in call.keywords}
        if set(given) - {"var_list", "max_to_keep", "name", "keep_checkpoint_every_n_hours", "save_relative_paths"}:
            raise Blocked(call.lineno, f"tf.train.Saver arguments {sorted(given)} are not converted natively")
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        var_list = given.get("var_list")
        if var_list is None:
            names = [e.name for e in prog.entities.values()
                     if (e.kind == "variable" and not e.alias) or (e.kind == "layer" and any(e.name in t.deps for t in prog.entities.values()))]
            items = [f"{n}={n}" for n in names]
        elif isinstance(var_list, (ast.List, ast.Tuple)) and all(isinstance(v, ast.Name) for v in var_list.elts):
            items = [f"{v.id}={v.id}" for v in var_list.elts]
        elif isinstance(var_list, ast.Dict) and all(isinstance(k, ast.Constant) and str(k.value).isidentifier()
                                                    for k in var_list.keys):
            items = [f"{k.value}={edit.text(v)}" for k, v in zip(var_list.keys, var_list.values)]
        else:
            raise Blocked(call.lineno, "tf.train.Saver var_list native mode cannot name statically")
        if "max_to_keep" in given:
            self.warn(f"line {call.lineno}: Saver(max_to_keep=...) dropped: Checkpoint.write keeps every checkpoint "
                      "(wrap it in tf.train.CheckpointManager to prune)")
        self.change("tf.train.Saver -> tf.train.Checkpoint")
        return f"{entity.name} = {edit.tfx('train.Checkpoint')}({', '.join(items)})"

    def edit_call(self, prog: Program, call: ast.Call, edit: Editor) -> str | None:
        f = call.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and prog.kind(f.value.id) == "saver"):
            return None
        names = {"save": ("sess", "save_path", "global_step"), "restore": ("sess", "save_path")}.get(f.attr)
        given = dict(zip(names or (), call.args)) | {k.arg: k.value for k in call.keywords}
        if names is None or set(given) - set(names) or "save_path" not in given:
            raise Blocked(call.lineno, f"{f.value.id}.{f.attr}(...) is not converted natively")
        path = edit.text(given["save_path"])
        if f.attr == "restore":
            return f"{f.value.id}.restore({path})"
        step = given.get("global_step")
        if step is not None:
            value = f"{step.id}.numpy()" if isinstance(step, ast.Name) and prog.kind(step.id) == "variable" else edit.text(step)
            path = f'"%s-%d" % ({path}, {value})'
        return f"{f.value.id}.write({path})"
