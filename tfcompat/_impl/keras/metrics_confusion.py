"""`tf.keras.metrics.AUC`, `Precision`, `Recall` and the confusion counts (Keras 3's, numbers as TF 2.21's).

    m = Precision();  m.update_state([0, 1, 1, 1], [1, 0, 1, 1]);  m.result() -> 0.6667   (threshold 0.5)
    m = AUC();        m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);  m.result() -> 0.75  (200 thresholds, ROC)

Counts per threshold are kept in variables, as Keras's `update_confusion_matrix_variables` does: a
prediction is positive above a threshold (`y_pred > t`); evenly spaced thresholds (AUC's) bucket each
prediction at `ceil(y_pred * (n - 1)) - 1` and sum the buckets from the top, as Keras's fast path.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .common import EPSILON, tf
from .metrics import Metric, _exp

NEG_INF = -1e10
TP, FP, TN, FN = "true_positives", "false_positives", "true_negatives", "false_negatives"


def _thresholds(thresholds: Any, default: float) -> list:
    if thresholds is not None:
        listed = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
        bad = [x for x in listed if x is None or x < 0 or x > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
        return listed
    return [default]


def _evenly_spaced(thresholds: Any) -> bool:
    n = len(thresholds)
    return n >= 3 and bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=EPSILON))


def _same_rank(x1: Any, x2: Any, expand_rank_1: bool = True) -> tuple:
    """Keras's squeeze_or_expand_to_same_rank: a trailing 1 is squeezed (or a rank-1 operand expanded)."""
    t = tf()
    r1, r2 = x1.shape.rank, x2.shape.rank
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = t.expand_dims(x2, -1)
        else:
            x1 = t.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = t.expand_dims(x1, -1)
        else:
            x2 = t.squeeze(x2, -1)
    return x1, x2


def update_confusion(variables: dict, y_true: Any, y_pred: Any, thresholds: list, evenly: bool,
                     top_k: Any = None, class_id: Any = None, sample_weight: Any = None) -> None:
    """Add this batch's counts (weighted by sample_weight) at each threshold to `variables` (TP/FP/TN/FN)."""
    t = tf()
    dtype = next(iter(variables.values())).dtype
    y_true, y_pred = t.cast(y_true, dtype), t.cast(y_pred, dtype)
    with_epsilon = evenly and (thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    n = len(thresholds)
    y_pred, y_true = _same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = t.expand_dims(t.cast(sample_weight, dtype), -1)
        _, sample_weight = _same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        _, idx = t.math.top_k(y_pred, top_k)
        keep = t.reduce_sum(t.one_hot(idx, y_pred.shape[-1], dtype=dtype), axis=-2)
        y_pred = y_pred * keep + NEG_INF * (1 - keep)
    if class_id is not None:
        if y_pred.shape.rank == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                             f"num_classes), found shape: {tuple(y_pred.shape.as_list())}")
        y_true, y_pred = y_true[..., class_id:class_id + 1], y_pred[..., class_id:class_id + 1]
    weights = None if sample_weight is None else t.reshape(t.broadcast_to(sample_weight, t.shape(y_pred)), [-1])
    if evenly:
        _add_bucketed(variables, y_true, y_pred, n, with_epsilon, weights)
        return
    preds = t.reshape(y_pred, [1, -1])
    labels = t.reshape(t.cast(y_true, t.bool), [1, -1])
    pred_pos = t.greater(preds, t.reshape(t.constant(np.asarray(thresholds, np.float32), dtype), [n, 1]))
    label_pos = t.broadcast_to(labels, t.shape(pred_pos))
    pairs = {TP: (label_pos, pred_pos), FN: (label_pos, t.logical_not(pred_pos)),
             FP: (t.logical_not(label_pos), pred_pos), TN: (t.logical_not(label_pos), t.logical_not(pred_pos))}
    for key, var in variables.items():
        both = t.logical_and(*pairs[key])
        counts = t.cast(both, dtype) if weights is None else t.where(
            both, t.broadcast_to(t.reshape(weights, [1, -1]), t.shape(both)), t.zeros_like(pred_pos, dtype))
        var.assign(var + t.reduce_sum(counts, 1))


def _add_bucketed(variables: dict, y_true: Any, y_pred: Any, n: int, with_epsilon: bool, weights: Any) -> None:
    t = tf()
    dtype = y_pred.dtype
    w = t.constant(1.0, dtype) if weights is None else weights
    y_pred = t.reshape(t.clip_by_value(y_pred, 0.0, 1.0), [-1])
    y_true = t.reshape(t.cast(t.cast(y_true, t.bool), dtype), [-1])
    true_w, false_w = y_true * w, (1.0 - y_true) * w
    buckets = t.math.ceil(y_pred * (n - 1.0)) - 1
    if with_epsilon:
        buckets = t.nn.relu(buckets)
    buckets = t.cast(buckets, t.int32)
    tp = t.cumsum(t.math.unsorted_segment_sum(true_w, buckets, n), reverse=True)
    fp = t.cumsum(t.math.unsorted_segment_sum(false_w, buckets, n), reverse=True)
    counts = {TP: lambda: tp, FP: lambda: fp, TN: lambda: t.reduce_sum(false_w) - fp,
              FN: lambda: t.reduce_sum(true_w) - tp}
    for key, var in variables.items():
        var.assign(var + counts[key]())


class _Thresholded(Metric):
    """Precision/Recall: counts at `thresholds` (0.5 by default; -inf with top_k)."""

    _counts: tuple = ()

    def __init__(self, thresholds: Any = None, top_k: Any = None, class_id: Any = None, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.thresholds = _thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = _evenly_spaced(self.thresholds)
        for key in self._counts:
            setattr(self, key, self.add_variable(shape=(len(self.thresholds),), name=key))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        update_confusion({k: getattr(self, k) for k in self._counts}, _tensor(y_true), _tensor(y_pred),
                         self.thresholds, self._evenly, self.top_k, self.class_id, sample_weight)

    def result(self) -> Any:
        tp, other = getattr(self, self._counts[0]), getattr(self, self._counts[1])
        result = tf().math.divide_no_nan(tp, tp + other)
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


def _tensor(x: Any) -> Any:
    t = tf()
    return x if hasattr(x, "dtype") and hasattr(x, "shape") and not isinstance(x, np.ndarray) else t.constant(
        np.asarray(x, np.float32) if np.asarray(x).dtype.kind == "f" else np.asarray(x))


@_exp("Precision")
class Precision(_Thresholded):
    """true_positives / (true_positives + false_positives) at each threshold."""

    _counts = (TP, FP)


@_exp("Recall")
class Recall(_Thresholded):
    """true_positives / (true_positives + false_negatives) at each threshold."""

    _counts = (TP, FN)


@_exp("AUC")
class AUC(Metric):
    """Area under the ROC or PR curve from counts at `num_thresholds` thresholds (Riemann sum, interpolated)."""

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: str | None = None, dtype: Any = None, thresholds: Any = None, multi_label: bool = False,
                 num_labels: Any = None, label_weights: Any = None, from_logits: bool = False) -> None:
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._evenly = _evenly_spaced(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + thresholds + [1.0 + EPSILON])
        self.curve = {"pr": "PR", "roc": "ROC", "prgain": "PRGAIN"}.get(str(curve).lower())
        if self.curve is None:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]')
        self.summation_method = str(summation_method).lower()
        if self.summation_method not in ("interpolation", "majoring", "minoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                             '["interpolation", "majoring", "minoring"]')
        super().__init__(name=name, dtype=dtype)
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        if multi_label or label_weights is not None:
            raise NotImplementedError("AUC(multi_label=True / label_weights=...) is not supported by tfcompat; use "
                                      "one AUC per label")
        self.multi_label, self.num_labels, self.label_weights, self._from_logits = False, None, None, from_logits
        for key in (TP, FP, TN, FN):
            setattr(self, key, self.add_variable(shape=(self.num_thresholds,), name=key))

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = _tensor(y_pred)
        if self._from_logits:
            y_pred = tf().sigmoid(y_pred)
        update_confusion({k: getattr(self, k) for k in (TP, TN, FP, FN)}, _tensor(y_true), y_pred,
                         list(self._thresholds), self._evenly, sample_weight=sample_weight)

    def _interpolate_pr_auc(self) -> Any:
        t, n = tf(), self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = t.math.divide_no_nan(dtp, t.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = t.where(t.logical_and(p[:n - 1] > 0, p[1:] > 0), t.math.divide_no_nan(p[:n - 1], t.maximum(p[1:], 0)),
                        t.ones_like(p[1:]))
        return t.reduce_sum(t.math.divide_no_nan(slope * (dtp + intercept * t.math.log(ratio)),
                                                 t.maximum(tp[1:] + fn[1:], 0)))

    def result(self) -> Any:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        t, n = tf(), self.num_thresholds
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = t.math.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = t.math.divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, t.math.divide_no_nan(tp, tp + fp)
        else:
            scale = t.math.divide_no_nan(tp + fn, tn + fp)
            zero = t.equal(tp, 0.0)
            x = t.maximum(t.where(zero, t.zeros_like(tp), 1.0 - scale * t.math.divide_no_nan(fn, tp)), 0.0)
            y = t.where(zero, t.ones_like(tp), 1.0 - scale * t.math.divide_no_nan(fp, tp))
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = t.minimum(y[:n - 1], y[1:])
        else:
            heights = t.maximum(y[:n - 1], y[1:])
        return t.reduce_sum((x[:n - 1] - x[1:]) * heights)

    def get_config(self) -> dict:
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": False, "num_labels": None,
                  "label_weights": None, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
