"""Shared Keras helpers: the tf namespace, unique names, Keras variables, call context.

    unique_name("dense") -> "dense", then "dense_1", ...
"""
from __future__ import annotations

import re
import threading
import weakref
from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.variables import Variable

from ..._export import export

_UIDS: dict[str, int] = {}
_GRAPH_UIDS: "weakref.WeakKeyDictionary[Any, dict[str, int]]" = weakref.WeakKeyDictionary()   # TF1 graph -> counters
_FLOATX = ["float32"]
EPSILON = 1e-7


def tf() -> Any:
    """The public `tfcompat` namespace (imported lazily: keras sits on top of the other modules)."""
    import tfcompat  # noqa: PLC0415
    return tfcompat


def snake(name: str) -> str:
    """'BatchNormalization' -> 'batch_normalization' (Keras's default layer names)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str) -> str:
    """'dense', 'dense_1', ...: counted per TF1 graph being built (TF 1.15's `backend.get_uid`), else globally."""
    counters = _counters()
    n = counters.get(prefix, 0)
    counters[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def _counters() -> dict[str, int]:
    from runtime import graph as graph_mod  # noqa: PLC0415
    g = graph_mod.default_graph()
    if g is None or getattr(g, "is_function", False):
        return _UIDS
    if g not in _GRAPH_UIDS:
        _GRAPH_UIDS[g] = {}
    return _GRAPH_UIDS[g]


@export("keras.backend.clear_session", "keras.utils.clear_session", v1=("keras.backend.clear_session",))
def clear_session(free_memory: bool = True) -> None:
    """Reset Keras's name counters (`dense`, `dense_1`, ... start again)."""
    _UIDS.clear()
    _GRAPH_UIDS.clear()


@export("keras.backend.floatx", "keras.config.floatx", v1=("keras.backend.floatx",))
def floatx() -> str:
    return _FLOATX[0]


@export("keras.backend.set_floatx", "keras.config.set_floatx", v1=("keras.backend.set_floatx",))
def set_floatx(value: str) -> None:
    _FLOATX[0] = dtypes.as_dtype(value).name


@export("keras.backend.epsilon", "keras.config.epsilon", v1=("keras.backend.epsilon",))
def epsilon() -> float:
    return EPSILON


class KerasVariable(Variable):
    """A `tf.Variable` with Keras 3's short `name` ('kernel') and full `path` ('dense/kernel')."""

    __slots__ = ("_keras_name", "_path", "regularizer", "_in_v1_graph")

    def __init__(self, initial_value: Any, name: str, path: str, trainable: bool = True,
                 dtype: Any = None, constraint: Any = None) -> None:
        # NOTE: set first: a v1 graph names the variable's initializer from it while Variable.__init__ runs
        self._keras_name, self._path, self.regularizer = name, path, None
        graph = getattr(dispatch.current(), "graph", None)
        self._in_v1_graph = graph is not None and not graph.is_function
        # NOTE: in a v1 graph, tf.keras (TF 1.15) names a layer's variables by path: 'dense/kernel:0'
        super().__init__(initial_value, trainable=trainable, name=path if self._in_v1_graph else name, dtype=dtype,
                         constraint=constraint)

    @property
    def name(self) -> str:
        return self._value.name if self._in_v1_graph else self._keras_name

    @property
    def path(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return (f"<Variable path={self._path}, shape={tuple(self.shape.as_list())}, "
                f"dtype={self.dtype.name}, value={self.numpy()}>")


def as_float_tensor(x: Any, dtype: Any = None) -> Any:
    """Inputs as Keras casts them: floating values become the compute dtype, others keep theirs."""
    if dispatch.is_tensor(x) or isinstance(x, Variable):
        t = dispatch.convert_to_tensor(x)
        want = dtypes.as_dtype(dtype or floatx())
        if t.dtype.is_floating and t.dtype is not want:
            return tf().cast(t, want)
        return t
    arr = np.asarray(x)
    if arr.dtype.kind in "US" or (arr.dtype == object and arr.size and isinstance(arr.flat[0], (str, bytes))):
        return dispatch.convert_to_tensor(arr.astype(object))   # NOTE: text stays text (tf.string)
    if arr.dtype.kind == "f" or arr.dtype == object:
        return dispatch.convert_to_tensor(arr.astype(dtypes.as_dtype(dtype or floatx()).as_numpy_dtype))
    if arr.dtype.kind in "iu" and arr.dtype.itemsize == 8 and not isinstance(x, np.ndarray):
        arr = arr.astype(np.int32)
    return dispatch.convert_to_tensor(arr)


class _CallContext(threading.local):
    def __init__(self) -> None:
        self.training: list[Any] = []


CALL_CONTEXT = _CallContext()


def static_shape(x: Any) -> tuple:
    shape = x.shape
    return tuple(shape.as_list()) if hasattr(shape, "as_list") else tuple(shape)


OPTIMIZER_ARGS = ("learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema", "ema_momentum",
           "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps", "name")


def optimizer_args(args: dict) -> dict:
    """A subclass's locals() -> the base Optimizer's keyword arguments (its own are kept by the subclass)."""
    return {**{k: args[k] for k in OPTIMIZER_ARGS}, **args["kwargs"]}
