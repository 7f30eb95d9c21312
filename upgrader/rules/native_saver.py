"""`tf.train.Saver` becomes `tf.train.Checkpoint` over the same variables; save/restore drop the session."""
from __future__ import annotations

import ast
import json

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.saver_slots import saved_optimizer
from upgrader.native.save_paths import bound_path, save_path, split_save_path, unmanaged
from upgrader.native.graphs import _creates_variables
from upgrader.native.model import Entity, Program
from upgrader.native.projector import uses_projector
from upgrader.native.local_savers import saver_text, use_text


STATE_READERS = ("tf.train.latest_checkpoint", "tf.train.get_checkpoint_state")


class NativeSaver(NativeRule):
    """Checkpoint the program's variables (and Keras layers) by their Python names.

    saver = tf.train.Saver()                 ->  saver = tf.train.Checkpoint(W=W, b=b)
    path = saver.save(sess, prefix)          ->  path = saver.write(prefix)
    saver.restore(sess, path)                ->  saver.restore(path)

    With max_to_keep= (or tf.train.latest_checkpoint in the file) and save sites all writing
    `os.path.join(d, "model")` with global_step=, a CheckpointManager keeps the newest N and the state file:
    saver = tf.train.Saver(max_to_keep=2)    ->  saver = tf.train.Checkpoint(W=W)
                                                 saver_manager = tf.train.CheckpointManager(saver, d, max_to_keep=2, checkpoint_name="model")
    saver.save(sess, os.path.join(d, "model"), global_step=i)  ->  saver_manager.save(checkpoint_number=i)
    """

    DESCRIPTION = "train.Saver -> tf.train.Checkpoint; saver.save/restore(sess, path) -> write/restore(path)"
    KINDS = frozenset({"saver"})
    PRIORITY = 35
    # NOTE: native output is eager TF2 code, where `tf.train.Checkpoint` means TF2's class; compat mode
    # (without this rule) sends a TF1 `tf.train.Checkpoint` to tf.compat.v1.
    OWNS = frozenset({"tf.train.Checkpoint"})

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.managers: dict[str, str] = {}   # saver name -> its CheckpointManager's name

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
                     if (e.kind == "variable" and not e.alias) or (e.kind == "layer" and any(e.name in t.deps for t in prog.entities.values()))
                     or (e.kind == "varlist" and _creates_variables(prog, e.stmt.value))]   # `W_list = [tf.Variable(...) ...]`
            items = [f"{n}={n}" for n in names]
            # NOTE: Keras 3 does not track a stacked RNN's cells (StackedRNNCells keeps them in a list that
            # tf.train.Checkpoint does not see): the Checkpoint names them, or their weights are not saved
            items += [f"{n}_cells=list({n}.cell.cells)" for n in names if (e := prog.entities[n]).kind == "layer"
                      and (prog.call_key(getattr(e.stmt, "value", None)) or "").endswith(".MultiRNNCell")]
        elif isinstance(var_list, (ast.List, ast.Tuple)) and all(isinstance(v, ast.Name) for v in var_list.elts):
            items = [f"{v.id}={v.id}" for v in var_list.elts]
        elif isinstance(var_list, ast.Dict) and all(isinstance(k, ast.Constant) and str(k.value).isidentifier()
                                                    for k in var_list.keys):
            items = [f"{k.value}={edit.text(v)}" for k, v in zip(var_list.keys, var_list.values)]
        else:
            raise Blocked(call.lineno, "tf.train.Saver var_list native mode cannot name statically")
        stateful = next((k for n in ast.walk(prog.tree) if (k := prog.call_key(n) or "").startswith("tf.train.")
                         and k.endswith("Optimizer") and k != "tf.train.GradientDescentOptimizer"), None)
        if stateful and var_list is None and (opt := saved_optimizer(prog, stmt, edit)) is not None:
            items.append(f"optimizer={opt}")   # NOTE: TF1 saved and restored its slots (Adam's m and v) too
        elif stateful and var_list is None and _reads_state(prog):   # NOTE: a var_list saved only those
            raise Blocked(call.lineno, f"the Saver restores a checkpoint: TF1 saved and restores every global "
                                       f"variable, the {stateful}'s slots too; the Checkpoint holds the variables only")
        self.change("tf.train.Saver -> tf.train.Checkpoint")
        text = f"{entity.name} = {edit.tfx('train.Checkpoint')}({', '.join(items)})"
        managed = self._manager(prog, entity, edit)
        if managed is not None:
            directory, name, manager = managed
            keep = edit.text(given["max_to_keep"]) if "max_to_keep" in given else "5"   # NOTE: TF1 Saver's default
            self.change(f"Saver(max_to_keep={keep}) -> tf.train.CheckpointManager")
            pad = " " * stmt.col_offset   # NOTE: a Saver made in the session's block keeps the block's indentation
            return text + f"\n{pad}{manager} = {edit.tfx('train.CheckpointManager')}({entity.name}, {directory}, " \
                          f"max_to_keep={keep}, checkpoint_name={name})"
        if "max_to_keep" in given:
            self.warn(f"line {call.lineno}: Saver(max_to_keep=...) dropped: Checkpoint.write keeps every checkpoint "
                      "(save with global_step= to os.path.join(dir, name) to get a tf.train.CheckpointManager)")
        return text

    def _manager(self, prog: Program, saver: Entity, edit: Editor) -> tuple[str, str, str] | None:
        """(directory, checkpoint_name, manager name) when the saver's one save site maps onto a CheckpointManager."""
        call = saver.stmt.value
        wanted = any(k.arg == "max_to_keep" for k in call.keywords) or len(call.args) > 3 or _reads_state(prog) or any(
            uses_projector(prog.call_key(n)) for n in ast.walk(prog.tree))   # NOTE: it finds checkpoints by the state file
        saves = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == "save" and isinstance(n.func.value, ast.Name) and n.func.value.id == saver.name]
        if not wanted:
            return None
        why = unmanaged(prog, saver.name, saver.stmt.lineno, saves)
        if why is None:
            path = bound_path(prog.tree, save_path(saves[0]))
            if isinstance(path, ast.Constant):
                head, _, tail = path.value.rpartition("/")
                directory, name = json.dumps(head or "."), json.dumps(tail)
            else:   # native/save_paths.py: os.path.join(d, "m"), d + "/m", f"{d}/m", "%s/m" % d
                folder, file = split_save_path(path)
                directory, name = edit.text(folder), json.dumps(file)
            manager = f"{saver.name}_manager"
            while not edit.free(manager):
                manager += "_"
            self.managers[saver.name] = manager
            return directory, name, manager
        if (reader := _reads_state(prog)) is not None:
            raise Blocked(saver.stmt.lineno, f"{reader} needs a CheckpointManager, but {why}")
        return None

    def edit_call(self, prog: Program, call: ast.Call, edit: Editor) -> str | None:
        f = call.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and prog.kind(f.value.id) == "saver"):
            local = saver_text if prog.call_key(call) == "tf.train.Saver" else use_text   # native/local_savers.py
            return local(prog, call, edit)
        names = {"save": ("sess", "save_path", "global_step"), "restore": ("sess", "save_path")}.get(f.attr)
        given = dict(zip(names or (), call.args)) | {k.arg: k.value for k in call.keywords}
        if names is None or set(given) - set(names) or "save_path" not in given:
            raise Blocked(call.lineno, f"{f.value.id}.{f.attr}(...) is not converted natively")
        path = edit.text(given["save_path"])
        if f.attr == "restore":
            return f"{f.value.id}.restore({path})"
        step = given.get("global_step")
        manager = self.managers.get(f.value.id)
        if manager is not None:
            value = f"{step.id}.numpy()" if isinstance(step, ast.Name) and prog.kind(step.id) == "variable" else edit.text(step)
            return f"{manager}.save(checkpoint_number={value})"
        if step is not None:
            value = f"{step.id}.numpy()" if isinstance(step, ast.Name) and prog.kind(step.id) == "variable" else edit.text(step)
            path = f'"%s-%d" % ({path}, {value})'
        return f"{f.value.id}.write({path})"


def _reads_state(prog: Program) -> str | None:
    """The call reading the checkpoint state file TF1's Saver.save updated (a CheckpointManager writes it too)."""
    return next((k for n in ast.walk(prog.tree) if (k := prog.call_key(n)) in STATE_READERS), None)
