"""A `model_fn` Estimator program becomes TF2: the model_fn a tf.Module, the Estimator a class with a GradientTape step."""
from __future__ import annotations

import ast
import json
import re

from upgrader.native.base import Blocked, NativeRule, indent
from upgrader.native.estimator import EstimatorPlan, ModelFn, metric_arguments
from upgrader.native.canned_text import CANNED
from upgrader.native.estimator_hooks import HOOK_CLASSES
from upgrader.native.estimator_layers import layer_properties, layer_texts, variable_text
from upgrader.native.estimator_text import ESTIMATOR
from upgrader.rules.native_minimize import NativeMinimize

class NativeEstimator(NativeRule):
    """Rewrite a tf.estimator model_fn and its Estimator as a tf.Module and a TF2 training class.

    def model_fn(features, labels, mode, params):     ->  class ModelFn(tf.Module):
        w = tf.get_variable("w", [1])                          def __init__(self, params=None): self.w = tf.Variable(...)
        ... return tf.estimator.EstimatorSpec(...)             def __call__(self, features, labels=None, mode="infer"): ...
    est = tf.estimator.Estimator(model_fn, model_dir)  ->  est = Estimator(ModelFn, model_dir)
    """

    DESCRIPTION = "tf.estimator model_fn -> tf.Module; Estimator -> a GradientTape train step, Keras metrics, CheckpointManager"
    PRIORITY = 30

    def convert(self, plan: EstimatorPlan) -> str:
        """The whole file converted (names still TF1's: the rename pass runs after); raises Blocked."""
        edit, tf = plan.edit, plan.edit.tf
        edits = [(*edit.span(node), text) for node, text in plan.edits]
        optimizer = NativeMinimize(self.ctx).optimizer
        edits += [(*edit.span(call), optimizer(plan.prog, call, edit)) for call in plan.optimizers]
        support = ESTIMATOR.format(name=plan.estimator_cls, tf=tf).strip("\n")
        if plan.canned:
            support += "\n\n\n" + re.sub(r"\btf\.", f"{tf}.", CANNED).strip("\n")
            self.ctx.line, self.ctx.col = 1, 0
            self.change("canned estimators become TF2 functions of the same name (a tf.Module model with TF 1.15's "
                        "defaults); tf.feature_column becomes FeatureColumns (Keras preprocessing layers)")
        if plan.hooks:
            support += "\n\n\n" + HOOK_CLASSES.format(tf=tf).strip("\n")
        if not plan.model_fns:   # NOTE: after the imports at the top of the file
            last = max(i for i, s in enumerate(plan.prog.tree.body) if isinstance(s, (ast.Import, ast.ImportFrom)))
            at = edit.offset(plan.prog.tree.body[last].end_lineno + 1, 0)
            edits.append((at, at, "\n\n" + support + "\n\n"))
        for i, fn in enumerate(plan.model_fns.values()):
            start = edit.offset(fn.fn.lineno, 0)
            end = edit.offset(fn.fn.end_lineno, fn.fn.end_col_offset)
            text = self.model_class(plan, fn)
            if i == 0:
                text += "\n\n\n" + support
            edits.append((start, end, text))
            self.ctx.line, self.ctx.col = fn.fn.lineno, 0
            self.change(f"model_fn '{fn.fn.name}' becomes the tf.Module {fn.cls}; tf.estimator.Estimator becomes the "
                        f"TF2 class {plan.estimator_cls} (GradientTape step, Keras metrics, CheckpointManager)")
        self.warn("converted Estimators keep TF2 object-based checkpoints in model_dir (not TF1 name-based ones); "
                  "get_variable_names lists the model's variables and global_step, not the optimizer's slots", once=True)
        first_import = next(s for s in plan.prog.tree.body if isinstance(s, (ast.Import, ast.ImportFrom)))
        for module in ["inspect"] + (["numpy", "time"] if plan.hooks else []):
            if not any(isinstance(s, ast.Import) and any(a.name == module and a.asname is None for a in s.names)
                       for s in plan.prog.tree.body):
                at = edit.offset(first_import.lineno, 0)
                edits.append((at, at, f"import {module}\n"))
        # NOTE: TF2 code calling tf.compat.v1.X means TF1's X: the rename pass gives it its TF2 form
        return re.sub(rf"\b{re.escape(tf)}\.compat\.v1\.", f"{tf}.", splice(plan.prog.source, edits))

    def model_class(self, plan: EstimatorPlan, fn: ModelFn) -> str:
        edit, tf, prog = plan.edit, plan.edit.tf, plan.prog
        inside = [(*edit.span(node), text) for node, text in plan.edits if _within(fn.fn, node)]
        for var in fn.variables:
            inside.append((*edit.span(var.call), f"self.{var.attr}"))
        for stmt in fn.dropped:
            inside.append((edit.offset(stmt.lineno, 0), edit.offset(stmt.end_lineno + 1, 0)
                           if stmt.end_lineno < len(edit.starts) else len(edit.src), ""))
        if fn.params:   # NOTE: after the docstring, which stays the method's docstring
            first = fn.fn.body[1 if _docstring(fn.fn) and len(fn.fn.body) > 1 else 0]
            at = edit.offset(first.lineno, 0)
            inside.append((at, at, " " * first.col_offset + "params = self.params\n"))
        for _, call in fn.metrics.values():
            inside.append((*edit.span(call), metric_arguments(prog, call)))
        for ret, text in fn.returns:
            inside.append((*edit.span(ret), text))
        if fn.infer_after is not None:
            stmt, text = fn.infer_after
            end = edit.span(stmt)[1]
            pad = " " * stmt.col_offset
            inside.append((end, end, f"\n{pad}if mode == \"infer\":\n{pad}    {text}"))
        for node in ast.walk(fn.fn):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.end_lineno > node.lineno and \
                    not (_docstring(fn.fn) and fn.fn.body[0].value is node):
                raise Blocked(node.lineno, f"a multi-line string in model_fn '{fn.fn.name}' cannot be re-indented safely")
        start = edit.offset(fn.fn.body[0].lineno, 0)
        end = edit.offset(fn.fn.end_lineno, fn.fn.end_col_offset)
        head = [f"class {fn.cls}({tf}.Module):",
                f'    """`{fn.fn.name}` as a tf.Module: its variables and layers are attributes; called with mode '
                '"train", "eval" or "infer"."""', "",
                "    def __init__(self, params=None):", "        super().__init__()", "        self.params = params"]
        head += [f"        self.{v.attr} = {variable_text(prog, edit, v.call)}" for v in fn.variables]
        for layer in fn.layers:
            made, use = layer_texts(prog, edit, layer, plan.edits)
            head.append(f"        self.{layer.attr} = {made}")
            inside.append((*edit.span(layer.call), use))
        body = splice(edit.src[:end], inside, start)
        head += ["", '    def __call__(self, features, labels=None, mode="infer"):']
        optimizer = NativeMinimize(self.ctx).optimizer(prog, fn.optimizer, edit)
        tail = ["", "    def optimizer(self):"] + (["        params = self.params"] if fn.params else [])
        tail += [f"        return {optimizer}", "", "    def metrics(self):"]
        metrics = ", ".join(f"{json.dumps(k)}: {tf}.keras.metrics.{cls}" for k, (cls, _) in fn.metrics.items())
        tail.append(f"        return {{{metrics}}}")
        if fn.hook_texts:   # EstimatorSpec(training_hooks=...): made for each train() call, as model_fn made them
            tail += ["", "    def training_hooks(self):"] + (["        params = self.params"] if fn.params else [])
            tail.append(f"        return [{', '.join(fn.hook_texts)}]")
        tail += layer_properties(prog, fn.layers)
        return "\n".join(head) + "\n" + indent(body, "    ") + "\n" + "\n".join(tail)


def splice(src: str, edits: list[tuple[int, int, str]], base: int = 0) -> str:
    """`src[base:]` with (start, end, text) edits applied; an edit inside an earlier, larger one is dropped."""
    out, last = [], base
    for s, e, new in sorted(edits, key=lambda x: (x[0], x[1] != x[0], -x[1])):   # an insertion before a replacement
        if s < last or s < base:
            continue
        out += [src[last:s], new]
        last = e
    return "".join(out) + src[last:]


def _within(fn: ast.FunctionDef, node: ast.AST) -> bool:
    return fn.lineno <= node.lineno and node.end_lineno <= fn.end_lineno


def _docstring(fn: ast.FunctionDef) -> bool:
    first = fn.body[0]
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
