"""`tf.keras.metrics` (also `tf.metrics`): stateful metrics with `update_state`, `result`, `reset_state`.

    m = Mean();  m.update_state([1.0, 3.0]);  m.result() -> 2.0;  m.reset_state()
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from runtime import dispatch

from ..._export import export
from . import losses
from .common import KerasVariable, floatx, snake, tf


def _exp(*names: str) -> Any:
    return export(*[f"{p}.{n}" for n in names for p in ("keras.metrics", "metrics")],
                  v1=[f"keras.metrics.{n}" for n in names])


@_exp("Metric")
class Metric:
    """Base class: state lives in variables made by `add_variable`; `result()` reads them."""

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        self.name = name or snake(type(self).__name__)
        self._dtype = dtype.name if hasattr(dtype, "name") else (dtype or floatx())
        self._variables: list = []

    def add_variable(self, shape: Any = (), initializer: Any = "zeros", dtype: Any = None, aggregation: str = "sum",
                     name: str | None = None) -> KerasVariable:
        dtype = dtype or self._dtype
        value = np.zeros(tuple(shape), np.dtype(dtype if not hasattr(dtype, "as_numpy_dtype") else dtype.as_numpy_dtype))
        v = KerasVariable(value, name=name or "variable", path=f"{self.name}/{name}", trainable=False)
        self._variables.append(v)
        return v

    add_weight = add_variable

    @property
    def variables(self) -> list:
        return list(self._variables)

    @property
    def dtype(self) -> str:
        return self._dtype

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define update_state()")

    def result(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define result()")

    def reset_state(self) -> None:
        for v in self._variables:
            v.assign(np.zeros(tuple(v.shape.as_list()), v.dtype.as_numpy_dtype))

    def reset_states(self) -> None:
        """The Keras 2 spelling of `reset_state` (TF 2.0-era code calls it)."""
        self.reset_state()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self._dtype}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _rank(x: Any) -> int:
    rank = x.shape.rank
    if rank is None:
        raise ValueError(f"Metric values need a known rank; got {x!r}")
    return rank


def _samplewise(values: Any, sample_weight: Any, dtype: str, reduce: Callable) -> tuple:
    """Keras's reduce_to_samplewise_values: values (and weights) reduced to one per sample."""
    t = tf()
    values = t.cast(values, dtype)
    if sample_weight is not None:
        sw = t.cast(sample_weight, dtype)
        while _rank(sw) > _rank(values) and sw.shape[-1] == 1:
            sw = t.squeeze(sw, axis=-1)
        if _rank(values) > _rank(sw):
            values = reduce(values, axis=list(range(_rank(sw), _rank(values))))
        if _rank(sw) < _rank(values) or sw.shape.as_list() != values.shape.as_list():
            sw = sw * t.ones_like(values)
        values = values * sw
        if _rank(sw) > 1:
            sw = reduce(sw, axis=list(range(1, _rank(sw))))
        sample_weight = sw
    if _rank(values) > 1:
        values = reduce(values, axis=list(range(1, _rank(values))))
    return values, sample_weight


@_exp("Mean")
class Mean(Metric):
    """The (weighted) mean of every value seen: total / count."""

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        t = tf()
        values, sample_weight = _samplewise(dispatch.convert_to_tensor(values) if not hasattr(values, "dtype")
                                            else values, sample_weight, self._dtype, t.reduce_mean)
        self.total.assign_add(t.reduce_sum(values))
        if sample_weight is not None:
            n = t.reduce_sum(sample_weight)
        elif _rank(values) >= 1:
            n = t.cast(t.shape(values)[0], self._dtype)
        else:
            n = 1.0
        self.count.assign_add(t.cast(n, self._dtype) if not isinstance(n, float) else n)

    def result(self) -> Any:
        return tf().math.divide_no_nan(self.total.value(), self.count.value())


@_exp("RootMeanSquaredError")
class RootMeanSquaredError(Mean):
    """sqrt(mean((y_pred - y_true)^2)) over every value seen (Keras 3: a Mean of squared errors, then sqrt)."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t = tf()
        y_pred = t.cast(y_pred, self._dtype)
        super().update_state(t.square(y_pred - t.cast(y_true, self._dtype)), sample_weight)

    def result(self) -> Any:
        return tf().sqrt(super().result())


@_exp("Sum")
class Sum(Metric):
    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = _samplewise(dispatch.convert_to_tensor(values), sample_weight, self._dtype, tf().reduce_sum)
        self.total.assign_add(tf().reduce_sum(values))

    def result(self) -> Any:
        return self.total.value()


@_exp("MeanMetricWrapper")
class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred)` over every sample seen."""

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight=sample_weight)


def _matched(y_true: Any, y_pred: Any) -> tuple:
    t = tf()
    y_pred = dispatch.convert_to_tensor(y_pred)
    y_true = dispatch.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) + 1 and y_true.shape[-1] == 1:
        y_true = t.squeeze(y_true, axis=-1)
    elif len(y_pred.shape) == len(y_true.shape) + 1 and y_pred.shape[-1] == 1:
        y_pred = t.squeeze(y_pred, axis=-1)
    return y_true, y_pred


def accuracy(y_true: Any, y_pred: Any) -> Any:
    t = tf()
    y_true, y_pred = _matched(y_true, y_pred)
    return t.cast(t.equal(y_true, t.cast(y_pred, y_true.dtype)), floatx())


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Any:
    t = tf()
    y_true, y_pred = _matched(y_true, y_pred)
    pred = t.cast(y_pred > threshold, y_true.dtype)
    return t.reduce_mean(t.cast(t.equal(y_true, pred), floatx()), axis=-1)


def categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    t = tf()
    return t.cast(t.equal(t.argmax(y_true, axis=-1), t.argmax(y_pred, axis=-1)), floatx())


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    t = tf()
    y_pred = dispatch.convert_to_tensor(y_pred)
    y_true = dispatch.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = t.squeeze(y_true, axis=-1)
    pred = t.argmax(y_pred, axis=-1)
    return t.cast(t.equal(t.cast(y_true, pred.dtype), pred), floatx())


for _fn, _names in ((binary_accuracy, ("binary_accuracy",)), (categorical_accuracy, ("categorical_accuracy",)),
                    (sparse_categorical_accuracy, ("sparse_categorical_accuracy",))):
    _exp(*_names)(_fn)


def _wrapper(class_name: str, fn: Callable, default: str) -> type:
    def __init__(self: Any, name: str = default, dtype: Any = None) -> None:
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype)
    cls = type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__module__": __name__,
                                                  "__doc__": f"Mean of `{fn.__name__}` over all samples."})
    return _exp(class_name)(cls)


MeanSquaredError = _wrapper("MeanSquaredError", losses.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", losses.mean_absolute_error, "mean_absolute_error")
Accuracy = _wrapper("Accuracy", accuracy, "accuracy")
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy")


@_exp("BinaryCrossentropy")
class BinaryCrossentropy(MeanMetricWrapper):
    """Mean of `binary_crossentropy` over all samples."""

    def __init__(self, name: str = "binary_crossentropy", dtype: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0) -> None:
        super().__init__(losses.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


@_exp("CategoricalCrossentropy")
class CategoricalCrossentropy(MeanMetricWrapper):
    """Mean of `categorical_crossentropy` over all samples."""

    def __init__(self, name: str = "categorical_crossentropy", dtype: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0, axis: int = -1) -> None:
        super().__init__(losses.categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


@_exp("SparseCategoricalCrossentropy")
class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Mean of `sparse_categorical_crossentropy` over all samples."""

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: Any = None, from_logits: bool = False,
                 ignore_class: Any = None, axis: int = -1) -> None:
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)


@_exp("BinaryAccuracy")
class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


_BY_NAME: dict[str, Any] = {
    "mse": losses.mean_squared_error, "mean_squared_error": losses.mean_squared_error,
    "mae": losses.mean_absolute_error, "mean_absolute_error": losses.mean_absolute_error,
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "binary_crossentropy": losses.binary_crossentropy, "categorical_crossentropy": losses.categorical_crossentropy,
    "sparse_categorical_crossentropy": losses.sparse_categorical_crossentropy,
}


@_exp("get")
def get(identifier: Any) -> Any:
    """'mae' / a Metric / a function -> a Metric (functions are averaged over samples)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            cls = _metric_classes().get(identifier)   # NOTE: 'AUC' / 'auc', 'Precision' / 'precision', ...
            if cls is None:
                raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
            return cls()
        return MeanMetricWrapper(fn, name=identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def _metric_classes() -> dict:
    """Public Metric subclasses by class name and by snake_case name ('AUC' and 'auc')."""
    out: dict = {}
    todo = list(Metric.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__name__.startswith("_"):
            out.setdefault(cls.__name__, cls)
            out.setdefault(cls.__name__.lower() if cls.__name__.isupper() else snake(cls.__name__), cls)
    return out
