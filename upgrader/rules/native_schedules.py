"""`tf.train.exponential_decay(lr, global_step, ...)` and friends become Keras learning-rate schedules."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.model import SCHEDULES, Entity, Program

# TF1 parameters in order ("step" is the global step, dropped: the optimizer passes its iteration count)
PARAMS = {
    "ExponentialDecay": ("initial_learning_rate", "step", "decay_steps", "decay_rate", "staircase", "name"),
    "InverseTimeDecay": ("initial_learning_rate", "step", "decay_steps", "decay_rate", "staircase", "name"),
    "PolynomialDecay": ("initial_learning_rate", "step", "decay_steps", "end_learning_rate", "power", "cycle", "name"),
    "CosineDecay": ("initial_learning_rate", "step", "decay_steps", "alpha", "name"),
    "PiecewiseConstantDecay": ("step", "boundaries", "values", "name"),
}
RENAMED = {"learning_rate": "initial_learning_rate", "global_step": "step", "x": "step"}
# TF1 defaults that differ from Keras's
DEFAULTS = {"PolynomialDecay": {"end_learning_rate": "0.0001"}}


class NativeSchedules(NativeRule):
    """Replace a decayed learning-rate tensor with a schedule object, evaluated at the global step where fetched.

    lr = tf.train.exponential_decay(0.1, global_step, 5, 0.5, staircase=True)
    ->  lr = tf.keras.optimizers.schedules.ExponentialDecay(0.1, 5, 0.5, staircase=True)
        (sess.run(lr) -> lr(global_step).numpy(); the optimizer calls it with its iteration count)
    """

    DESCRIPTION = "exponential_decay & friends -> tf.keras.optimizers.schedules; fetched values use the global step"
    KINDS = frozenset({"schedule", "variable"})
    PRIORITY = 25

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is not None and prog.call_key(getattr(stmt, "value", None)) == "tf.train.get_or_create_global_step":
            self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
            self.change("get_or_create_global_step -> an int64 step Variable (advanced by the training step)")
            return (f'{entity.name} = {edit.tfx("Variable")}(0, trainable=False, dtype={edit.tfx("int64")}, '
                    'name="global_step")')
        if entity is None or entity.kind != "schedule":
            return None
        call = stmt.value
        cls = SCHEDULES[prog.call_key(call) or ""]
        if any(k.arg is None for k in call.keywords) or len(call.args) > len(PARAMS[cls]):
            raise Blocked(call.lineno, f"{cls}: arguments native mode cannot map")
        given = dict(zip(PARAMS[cls], call.args)) | {RENAMED.get(k.arg, k.arg): k.value for k in call.keywords}
        if set(given) - set(PARAMS[cls]):
            raise Blocked(call.lineno, f"{cls}: arguments {sorted(set(given) - set(PARAMS[cls]))} not converted")
        keywords = {RENAMED.get(k.arg, k.arg) for k in call.keywords}
        step = given.pop("step").id
        _check_step(prog, prog.entities[step], call.lineno)
        given.pop("name", None)
        args, positional = [], True
        for p in PARAMS[cls]:
            positional = positional and p not in keywords
            if p in given:
                args.append(edit.text(given[p]) if positional else f"{p}={edit.text(given[p])}")
            elif p in DEFAULTS.get(cls, {}):
                args.append(f"{p}={DEFAULTS[cls][p]}")
                positional = False
            elif p != "step":
                positional = False
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(f"{prog.call_key(call)} -> tf.keras.optimizers.schedules.{cls}")
        self.warn(f"line {stmt.lineno}: the optimizer evaluates '{entity.name}' at its own iteration count, "
                  f"which equals '{step}' while '{step}' only advances once per training step", once=True)
        return f"{entity.name} = {edit.tfx('keras.optimizers.schedules.' + cls)}({', '.join(args)})"


def _check_step(prog: Program, step: Entity, line: int) -> None:
    """The optimizer's iteration count starts at 0: the global step must too."""
    call = step.stmt.value
    if prog.call_key(call) == "tf.train.get_or_create_global_step":
        return
    init = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "initial_value"), None)
    if not (isinstance(init, ast.Constant) and init.value == 0):
        raise Blocked(line, f"learning-rate schedule on '{step.name}', which does not start at 0")
