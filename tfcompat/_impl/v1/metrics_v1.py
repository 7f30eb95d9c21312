"""`tf.metrics`: TF1's streaming metrics, each a `(value, update_op)` pair over local variables.

    acc, acc_op = tf.metrics.accuracy(labels, predictions)
    sess.run(tf.local_variables_initializer())     # the metric's total/count live in LOCAL_VARIABLES
    sess.run(acc_op, feed); sess.run(acc)          # update_op folds a batch in and returns the new value

Variables are named as TF names them (`accuracy/total:0`, `precision/true_positives/count:0`),
non-trainable, in the LOCAL_VARIABLES and METRIC_VARIABLES collections.
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch, dtypes
from runtime.errors import UnimplementedError

from ._api import v1_export, v2

_LOCAL = ("local_variables", "metric_variables")


def _metric_variable(shape: list, name: str) -> Any:
    from .variables_v1 import VariableV1  # noqa: PLC0415
    return VariableV1(lambda: v2("zeros")(shape, dtypes.float32), trainable=False, collections=list(_LOCAL),
                      name=name)


def _collect(collections: Any, value: Any) -> None:
    if collections:
        from .graph_api import add_to_collections  # noqa: PLC0415
        add_to_collections(collections, value)


def _scope(name: Any, default: str) -> Any:
    from .variable_scope import variable_scope  # noqa: PLC0415
    return variable_scope(name, default_name=default)


def _f32(x: Any) -> Any:
    return v2("cast")(dispatch.convert_to_tensor(x), dtypes.float32)


def _weighted(values: Any, weights: Any) -> tuple[Any, Any]:
    """(values * broadcast weights, sum of the broadcast weights); weights=None counts every value."""
    if weights is None:
        return values, _f32(v2("size")(values))
    w = v2("broadcast_to")(_f32(weights), v2("shape")(values))
    return values * w, v2("math.reduce_sum")(w)


def _div(a: Any, b: Any, name: str) -> Any:
    return v2("math.divide_no_nan")(a, v2("math.maximum")(b, 0.0), name=name)


@v1_export("metrics.mean")
def mean(values: Any, weights: Any = None, metrics_collections: Any = None, updates_collections: Any = None,
         name: str | None = None) -> Any:
    """The running (weighted) mean of `values`: total / count over every update so far."""
    from .graph_api import control_dependencies  # noqa: PLC0415
    with _scope(name, "mean"):
        values = _f32(values)
        total = _metric_variable([], "total")
        count = _metric_variable([], "count")
        values, num = _weighted(values, weights)
        update_total = total.assign_add(v2("math.reduce_sum")(values))
        with control_dependencies([values]):
            update_count = count.assign_add(num)
        value = _div(total.read_value(), count.read_value(), "value")
        update_op = _div(update_total, update_count, "update_op")
    _collect(metrics_collections, value)
    _collect(updates_collections, update_op)
    return value, update_op


def _check_shapes(predictions: Any, labels: Any) -> tuple[Any, Any]:
    predictions = dispatch.convert_to_tensor(predictions)
    labels = dispatch.convert_to_tensor(labels)
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are incompatible")
    return predictions, labels


@v1_export("metrics.accuracy")
def accuracy(labels: Any, predictions: Any, weights: Any = None, metrics_collections: Any = None,
             updates_collections: Any = None, name: str | None = None) -> Any:
    """How often `predictions` equals `labels`: the running mean of equal(predictions, labels)."""
    predictions, labels = _check_shapes(predictions, labels)
    if labels.dtype != predictions.dtype:
        predictions = v2("cast")(predictions, labels.dtype)
    is_correct = _f32(v2("math.equal")(predictions, labels))
    return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")


@v1_export("metrics.mean_squared_error")
def mean_squared_error(labels: Any, predictions: Any, weights: Any = None, metrics_collections: Any = None,
                       updates_collections: Any = None, name: str | None = None) -> Any:
    """The running mean of (labels - predictions)^2."""
    predictions, labels = _check_shapes(predictions, labels)
    err = v2("math.squared_difference")(_f32(labels), _f32(predictions))
    return mean(err, weights, metrics_collections, updates_collections, name or "mean_squared_error")


@v1_export("metrics.mean_absolute_error")
def mean_absolute_error(labels: Any, predictions: Any, weights: Any = None, metrics_collections: Any = None,
                        updates_collections: Any = None, name: str | None = None) -> Any:
    """The running mean of |predictions - labels|."""
    predictions, labels = _check_shapes(predictions, labels)
    err = v2("math.abs")(_f32(predictions) - _f32(labels))
    return mean(err, weights, metrics_collections, updates_collections, name or "mean_absolute_error")


@v1_export("metrics.root_mean_squared_error")
def root_mean_squared_error(labels: Any, predictions: Any, weights: Any = None, metrics_collections: Any = None,
                            updates_collections: Any = None, name: str | None = None) -> Any:
    """sqrt of the running mean squared error."""
    mse, update_mse = mean_squared_error(labels, predictions, weights, None, None,
                                         name or "root_mean_squared_error")
    value, update_op = v2("math.sqrt")(mse), v2("math.sqrt")(update_mse)
    _collect(metrics_collections, value)
    _collect(updates_collections, update_op)
    return value, update_op


def _bools(labels: Any, predictions: Any) -> tuple[Any, Any]:
    predictions, labels = _check_shapes(predictions, labels)
    return v2("cast")(labels, dtypes.bool_), v2("cast")(predictions, dtypes.bool_)


def _counter(kind: str) -> Any:
    def metric(labels: Any, predictions: Any, weights: Any = None, metrics_collections: Any = None,
               updates_collections: Any = None, name: str | None = None) -> Any:
        lab, pred = _bools(labels, predictions)
        land, lnot = v2("math.logical_and"), v2("math.logical_not")
        cond = {"true_positives": land(lab, pred), "false_positives": land(lnot(lab), pred),
                "false_negatives": land(lab, lnot(pred)), "true_negatives": land(lnot(lab), lnot(pred))}[kind]
        with _scope(name, kind):
            return _count_here(cond, weights, metrics_collections, updates_collections)
    metric.__name__ = metric.__qualname__ = kind
    metric.__doc__ = f"The running (weighted) number of {kind.replace('_', ' ')}."
    return metric


def _count_here(condition: Any, weights: Any, metrics_collections: Any, updates_collections: Any) -> Any:
    count = _metric_variable([], "count")
    values = _f32(condition)
    if weights is not None:
        values = values * v2("broadcast_to")(_f32(weights), v2("shape")(values))
    value = v2("identity")(count.read_value())
    update_op = count.assign_add(v2("math.reduce_sum")(values))
    _collect(metrics_collections, value)
    _collect(updates_collections, update_op)
    return value, update_op


true_positives = v1_export("metrics.true_positives")(_counter("true_positives"))
false_positives = v1_export("metrics.false_positives")(_counter("false_positives"))
false_negatives = v1_export("metrics.false_negatives")(_counter("false_negatives"))
true_negatives = v1_export("metrics.true_negatives")(_counter("true_negatives"))


def _ratio(a: Any, b: Any, name: str) -> Any:
    """a / (a + b) where a + b > 0, else 0 (TF1's precision/recall rule)."""
    s = a + b
    picked = v2("where")(v2("math.greater")(s, 0.0), v2("math.divide_no_nan")(a, s), v2("zeros_like")(s))
    return v2("identity")(picked, name=name)


def _pr(kind: str, other: Any, labels: Any, predictions: Any, weights: Any, metrics_collections: Any,
        updates_collections: Any, name: Any) -> Any:
    with _scope(name, kind):
        tp, tp_up = true_positives(labels, predictions, weights)
        xx, xx_up = other(labels, predictions, weights)
        value = _ratio(tp, xx, "value")
        update_op = _ratio(tp_up, xx_up, "update_op")
    _collect(metrics_collections, value)
    _collect(updates_collections, update_op)
    return value, update_op


@v1_export("metrics.precision")
def precision(labels: Any, predictions: Any, weights: Any = None, metrics_collections: Any = None,
              updates_collections: Any = None, name: str | None = None) -> Any:
    """tp / (tp + fp) over every update so far (0 when there are no positive predictions)."""
    return _pr("precision", false_positives, labels, predictions, weights, metrics_collections,
               updates_collections, name)


@v1_export("metrics.recall")
def recall(labels: Any, predictions: Any, weights: Any = None, metrics_collections: Any = None,
           updates_collections: Any = None, name: str | None = None) -> Any:
    """tp / (tp + fn) over every update so far (0 when there are no positive labels)."""
    return _pr("recall", false_negatives, labels, predictions, weights, metrics_collections,
               updates_collections, name)


_EPS = 1e-7


@v1_export("metrics.auc")
def auc(labels: Any, predictions: Any, weights: Any = None, num_thresholds: int = 200, metrics_collections: Any = None,
        updates_collections: Any = None, curve: str = "ROC", name: str | None = None,
        summation_method: str = "trapezoidal", thresholds: Any = None) -> Any:
    """Area under the ROC (or PR) curve from confusion counts at `num_thresholds` thresholds in [0, 1]."""
    if summation_method not in ("trapezoidal", "minoring", "majoring", "careful_interpolation"):
        raise ValueError(f"Invalid summation_method: {summation_method}")
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
    if summation_method == "careful_interpolation":
        raise UnimplementedError(None, None, "tf.metrics.auc(summation_method='careful_interpolation') is not "
                                 "provided by tfcompat; use summation_method='trapezoidal'")
    if thresholds is not None:
        cuts = [0.0 - _EPS] + list(thresholds) + [1.0 + _EPS]
    else:
        cuts = [0.0 - _EPS] + [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0 + _EPS]
    n = len(cuts)
    with _scope(name, "auc"):
        predictions, labels = _check_shapes(predictions, labels)
        pred = v2("reshape")(_f32(predictions), [1, -1])
        lab = v2("reshape")(v2("cast")(labels, dtypes.bool_), [1, -1])
        is_pos = v2("math.greater")(pred, v2("constant")([[c] for c in cuts], dtypes.float32))
        w = None if weights is None else v2("reshape")(
            v2("broadcast_to")(_f32(weights), v2("shape")(predictions)), [1, -1])
        land, lnot = v2("math.logical_and"), v2("math.logical_not")
        conds = {"true_positives": land(lab, is_pos), "false_negatives": land(lab, lnot(is_pos)),
                 "true_negatives": land(lnot(lab), lnot(is_pos)), "false_positives": land(lnot(lab), is_pos)}
        cur, upd = {}, {}
        for key, c in conds.items():
            var = _metric_variable([n], key)
            vals = _f32(c) if w is None else _f32(c) * w
            upd[key] = var.assign_add(v2("math.reduce_sum")(vals, axis=1))
            cur[key] = var.read_value()

        def area(m: dict, nm: str) -> Any:
            tp, fn, tn, fp = m["true_positives"], m["false_negatives"], m["true_negatives"], m["false_positives"]
            rec = (tp + 1e-6) / (tp + fn + 1e-6)
            if curve == "ROC":
                x, y = fp / (fp + tn + 1e-6), rec
            else:
                x, y = rec, (tp + 1e-6) / (tp + fp + 1e-6)
            dx = x[:n - 1] - x[1:]
            if summation_method == "trapezoidal":
                h = (y[:n - 1] + y[1:]) / 2.0
            elif summation_method == "minoring":
                h = v2("math.minimum")(y[:n - 1], y[1:])
            else:
                h = v2("math.maximum")(y[:n - 1], y[1:])
            return v2("math.reduce_sum")(dx * h, name=nm)
        value, update_op = area(cur, "value"), area(upd, "update_op")
    _collect(metrics_collections, value)
    _collect(updates_collections, update_op)
    return value, update_op
