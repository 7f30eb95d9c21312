"""Import paths real TF1 code reaches into: `tf.python.*`, `tf.contrib.eager`, `tf.keras.__version__`, `tf.estimator`.

    from tensorflow.python.platform import gfile        # -> tf.gfile
    from tensorflow.python.framework import ops          # ops.convert_to_tensor, ops.name_scope, ops.Graph
    from tensorflow.python.keras.models import Model     # -> tf.keras.models.Model
    tf.estimator.BoostedTreesClassifier                  # AttributeError naming what tfcompat's tf.estimator has

`tf.python.*` modules forward attribute lookups to the public namespace that holds the
same object, at access time, so every v1 name is reachable whatever order modules load in.
"""
from __future__ import annotations

from typing import Any, Callable

from ... import _export
from ._api import v1_export

_ROOT = "tfcompat.compat.v1"

# tf.python.<path> -> the public v1 namespaces searched, in order ("" is the top level)
_FORWARDS = {
    "python": (),
    "python.platform": (),
    "python.platform.gfile": ("gfile",),
    "python.platform.tf_logging": ("logging",),
    "python.framework": (),
    "python.framework.ops": ("",),
    "python.framework.dtypes": ("dtypes", ""),
    "python.framework.constant_op": ("",),
    "python.framework.tensor_shape": ("",),
    "python.framework.errors": ("errors",),
    "python.framework.errors_impl": ("errors",),
    "python.ops": (),
    "python.ops.array_ops": ("", "math"),
    "python.ops.math_ops": ("math", ""),
    "python.ops.nn": ("nn",),
    "python.ops.nn_ops": ("nn",),
    "python.ops.random_ops": ("", "random"),
    "python.ops.init_ops": ("",),
    "python.ops.variables": ("",),
    "python.ops.variable_scope": ("",),
    "python.ops.control_flow_ops": ("",),
    "python.ops.state_ops": ("",),
    "python.ops.rnn": ("nn",),
    "python.ops.rnn_cell": ("nn.rnn_cell",),
    "python.ops.rnn_cell_impl": ("nn.rnn_cell",),
    "python.training": (),
    "python.training.training": ("train",),
    "python.util": (),
    "python.util.compat": ("compat",),
    "python.keras": ("keras",),
    "python.client": (),
    "python.client.session": ("",),
    "contrib.eager": ("",),
}

# tf.contrib.eager: the TF2 eager pieces under their contrib names (only these)
_RENAMES = {"contrib.eager": {"enable_eager_execution": "enable_eager_execution",
                              "executing_eagerly": "executing_eagerly", "in_eager_mode": "executing_eagerly",
                              "GradientTape": "GradientTape", "Variable": "Variable", "defun": "function",
                              "function": "function", "py_func": "py_function", "Checkpoint": "train.Checkpoint",
                              "Iterator": "data.Iterator"}}


def _lookup(path: str, name: str) -> Any:
    v1 = _export._module(_ROOT)
    renames = _RENAMES.get(path)
    if renames is not None:
        if name in renames:
            *spaces, leaf = renames[name].split(".")
            path, name = "", leaf
            obj: Any = v1
            for part in spaces:
                obj = getattr(obj, part, None)
            if obj is not None and hasattr(obj, name):
                return getattr(obj, name)
        raise AttributeError(f"tf.contrib.eager.{name} is not provided by tfcompat: tf.contrib was removed from "
                             f"TensorFlow; use the TF2 eager API (tf.GradientTape, tf.function, tf.Variable)")
    for space in _FORWARDS[path]:
        obj: Any = v1
        for part in filter(None, space.split(".")):
            obj = getattr(obj, part, None)
        if obj is not None and hasattr(obj, name):
            return getattr(obj, name)
    raise AttributeError(f"tf.{path}.{name} is not provided by tfcompat (tf.python.* paths forward to the "
                         f"public TensorFlow API; use the public name)")


def _forwarder(path: str) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        child = f"{path}.{name}"
        if child in _FORWARDS:
            return _export._module(f"{_ROOT}.{child}")
        return _lookup(path, name)
    return __getattr__


for _path in _FORWARDS:
    _mod = _export._module(f"{_ROOT}.{_path}")
    _mod.__getattr__ = _forwarder(_path)  # type: ignore[attr-defined]
    _parent, _, _leaf = _path.rpartition(".")
    setattr(_export._module(f"{_ROOT}.{_parent}" if _parent else _ROOT), _leaf, _mod)


# -- tf.python.framework.tensor_shape helpers (TF1 module functions) -------------------------
def _shape(dims: Any) -> Any:
    from runtime.shape import TensorShape  # noqa: PLC0415
    return TensorShape(dims)


@v1_export("python.framework.tensor_shape.scalar")
def scalar() -> Any:
    """TensorShape([])."""
    return _shape([])


@v1_export("python.framework.tensor_shape.vector")
def vector(length: Any) -> Any:
    """TensorShape([length])."""
    return _shape([length])


@v1_export("python.framework.tensor_shape.matrix")
def matrix(rows: Any, cols: Any) -> Any:
    """TensorShape([rows, cols])."""
    return _shape([rows, cols])


@v1_export("python.framework.tensor_shape.unknown_shape")
def unknown_shape(rank: Any = None, **kwargs: Any) -> Any:
    """A shape of unknown rank, or of `rank` unknown dimensions."""
    return _shape(None if rank is None else [None] * rank)


@v1_export("python.framework.tensor_shape.as_shape")
def as_shape(shape: Any) -> Any:
    return _shape(shape)


# -- tf.keras.__version__ --------------------------------------------------------------------
_export.export_value("2.2.4-tf", v1=("keras.__version__",))


# -- tf.estimator: names tfcompat's Estimator package (tfcompat/_impl/estimator) lacks ---------
def _no_estimator(path: str) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"tf.{path}.{name} is not provided by tfcompat's tf.estimator; use the Estimator, "
                             f"canned DNN/Linear/Baseline estimators and hooks it has, or rewrite the model with "
                             f"tf.keras (Model.fit/evaluate/predict)")
    return __getattr__


_est = _export._module(f"{_ROOT}.estimator")
_est.__getattr__ = _no_estimator("estimator")  # type: ignore[attr-defined]
_export._module(_ROOT).estimator = _est  # type: ignore[attr-defined]
