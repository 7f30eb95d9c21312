"""`DType` and TensorFlow's typing rules.

No implicit promotion between tensors of different dtypes; Python scalars take
the other operand's dtype; Python float -> float32, int -> int32; NumPy arrays
keep their dtype.

    as_dtype("float32") is float32;  dtype_of_value(1.0) is float32
"""
from __future__ import annotations

from typing import Any

import numpy as np


class DType:
    """A TensorFlow dtype: a name and the NumPy dtype that stores it."""

    __slots__ = ("name", "as_numpy_dtype", "_np", "as_datatype_enum")

    def __init__(self, name: str, np_type: Any, enum: int) -> None:
        self.name = name
        self.as_numpy_dtype = np_type
        self._np = np.dtype(np_type)
        self.as_datatype_enum = enum

    # -- TensorFlow's properties -------------------------------------------------------------
    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def is_floating(self) -> bool:
        return self._np.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._np.kind in "iu"

    @property
    def is_unsigned(self) -> bool:
        return self._np.kind == "u"

    @property
    def is_complex(self) -> bool:
        return self._np.kind == "c"

    @property
    def is_bool(self) -> bool:
        return self._np.kind == "b"

    @property
    def is_numeric(self) -> bool:
        return self._np.kind in "fiuc"

    @property
    def size(self) -> int:
        return self._np.itemsize

    @property
    def real_dtype(self) -> "DType":
        return {complex64: float32, complex128: float64}.get(self, self)

    @property
    def min(self) -> Any:
        if self.is_floating:
            return np.finfo(self._np).min
        if self.is_integer:
            return np.iinfo(self._np).min
        if self.is_bool:
            return False
        raise TypeError(f"Cannot find minimum value of {self.name}.")

    @property
    def max(self) -> Any:
        if self.is_floating:
            return np.finfo(self._np).max
        if self.is_integer:
            return np.iinfo(self._np).max
        if self.is_bool:
            return True
        raise TypeError(f"Cannot find maximum value of {self.name}.")

    def is_compatible_with(self, other: Any) -> bool:
        return self is as_dtype(other)

    def __repr__(self) -> str:
        return f"<dtype: {self.name!r}>"

    def __eq__(self, other: Any) -> bool:
        if other is self:
            return True
        try:
            return other is not None and as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self) -> tuple:
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16, 19)
float32 = DType("float32", np.float32, 1)
float64 = DType("float64", np.float64, 2)
int8 = DType("int8", np.int8, 6)
int16 = DType("int16", np.int16, 5)
int32 = DType("int32", np.int32, 3)
int64 = DType("int64", np.int64, 9)
uint8 = DType("uint8", np.uint8, 4)
uint16 = DType("uint16", np.uint16, 17)
uint32 = DType("uint32", np.uint32, 22)
uint64 = DType("uint64", np.uint64, 23)
bool_ = DType("bool", np.bool_, 10)
complex64 = DType("complex64", np.complex64, 8)
complex128 = DType("complex128", np.complex128, 18)
string = DType("string", np.object_, 7)
# NOTE: resource/variant are handles, not numbers; they exist so graphs can name them.
resource = DType("resource", np.object_, 20)
variant = DType("variant", np.object_, 21)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
       bool_, complex64, complex128, string)
_BY_NAME = {d.name: d for d in ALL + (resource, variant)}
_BY_NAME.update(half=float16, float=float32, double=float64, bool=bool_)
_BY_NP: dict[np.dtype, DType] = {d._np: d for d in ALL if d is not string}
_BY_NP[np.dtype(np.object_)] = string
_BY_ENUM = {d.as_datatype_enum: d for d in ALL}
_BY_PY = {float: float32, int: int32, bool: bool_, complex: complex128, str: string, bytes: string}


def as_dtype(value: Any) -> DType:
    """`tf.as_dtype`: a DType from a DType, name, NumPy dtype, Python type or enum."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        if value in _BY_NAME:
            return _BY_NAME[value]
        raise TypeError(f"Cannot convert the argument `type_value`: {value!r} to a TensorFlow DType.")
    if isinstance(value, int) and not isinstance(value, bool) and value in _BY_ENUM:
        return _BY_ENUM[value]
    if value in _BY_PY:
        return _BY_PY[value]
    try:
        npd = np.dtype(value)
    except TypeError:
        raise TypeError(f"Cannot convert the argument `type_value`: {value!r} to a TensorFlow DType.") from None
    return from_numpy(npd)


def from_numpy(npd: np.dtype) -> DType:
    """The DType that stores NumPy dtype `npd` (str/bytes arrays are strings)."""
    found = _BY_NP.get(npd)
    if found is not None:
        return found
    if npd.kind in "SUO":
        return string
    raise TypeError(f"Unsupported NumPy dtype {npd}: tfcompat has no matching TensorFlow dtype.")


def dtype_of_value(value: Any) -> DType:
    """The dtype `tf.constant(value)` picks: float -> float32, int -> int32, arrays keep theirs."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return from_numpy(value.dtype)
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int32 if -2**31 <= value < 2**31 else int64
    if isinstance(value, float):
        return float32
    if isinstance(value, complex):
        return complex128
    if isinstance(value, (str, bytes)):
        return string
    if isinstance(value, (list, tuple)):
        return _dtype_of_sequence(value)
    return from_numpy(np.asarray(value).dtype)


def _dtype_of_sequence(value: Any) -> DType:
    kinds = set()
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        else:
            kinds.add(dtype_of_value(v) if not hasattr(v, "dtype") else as_dtype(v.dtype))
    if not kinds:
        return float32
    if len(kinds) == 1:
        return kinds.pop()
    # NOTE: TF picks the "widest" Python kind in a nested list: [1, 2.5] is float32.
    for d in (complex128, float64, float32, int64, int32, bool_):
        if d in kinds:
            return float32 if d is float64 and float64 not in kinds else d
    return string
