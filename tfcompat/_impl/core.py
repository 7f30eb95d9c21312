"""Tensors, constants, variables, tapes, dtypes and errors: `tf.constant`, `tf.Variable`, ..."""
from __future__ import annotations

from typing import Any

from runtime import autodiff, dispatch, dtypes, errors, nest, shape as shape_mod
from runtime.ops import array
from runtime.tensor import Tensor
from runtime.variables import Variable, VariableAggregation, VariableSynchronization

from .._export import export, export_value

export_value(Tensor, "Tensor")
export_value(Variable, "Variable", v1=())
export_value(VariableSynchronization, "VariableSynchronization")
export_value(VariableAggregation, "VariableAggregation")
export_value(shape_mod.TensorShape, "TensorShape")
export_value(dtypes.DType, "dtypes.DType", "DType")
for _d in dtypes.ALL + (dtypes.resource, dtypes.variant):
    export_value(_d, _d.name, f"dtypes.{_d.name}")
export_value(dtypes.float16, "half", "dtypes.half")
export_value(dtypes.float64, "double", "dtypes.double")
export_value(autodiff.GradientTape, "GradientTape")
export_value(autodiff.UnconnectedGradients, "UnconnectedGradients")
for _name in ("flatten", "pack_sequence_as", "map_structure", "assert_same_structure", "is_nested"):
    export_value(getattr(nest, _name), f"nest.{_name}")
for _name in dir(errors):
    _obj = getattr(errors, _name)
    if isinstance(_obj, type) and issubclass(_obj, errors.OpError):
        export_value(_obj, f"errors.{_name}")
    elif _name.isupper() and isinstance(_obj, int):
        export_value(_obj, f"errors.{_name}")
export_value(None, "newaxis")


@export("dtypes.as_dtype", "as_dtype")
def as_dtype(type_value: Any) -> dtypes.DType:
    """tf.as_dtype(np.float32) / ("float32") / (tf.float32) -> tf.float32."""
    return dtypes.as_dtype(type_value)


@export("custom_gradient")
def custom_gradient(f: Any = None) -> Any:
    """@tf.custom_gradient or @tf.custom_gradient(): `f(*x)` returns `(y, grad_fn)`."""
    if f is None:
        return autodiff.custom_gradient
    return autodiff.custom_gradient(f)


@export("constant", v1=())
def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const") -> Any:
    """tf.constant([1.0, 2.0]) -> a float32 tensor of shape (2,)."""
    return dispatch.constant(value, dtype=dtype, shape=shape, name=name)


@export("convert_to_tensor", v1=())
def convert_to_tensor(value: Any, dtype: Any = None, dtype_hint: Any = None, name: str | None = None) -> Any:
    """tf.convert_to_tensor(np.ones(3)) -> a float64 tensor; tensors pass through."""
    return dispatch.convert_to_tensor(value, dtype=dtype, dtype_hint=dtype_hint, name=name)


@export("is_tensor")
def is_tensor(x: Any) -> bool:
    return dispatch.is_tensor(x) or isinstance(x, Variable) or getattr(x, "_is_composite_tensor", False)


@export("executing_eagerly")
def executing_eagerly() -> bool:
    return dispatch.executing_eagerly()


@export("identity")
def identity(input: Any, name: str | None = None) -> Any:  # noqa: A002  (TF's argument name)
    """tf.identity(x) -> a tensor with x's value (reads a variable)."""
    return array.identity(input, name=name)


@export("stop_gradient")
def stop_gradient(input: Any, name: str | None = None) -> Any:  # noqa: A002
    """tf.stop_gradient(x): the same value, but gradients do not flow through it."""
    return array.stop_gradient(input, name=name)
