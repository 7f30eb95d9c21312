"""Canned estimators keep TF1's loss: TF2's sum over the batch unless told, and v1-only arguments keep v1."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule, has_star

# TF 1.15's constructors, in order (positional arguments are written as these keywords).
CANNED: dict[str, tuple[str, ...]] = {
    "LinearClassifier": ("feature_columns", "model_dir", "n_classes", "weight_column", "label_vocabulary",
                         "optimizer", "config", "partitioner", "warm_start_from", "loss_reduction", "sparse_combiner"),
    "LinearRegressor": ("feature_columns", "model_dir", "label_dimension", "weight_column", "optimizer", "config",
                        "partitioner", "warm_start_from", "loss_reduction", "sparse_combiner"),
    "DNNClassifier": ("hidden_units", "feature_columns", "model_dir", "n_classes", "weight_column", "label_vocabulary",
                      "optimizer", "activation_fn", "dropout", "input_layer_partitioner", "config", "warm_start_from",
                      "loss_reduction", "batch_norm"),
    "DNNRegressor": ("hidden_units", "feature_columns", "model_dir", "label_dimension", "weight_column", "optimizer",
                     "activation_fn", "dropout", "input_layer_partitioner", "config", "warm_start_from",
                     "loss_reduction", "batch_norm"),
    "DNNLinearCombinedClassifier": ("model_dir", "linear_feature_columns", "linear_optimizer", "dnn_feature_columns",
                                    "dnn_optimizer", "dnn_hidden_units", "dnn_activation_fn", "dnn_dropout",
                                    "n_classes", "weight_column", "label_vocabulary", "input_layer_partitioner",
                                    "config", "warm_start_from", "loss_reduction", "batch_norm",
                                    "linear_sparse_combiner"),
    "DNNLinearCombinedRegressor": ("model_dir", "linear_feature_columns", "linear_optimizer", "dnn_feature_columns",
                                   "dnn_optimizer", "dnn_hidden_units", "dnn_activation_fn", "dnn_dropout",
                                   "label_dimension", "weight_column", "input_layer_partitioner", "config",
                                   "warm_start_from", "loss_reduction", "batch_norm", "linear_sparse_combiner"),
    "BaselineClassifier": ("model_dir", "n_classes", "weight_column", "label_vocabulary", "optimizer", "config",
                           "loss_reduction"),
    "BaselineRegressor": ("model_dir", "label_dimension", "weight_column", "optimizer", "config", "loss_reduction"),
}
HEADED = frozenset({"BaselineEstimator", "LinearEstimator", "DNNEstimator", "DNNLinearCombinedEstimator"})
# TF2's classes take no partitioner, and Keras optimizers only (TF1 code passes tf.train ones)
V1_ONLY = frozenset({"input_layer_partitioner", "partitioner", "optimizer", "dnn_optimizer", "linear_optimizer"})
SUM = "tf.keras.losses.Reduction.SUM"
KERAS_REDUCTIONS = {"SUM": "SUM", "SUM_OVER_BATCH_SIZE": "SUM_OVER_BATCH_SIZE"}   # TF1 name -> Keras' (same sums)


class EstimatorCanned(Rule):
    """Write TF1's canned-estimator calls so they compute what they did: TF1's summed loss, or v1's class.

    tf.estimator.DNNClassifier([10], cols)               ->  tf.estimator.DNNClassifier(hidden_units=[10],
                                                                 feature_columns=cols, loss_reduction=tf.keras.losses.Reduction.SUM)
    tf.estimator.LinearRegressor(cols, optimizer=opt)    ->  tf.compat.v1.estimator.LinearRegressor(feature_columns=cols, optimizer=opt)
    """

    DESCRIPTION = "canned estimators: TF2 classes with TF1's loss_reduction=SUM, or tf.compat.v1 for v1-only arguments"
    PRIORITY = 20
    MODES = frozenset({"compat"})
    KEYS = frozenset(f"tf.estimator.{c}" for c in (*CANNED, *HEADED))
    OWNS = KEYS

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        key = self.key(original.func)
        name = key[len("tf.estimator."):] if key and key.startswith("tf.estimator.") else None
        if name not in CANNED and name not in HEADED or has_star(updated):
            return updated
        names = [a.keyword.value if a.keyword else None for a in updated.args]
        args = list(updated.args)
        if name in CANNED:
            order = CANNED[name]
            if sum(n is None for n in names) > len(order):
                return updated
            eq = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
            args = [a if a.keyword else a.with_changes(keyword=cst.Name(order[i]), equal=eq) for i, a in enumerate(args)]
            names = [a.keyword.value for a in args]
        v1 = sorted(V1_ONLY.intersection(names))
        if "loss_reduction" in names and not v1:
            value = original.args[names.index("loss_reduction")].value
            reduction = (self.key(value) or "").replace("tf.compat.v1.", "tf.")
            if reduction.startswith("tf.losses.Reduction."):   # a TF1 reduction: TF2's classes take Keras' names
                keras = KERAS_REDUCTIONS.get(reduction.rsplit(".", 1)[1])
                if keras is None:
                    v1 = [f"loss_reduction={reduction}"]
                else:
                    i = names.index("loss_reduction")
                    args[i] = args[i].with_changes(value=self.ctx.expr(f"tf.keras.losses.Reduction.{keras}"))
            elif not reduction.startswith("tf.keras.losses.Reduction."):
                self.warn(f"{key}: TF2's class takes a tf.keras.losses.Reduction as loss_reduction; check this value",
                          once=True)
        if v1:
            self.change(f"{key} -> tf.compat.v1.estimator.{name} (TF2's class takes no {', '.join(v1)})")
            return updated.with_changes(func=self.ctx.expr(f"tf.compat.v1.estimator.{name}"), args=args)
        if name in CANNED and "loss_reduction" not in names:
            self.change(f"{key}: loss_reduction={SUM} (TF2's default averages the loss over the batch; TF1 summed it)")
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            sum_expr = self.ctx.expr(SUM)
            if args:
                args[-1] = args[-1].with_changes(comma=comma)
            args.append(cst.Arg(sum_expr, keyword=cst.Name("loss_reduction"), equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))))
        return updated.with_changes(args=args) if args != list(updated.args) else updated
