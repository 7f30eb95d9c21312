"""`tf.keras.losses` (also `tf.losses`): loss classes with Keras 3 reductions, and function forms.

    MeanSquaredError()(y_true, y_pred)  ==  mean over all of mean((y_true - y_pred) ** 2, axis=-1)
    SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
"""
from __future__ import annotations

from typing import Any, Callable

from runtime import dispatch

from ..._export import export
from .common import EPSILON, snake, tf


def _exp(*names: str, metric: bool = False) -> Any:
    """v2: keras.losses.X and losses.X (and the metric aliases); v1: the keras names only."""
    v2, v1 = [], []
    for n in names:
        v2 += [f"keras.losses.{n}", f"losses.{n}"]
        v1 += [f"keras.losses.{n}"]
        if metric:
            v2 += [f"keras.metrics.{n}", f"metrics.{n}"]
            v1 += [f"keras.metrics.{n}"]
    return export(*v2, v1=v1)


def _prepare(y_true: Any, y_pred: Any) -> tuple:
    """Keras's fix-up: y_pred a float tensor, y_true cast to it, ranks matched by a trailing 1."""
    t = tf()
    y_pred = dispatch.convert_to_tensor(y_pred)
    y_true = dispatch.convert_to_tensor(y_true)
    if y_true.dtype is not y_pred.dtype:
        y_true = t.cast(y_true, y_pred.dtype)
    rt, rp = y_true.shape.rank, y_pred.shape.rank
    if rt is None or rp is None:
        return y_true, y_pred
    if rt == rp + 1 and y_true.shape[-1] == 1:
        y_true = t.squeeze(y_true, axis=-1)
    elif rp == rt + 1 and y_pred.shape[-1] == 1:
        y_pred = t.squeeze(y_pred, axis=-1)
    return y_true, y_pred


@_exp("mse", "MSE", metric=True)
def mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    """Per sample: mean((y_true - y_pred) ** 2, axis=-1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return tf().reduce_mean(tf().square(y_true - y_pred), axis=-1)


@_exp("mae", "MAE", metric=True)
def mean_absolute_error(y_true: Any, y_pred: Any) -> Any:
    y_true, y_pred = _prepare(y_true, y_pred)
    return tf().reduce_mean(tf().abs(y_true - y_pred), axis=-1)


def _smooth(y_true: Any, label_smoothing: float, num_classes: Any) -> Any:
    return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes if label_smoothing else y_true


@_exp("binary_crossentropy", metric=True)
def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> Any:
    """Per sample: mean over `axis` of -(y log p + (1 - y) log(1 - p)), p clipped to [eps, 1 - eps]."""
    t = tf()
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing if label_smoothing else y_true
    if from_logits:
        values = t.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        p = t.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
        values = -(y_true * t.math.log(p) + (1 - y_true) * t.math.log(1 - p))
    return t.reduce_mean(values, axis=axis)


@_exp("categorical_crossentropy", metric=True)
def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1) -> Any:
    """Per sample: -sum(y * log(p)) with p normalised and clipped (or softmax of logits)."""
    t = tf()
    y_pred = dispatch.convert_to_tensor(y_pred)
    y_true = t.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing, t.cast(t.shape(y_true)[-1], y_pred.dtype))
    if from_logits:
        return t.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = y_pred / t.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = t.clip_by_value(p, EPSILON, 1.0 - EPSILON)
    return -t.reduce_sum(y_true * t.math.log(p), axis=axis)


@_exp("sparse_categorical_crossentropy", metric=True)
def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: Any = None,
                                    axis: int = -1) -> Any:
    """Per sample: -log p[label] (labels are integer class ids)."""
    t = tf()
    y_pred = dispatch.convert_to_tensor(y_pred)
    y_true = t.cast(y_true, "int64")
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = t.squeeze(y_true, axis=-1)
    logits = y_pred if from_logits else t.math.log(t.clip_by_value(y_pred, EPSILON, 1 - EPSILON))
    values = t.nn.sparse_softmax_cross_entropy_with_logits(labels=y_true, logits=logits)
    if ignore_class is not None:
        values = values * t.cast(t.not_equal(y_true, ignore_class), values.dtype)
    return values


@export("keras.losses.Loss", "keras.Loss", "losses.Loss", v1=("keras.losses.Loss",))
class Loss:
    """Base class: `call(y_true, y_pred)` gives per-sample values; `__call__` weights and reduces them."""

    def __init__(self, name: str | None = None, reduction: Any = "sum_over_batch_size", dtype: Any = None) -> None:
        if reduction not in ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None, "auto"):
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of 'sum_over_batch_size', "
                             f"'sum', 'mean', 'mean_with_sample_weight', 'none', None. Received: {reduction!r}")
        self.name = name or snake(type(self).__name__)
        self.reduction = "sum_over_batch_size" if reduction == "auto" else reduction
        self.dtype = dtype

    def call(self, y_true: Any, y_pred: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred)")

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        t = tf()
        values = dispatch.convert_to_tensor(self.call(y_true, y_pred))
        if sample_weight is not None:
            sw = t.cast(sample_weight, values.dtype)
            while len(sw.shape) > len(values.shape) and sw.shape[-1] == 1:
                sw = t.squeeze(sw, axis=-1)
            values = values * sw
        if self.reduction in (None, "none") or len(values.shape) == 0:
            return values
        total = t.reduce_sum(values)
        if self.reduction == "sum":
            return total
        if self.reduction == "mean_with_sample_weight" and sample_weight is not None:
            return t.math.divide_no_nan(total, t.cast(t.reduce_sum(sample_weight), total.dtype))
        return t.math.divide_no_nan(total, t.cast(t.size(values), total.dtype))

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}


class LossFunctionWrapper(Loss):
    """A Loss whose per-sample values come from `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn: Callable, reduction: Any = "sum_over_batch_size", name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn, self._fn_kwargs = fn, kwargs

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return self.fn(y_true, y_pred, **self._fn_kwargs)


@_exp("MeanSquaredError")
class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "mean_squared_error",
                 dtype: Any = None) -> None:
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


@_exp("MeanAbsoluteError")
class MeanAbsoluteError(LossFunctionWrapper):
    def __init__(self, reduction: Any = "sum_over_batch_size", name: str = "mean_absolute_error",
                 dtype: Any = None) -> None:
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


@_exp("BinaryCrossentropy")
class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "binary_crossentropy", dtype: Any = None) -> None:
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


@_exp("CategoricalCrossentropy")
class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Any = "sum_over_batch_size", name: str = "categorical_crossentropy",
                 dtype: Any = None) -> None:
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


@_exp("SparseCategoricalCrossentropy")
class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits: bool = False, ignore_class: Any = None, reduction: Any = "sum_over_batch_size",
                 axis: int = -1, name: str = "sparse_categorical_crossentropy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits


_BY_NAME: dict[str, Any] = {
    "mse": mean_squared_error, "mean_squared_error": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "mean_absolute_error": mean_absolute_error, "MAE": mean_absolute_error,
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "MeanSquaredError": MeanSquaredError, "MeanAbsoluteError": MeanAbsoluteError,
    "BinaryCrossentropy": BinaryCrossentropy, "CategoricalCrossentropy": CategoricalCrossentropy,
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
}


@_exp("get")
def get(identifier: Any) -> Any:
    """'mse' / a Loss / a function -> a callable `loss(y_true, y_pred[, sample_weight])` (reduced)."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        found = _BY_NAME.get(identifier)
        if found is None:
            raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
        identifier = found
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
