"""`tf.estimator.train_and_evaluate` with TrainSpec/EvalSpec, and numpy_input_fn, in a native Estimator conversion.

    tf.estimator.train_and_evaluate(est, tf.estimator.TrainSpec(train_fn, max_steps=100), eval_spec)
    ->  Estimator.train_and_evaluate(est, dict(input_fn=train_fn, max_steps=100), eval_spec)

Locally (one process) TensorFlow trains to max_steps, evaluating after checkpoints, and returns the last
evaluation: the converted Estimator trains, then evaluates once, which gives that last evaluation. Hooks and
exporters run only under tf.estimator, so a spec with them raises `Blocked` (TrainSpec hooks: estimator_hooks.py).
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked, Editor
from upgrader.native.model import Program

SPECS = {"TrainSpec": ("input_fn", "max_steps", "hooks"),
         "EvalSpec": ("input_fn", "steps", "name", "hooks", "exporters", "start_delay_secs", "throttle_secs")}
CONVERTED = {"TrainSpec": {"input_fn", "max_steps", "hooks"}, "EvalSpec": {"input_fn", "steps", "name", "start_delay_secs", "throttle_secs"}}


def spec_edits(prog: Program, tree: ast.Module) -> tuple[list[tuple[ast.AST, str]], set[int]]:
    """Edits (an ast.arg node: insert before its position) and the ids of Estimators passed to train_and_evaluate."""
    edits: list[tuple[ast.AST, str]] = []
    passed: set[int] = set()
    for node in ast.walk(tree):
        key = prog.call_key(node) if isinstance(node, ast.Call) else None
        name = (key or "").rsplit(".", 1)[-1]
        if key in ("tf.estimator.TrainSpec", "tf.estimator.EvalSpec"):
            given = dict(zip(SPECS[name], node.args)) | {k.arg: k.value for k in node.keywords}
            extra = {k or "**" for k, v in given.items() if k not in CONVERTED[name]
                     and not (isinstance(v, ast.Constant) and v.value is None)}
            if extra or any(isinstance(a, ast.Starred) for a in node.args):
                raise Blocked(node.lineno, f"tf.estimator.{name} arguments {sorted(extra)} have no native form (evaluation "
                                           "hooks and exporters run only under tf.estimator: use `tfcompat run`)")
            edits.append((node.func, "dict"))
            edits += [(ast.arg("", lineno=a.lineno, col_offset=a.col_offset, end_lineno=a.lineno,
                               end_col_offset=a.col_offset), f"{k}=") for k, a in zip(SPECS[name], node.args)]
        elif key == "tf.estimator.train_and_evaluate":
            names = ("estimator", "train_spec", "eval_spec")
            given = dict(zip(names, node.args)) | {k.arg: k.value for k in node.keywords}
            if set(given) != set(names):
                raise Blocked(node.lineno, "tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec) expected")
            edits.append((node.func, "Estimator.train_and_evaluate"))
            passed.add(id(given["estimator"]))
    return edits, passed


def check_warm_start(plan) -> None:
    """warm_start_from restores trainable variables by TF1 name: exact for tf.get_variable models and canned ones
    (their names are TF 1.15's), not for tf.layers, whose Keras layers name their variables by another rule."""
    for node in ast.walk(plan.prog.tree):
        if not (isinstance(node, ast.Call) and plan.prog.call_key(node) == "tf.estimator.Estimator"):
            continue
        given = dict(zip(("model_fn", "model_dir", "config", "params", "warm_start_from"), node.args)) | {
            k.arg: k.value for k in node.keywords}
        fn = given.get("model_fn")
        model = plan.model_fns.get(fn.id) if isinstance(fn, ast.Name) else None
        if given.get("warm_start_from") is not None and model is not None and model.layers:
            raise Blocked(node.lineno, f"warm_start_from with tf.layers in model_fn '{model.fn.name}': their Keras layers "
                                       "name variables otherwise than TF1 did, so restoring by name is not exact "
                                       "(name the variables with tf.get_variable, or use `tfcompat run`)")


def numpy_dataset(prog: Program, edit: Editor, call: ast.Call) -> str:
    """numpy_input_fn(x, y, batch_size=4, num_epochs=None, shuffle=False) -> the tf.data.Dataset it read."""
    names = ("x", "y", "batch_size", "num_epochs", "shuffle", "queue_capacity", "num_threads")
    given = dict(zip(names, call.args)) | {k.arg: k.value for k in call.keywords}
    if None in given or set(given) - set(names):
        raise Blocked(call.lineno, f"numpy_input_fn arguments {sorted(k or '**' for k in set(given) - set(names))}")
    text = {k: edit.text(v) for k, v in given.items()}
    y = text.get("y", "None")
    data = text["x"] if y == "None" else f"({text['x']}, {y})"
    out = f"{edit.tf}.data.Dataset.from_tensor_slices({data})"
    shuffle = given.get("shuffle")
    if not isinstance(shuffle, ast.Constant) or shuffle.value not in (True, False):
        raise Blocked(call.lineno, "numpy_input_fn needs shuffle=True or shuffle=False (a literal)")
    if shuffle.value:
        out += f".shuffle({text.get('queue_capacity', '1000')})"
    epochs = text.get("num_epochs", "1")
    out += "" if epochs == "1" else ".repeat()" if epochs == "None" else f".repeat({epochs})"
    return out + f".batch({text.get('batch_size', '128')})"
