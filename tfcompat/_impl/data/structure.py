"""Elements of a dataset: nested tuples/dicts of NumPy arrays inside, tensors outside.

    normalize(([1, 2], {"a": 3.0}))  ->  (array([1, 2], int32), {"a": array(3., float32)})
    spec_of(array([1, 2]))           ->  TensorSpec(shape=(2,), dtype=tf.int64, name=None)

Lists are values (converted to one array, as tf.data does); tuples, namedtuples
and dicts are structure.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from runtime import backend, dispatch, dtypes, nest
from runtime.shape import TensorShape
from runtime.tensor import Tensor


@dataclass(frozen=True)
class TensorSpec:
    """The type of one dataset component: a (partially known) shape and a dtype."""

    shape: TensorShape
    dtype: dtypes.DType
    name: str | None = None

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype=tf.{self.dtype.name}, name={self.name!r})"

    def most_specific_common_supertype(self, other: "TensorSpec") -> "TensorSpec":
        a, b = self.shape.as_list() if self.shape.rank is not None else None, \
            other.shape.as_list() if other.shape.rank is not None else None
        if a is None or b is None or len(a) != len(b):
            return TensorSpec(TensorShape(None), self.dtype)
        return TensorSpec(TensorShape([x if x == y else None for x, y in zip(a, b)]), self.dtype)


def is_structure(value: Any) -> bool:
    return isinstance(value, (tuple, dict))


def to_array(value: Any) -> np.ndarray:
    """One component as an array with TensorFlow's dtype rules (Python float -> float32, ...)."""
    if isinstance(value, Tensor):
        return backend.to_host(value._value)  # NOTE: tf.data works on the host, as TensorFlow's does
    if isinstance(value, np.ndarray):
        # NOTE: a NumPy str/bytes array holds string elements: tf.string values are an object array of bytes
        return dispatch.to_array(value) if value.dtype.kind in "US" else value
    if hasattr(value, "_as_tensor"):
        return np.asarray(value)
    if getattr(value, "_is_symbolic", False):
        raise TypeError("tf.data ran a function eagerly but it returned a symbolic (graph) tensor; "
                        "dataset functions must compute with eager tensors")
    return np.asarray(dispatch.to_array(value))


class NoneValue(tuple):
    """A None component (TF's NoneTensor, e.g. the labels of `from_tensor_slices((x, None))`): a structure
    with no tensors, given back to dataset functions and iterators as None."""

    __slots__ = ()

    def __new__(cls, _children: Any = ()) -> "NoneValue":
        return tuple.__new__(cls, ())

    def __repr__(self) -> str:
        return "NoneTensorSpec()"   # NOTE: only element specs show it; elements carry None


NONE = NoneValue()


def restore_none(value: Any) -> Any:
    if isinstance(value, NoneValue):
        return None
    if isinstance(value, dict):
        return type(value)((k, restore_none(v)) for k, v in value.items())
    if isinstance(value, tuple) and any(isinstance(v, (tuple, dict)) for v in value):
        children = [restore_none(v) for v in value]
        return type(value)(*children) if hasattr(value, "_fields") else type(value)(children)
    return value


def normalize(value: Any) -> Any:
    """A user value (tensors, arrays, Python values; tuples/dicts as structure) as nested arrays."""
    if value is None:
        return NONE
    if isinstance(value, dict):
        return type(value)((k, normalize(v)) for k, v in value.items()) if type(value) is not dict \
            else {k: normalize(v) for k, v in value.items()}
    if isinstance(value, tuple):
        children = [normalize(v) for v in value]
        return type(value)(*children) if hasattr(value, "_fields") else tuple(children)
    return to_array(value)


def to_tensors(element: Any) -> Any:
    return restore_none(nest.map_structure(Tensor, element)) if is_structure(element) else Tensor(element)


def to_numpy(element: Any) -> Any:
    def one(a: np.ndarray) -> Any:
        return a[()] if a.ndim == 0 else a
    return nest.map_structure(one, element) if is_structure(element) else one(element)


def spec_of(array: np.ndarray) -> TensorSpec:
    return TensorSpec(TensorShape(array.shape), dtypes.from_numpy(array.dtype))


def element_spec(element: Any) -> Any:
    return nest.map_structure(spec_of, element) if is_structure(element) else spec_of(element)


def map_leaves(fn: Any, *elements: Any) -> Any:
    if is_structure(elements[0]):
        return nest.map_structure(fn, *elements)
    return fn(*elements)


def flat(element: Any) -> list:
    return nest.flatten(element) if is_structure(element) else [element]


def pack(template: Any, leaves: list) -> Any:
    return nest.pack_sequence_as(template, leaves) if is_structure(template) else leaves[0]


def call(fn: Any, element: Any) -> Any:
    """Call a dataset function: a tuple element is spread over the arguments, as tf.data does."""
    tensors = to_tensors(element)
    if isinstance(element, tuple) and not hasattr(element, "_fields"):
        return fn(*tensors)
    return fn(tensors)


def normalize_result(value: Any) -> Any:
    """A map function's return value as an element (a list return is a tuple, as in TF)."""
    if isinstance(value, list):
        value = tuple(value)
    return normalize(value)
