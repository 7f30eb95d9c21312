"""`tf.losses` (TF1): weighted losses reduced by SUM_BY_NONZERO_WEIGHTS, added to the LOSSES collection.

    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)   # mean over the batch
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch, dtypes
from runtime.ops import array, elementwise as e, reduce as r

from ._api import v1_export, v2
from .graph_api import add_to_collection, get_collection


class Reduction:
    NONE = "none"
    SUM = "weighted_sum"
    MEAN = "weighted_mean"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS


v1_export("losses.Reduction")(Reduction)


@v1_export("losses.compute_weighted_loss")
def compute_weighted_loss(losses: Any, weights: Any = 1.0, scope: Any = None, loss_collection: str = "losses",
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Any:
    losses = dispatch.convert_to_tensor(losses)
    if losses.dtype is not dtypes.float32:
        losses = e.cast(losses, DstT=dtypes.float32)
    w = dispatch.convert_to_tensor(weights, dtype=losses.dtype) if not dispatch.is_tensor(weights) else \
        e.cast(weights, DstT=losses.dtype)
    weighted = losses * w
    if reduction == Reduction.NONE:
        out = weighted
    else:
        total = r.reduce_sum(weighted)
        if reduction == Reduction.SUM:
            out = total
        elif reduction == Reduction.MEAN:
            out = v2("math.divide_no_nan")(total, r.reduce_sum(array.ones_like(losses) * w))
        elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
            out = total / e.cast(array.size(losses), DstT=losses.dtype)
        else:
            nonzero = r.reduce_sum(e.cast(e.not_equal(array.ones_like(losses) * w, 0.0), DstT=losses.dtype))
            out = v2("math.divide_no_nan")(total, nonzero)
    if loss_collection:
        add_to_collection(loss_collection, out)
    return out


@v1_export("losses.sparse_softmax_cross_entropy")
def sparse_softmax_cross_entropy(labels: Any, logits: Any, weights: Any = 1.0, scope: Any = None,
                                 loss_collection: str = "losses",
                                 reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Any:
    xent = v2("nn.sparse_softmax_cross_entropy_with_logits")(labels=labels, logits=logits)
    return compute_weighted_loss(xent, weights, scope, loss_collection, reduction)


@v1_export("losses.softmax_cross_entropy")
def softmax_cross_entropy(onehot_labels: Any, logits: Any, weights: Any = 1.0, label_smoothing: float = 0,
                          scope: Any = None, loss_collection: str = "losses",
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Any:
    labels = e.cast(dispatch.convert_to_tensor(onehot_labels), DstT=dispatch.convert_to_tensor(logits).dtype)
    if label_smoothing:
        n = e.cast(array.shape(labels)[-1], DstT=labels.dtype)
        labels = labels * (1 - label_smoothing) + label_smoothing / n
    xent = v2("nn.softmax_cross_entropy_with_logits")(labels=array.stop_gradient(labels), logits=logits)
    return compute_weighted_loss(xent, weights, scope, loss_collection, reduction)


@v1_export("losses.sigmoid_cross_entropy")
def sigmoid_cross_entropy(multi_class_labels: Any, logits: Any, weights: Any = 1.0, label_smoothing: float = 0,
                          scope: Any = None, loss_collection: str = "losses",
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Any:
    logits = dispatch.convert_to_tensor(logits)
    labels = e.cast(dispatch.convert_to_tensor(multi_class_labels), DstT=logits.dtype)
    if label_smoothing:
        labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
    xent = v2("nn.sigmoid_cross_entropy_with_logits")(labels=labels, logits=logits)
    return compute_weighted_loss(xent, weights, scope, loss_collection, reduction)


@v1_export("losses.mean_squared_error")
def mean_squared_error(labels: Any, predictions: Any, weights: Any = 1.0, scope: Any = None,
                       loss_collection: str = "losses", reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Any:
    p = dispatch.convert_to_tensor(predictions)
    return compute_weighted_loss(e.squared_difference(p, e.cast(dispatch.convert_to_tensor(labels), DstT=p.dtype)),
                                 weights, scope, loss_collection, reduction)


@v1_export("losses.absolute_difference")
def absolute_difference(labels: Any, predictions: Any, weights: Any = 1.0, scope: Any = None,
                        loss_collection: str = "losses", reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Any:
    p = dispatch.convert_to_tensor(predictions)
    return compute_weighted_loss(e.abs_(p - e.cast(dispatch.convert_to_tensor(labels), DstT=p.dtype)),
                                 weights, scope, loss_collection, reduction)


@v1_export("losses.add_loss")
def add_loss(loss: Any, loss_collection: str = "losses") -> None:
    if loss_collection:
        add_to_collection(loss_collection, loss)


@v1_export("losses.get_losses")
def get_losses(scope: Any = None, loss_collection: str = "losses") -> list:
    return get_collection(loss_collection, scope)


@v1_export("losses.get_regularization_losses")
def get_regularization_losses(scope: Any = None) -> list:
    return get_collection("regularization_losses", scope)


@v1_export("losses.get_regularization_loss")
def get_regularization_loss(scope: Any = None, name: str = "total_regularization_loss") -> Any:
    losses = get_regularization_losses(scope)
    return v2("math.add_n")(losses) if losses else dispatch.constant(0.0)


@v1_export("losses.get_total_loss")
def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss", scope: Any = None) -> Any:
    losses = get_losses(scope) + (get_regularization_losses(scope) if add_regularization_losses else [])
    if not losses:
        raise ValueError("No losses found in collection.")
    return v2("math.add_n")(losses)
