"""The heads of TF1's canned estimators: loss, predictions and eval metrics from logits (TF 1.15's v1 heads).

    head = binary_head(weight_column=None, label_vocabulary=None, loss_reduction="weighted_sum")
    spec = head.create_estimator_spec(features, mode, logits, labels, train_op_fn)

Binary: sigmoid cross-entropy; multi-class: sparse softmax cross-entropy; regression: squared error.
Predictions and metric keys are TensorFlow's (`logistic`, `class_ids`, `classes`, `auc`, `label/mean`...).
"""
from __future__ import annotations

from typing import Any, Callable

from ..feature_column.columns import tf
from .model_fn import EstimatorSpec
from .run_config import ModeKeys

REDUCTIONS = ("weighted_sum", "weighted_mean", "weighted_sum_over_batch_size", "weighted_sum_by_nonzero_weights",
              "sum_over_batch_size", "none")


def check_loss_reduction(loss_reduction: str) -> str:
    if loss_reduction not in REDUCTIONS or loss_reduction == "none":
        raise ValueError(f"Invalid loss_reduction: {loss_reduction}. Use one of tf.losses.Reduction (not NONE).")
    return loss_reduction


def _weight_key(weight_column: Any) -> Any:
    if weight_column is None or isinstance(weight_column, str):
        return weight_column
    return weight_column.key


def _labels_2d(labels: Any, dims: int) -> Any:
    t = tf()
    if labels is None:
        raise ValueError("You must provide a labels Tensor. Given: None. Suggested troubleshooting steps: Check that "
                         "your data contain your label feature. Check that your input_fn properly parses and returns "
                         "labels.")
    labels = t.convert_to_tensor(labels)
    if labels.shape.rank == 1:
        labels = t.expand_dims(labels, -1)
    if labels.shape.rank is not None and labels.shape[-1] is not None and labels.shape[-1] != dims:
        raise ValueError(f"Mismatched label shape. Expected labels dimension={dims}.  Received {labels.shape[-1]}. "
                         "Suggested Fix: If your classifier expects one-hot encoding label, check your n_classes "
                         "argument to the estimator and/or the shape of your label.")
    return labels


class _Head:
    """Shared: weights from `weight_column`, the weighted loss, and the spec for each mode."""

    def __init__(self, logits_dimension: int, weight_column: Any, loss_reduction: str) -> None:
        self.logits_dimension = logits_dimension
        self._weight_key = _weight_key(weight_column)
        self._loss_reduction = check_loss_reduction(loss_reduction)

    def _weights(self, features: dict) -> Any:
        t = tf()
        if self._weight_key is None:
            return 1.0
        if self._weight_key not in features:
            raise ValueError(f"weight_column {self._weight_key!r} is not in features (keys: {sorted(features)}).")
        w = t.cast(features[self._weight_key], t.float32)
        return t.expand_dims(w, -1) if w.shape.rank == 1 else w

    def create_estimator_spec(self, features: dict, mode: str, logits: Any, labels: Any,
                              train_op_fn: Callable[[Any], Any]) -> EstimatorSpec:
        t = tf()
        with t.name_scope("head"):
            predictions = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode, predictions=predictions)
            weights = self._weights(features)
            labels, unreduced = self._loss(logits, labels)
            loss = t.losses.compute_weighted_loss(unreduced, weights=weights, reduction=self._loss_reduction)
            if mode == ModeKeys.EVAL:
                with t.name_scope(None), t.name_scope("metrics"):
                    metrics = self._metrics(labels, predictions, weights, unreduced)
                return EstimatorSpec(mode, predictions=predictions, loss=loss, eval_metric_ops=metrics)
        return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op_fn(loss))


def _class_ids_to_classes(class_ids: Any, label_vocabulary: Any) -> Any:
    t = tf()
    if label_vocabulary is None:
        return t.as_string(class_ids, name="str_classes")
    return t.gather(t.constant(list(label_vocabulary)), class_ids)


def _label_ids(labels: Any, label_vocabulary: Any, n_classes: int) -> Any:
    t = tf()
    if label_vocabulary is not None:
        if labels.dtype != t.string:
            raise ValueError("Labels dtype should be string if there is a vocabulary. Given: " + str(labels.dtype))
        match = t.cast(t.equal(t.expand_dims(labels, -1), t.constant(list(label_vocabulary))), t.int64)
        ids = t.where(t.greater(t.reduce_max(match, -1), 0), t.argmax(match, -1, output_type=t.int64),
                      t.fill(t.shape(labels, out_type=t.int64), t.constant(-1, t.int64)))
    else:
        if labels.dtype == t.string:
            raise ValueError("Labels dtype should be integer. Instead got <dtype: 'string'>.")
        ids = t.cast(labels, t.int64)
    ok = t.equal(t.reduce_min(t.cast(t.logical_and(t.greater_equal(ids, 0), t.less(ids, n_classes)), t.int32)), 1)
    check = t.Assert(ok, [f"Labels must be <= n_classes - 1 and >= 0 (n_classes={n_classes}, or in label_vocabulary)",
                          ids])
    with t.control_dependencies([check]):
        return t.identity(ids)


class BinaryHead(_Head):
    def __init__(self, weight_column: Any, label_vocabulary: Any, loss_reduction: str) -> None:
        super().__init__(1, weight_column, loss_reduction)
        self._vocab = label_vocabulary

    def _predictions(self, logits: Any) -> dict:
        t = tf()
        two = t.concat([t.zeros_like(logits), logits], axis=-1, name="two_class_logits")
        class_ids = t.expand_dims(t.argmax(two, axis=-1), -1, name="class_ids")
        batch = t.shape(logits)[:1]
        all_ids = t.tile(t.constant([[0, 1]], t.int32), t.concat([batch, [1]], 0))
        return {"logits": logits, "logistic": t.sigmoid(logits, name="logistic"),
                "probabilities": t.nn.softmax(two, name="probabilities"), "class_ids": class_ids,
                "classes": _class_ids_to_classes(class_ids, self._vocab), "all_class_ids": all_ids,
                "all_classes": _class_ids_to_classes(all_ids, self._vocab)}

    def _loss(self, logits: Any, labels: Any) -> tuple:
        t = tf()
        labels = t.cast(_label_ids(_labels_2d(labels, 1), self._vocab, 2), t.float32)
        return labels, t.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)

    def _metrics(self, labels: Any, p: dict, weights: Any, unreduced: Any) -> dict:
        t = tf()
        w = None if self._weight_key is None else weights
        label_mean = t.metrics.mean(labels, weights=_broadcast(w, labels), name="label/mean")
        baseline = (t.maximum(label_mean[0], 1 - label_mean[0]), t.maximum(label_mean[1], 1 - label_mean[1]))
        logistic = p["logistic"]
        return {"average_loss": t.metrics.mean(unreduced, weights=_broadcast(w, unreduced), name="average_loss"),
                "accuracy": t.metrics.accuracy(labels, p["class_ids"], weights=w, name="accuracy"),
                "precision": t.metrics.precision(labels, p["class_ids"], weights=w, name="precision"),
                "recall": t.metrics.recall(labels, p["class_ids"], weights=w, name="recall"),
                "prediction/mean": t.metrics.mean(logistic, weights=_broadcast(w, logistic), name="prediction/mean"),
                "label/mean": label_mean, "accuracy_baseline": baseline,
                "auc": t.metrics.auc(labels, logistic, weights=_broadcast(w, logistic), name="auc"),
                "auc_precision_recall": t.metrics.auc(labels, logistic, weights=_broadcast(w, logistic), curve="PR",
                                                      name="auc_precision_recall")}


def _broadcast(w: Any, like: Any) -> Any:
    t = tf()
    return None if w is None else w * t.ones_like(like, dtype=t.float32)


class MultiClassHead(_Head):
    def __init__(self, n_classes: int, weight_column: Any, label_vocabulary: Any, loss_reduction: str) -> None:
        super().__init__(n_classes, weight_column, loss_reduction)
        self._n, self._vocab = n_classes, label_vocabulary

    def _predictions(self, logits: Any) -> dict:
        t = tf()
        class_ids = t.expand_dims(t.argmax(logits, axis=-1), -1, name="class_ids")
        batch = t.shape(logits)[:1]
        all_ids = t.tile(t.constant([list(range(self._n))], t.int32), t.concat([batch, [1]], 0))
        return {"logits": logits, "probabilities": t.nn.softmax(logits, name="probabilities"), "class_ids": class_ids,
                "classes": _class_ids_to_classes(class_ids, self._vocab), "all_class_ids": all_ids,
                "all_classes": _class_ids_to_classes(all_ids, self._vocab)}

    def _loss(self, logits: Any, labels: Any) -> tuple:
        t = tf()
        ids = _label_ids(_labels_2d(labels, 1), self._vocab, self._n)
        loss = t.nn.sparse_softmax_cross_entropy_with_logits(labels=t.squeeze(ids, -1), logits=logits)
        return ids, t.expand_dims(loss, -1)

    def _metrics(self, labels: Any, p: dict, weights: Any, unreduced: Any) -> dict:
        t = tf()
        w = None if self._weight_key is None else weights
        return {"average_loss": t.metrics.mean(unreduced, weights=_broadcast(w, unreduced), name="average_loss"),
                "accuracy": t.metrics.accuracy(labels, p["class_ids"], weights=w, name="accuracy")}


class RegressionHead(_Head):
    def __init__(self, label_dimension: int, weight_column: Any, loss_reduction: str) -> None:
        super().__init__(label_dimension, weight_column, loss_reduction)

    def _predictions(self, logits: Any) -> dict:
        return {"predictions": logits}

    def _loss(self, logits: Any, labels: Any) -> tuple:
        t = tf()
        labels = t.cast(_labels_2d(labels, self.logits_dimension), t.float32)
        return labels, t.square(logits - labels)

    def _metrics(self, labels: Any, p: dict, weights: Any, unreduced: Any) -> dict:
        t = tf()
        w = None if self._weight_key is None else weights
        pred = p["predictions"]
        return {"average_loss": t.metrics.mean(unreduced, weights=_broadcast(w, unreduced), name="average_loss"),
                "prediction/mean": t.metrics.mean(pred, weights=_broadcast(w, pred), name="prediction/mean"),
                "label/mean": t.metrics.mean(labels, weights=_broadcast(w, labels), name="label/mean")}


def classification_head(n_classes: int, weight_column: Any, label_vocabulary: Any, loss_reduction: str) -> _Head:
    if n_classes is None or n_classes < 2:
        raise ValueError(f"n_classes must be > 1 for classification: {n_classes}")
    if label_vocabulary is not None:
        if not isinstance(label_vocabulary, (list, tuple)):
            raise ValueError(f"label_vocabulary should be a list or a tuple. Given type: {type(label_vocabulary)}")
        if len(label_vocabulary) != n_classes:
            raise ValueError(f"label_vocabulary must have n_classes ({n_classes}) entries, given {label_vocabulary}")
    if n_classes == 2:
        return BinaryHead(weight_column, label_vocabulary, loss_reduction)
    return MultiClassHead(n_classes, weight_column, label_vocabulary, loss_reduction)
