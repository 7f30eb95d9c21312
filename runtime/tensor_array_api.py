"""The `TensorArray` class: TensorFlow's methods, each one op on the flow (see `tensor_array`).

    ta = TensorArray(tf.float32, size=0, dynamic_size=True).unstack(x)    # x: [time, batch]
    ta.read(2)  ->  x[2]
"""
from __future__ import annotations

from typing import Any

from . import dispatch, dtypes
from .shape import TensorShape
from . import tensor_array as _ta


class TensorArray:
    """`tf.TensorArray`: write/read/stack/unstack/gather/scatter/concat/size, eager and in graphs."""

    def __init__(self, dtype: Any, size: Any = None, dynamic_size: Any = None, clear_after_read: Any = None,
                 tensor_array_name: Any = None, handle: Any = None, flow: Any = None, infer_shape: bool = True,
                 element_shape: Any = None, colocate_with_first_write_call: bool = True, name: Any = None) -> None:
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic = bool(dynamic_size)
        self._infer_shape = infer_shape
        self._element_shape = TensorShape(element_shape) if element_shape is not None else TensorShape(None)
        self._list: list | None = None
        if flow is None:
            if size is None:
                raise ValueError("Size must be provided if handle is not provided")
            if dispatch.executing_eagerly() and not getattr(size, "_is_symbolic", False):
                self._list, self._flow = [None] * int(size), None  # NOTE: eagerly a list of tensors
                return
            flow = dispatch.call(_ta.RESERVE, (_ta._int(size),), {"element_dtype": self._dtype,
                                                                  "dynamic": self._dynamic}, name)
        self._flow = flow

    # -- structure ---------------------------------------------------------------------------
    def _meta(self) -> tuple:
        return self._dtype, self._dynamic, self._element_shape, self._infer_shape

    @classmethod
    def _from_flow(cls, flow: Any, meta: tuple) -> "TensorArray":
        ta = cls.__new__(cls)
        ta._dtype, ta._dynamic, ta._element_shape, ta._infer_shape = meta
        ta._flow, ta._list = flow, None
        return ta

    def _next(self, flow: Any, element_shape: Any = None) -> "TensorArray":
        meta = self._meta()
        if element_shape is not None and self._infer_shape:
            merged = self._element_shape.merge_with(element_shape) if self._element_shape.is_compatible_with(
                element_shape) else None
            if merged is None:
                raise ValueError(f"Inconsistent shapes: saw {element_shape} but expected {self._element_shape}")
            meta = (meta[0], meta[1], merged, meta[3])
            self._element_shape = merged
        new = TensorArray._from_flow(flow, meta)
        if dispatch.executing_eagerly() and not getattr(flow, "_is_symbolic", False):
            self._flow = flow  # NOTE: eager TensorArrays also change in place, as TensorFlow's do
        return new

    @property
    def flow(self) -> Any:
        if self._list is not None:
            from .tensor import Tensor  # noqa: PLC0415
            return Tensor(_ta._box([None if t is None else t._value for t in self._list]))
        return self._flow

    @property
    def dtype(self) -> Any:
        return self._dtype

    @property
    def element_shape(self) -> TensorShape:
        return self._element_shape

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic

    @property
    def handle(self) -> Any:
        return self._flow

    def _es(self) -> Any:
        return self._element_shape.as_tuple()

    # -- TensorFlow's methods ----------------------------------------------------------------
    def write(self, index: Any, value: Any, name: Any = None) -> "TensorArray":
        value = dispatch.convert_to_tensor(value, dtype=self._dtype)
        if self._list is not None:
            i = int(index)
            if i >= len(self._list):
                if not self._dynamic:
                    _ta._check(i, len(self._list), "write")
                self._list += [None] * (i + 1 - len(self._list))
            self._list[i] = value
            self._element_shape = self._element_shape.merge_with(value.shape) if self._infer_shape else \
                self._element_shape
            return self
        flow = dispatch.call(_ta.SET, (self._flow, _ta._int(index), value),
                             {"element_dtype": self._dtype, "dynamic": self._dynamic}, name)
        return self._next(flow, value.shape)

    def read(self, index: Any, name: Any = None) -> Any:
        if self._list is not None:
            v = self._list[_ta._check(int(index), len(self._list), "read")]
            return v if v is not None else self._zeros()
        return dispatch.call(_ta.GET, (self._flow, _ta._int(index)),
                             {"element_dtype": self._dtype, "element_shape": self._es()}, name)

    def _zeros(self) -> Any:
        from .ops import array  # noqa: PLC0415
        known = next((t for t in self._list if t is not None), None)  # type: ignore[union-attr]
        if known is not None:
            return array.zeros_like(known)
        return dispatch.constant(_ta.np.zeros(self._element_shape.as_list() if self._element_shape.rank is not None
                                              else (), self._dtype.as_numpy_dtype))

    def _eager_stack(self, items: list) -> Any:
        from .ops import array  # noqa: PLC0415
        if not items:
            es = self._element_shape.as_list() if self._element_shape.rank is not None else []
            return dispatch.constant(_ta.np.zeros([0] + [d or 0 for d in es], self._dtype.as_numpy_dtype))
        return array.stack([self._zeros() if t is None else t for t in items])

    def stack(self, name: Any = None) -> Any:
        if self._list is not None:
            return self._eager_stack(self._list)
        out = dispatch.call(_ta.STACK, (self._flow,), {"element_dtype": self._dtype,
                                                       "element_shape": self._es()}, name)
        if getattr(out, "_is_symbolic", False) and self._element_shape.rank is not None:
            out.set_shape(TensorShape([None]).concatenate(self._element_shape))
        return out

    def unstack(self, value: Any, name: Any = None) -> "TensorArray":
        value = dispatch.convert_to_tensor(value, dtype=self._dtype)
        if self._list is not None:
            from .ops import array  # noqa: PLC0415
            self._list = list(array.unstack(value)) if value.shape[0] else []
            return self
        flow = dispatch.call(_ta.FROM, (value,), {}, name)
        return self._next(flow, value.shape[1:] if value.shape.rank else None)

    def gather(self, indices: Any, element_shape: Any = None, name: Any = None) -> Any:
        if self._list is not None:
            return self._eager_stack([self.read(i) for i in _ta.np.reshape(_ta.np.asarray(indices), -1)])
        return dispatch.call(_ta.GATHER, (self._flow, _ta._int(indices)),
                             {"element_dtype": self._dtype, "element_shape": self._es()}, name)

    def scatter(self, indices: Any, value: Any, name: Any = None) -> "TensorArray":
        value = dispatch.convert_to_tensor(value, dtype=self._dtype)
        if self._list is not None:
            from .ops import array  # noqa: PLC0415
            for i, part in zip(_ta.np.reshape(_ta.np.asarray(indices), -1), array.unstack(value)):
                self.write(int(i), part)
            return self
        flow = dispatch.call(_ta.SCATTER, (self._flow, _ta._int(indices), value), {"dynamic": self._dynamic}, name)
        return self._next(flow, value.shape[1:] if value.shape.rank else None)

    def concat(self, name: Any = None) -> Any:
        if self._list is not None:
            from .ops import array  # noqa: PLC0415
            items = [t for t in self._list if t is not None]
            return array.concat(*items, axis=0) if items else self._eager_stack([])
        return dispatch.call(_ta.CONCAT, (self._flow,), {"element_dtype": self._dtype}, name)

    def size(self, name: Any = None) -> Any:
        if self._list is not None:
            return dispatch.constant(_ta.np.int32(len(self._list)))
        return dispatch.call(_ta.LENGTH, (self._flow,), {}, name)

    def identity(self) -> "TensorArray":
        if self._list is not None:
            return self
        return TensorArray._from_flow(self._flow, self._meta())

    def close(self, name: Any = None) -> None:
        return None

    def mark_used(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"<TensorArray dtype={self._dtype.name} element_shape={self._element_shape}>"
