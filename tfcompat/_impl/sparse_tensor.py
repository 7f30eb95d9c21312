"""`tf.SparseTensor` (COO: int64 indices [nnz, rank], values [nnz], int64 dense_shape [rank]),
`tf.compat.v1.SparseTensorValue` and `tf.compat.v1.sparse_placeholder`.

    sp = tf.SparseTensor(indices=[[0, 1], [2, 0]], values=[5., 6.], dense_shape=[3, 2])
    tf.sparse.to_dense(sp)                # [[0., 5.], [0., 0.], [6., 0.]]

In a v1 `Session`, a SparseTensor is fetched as a `SparseTensorValue` and fed from one (or from an
`(indices, values, dense_shape)` tuple): its three tensors are fetched and fed as a group.
"""
from __future__ import annotations

import collections
from typing import Any

from runtime import dispatch, dtypes
from runtime.graph_rules import _shape_value  # NOTE: partial shape values, as TF's constant_value_as_shape
from runtime.shape import TensorShape

from .._export import export

SparseTensorValue = collections.namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])
export(v1=("SparseTensorValue",))(SparseTensorValue)


def _static_shape(dense_shape: Any) -> TensorShape:
    if not getattr(dense_shape, "_is_symbolic", False):
        return TensorShape([int(d) for d in dense_shape.numpy()])
    if dense_shape.shape.rank != 1:
        return TensorShape(None)
    value = _shape_value(dense_shape)
    if value is None:
        return TensorShape(None if dense_shape.shape[0] is None else [None] * dense_shape.shape[0])
    dims = [value] if not isinstance(value, list) and getattr(value, "ndim", 1) == 0 else list(value)
    return TensorShape([None if d is None or int(d) < 0 else int(d) for d in dims])


@export("SparseTensor", "sparse.SparseTensor")
class SparseTensor:
    """A sparse tensor: `values[i]` sits at `indices[i]` of a dense tensor of `dense_shape`; the rest is 0."""

    _is_composite_tensor = True

    def __init__(self, indices: Any, values: Any, dense_shape: Any) -> None:
        self._indices = dispatch.convert_to_tensor(indices, dtype=dtypes.int64)
        self._values = dispatch.convert_to_tensor(values)
        self._dense_shape = dispatch.convert_to_tensor(dense_shape, dtype=dtypes.int64)
        i, v, s = self._indices.shape, self._values.shape, self._dense_shape.shape
        for t, rank in ((i, 2), (v, 1), (s, 1)):
            if t.rank is not None and t.rank != rank:
                raise ValueError(f"Shape {t} must have rank {rank}")
        if i.rank is not None and v.rank is not None and None not in (i[0], v[0]) and i[0] != v[0]:
            raise ValueError(f"Dimensions {i[0]} and {v[0]} are not compatible")
        if i.rank is not None and s.rank is not None and None not in (i[1], s[0]) and i[1] != s[0]:
            raise ValueError(f"Dimensions {i[1]} and {s[0]} are not compatible")
        self._shape = _static_shape(self._dense_shape)

    @classmethod
    def from_value(cls, sparse_tensor_value: Any) -> "SparseTensor":
        """A SparseTensor from a SparseTensorValue (or a SparseTensor, returned as is)."""
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        return cls(*(sparse_tensor_value.indices, sparse_tensor_value.values, sparse_tensor_value.dense_shape))

    # -- the three tensors -----------------------------------------------------------------------
    @property
    def indices(self) -> Any:
        return self._indices

    @property
    def values(self) -> Any:
        return self._values

    @property
    def dense_shape(self) -> Any:
        return self._dense_shape

    @property
    def dtype(self) -> Any:
        return self._values.dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape: Any) -> None:
        """Merge `shape` into the static shape (v1 `sparse_placeholder` uses this)."""
        shape = TensorShape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(f"Dimensions {self._shape} and {shape} are not compatible")
        if self._shape.rank is None:
            self._shape = shape
        elif shape.rank is not None:
            self._shape = TensorShape([a if a is not None else b for a, b in zip(self._shape.dims, shape.dims)])

    @property
    def op(self) -> Any:
        return self._values.op

    @property
    def graph(self) -> Any:
        return self._values.graph

    def with_values(self, new_values: Any) -> "SparseTensor":
        """The same indices and dense_shape with other values (of the same length)."""
        return SparseTensor(self._indices, new_values, self._dense_shape)

    def eval(self, feed_dict: Any = None, session: Any = None) -> SparseTensorValue:
        """v1: this tensor's value in `session` (default: the default session) as a SparseTensorValue."""
        from .v1.session import get_default_session  # noqa: PLC0415
        session = session or get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. Use "
                             "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`")
        return session.run(self, feed_dict)

    # -- what Session.run uses to fetch and feed it as a group ----------------------------------------
    def _composite_components(self) -> tuple:
        return self._indices, self._values, self._dense_shape

    def _composite_value(self, parts: list) -> SparseTensorValue:
        return SparseTensorValue(*parts)

    @classmethod
    def _from_components(cls, parts: list) -> "SparseTensor":
        """The SparseTensor of these three tensors (tf.function traces a SparseTensor argument this way)."""
        return cls(*parts)

    def _as_tensor(self) -> Any:
        raise ValueError(f"Attempt to convert a value ({self!r}) with an unsupported type ({type(self)!r}) to a "
                         "Tensor. (use tf.sparse.to_dense(sp) for a dense tensor)")

    # -- elementwise with a dense tensor -----------------------------------------------------------
    def _cwise(self, other: Any, fn: Any) -> "SparseTensor":
        from runtime.ops import array, gather  # noqa: PLC0415
        dense = dispatch.convert_to_tensor(other, dtype=self.dtype) if not dispatch.is_tensor(other) else other
        picked = gather.gather_nd(array.broadcast_to(dense, self._dense_shape), self._indices)
        return self.with_values(fn(self._values, picked))

    def __mul__(self, other: Any) -> "SparseTensor":
        return self._cwise(other, lambda a, b: a * b)

    def __truediv__(self, other: Any) -> "SparseTensor":
        return self._cwise(other, lambda a, b: a / b)

    __div__ = __truediv__

    def __repr__(self) -> str:
        return f"SparseTensor(indices={self._indices!r}, values={self._values!r}, dense_shape={self._dense_shape!r})"

    def __str__(self) -> str:
        return f"SparseTensor(indices={self._indices}, values={self._values}, dense_shape={self._dense_shape})"


@export(v1=("sparse_placeholder", "sparse.placeholder"))
def sparse_placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> SparseTensor:
    """A SparseTensor of three placeholders (indices, values, dense_shape) to feed with a SparseTensorValue."""
    from .v1.graph_api import placeholder, placeholder_with_default  # noqa: PLC0415
    if dispatch.executing_eagerly():
        raise RuntimeError("`sparse_placeholder` is not compatible with eager execution.")
    sub = (lambda part: None) if name is None else (lambda part: f"{name}/{part}")
    if shape is None:
        rank, default = None, TensorShape(None)
        dense_shape = placeholder(dtypes.int64, [None], name=sub("shape"))
    else:
        dims = [None if d is None or (isinstance(d, int) and d < 0) else d for d in TensorShape(shape).as_list()]
        rank, default = len(dims), TensorShape(dims)
        value = dispatch.convert_to_tensor([-1 if d is None else d for d in dims], dtype=dtypes.int64,
                                           name=sub("shape_default"))
        dense_shape = placeholder_with_default(value, [rank], name=sub("shape"))
    values = placeholder(dtype, [None], name=sub("values"))
    indices = placeholder(dtypes.int64, [None, rank], name=sub("indices"))
    result = SparseTensor(indices, values, dense_shape)
    result.set_shape(default)
    return result
