"""Python operators for every tensor-like class (eager, graph, variable), defined once.

    x * y + 1   ->   AddV2(Mul(x, y), 1)

`ops/__init__.py` binds `O` to the op callables once they are registered, which
breaks the import cycle between tensors and the ops that make them.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

O = SimpleNamespace()  # filled by runtime.ops: add, subtract, multiply, truediv, ...


class TensorOperators:
    """Mixin: arithmetic, comparison, logic, matmul, indexing. Subclasses store `_value`."""

    __slots__ = ()
    __array_priority__ = 100  # NOTE: makes `np_array * tensor` call our __rmul__

    def __add__(self, other: Any) -> Any:
        return O.add(self, other, name="add")

    def __radd__(self, other: Any) -> Any:
        return O.add(other, self, name="add")

    def __sub__(self, other: Any) -> Any:
        return O.subtract(self, other, name="sub")

    def __rsub__(self, other: Any) -> Any:
        return O.subtract(other, self, name="sub")

    def __mul__(self, other: Any) -> Any:
        return O.multiply(self, other, name="mul")

    def __rmul__(self, other: Any) -> Any:
        return O.multiply(other, self, name="mul")

    def __truediv__(self, other: Any) -> Any:
        return O.truediv(self, other, name="truediv")

    def __rtruediv__(self, other: Any) -> Any:
        return O.truediv(other, self, name="truediv")

    def __floordiv__(self, other: Any) -> Any:
        return O.floordiv(self, other, name="floordiv")

    def __rfloordiv__(self, other: Any) -> Any:
        return O.floordiv(other, self, name="floordiv")

    def __mod__(self, other: Any) -> Any:
        return O.mod(self, other, name="mod")

    def __rmod__(self, other: Any) -> Any:
        return O.mod(other, self, name="mod")

    def __pow__(self, other: Any) -> Any:
        return O.pow(self, other, name="pow")

    def __rpow__(self, other: Any) -> Any:
        return O.pow(other, self, name="pow")

    def __matmul__(self, other: Any) -> Any:
        return O.matmul(self, other, name="matmul")

    def __rmatmul__(self, other: Any) -> Any:
        return O.matmul(other, self, name="matmul")

    def __neg__(self) -> Any:
        return O.negative(self)

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return O.abs(self)

    def __invert__(self) -> Any:
        return O.invert(self)

    def __and__(self, other: Any) -> Any:
        return O.bitwise_and(self, other)

    def __rand__(self, other: Any) -> Any:
        return O.bitwise_and(other, self)

    def __or__(self, other: Any) -> Any:
        return O.bitwise_or(self, other)

    def __ror__(self, other: Any) -> Any:
        return O.bitwise_or(other, self)

    def __xor__(self, other: Any) -> Any:
        return O.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Any:
        return O.bitwise_xor(other, self)

    def __lt__(self, other: Any) -> Any:
        return O.less(self, other)

    def __le__(self, other: Any) -> Any:
        return O.less_equal(self, other)

    def __gt__(self, other: Any) -> Any:
        return O.greater(self, other)

    def __ge__(self, other: Any) -> Any:
        return O.greater_equal(self, other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return O.tensor_equals(self, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return O.tensor_not_equals(self, other)

    # NOTE: TF2 tensors compare elementwise, so they cannot be dict keys; use `.ref()`.
    def __hash__(self) -> int:
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def ref(self) -> "Reference":
        return Reference(self)

    def experimental_ref(self) -> "Reference":
        return Reference(self)

    def __getitem__(self, key: Any) -> Any:
        return O.getitem(self, key, name="strided_slice")

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError(f"'{type(self).__name__}' object does not support item assignment")


class Reference:
    """A hashable handle on a tensor, compared by identity (`tensor.ref()`)."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def deref(self) -> Any:
        return self._obj

    def __hash__(self) -> int:
        return id(self._obj)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Reference) and other._obj is self._obj

    def __repr__(self) -> str:
        return f"<Reference wrapping {self._obj!r}>"
