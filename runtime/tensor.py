"""`Tensor`: an eager value (one array on one backend) with TensorFlow's behaviour.

    t = Tensor(np.float32(2.0));  str(t) == "tf.Tensor(2.0, shape=(), dtype=float32)"

Arithmetic and comparison operators come from `operators.TensorOperators`, shared
with graph tensors and variables, so `x * y` means the same op everywhere.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from . import backend
from .dtypes import DType, from_numpy
from .operators import TensorOperators
from .shape import TensorShape


class Tensor(TensorOperators):
    """An immutable eager tensor. The runtime never writes into `_value` after creation."""

    __slots__ = ("_value", "__weakref__")
    _is_symbolic = False

    def __init__(self, value: Any) -> None:
        self._value = value

    # -- metadata ----------------------------------------------------------------------------
    @property
    def dtype(self) -> DType:
        return from_numpy(self._value.dtype)

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return backend.device_name(self._value)

    @property
    def name(self) -> str:
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def op(self) -> Any:
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    def numpy(self) -> Any:
        """The value as NumPy: a copy (as TensorFlow gives), a NumPy scalar for rank 0."""
        value = backend.to_host(self._value)
        if isinstance(value, np.ndarray):
            return value[()] if value.ndim == 0 else value.copy()
        return value

    def _numpy_scalar_or_array(self) -> Any:
        return backend.to_host(self._value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        value = np.asarray(backend.to_host(self._value))
        return value if dtype is None else value.astype(dtype, copy=False)

    # -- Python protocol ---------------------------------------------------------------------
    def __bool__(self) -> bool:
        return bool(backend.to_host(self._value))

    def __len__(self) -> int:
        if not self._value.ndim:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if not self._value.ndim:
            raise TypeError("Cannot iterate over a scalar tensor.")
        from .ops import array as _array  # noqa: PLC0415
        return iter(_array.unstack(self, self._value.shape[0]))

    def __index__(self) -> int:
        if self._value.ndim or self.dtype.is_floating:
            raise TypeError("Only integer scalar tensors can be converted to a scalar index.")
        return int(self._value)

    def __int__(self) -> int:
        return int(backend.to_host(self._value))

    def __float__(self) -> float:
        return float(backend.to_host(self._value))

    def __complex__(self) -> complex:
        return complex(backend.to_host(self._value))

    def __format__(self, spec: str) -> str:
        if not self._value.ndim:
            return format(backend.to_host(self._value).item(), spec)
        return format(str(self), spec)

    def __reduce__(self) -> tuple:
        return Tensor, (backend.to_host(self._value),)

    def __copy__(self) -> "Tensor":
        return self

    def __deepcopy__(self, memo: Any) -> "Tensor":
        return self

    def __str__(self) -> str:
        text = _numpy_text(self._value)
        sep = "\n" if "\n" in text else ""
        return f"tf.Tensor({sep}{text}, shape={self.shape}, dtype={self.dtype.name})"

    def __repr__(self) -> str:
        text = _numpy_text(self._value, is_repr=True)
        sep = "\n" if "\n" in text else ""
        return f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={sep}{text}>"


def _numpy_text(value: Any, is_repr: bool = False) -> str:
    host = backend.to_host(value)
    if isinstance(host, np.ndarray) and host.ndim == 0:
        host = host[()]
    if getattr(host, "ndim", 0) == 0:
        return repr(host.item()) if is_repr and isinstance(host, np.generic) and host.dtype.kind in "SUO" \
            else (repr(host) if is_repr and isinstance(host, (bytes, str)) else str(host))
    return repr(host) if is_repr else str(host)
