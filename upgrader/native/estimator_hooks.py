"""Hooks given to a converted Estimator's train (or TrainSpec), or made by its model_fn, in native mode.

    hook = tf.train.LoggingTensorHook({"loss": "loss_value"}, every_n_iter=10)    ->  hook = LoggingTensorHook(...)
    est.train(input_fn, hooks=[hook, tf.train.StopAtStepHook(last_step=500)])     ->  (unchanged)

The hooks become the small TF2 classes of estimator_hook_text.py, which the converted Estimator's training
loop calls around each step as TF's MonitoredSession did: the logging hook logs (tf.get_logger(), or its
formatter) the values of the model_fn tensors its names refer to, every_n_iter steps or every_n_secs seconds
from the first step; the stop hook ends training once global_step reaches last_step (or num_steps more than
when it first ran); CheckpointSaverHook saves through a tf.train.CheckpointManager; NanTensorHook and a
logged tf.metrics update op (`acc[1]`) work when the model_fn makes them. A name must be that of a model_fn
statement's op (`mae = tf.reduce_mean(err, name="mae")`): the model returns those values from its train step.
A user's SessionRunHook subclass is respelt by estimator_custom_hooks.py. Other hooks and names native mode
cannot find raise `Blocked`.
"""
from __future__ import annotations

import ast
import json

from upgrader.native.base import Blocked
from upgrader.native.estimator_custom_hooks import custom_hook_edits
from upgrader.native.estimator_hook_text import HOOK_CLASSES  # noqa: F401  (rules/native_estimator.py's text)

HOOKS = {"LoggingTensorHook": ("tensors", "every_n_iter", "every_n_secs", "at_end", "formatter"),
         "StopAtStepHook": ("num_steps", "last_step"), "NanTensorHook": ("loss_tensor", "fail_on_nan_loss"),
         "CheckpointSaverHook": ("checkpoint_dir", "save_secs", "save_steps", "saver", "checkpoint_basename", "scaffold",
                                 "listeners", "save_graph_def")}
SAVER_ARGS = {"saver", "scaffold", "listeners"}   # a TF1 Saver or listeners: no native form (save_graph_def: no graph)
KEYS = {f"tf.{where}.{name}": name for where in ("train", "estimator") for name in HOOKS}
BASES = ("tf.train.SessionRunHook", "tf.estimator.SessionRunHook")


def hook_edits(plan) -> list[tuple[ast.AST, str]]:
    """Edits renaming the hook constructions; records on each ModelFn the named tensors its train step returns."""
    prog, edits, names, custom = plan.prog, [], {}, False
    fns = [fn.fn for fn in plan.model_fns.values()]
    spec_named, handled = {}, set()   # id(return) -> {name: tensor text}; ids of the EstimatorSpec hook calls
    for fn in plan.model_fns.values():
        for ret, hooks in fn.spec_hooks:
            handled |= _spec_hooks(prog, fn, ret, hooks, spec_named.setdefault(id(ret), {}), plan.edit.tf)
    for node in ast.walk(prog.tree):
        if isinstance(node, ast.ClassDef) and any(prog.key(b) in BASES for b in node.bases):
            edits += custom_hook_edits(prog, node)
            custom = True
        key = prog.call_key(node) if isinstance(node, ast.Call) else None
        name = KEYS.get(key or "")
        if name is None and (key or "").startswith(("tf.train.", "tf.estimator.")) and key.endswith("Hook"):
            raise Blocked(node.lineno, f"{key} has no native form in a converted Estimator (converted: LoggingTensorHook, "
                                       "StopAtStepHook, NanTensorHook, CheckpointSaverHook, SessionRunHook subclasses)")
        if name is None or id(node) in handled:
            continue
        if any(fn.lineno <= node.lineno <= fn.end_lineno for fn in fns):
            raise Blocked(node.lineno, f"a {name} made in a model_fn has no native form (give it to train(hooks=...))")
        if name == "NanTensorHook":
            raise Blocked(node.lineno, "a NanTensorHook converts when the model_fn makes it, in "
                                       "EstimatorSpec(training_hooks=[...]) (the converted model returns its loss)")
        given = _arguments(name, node)
        if name == "LoggingTensorHook":
            names.update({n: node.lineno for n in _tensor_names(node, given.get("tensors"))})
        edits.append((node.func, name))
    for name, line in names.items():
        found = False
        for fn in plan.model_fns.values():
            for stmt in fn.fn.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and \
                        isinstance(stmt.value, ast.Call) and any(k.arg == "name" and isinstance(k.value, ast.Constant) and
                                                                 k.value.value == name for k in stmt.value.keywords):
                    fn.named[name], found = stmt.targets[0].id, True
                    _before_returns(fn, stmt, name)
        if not found:
            raise Blocked(line, f"LoggingTensorHook names tensor '{name}', which no model_fn statement makes "
                                f"(`x = tf.identity(value, name=\"{name}\")` in the model_fn gives it that name)")
    for fn in plan.model_fns.values():
        returns = []
        for ret, text in fn.returns:
            named = {**fn.named, **spec_named.get(id(ret), {})} if ret in fn.loss_returns else {}
            returns.append((ret, text + (", {" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in sorted(named.items())) + "}"
                                         if named else "")))
        fn.returns = returns
    plan.hooks = bool(edits) or custom or any(fn.hook_texts for fn in plan.model_fns.values())
    return edits


def _arguments(name: str, call: ast.Call) -> dict[str, ast.expr]:
    given = dict(zip(HOOKS[name], call.args)) | {k.arg: k.value for k in call.keywords}
    if None in given or set(given) - set(HOOKS[name]) or any(isinstance(a, ast.Starred) for a in call.args):
        raise Blocked(call.lineno, f"{name} arguments {sorted(k or '**' for k in given)} have no native form")
    if name == "CheckpointSaverHook" and set(given) & SAVER_ARGS:
        raise Blocked(call.lineno, f"CheckpointSaverHook arguments {sorted(set(given) & SAVER_ARGS)} have no native form "
                                   "(converted: checkpoint_dir, save_secs/save_steps, checkpoint_basename)")
    if name == "CheckpointSaverHook" and "save_graph_def" in given:
        del given["save_graph_def"]   # NOTE: TF2 checkpoints have no graph to write
    at_end = given.get("at_end")
    if at_end is not None and not (isinstance(at_end, ast.Constant) and at_end.value in (False, None)):
        raise Blocked(call.lineno, "LoggingTensorHook(at_end=True) has no native form (it reads a new batch at the end)")
    return given


def _spec_hooks(prog, fn, ret: ast.Return, hooks: ast.expr, named: dict[str, str], tf: str) -> set[int]:
    """EstimatorSpec(training_hooks=[...]) -> fn.hook_texts (built in the model's training_hooks()), the tensors they
    log added to `named` (returned by that train return); the ids of the hook calls."""
    from upgrader.native.estimator import _static
    if ret not in fn.loss_returns or not isinstance(hooks, (ast.List, ast.Tuple)):
        raise Blocked(ret.lineno, "EstimatorSpec(training_hooks=...) converts as a list literal on a spec with a loss")
    handled = set()
    for hook in hooks.elts:
        call = hook
        if isinstance(hook, ast.Name):   # logging_hook = tf.train.LoggingTensorHook(...) in the model_fn: it goes
            made = [s for s in ast.walk(fn.fn) if isinstance(s, ast.Assign) and len(s.targets) == 1 and
                    isinstance(s.targets[0], ast.Name) and s.targets[0].id == hook.id]
            call = made[0].value if len(made) == 1 else None
            fn.dropped += made[:1]
        name = KEYS.get(prog.call_key(call) or "") if isinstance(call, ast.Call) else None
        if name is None:
            raise Blocked(hook.lineno, f"the training hook {ast.unparse(hook)[:60]} has no native form (converted: "
                                       "LoggingTensorHook, StopAtStepHook, NanTensorHook, CheckpointSaverHook); run the file with `tfcompat run`")
        handled.add(id(call))
        args = []
        for key, value in _arguments(name, call).items():
            if key == "loss_tensor":   # NanTensorHook(loss): the train step returns the loss under a hook's name
                tag = f"training_hooks/nan_loss_{sum(t.startswith('NanTensorHook') for t in fn.hook_texts)}"
                _metric_value(prog, fn, value, tf)
                named[tag] = ast.get_source_segment(prog.source, value)
                args.insert(0, json.dumps(tag))
            elif key != "tensors":
                _static(prog, fn.fn, value, f"{name}'s {key}")
                args.append(f"{key}={ast.get_source_segment(prog.source, value)}")
            elif not isinstance(value, ast.Dict) or not all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                                            for k in value.keys):
                raise Blocked(call.lineno, "a training hook's LoggingTensorHook(tensors=...) converts as a dict literal "
                                           "{\"tag\": tensor}")
            else:
                metrics = {}
                for k, tensor in zip(value.keys, value.values):
                    metric = _metric_value(prog, fn, tensor, tf)
                    if metric is not None:
                        metrics[k.value] = metric
                    named[f"training_hooks/{k.value}"] = tensor.value.id if metric else \
                        ast.get_source_segment(prog.source, tensor)
                args.insert(0, "{" + ", ".join(f"{json.dumps(k.value)}: {json.dumps('training_hooks/' + k.value)}"
                                               for k in value.keys) + "}")
                if metrics:
                    args.append("metrics={" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in metrics.items()) + "}")
        fn.hook_texts.append(f"{name}({', '.join(args)})")
    return handled


def _metric_value(prog, fn, tensor: ast.expr, tf: str) -> str | None:
    """`acc[1]`, acc = tf.metrics.accuracy(...) one of the eval_metric_ops: the Keras metric a training hook updates
    (TF ran the update op only on the steps the hook fetched it); None: `tensor` reads no tf.metrics value."""
    reads = {n.id for n in ast.walk(tensor) if isinstance(n, ast.Name)}
    for s in ast.walk(fn.fn):
        value = getattr(s, "value", None) if isinstance(s, ast.Assign) else None
        bound = {t.id for t in ast.walk(s.targets[0]) if isinstance(t, ast.Name)} if isinstance(s, ast.Assign) else set()
        if not (isinstance(value, ast.Call) and (prog.call_key(value) or "").startswith("tf.metrics.") and bound & reads):
            continue
        cls = next((c for c, call in fn.metrics.values() if call is value), None)
        if cls is not None and isinstance(tensor, ast.Subscript) and isinstance(tensor.value, ast.Name) and \
                isinstance(tensor.slice, ast.Constant) and tensor.slice.value == 1:
            return f"{tf}.keras.metrics.{cls}"
        raise Blocked(tensor.lineno, f"a training hook logs the tf.metrics value {ast.unparse(tensor)}: native mode "
                                     "converts a metric's update op (metric[1]) when the metric is one of eval_metric_ops")
    return None


def _tensor_names(call: ast.Call, tensors: ast.expr | None) -> list[str]:
    """The graph names a LoggingTensorHook logs ('mae:0' -> 'mae'): a dict or list literal of strings."""
    values = tensors.values if isinstance(tensors, ast.Dict) else tensors.elts if isinstance(tensors, (ast.List, ast.Tuple)) \
        else None
    if values is None or not all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values) or \
            (isinstance(tensors, ast.Dict) and None in tensors.keys):
        raise Blocked(call.lineno, "LoggingTensorHook(tensors=...) converts as a dict or list literal of tensor names")
    out = []
    for v in values:
        name, _, index = v.value.partition(":")
        if index not in ("", "0"):
            raise Blocked(call.lineno, f"LoggingTensorHook names output {index} of '{name}': native mode follows output 0")
        out.append(name)
    return out


def _before_returns(fn, stmt: ast.stmt, name: str) -> None:
    for ret in fn.loss_returns:
        if not stmt.end_lineno < ret.lineno:
            raise Blocked(stmt.lineno, f"the tensor '{name}' is made after the model_fn's train return")
