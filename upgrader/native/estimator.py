"""The analysis behind native Estimator conversion: what a `model_fn` and its Estimator calls are made of.

    plan = analyze_estimators(source, tree)      # None: no tf.estimator here; raises Blocked
    plan.model_fns["model_fn"].variables   ->  [Variable('w', 'w', <tf.get_variable call>)]
    plan.model_fns["model_fn"].metrics     ->  {'mae': ('tf.keras.metrics.Mean()', <call>)}

A `model_fn(features, labels, mode[, params])` converts when its body is straight-line graph code
with `tf.get_variable` statements, `if mode == ModeKeys.X:` branches that return an EstimatorSpec,
one `optimizer.minimize(loss)` statement and `tf.metrics.*` in `eval_metric_ops`; the Estimators
built on it may be driven by train/evaluate/predict and read by get_variable_value & co.
Anything else raises `Blocked` with the reason, and the file stays in compat form.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from upgrader.native.base import Blocked, Editor
from upgrader.native.canned import CANNED, canned_edits
from upgrader.native.estimator_init_checkpoint import init_checkpoint_edits
from upgrader.native.estimator_layers import Layer, find_layers
from upgrader.native.estimator_specs import numpy_dataset, spec_edits
from upgrader.native.estimator_run import upgrade_estimators  # noqa: F401  (run.py's hook)
from upgrader.native.model import Program
from upgrader.scan import collect_aliases

MODES = {"PREDICT": "infer", "TRAIN": "train", "EVAL": "eval"}
MODEL_FN_ARGS = ("features", "labels", "mode", "params")
# tf.metrics.<name> -> (Keras metric, its update_state arguments from TF1's (labels, predictions) or (values,))
METRICS = {
    "accuracy": ("Accuracy()", "{labels}, {predictions}"),
    "mean_absolute_error": ("Mean()", "tf.abs({predictions} - {labels})"),
    "mean_squared_error": ("Mean()", "tf.square({predictions} - {labels})"),
    "root_mean_squared_error": ("RootMeanSquaredError()", "{labels}, {predictions}"),
    "precision": ("Precision()", "{labels}, {predictions}"),
    "recall": ("Recall()", "{labels}, {predictions}"),
    "auc": ("AUC()", "{labels}, {predictions}"),
    "mean": ("Mean()", "{values}"),
}
SPEC_ARGS = ("mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs", "training_chief_hooks",
             "training_hooks", "scaffold", "evaluation_hooks", "prediction_hooks")
METHODS = {"train": {"input_fn", "steps", "max_steps", "hooks"}, "evaluate": {"input_fn", "steps", "name"},
           "predict": {"input_fn", "predict_keys", "yield_single_examples"}, "get_variable_names": set(),
           "get_variable_value": {"name"}, "latest_checkpoint": set()}
CONVERTED = {"tf.estimator.Estimator", "tf.estimator.EstimatorSpec", "tf.estimator.RunConfig",
             "tf.estimator.inputs.numpy_input_fn", "tf.estimator.train_and_evaluate", "tf.estimator.TrainSpec",
             "tf.estimator.EvalSpec", "tf.estimator.LoggingTensorHook", "tf.estimator.StopAtStepHook",
             "tf.estimator.NanTensorHook", "tf.estimator.SessionRunHook", "tf.estimator.SessionRunArgs",
             "tf.estimator.CheckpointSaverHook"} | {
    f"tf.estimator.{name}" for name in CANNED}
GENERATED = {"Estimator", "FeatureColumns", "CannedModel", "AccuracyBaseline", "LoggingTensorHook", "StopAtStepHook",
             "NanTensorHook", "SessionRunHook", "CheckpointSaverHook"} | set(CANNED)
RUN_CONFIG = {"model_dir", "tf_random_seed", "save_checkpoints_steps", "keep_checkpoint_max"}
RUN_CONFIG_IGNORED = {"save_summary_steps", "save_checkpoints_secs", "log_step_count_steps", "session_config"}


@dataclass
class Variable:
    attr: str          # the tf.Module attribute: self.<attr>
    target: str        # the model_fn local it was bound to
    call: ast.Call     # the tf.get_variable call


@dataclass
class ModelFn:
    fn: ast.FunctionDef
    cls: str                                          # the tf.Module class it becomes
    params: bool                                      # takes `params`
    variables: list[Variable] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)              # tf.layers calls -> Keras layers
    optimizer: ast.expr | None = None                 # the TF1 optimizer construction
    dropped: list[ast.stmt] = field(default_factory=list)    # optimizer / minimize statements
    metrics: dict[str, tuple[str, ast.Call]] = field(default_factory=dict)   # key -> (Keras metric, tf.metrics call)
    returns: list[tuple[ast.Return, str]] = field(default_factory=list)     # EstimatorSpec returns -> new return text
    infer_after: tuple[ast.stmt, str] | None = None   # no PREDICT branch: `if mode == "infer": return P` after stmt
    loss_returns: list[ast.Return] = field(default_factory=list)   # the returns of (loss, metrics) in train/eval
    named: dict[str, str] = field(default_factory=dict)   # graph name -> local, for LoggingTensorHook (estimator_hooks.py)
    spec_hooks: list[tuple[ast.Return, ast.expr]] = field(default_factory=list)   # EstimatorSpec(training_hooks=...)
    hook_texts: list[str] = field(default_factory=list)     # those hooks, built by the model's training_hooks()


@dataclass
class EstimatorPlan:
    prog: Program
    edit: Editor
    model_fns: dict[str, ModelFn] = field(default_factory=dict)
    edits: list[tuple[ast.AST, str]] = field(default_factory=list)   # text edits outside model_fns (ast.arg: insert)
    estimator_cls: str = "Estimator"   # NOTE: canned_text.py's functions call it by this name
    canned: bool = False                                             # needs canned_text.py's code
    optimizers: list[ast.Call] = field(default_factory=list)        # tf.train optimizers given to canned estimators
    hooks: bool = False                                              # needs estimator_hooks.py's classes


def uses_estimator(prog: Program) -> bool:
    return any((prog.key(n) or "").startswith("tf.estimator") for n in ast.walk(prog.tree)
               if isinstance(n, (ast.Attribute, ast.Name)))


def analyze_estimators(source: str, tree: ast.Module) -> EstimatorPlan | None:
    """The conversion plan of a file using tf.estimator (None when it does not); raises Blocked."""
    prog = Program(source, tree, collect_aliases(tree))
    if not prog.aliases or not uses_estimator(prog):
        return None
    plan = EstimatorPlan(prog, Editor(prog))
    if not plan.edit.tf:
        raise Blocked(1, "native mode needs `import tensorflow as <name>` to convert tf.estimator code")
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    if taken & GENERATED:   # NOTE: the generated classes refer to each other by these names
        raise Blocked(1, f"the file defines {sorted(taken & GENERATED)}, names the converted Estimator code uses")
    estimators: set[str] = set()
    for node in ast.walk(tree):
        key = prog.call_key(node) if isinstance(node, ast.Call) else None
        if key == "tf.estimator.Estimator":
            fn = _model_fn(prog, node)
            if fn.name not in plan.model_fns:
                plan.model_fns[fn.name] = model_fn_plan(prog, fn, _free(_camel(fn.name), taken))
            plan.edits += [(node.func, plan.estimator_cls), (_arg(node, 0, "model_fn"), plan.model_fns[fn.name].cls)]
            estimators |= _bound_to(tree, node)
        elif key == "tf.estimator.RunConfig":
            plan.edits.append((node.func, "dict"))
            if node.args or not {k.arg for k in node.keywords} <= RUN_CONFIG | RUN_CONFIG_IGNORED:
                raise Blocked(node.lineno, f"RunConfig arguments {sorted({k.arg or '**' for k in node.keywords} - RUN_CONFIG - RUN_CONFIG_IGNORED) or 'given by position'} have no native form")
        elif key == "tf.estimator.inputs.numpy_input_fn":
            plan.edits.append((node, numpy_dataset(prog, plan.edit, node)))
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    for node in sorted((n for n in ast.walk(tree) if isinstance(n, ast.Attribute)), key=lambda n: (n.lineno, n.col_offset)):
        key = prog.key(node)
        if key and key.startswith("tf.estimator.") and not isinstance(parents.get(id(node)), ast.Attribute) and \
                key not in CONVERTED and not key.startswith("tf.estimator.ModeKeys."):
            raise Blocked(node.lineno, f"{key} has no native conversion (native mode converts model_fn Estimators; "
                                       "run the file unchanged with `tfcompat run`)")
        if key and key.startswith("tf.estimator.ModeKeys."):
            plan.edits.append((node, '"%s"' % MODES.get(node.attr, node.attr.lower())))
    fns = [fn.fn for fn in plan.model_fns.values()]
    for node in ast.walk(tree):   # NOTE: a tf.layers call the model_fn makes through a helper would make new layers
        if isinstance(node, ast.Call) and (prog.call_key(node) or "").startswith("tf.layers.") and \
                not any(fn.lineno <= node.lineno <= fn.end_lineno for fn in fns):
            raise Blocked(node.lineno, f"{prog.call_key(node)} outside a model_fn (native mode converts tf.layers "
                                       "calls written in the model_fn itself)")
    canned, bound, plan.optimizers = canned_edits(prog, tree)
    plan.edits += canned
    plan.canned = bool(canned)
    specs, passed = spec_edits(prog, tree)
    plan.edits += specs + init_checkpoint_edits(prog, tree)
    _check_uses(tree, estimators | bound, passed)
    return plan


def model_fn_plan(prog: Program, fn: ast.FunctionDef, cls: str) -> ModelFn:
    """What each statement of `fn`'s body becomes; raises Blocked for what cannot convert."""
    args = [a.arg for a in fn.args.args]
    if fn.args.vararg or fn.args.kwarg or fn.args.kwonlyargs or not set(args) <= set(MODEL_FN_ARGS) or fn.decorator_list:
        raise Blocked(fn.lineno, f"model_fn '{fn.name}' takes {args}: native mode converts "
                                 "model_fn(features, labels, mode[, params]) without decorators")
    plan = ModelFn(fn, cls, "params" in args)
    taken: set[str] = set()
    body = fn.body
    for stmt in body:
        value = getattr(stmt, "value", None)
        key = prog.call_key(value) if isinstance(value, ast.Call) else None
        if key == "tf.get_variable" and isinstance(stmt, ast.Assign) and _single_name(stmt):
            target = stmt.targets[0].id
            attr = _free(target if target.isidentifier() and not target.startswith("_") else "variable", taken)
            taken.add(attr)
            plan.variables.append(Variable(attr, target, value))
            _static(prog, fn, value, "tf.get_variable")
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "minimize":
            _minimize(prog, fn, plan, stmt, value)
        elif key and key.startswith("tf.train.") and key.endswith("Optimizer") and isinstance(stmt, ast.Assign):
            continue   # used by a later minimize (checked there)
        elif isinstance(stmt, ast.If) and _mode_test(prog, stmt.test):
            for inner in ast.walk(stmt):
                if isinstance(inner, ast.Return):
                    plan.returns.append((inner, _spec_return(prog, plan, inner, _mode_test(prog, stmt.test))))
        elif isinstance(stmt, ast.Return):
            plan.returns.append((stmt, _spec_return(prog, plan, stmt, None)))
    gone = {id(n) for s in plan.dropped for n in ast.walk(s)}   # minimize(loss, global_step=get_global_step())
    for node in ast.walk(fn):
        key = prog.call_key(node) if isinstance(node, ast.Call) and id(node) not in gone else None
        if key == "tf.get_variable" and not any(v.call is node for v in plan.variables):
            raise Blocked(node.lineno, "tf.get_variable inside an expression or a nested block of a model_fn")
        if key and key.startswith(("tf.keras.layers.", "tf.variable_scope", "tf.train.get_global_step",
                                   "tf.train.get_or_create_global_step", "tf.Variable", "tf.feature_column")):
            raise Blocked(node.lineno, f"{key} inside model_fn '{fn.name}' (native mode converts tf.get_variable "
                                       "models; run the file with `tfcompat run`)")
        if key and key.startswith("tf.metrics.") and not any(c is node for _, c in plan.metrics.values()):
            raise Blocked(node.lineno, f"{key} is not one of model_fn '{fn.name}''s eval_metric_ops")
        if isinstance(node, ast.Return) and not any(r is node for r, _ in plan.returns) and _owner(fn, node) is fn:
            raise Blocked(node.lineno, f"model_fn '{fn.name}' returns outside a top-level `if mode == ...` branch")
    plan.layers = find_layers(prog, fn, taken)
    for layer in plan.layers:
        inputs = layer.call.args[:1] + [k.value for k in layer.call.keywords if k.arg in ("inputs", "training")]
        if any(prog.call_key(n) and prog.call_key(n).startswith("tf.layers.") for i in inputs for n in ast.walk(i)):
            raise Blocked(layer.call.lineno, "a tf.layers call inside another's arguments: name the inner layer's output")
        for node in layer.call.args[1:] + [k.value for k in layer.call.keywords if k.arg not in ("inputs", "training")]:
            _static(prog, fn, node, f"{prog.call_key(layer.call)}'s argument")
    if plan.optimizer is None:
        raise Blocked(fn.lineno, f"model_fn '{fn.name}' has no `optimizer.minimize(loss)` statement")
    if not isinstance(body[-1], ast.Return):
        raise Blocked(body[-1].lineno, f"model_fn '{fn.name}' does not end with `return EstimatorSpec(...)`")
    return plan


def _minimize(prog: Program, fn: ast.FunctionDef, plan: ModelFn, stmt: ast.stmt, call: ast.Call) -> None:
    if plan.optimizer is not None:
        raise Blocked(stmt.lineno, f"model_fn '{fn.name}' minimizes twice")
    owner = call.func.value
    if isinstance(owner, ast.Name):
        made = [s for s in fn.body if isinstance(s, ast.Assign) and _single_name(s) and s.targets[0].id == owner.id]
        if len(made) != 1 or not (prog.call_key(made[0].value) or "").startswith("tf.train."):
            raise Blocked(stmt.lineno, f"optimizer '{owner.id}' is not built once in model_fn '{fn.name}'")
        plan.dropped.append(made[0])
        owner = made[0].value
    if {k.arg for k in call.keywords} - {"loss", "global_step"} or len(call.args) > 2:
        raise Blocked(stmt.lineno, "minimize with var_list/other arguments in a model_fn has no native form")
    plan.optimizer = owner
    plan.dropped.append(stmt)
    _static(prog, fn, owner, "the optimizer")


def _spec_return(prog: Program, plan: ModelFn, ret: ast.Return, mode: str | None) -> str:
    """`return EstimatorSpec(...)` -> `return predictions` (infer) or `return loss, {metric: arguments}`."""
    call = ret.value
    if not isinstance(call, ast.Call) or prog.call_key(call) != "tf.estimator.EstimatorSpec":
        raise Blocked(ret.lineno, "a model_fn return that is not tf.estimator.EstimatorSpec(...)")
    spec = dict(zip(SPEC_ARGS, call.args)) | {k.arg: k.value for k in call.keywords}
    extra = set(spec) - {"mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs", "training_hooks"}
    if extra or None in spec:
        raise Blocked(ret.lineno, f"EstimatorSpec {sorted(k or '**' for k in extra)} have no native form "
                                  "(hooks run only under tf.estimator: use `tfcompat run`)")
    if mode == "infer" or "loss" not in spec:
        if "predictions" not in spec:
            raise Blocked(ret.lineno, "an EstimatorSpec with neither loss nor predictions")
        return "return " + ast.get_source_segment(prog.source, spec["predictions"])
    metrics = _metric_dict(prog, plan, spec.get("eval_metric_ops"))
    if spec.get("training_hooks") is not None:
        plan.spec_hooks.append((ret, spec["training_hooks"]))
    plan.loss_returns.append(ret)
    if "predictions" in spec and mode is None and "infer" not in [_mode_test(prog, s.test) for s in plan.fn.body
                                                                   if isinstance(s, ast.If)]:
        plan.infer_after = (_last_def(plan.fn, ret, spec["predictions"]),
                            "return " + ast.get_source_segment(prog.source, spec["predictions"]))
    return f"return {ast.get_source_segment(prog.source, spec['loss'])}, {metrics}"


def _metric_dict(prog: Program, plan: ModelFn, node: ast.expr | None) -> str:
    if node is None:
        return "{}"
    if isinstance(node, ast.Name):
        bound = [s.value for s in plan.fn.body if isinstance(s, ast.Assign) and _single_name(s) and s.targets[0].id == node.id]
        if len(bound) != 1 or not isinstance(bound[0], ast.Dict):
            raise Blocked(node.lineno, f"eval_metric_ops '{node.id}' is not one dict literal in the model_fn")
        _metric_entries(prog, plan, bound[0])
        return node.id
    if not isinstance(node, ast.Dict):
        raise Blocked(node.lineno, "eval_metric_ops that is not a dict literal")
    _metric_entries(prog, plan, node)   # NOTE: a name bound to a tf.metrics call is rewritten where it is bound
    return "{" + ", ".join(f"{ast.get_source_segment(prog.source, k)}: "
                           f"{v.id if isinstance(v, ast.Name) else metric_arguments(prog, v)}"
                           for k, v in zip(node.keys, node.values)) + "}"


def _metric_entries(prog: Program, plan: ModelFn, d: ast.Dict) -> None:
    for k, v in zip(d.keys, d.values):
        if isinstance(v, ast.Name):   # acc = tf.metrics.accuracy(...); {"accuracy": acc}
            bound = [s.value for s in plan.fn.body if isinstance(s, ast.Assign) and _single_name(s) and s.targets[0].id == v.id]
            v = bound[0] if len(bound) == 1 else v
        key = prog.call_key(v) if isinstance(v, ast.Call) else None
        if not (isinstance(k, ast.Constant) and isinstance(k.value, str)) or not key or not key.startswith("tf.metrics."):
            raise Blocked(d.lineno, "eval_metric_ops entries must be 'name': tf.metrics.<metric>(...)")
        name = key.rsplit(".", 1)[-1]
        if name not in METRICS or k.value == "loss":
            raise Blocked(v.lineno, f"tf.metrics.{name} has no native mapping (converted: {sorted(METRICS)})")
        plan.metrics[k.value] = (METRICS[name][0], v)


def metric_arguments(prog: Program, call: ast.Call) -> str:
    """`tf.metrics.mean_absolute_error(y, p)` -> `(tf.abs(p - y),)`: its Keras metric's update_state arguments."""
    name = prog.call_key(call).rsplit(".", 1)[-1]
    order = ("values",) if name == "mean" else ("labels", "predictions")
    given = dict(zip(order + ("weights",), call.args)) | {k.arg: k.value for k in call.keywords}
    if set(given) - set(order) - {"weights"} or not set(order) <= set(given):
        raise Blocked(call.lineno, f"tf.metrics.{name} arguments {sorted(k or '**' for k in given)} have no native form")
    text = {k: ast.get_source_segment(prog.source, v) for k, v in given.items()}
    atomic = {k for k, v in given.items() if isinstance(v, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant))}
    args = METRICS[name][1].format(**{k: t if k in atomic else f"({t})" for k, t in text.items()})
    args += f", {text['weights']}" if "weights" in text else ""
    return f"({args})" if "," in args else f"({args},)"


def _model_fn(prog: Program, call: ast.Call) -> ast.FunctionDef:
    node = _arg(call, 0, "model_fn")
    keys = {k.arg for k in call.keywords} - {"model_fn", "model_dir", "config", "params", "warm_start_from"}
    if node is None or len(call.args) > 5 or keys:
        raise Blocked(call.lineno, f"tf.estimator.Estimator arguments {sorted(k or '**' for k in keys) or 'given by position'} have no native form")
    defs = [s for s in prog.tree.body if isinstance(s, ast.FunctionDef) and isinstance(node, ast.Name) and s.name == node.id]
    if len(defs) != 1:
        raise Blocked(call.lineno, "the Estimator's model_fn is not a function defined once at module level")
    uses = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and n.id == node.id]
    if len(uses) != sum(1 for c in ast.walk(prog.tree) if prog.call_key(c) == "tf.estimator.Estimator" and _arg(c, 0, "model_fn") in uses):
        raise Blocked(defs[0].lineno, f"model_fn '{node.id}' is used other than as an Estimator's model_fn")
    return defs[0]


def _check_uses(tree: ast.Module, estimators: set[str], passed: set[int]) -> None:
    """Estimators are only built, driven by the converted class's methods or train_and_evaluate, read for model_dir."""
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and node.id in estimators) or isinstance(node.ctx, ast.Store) or id(node) in passed:
            continue
        attr, call = parents.get(id(node)), None
        if isinstance(attr, ast.Attribute):
            call = parents.get(id(attr))
        if isinstance(attr, ast.Attribute) and attr.attr == "model_dir":
            continue
        if not (isinstance(call, ast.Call) and call.func is attr and attr.attr in METHODS):
            raise Blocked(node.lineno, f"Estimator '{node.id}' is used as {ast.unparse(attr)[:40]}: native mode "
                                       f"converts {sorted(METHODS)} (use `tfcompat run` for the rest)")
        given = {k.arg for k in call.keywords}
        if len(call.args) > (1 if METHODS[attr.attr] else 0) or given - METHODS[attr.attr]:
            raise Blocked(call.lineno, f"{node.id}.{attr.attr} arguments {sorted(k or '**' for k in given - METHODS[attr.attr]) or 'given by position'} have no native form")


def _static(prog: Program, fn: ast.FunctionDef, node: ast.AST, what: str) -> None:
    """`node` reads no local of `fn` but `params` (it moves into __init__ / optimizer())."""
    local = {a.arg for a in fn.args.args} - {"params"} | {t.id for s in ast.walk(fn) if isinstance(s, (ast.Assign, ast.For))
                                                      for t in ast.walk(s.targets[0] if isinstance(s, ast.Assign) else s.target)
                                                      if isinstance(t, ast.Name)}
    read = sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & local)
    if read:
        raise Blocked(node.lineno, f"{what} in model_fn '{fn.name}' reads {read}: it must depend on params only")


def _mode_test(prog: Program, test: ast.expr) -> str | None:
    """`mode == tf.estimator.ModeKeys.PREDICT` -> 'infer'."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        for side in (test.left, test.comparators[0]):
            key = prog.key(side) or ""
            if key.startswith("tf.estimator.ModeKeys."):
                return MODES.get(key.rsplit(".", 1)[-1])
    return None


def _last_def(fn: ast.FunctionDef, ret: ast.Return, value: ast.expr) -> ast.stmt:
    """The last top-level statement of `fn` before `ret` that binds a name `value` reads."""
    reads = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    last = None
    for s in fn.body:
        if s is ret:
            break
        if isinstance(s, ast.Assign) and {t.id for t in ast.walk(s.targets[0]) if isinstance(t, ast.Name)} & reads:
            last = s
    if last is None:
        raise Blocked(ret.lineno, "the EstimatorSpec's predictions are not computed in the model_fn before its loss")
    return last


def _owner(fn: ast.FunctionDef, node: ast.AST) -> ast.AST:
    for inner in ast.walk(fn):
        if inner is not fn and isinstance(inner, (ast.FunctionDef, ast.Lambda)) and node in list(ast.walk(inner)):
            return inner
    return fn


def _arg(call: ast.Call, i: int, name: str) -> ast.expr | None:
    return call.args[i] if len(call.args) > i else next((k.value for k in call.keywords if k.arg == name), None)


def _bound_to(tree: ast.Module, call: ast.Call) -> set[str]:
    return {s.targets[0].id for s in ast.walk(tree) if isinstance(s, ast.Assign) and s.value is call and _single_name(s)}


def _single_name(stmt: ast.Assign) -> bool:
    return len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_") if p) or "ModelFn"


def _free(name: str, taken: set[str]) -> str:
    out, i = name, 1
    while out in taken:
        out, i = f"{name}{i}", i + 1
    taken.add(out)
    return out

