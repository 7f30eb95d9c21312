"""`optimizer.minimize(loss)` becomes a `tf.function` GradientTape step with the Keras optimizer that keeps the numbers."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, call_text, indent
from upgrader.native.gradients import arguments, source, steps
from upgrader.native.graphs import spread
from upgrader.native.joint_steps import StepParts, joint_steps, only_joint
from upgrader.native.model import Entity, Program
from upgrader.native.optimizers import OPTIMIZERS, POSITIONAL, build_line, hyperparameter, later_user, shared
from upgrader.native.module_lists import var_list
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import signature


class NativeMinimize(NativeRule):
    """Replace a TF1 optimizer and its `minimize` op with a Keras optimizer and a GradientTape train step.

    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    ->  optimizer = tf.keras.optimizers.SGD(0.1)

        @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)])
        def train(X):
            with tf.GradientTape() as tape:
                loss_value = loss(X)
            ...
            optimizer.apply_gradients(zip(gradients, variables))
            return loss_value
    """

    DESCRIPTION = "minimize -> GradientTape + apply_gradients; TF1 optimizers -> Keras with the same numbers"
    KINDS = frozenset({"optimizer", "train", "gradients", "steps"})
    PRIORITY = 30

    def optimizer(self, prog: Program, call: ast.Call, edit: Editor) -> str:
        name = (prog.call_key(call) or "").rsplit(".", 1)[-1]
        if name not in OPTIMIZERS or any(k.arg is None for k in call.keywords):
            raise Blocked(call.lineno, f"tf.train.{name} has no native mapping")
        cls, names, defaults, warning = OPTIMIZERS[name]
        given = dict(zip(POSITIONAL[name], call.args)) | {k.arg: k.value for k in call.keywords}
        if len(call.args) > len(POSITIONAL[name]) or any(k not in names and k not in ("name", "use_locking") for k in given):
            raise Blocked(call.lineno, f"tf.train.{name}: arguments {sorted(set(given) - set(names))} have no Keras form")
        args = [f"{names[k]}={hyperparameter(prog, v, edit.text(v))}" for k, v in given.items() if k in names]
        args += [f"{names.get(k, k)}={v}" for k, v in defaults.items() if k not in given]
        if args and args[0].startswith("learning_rate=") and "learning_rate" in given:
            args[0] = args[0][len("learning_rate="):]
        self.ctx.line, self.ctx.col = call.lineno, call.col_offset
        self.change(f"tf.train.{name} -> tf.keras.optimizers.{cls}")
        if warning:
            self.warn(warning)
        if name == "AdagradOptimizer":
            self.warn("AdagradOptimizer adds no epsilon; Keras Adagrad is given epsilon=0.0 to match")
        return f"{edit.tfx('keras.optimizers.' + cls)}({', '.join(args)})"

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind not in self.KINDS:
            return None
        if entity.kind == "optimizer":
            return f"{entity.name} = {self.optimizer(prog, stmt.value, edit)}"
        if entity.kind in ("gradients", "steps"):
            return ""   # written inside the training step (see _apply), or a group's joint step (native/joint_steps.py)
        call = stmt.value
        owner = call.func.value
        lines: list[str] = []
        one = isinstance(owner, ast.Name) and shared(prog, owner.id)   # one Keras optimizer for all (optimizers.py)
        if isinstance(owner, ast.Name) and later_user(prog, entity, owner.id) and not one:
            # NOTE: a Keras optimizer builds its slots at its first apply: ops over layers get one each.
            opt = edit.claim(next(n for i in range(9) if edit.free(n := f"{entity.func}_optimizer" + "_" * i)))
            lines.append(f"{opt} = {self.optimizer(prog, prog.entities[owner.id].stmt.value, edit)}\n\n\n")
            if (prog.call_key(prog.entities[owner.id].stmt.value) or "").endswith("AdamOptimizer"):
                self.warn(f"'{owner.id}' (AdamOptimizer) trains Keras layers in several ops: each op gets a Keras Adam "
                          "counting its own steps, where TF1's beta powers advanced on every op's update")
        elif isinstance(owner, ast.Name):
            opt = owner.id
        else:
            opt = edit.claim("optimizer" if edit.free("optimizer", entity) else f"{entity.func}_optimizer")
            lines.append(f"{opt} = {self.optimizer(prog, owner, edit)}\n\n\n")
        given = arguments(prog, entity)
        if call.func.attr == "apply_gradients":
            update = lambda x: self._apply(prog, entity, opt, edit, x)   # noqa: E731
        else:
            update = lambda x: [f"gradients{x} = tape.gradient(loss_value{x}, variables{x})",   # noqa: E731
                                f"{opt}.apply_gradients(zip(gradients{x}, variables{x}))"]
        given.pop("grads_and_vars", None)
        if set(given) - {"loss", "global_step", "var_list", "name"} or "loss" not in given:
            raise Blocked(call.lineno, f"minimize arguments {sorted(set(given) - {'loss', 'global_step', 'var_list', 'name'})} not converted")
        variables = (var_list(prog, given["var_list"]) or expression(prog, given["var_list"], edit)) if (
            "var_list" in given) else "[" + ", ".join(
            f"*{v}.trainable_variables" if prog.kind(v) == "layer" else spread(prog, v) if prog.kind(v) == "varlist" else v
            for v in entity.variables if prog.kind(v) in ("layer", "varlist") or _trainable(prog.entities[v])) + "]"
        if variables == "[]":   # NOTE: TF1 raises "No variables to optimize"; an empty step would train nothing
            raise Blocked(call.lineno, f"'{entity.name}': the analysis found no variable its loss depends on")
        lines.append(build_line(prog, entity, opt, variables) if one else "")
        parts = StepParts([call_text(prog.entities[d]) for d in entity.first], expression(prog, given["loss"], edit),
                          variables, update, [f"{edit.text(given['global_step'])}.assign_add(1)"] if "global_step" in given else [])
        body = parts.first + [f"with {edit.tfx('GradientTape')}() as tape:", f"    loss_value = {parts.loss}",
                              f"variables = {variables}"] + update("") + parts.after + ["return loss_value"]
        params = ", ".join(entity.params)
        flags = [p for p in entity.params if p in prog.flags]   # Python bools: each value traces once, no TensorSpec
        decorator = edit.tfx("function") + ("" if flags else f"(input_signature={signature(prog, entity.params, edit)})")
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        # NOTE: training ops one sess.run fetches together also get one step taking all gradients first (native/joint_steps.py)
        joint = joint_steps(prog, entity, parts, edit, lambda ps: signature(prog, ps, edit))
        if only_joint(prog, entity.name):   # never run alone: the joint step is its only code
            return ("".join(lines) + joint.lstrip("\n")).strip("\n")
        self.change(f"'{entity.name}' (minimize) becomes the tf.function {entity.func}({params}) with a GradientTape")
        return "".join(lines) + f"@{decorator}\ndef {entity.func}({params}):\n" + indent("\n".join(body)) + joint


    @staticmethod
    def _apply(prog: Program, entity: Entity, opt: str, edit: Editor, x: str = "") -> list[str]:
        """compute_gradients / tf.gradients -> the user's edits -> apply_gradients, all inside the step.

        `x` suffixes the step's own names (loss_value_1) where a joint step holds several (native/joint_steps.py).
        """
        compute = source(prog, entity.stmt.value)
        taken = f"tape.gradient(loss_value{x}, variables{x})"
        body = [] if prog.call_key(compute) == "tf.gradients" else [f"gradients{x} = {taken}"]
        done: set[int] = set()
        for g in steps(prog, entity):
            if id(g.stmt) in done:
                continue
            done.add(id(g.stmt))
            if g.stmt.value is compute:
                value = taken if not body else f"list(zip(gradients{x}, variables{x}))"
            else:
                value = expression(prog, g.stmt.value, edit).replace(expression(prog, compute, edit), taken)
            body.append(f"{edit.text(g.stmt.targets[0])} = {value}")
        grads_and_vars = arguments(prog, entity)["grads_and_vars"]
        body.append(f"{opt}.apply_gradients({expression(prog, grads_and_vars, edit)})")
        return body


def _trainable(var: Entity) -> bool:
    call = var.stmt.value
    flag = next((k.value for k in call.keywords if k.arg == "trainable"), None)
    step = isinstance(call.func, ast.Attribute) and call.func.attr == "get_or_create_global_step"
    return not (isinstance(flag, ast.Constant) and flag.value is False) and not step

