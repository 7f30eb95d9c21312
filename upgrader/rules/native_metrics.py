"""`tf.metrics.*` streaming metrics become Keras metric objects, created once and updated by the tensor's function."""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor, NativeRule, def_params, indent
from upgrader.native.model import Entity, Program
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import prologue

# TF1 metric -> (Keras class, TF1 positional parameters, the ones update_state takes, in its order)
METRICS = {"tf.metrics.accuracy": ("Accuracy", ("labels", "predictions", "weights"), ("labels", "predictions")),
           "tf.metrics.mean": ("Mean", ("values", "weights"), ("values",))}
INTEGER = frozenset({"tf.argmax", "tf.math.argmax", "tf.argmin", "tf.math.argmin"})


def metric_call(prog: Program, stmt: ast.stmt) -> tuple[ast.Call, int] | None:
    """`name = tf.metrics.accuracy(...)[i]` -> (the call, i), else None."""
    value = stmt.value if isinstance(stmt, ast.Assign) else None
    if not (isinstance(value, ast.Subscript) and isinstance(value.value, ast.Call)
            and prog.call_key(value.value) in METRICS):
        return None
    index = value.slice
    return value.value, index.value if isinstance(index, ast.Constant) and index.value in (0, 1) else -1


class NativeMetrics(NativeRule):
    """A TF1 metric's update op becomes a Keras metric updated and read in the tensor's function.

    acc = tf.metrics.accuracy(labels=y, predictions=tf.argmax(out, 1))[1]  ->  acc_metric = tf.keras.metrics.Accuracy()

                                                                               def acc(x, y):
                                                                                   acc_metric.update_state(y, tf.argmax(out(x), 1))
                                                                                   return acc_metric.result()

    TF1 keeps the running total and count in local variables (local_variables_initializer starts them at 0), and
    each run of the update op adds one batch and returns the new mean: update_state then result() does the same.
    """

    DESCRIPTION = "tf.metrics update ops -> Keras metric objects (update_state, result) created once"
    KINDS = frozenset({"tensor"})
    PRIORITY = 17

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if entity is None or entity.kind != "tensor" or (found := metric_call(prog, stmt)) is None:
            return None
        call, index = found
        key = prog.call_key(call)
        cls, positional, update = METRICS[key]
        if index != 1:
            raise Blocked(stmt.lineno, f"{key}(...)[{ast.unparse(stmt.value.slice)}]: only the update op ([1]) is "
                                       "converted; the value op reads the metric without updating it (keep the metric "
                                       "object and call result())")
        if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args) or len(
                call.args) > len(positional):
            raise Blocked(call.lineno, f"{key} with *args/**kwargs or extra positional arguments")
        given = dict(zip(positional, call.args)) | {k.arg: k.value for k in call.keywords}
        extra = sorted(set(given) - set(positional) - {"name"})
        if extra or any(p not in given for p in update):
            raise Blocked(call.lineno, f"{key}: {', '.join(extra) or 'missing arguments'} not converted natively "
                                       "(metrics_collections/updates_collections have no Keras form)")
        if cls == "Accuracy" and prog.call_key(given["predictions"]) not in INTEGER:
            raise Blocked(call.lineno, f"{key}: TF1 casts the predictions to the labels' dtype, Keras the labels to "
                                       "the predictions'; converted when the predictions are a tf.argmax")
        if not entity.params:
            raise Blocked(stmt.lineno, f"{key} of no placeholder: TF2 would update it once, eagerly, not per run")
        metric = f"{entity.name}_metric"
        while not edit.free(metric):
            metric += "_"
        args = [expression(prog, given[p], edit) for p in update]
        if "weights" in given:
            args.append(f"sample_weight={expression(prog, given['weights'], edit)}")
        name = f"name={edit.text(given['name'])}" if "name" in given else ""
        body = prologue(prog, entity, edit) + [f"{metric}.update_state({', '.join(args)})", f"return {metric}.result()"]
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(f"{key} update op '{entity.name}' -> Keras metric '{metric}', updated in {entity.func}()")
        return (f"{metric} = {edit.tfx('keras.metrics.' + cls)}({name})\n\n\n"
                f"def {entity.func}({def_params(prog, entity)}):\n" + indent("\n".join(body)))
