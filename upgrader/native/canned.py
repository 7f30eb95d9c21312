"""Canned estimators and feature columns in a native Estimator conversion: what converts, and the edits.

    canned_edits(prog, tree)  ->  ([(node, new text)], {names bound to canned estimators}, [optimizer calls])

`tf.estimator.DNNClassifier/DNNRegressor/LinearClassifier/LinearRegressor` calls keep their arguments and
become the TF2 functions of canned_text.py; TF1 code gets `loss_reduction="sum"` (TF 1.15's default; TF2's
canned estimators average). `tf.feature_column` becomes the `FeatureColumns` class. Arguments with no
TF2 form here (weight_column, label_vocabulary, crossed columns...) raise `Blocked`; warm_start_from (a checkpoint
path) restores the model's trainable variables by their TF1 names, which the canned models keep.
"""
from __future__ import annotations

import ast

from upgrader.native.base import Blocked
from upgrader.native.model import Program

# canned estimator -> (its positional parameters, as TensorFlow orders them, that convert; keywords that convert)
CANNED = {
    "DNNClassifier": (("hidden_units", "feature_columns", "model_dir", "n_classes"),
                      {"optimizer", "activation_fn", "dropout", "config", "loss_reduction", "warm_start_from"}),
    "DNNRegressor": (("hidden_units", "feature_columns", "model_dir", "label_dimension"),
                     {"optimizer", "activation_fn", "dropout", "config", "loss_reduction", "warm_start_from"}),
    "LinearClassifier": (("feature_columns", "model_dir", "n_classes"), {"optimizer", "config", "loss_reduction", "warm_start_from"}),
    "LinearRegressor": (("feature_columns", "model_dir", "label_dimension"), {"optimizer", "config", "loss_reduction", "warm_start_from"}),
}
OPTIMIZER_NAMES = frozenset({"Adagrad", "Adam", "Ftrl", "RMSProp", "SGD"})
# tf.feature_column.<function> -> its keyword arguments that convert
COLUMNS = {
    "numeric_column": {"key", "shape", "default_value", "dtype", "normalizer_fn"},
    "bucketized_column": {"source_column", "boundaries"},
    "categorical_column_with_vocabulary_list": {"key", "vocabulary_list", "dtype"},
    "categorical_column_with_identity": {"key", "num_buckets"},
    "categorical_column_with_hash_bucket": {"key", "hash_bucket_size", "dtype"},
    "indicator_column": {"categorical_column"},
    "embedding_column": {"categorical_column", "dimension", "combiner", "initializer"},
}


def canned_edits(prog: Program, tree: ast.Module) -> tuple[list[tuple[ast.AST, str]], set[str], list[ast.Call]]:
    """Edits for canned estimator calls and feature columns (an ast.arg node: insert after it), the names bound to
    the estimators, and the tf.train optimizers built in their calls."""
    edits: list[tuple[ast.AST, str]] = []
    bound: set[str] = set()
    optimizers: list[ast.Call] = []
    tf1 = not any(isinstance(n, ast.Attribute) and n.attr == "v1" and isinstance(n.value, ast.Attribute) and
                  n.value.attr == "compat" for n in ast.walk(tree))   # NOTE: TF2 code spells tf.compat.v1 out
    for node in ast.walk(tree):
        key = prog.call_key(node) if isinstance(node, ast.Call) else None
        name = (key or "").rsplit(".", 1)[-1]
        if key and key.startswith("tf.estimator.") and name in CANNED:
            _check(node, name)
            edits.append((node.func, name))
            optimizer = _given(node, "optimizer", CANNED[name][0])
            if isinstance(optimizer, ast.Call):
                if not (prog.call_key(optimizer) or "").startswith("tf.train."):
                    raise Blocked(node.lineno, f"{name}(optimizer=...): a tf.train optimizer, or one of {sorted(OPTIMIZER_NAMES)}")
                optimizers.append(optimizer)
            elif optimizer is not None and not (isinstance(optimizer, ast.Constant) and optimizer.value in OPTIMIZER_NAMES):
                raise Blocked(node.lineno, f"{name}(optimizer=...): name one of {sorted(OPTIMIZER_NAMES)} or build "
                                           "a tf.train optimizer in the call")
            if tf1 and _given(node, "loss_reduction", ()) is None:
                end = node.args[-1] if not node.keywords else node.keywords[-1]
                edits.append((ast.arg("", lineno=end.end_lineno, col_offset=end.end_col_offset, end_lineno=end.end_lineno,
                                      end_col_offset=end.end_col_offset), ', loss_reduction="sum"'))
            bound |= {s.targets[0].id for s in ast.walk(tree) if isinstance(s, ast.Assign) and s.value is node
                      and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)}
    modules = {s.targets[0].id for s in tree.body if isinstance(s, ast.Assign) and len(s.targets) == 1 and
               isinstance(s.targets[0], ast.Name) and prog.key(s.value) == "tf.feature_column"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and prog.key(node) == "tf.feature_column":
            edits.append((node, "FeatureColumns"))
        if isinstance(node, ast.Attribute) and ((prog.key(node) or "").startswith("tf.feature_column.") or
                                                (isinstance(node.value, ast.Name) and node.value.id in modules)):
            if node.attr not in COLUMNS:
                raise Blocked(node.lineno, f"tf.feature_column.{node.attr} has no native conversion (converted: "
                                           f"{sorted(COLUMNS)}); run the file unchanged with `tfcompat run`")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in COLUMNS and (
                (prog.key(node.func) or "").startswith("tf.feature_column.") or
                (isinstance(node.func.value, ast.Name) and node.func.value.id in modules)):
            extra = {k.arg or "**" for k in node.keywords} - COLUMNS[node.func.attr]
            if extra:
                raise Blocked(node.lineno, f"tf.feature_column.{node.func.attr} arguments {sorted(extra)} have no native form")
    return edits, bound, optimizers


def _check(call: ast.Call, name: str) -> None:
    positional, keywords = CANNED[name]
    extra = {k.arg or "**" for k in call.keywords} - set(positional) - keywords
    if len(call.args) > len(positional) or extra or any(isinstance(a, ast.Starred) for a in call.args):
        raise Blocked(call.lineno, f"tf.estimator.{name} arguments {sorted(extra) or 'given by position'} have no native "
                                   f"form (converted: {list(positional) + sorted(keywords)}); use `tfcompat run`")


def _given(call: ast.Call, arg: str, positional: tuple[str, ...]) -> ast.expr | None:
    if arg in positional and positional.index(arg) < len(call.args):
        return call.args[positional.index(arg)]
    return next((k.value for k in call.keywords if k.arg == arg), None)
