"""`SymbolicTensor`: output *i* of a graph node, with a partially known static shape.

    y = x * 2          # inside a graph: <tf.Tensor 'mul:0' shape=(None, 3) dtype=float32>
    bool(y)            # TypeError: Using a symbolic `tf.Tensor` as a Python `bool` is not allowed...
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

from .dtypes import DType
from .operators import TensorOperators
from .ops.registry import OpDef
from .shape import TensorShape

_BOOL_MSG = ("Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. You can attempt the following "
             "resolutions to the problem: If you are running in Graph mode, use Eager execution mode or decorate "
             "this function with @tf.function. If you are using AutoGraph, you can try decorating this function "
             "with @tf.function. If that does not work, then you may be using an unsupported feature or your "
             "source code may not be visible to AutoGraph. See https://github.com/tensorflow/tensorflow/blob/master/"
             "tensorflow/python/autograph/g3doc/reference/limitations.md#access-to-source-code for more information.")


class OperatorNotAllowedInGraphError(TypeError):
    """TensorFlow's `tf.errors.OperatorNotAllowedInGraphError`: a Python operator on a symbolic tensor."""


class SymbolicTensor(TensorOperators):
    """A graph tensor: `name` is `"node:i"`; its value exists only when a plan runs."""

    __slots__ = ("_node", "_index", "_dtype", "_shape", "_handle_data", "__weakref__")
    _is_symbolic = True

    def __init__(self, node: Any, index: int, dtype: DType, shape: TensorShape) -> None:
        self._node, self._index, self._dtype, self._shape = node, index, dtype, shape
        self._handle_data = None  # resource tensors: (dtype, shape) of the variable they refer to

    # -- TensorFlow's attributes -------------------------------------------------------------
    @property
    def dtype(self) -> DType:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape: Any) -> None:
        """Refine the static shape; incompatible shapes raise ValueError as TensorFlow does."""
        shape = TensorShape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self._shape} is not compatible with supplied shape {shape}.")
        self._shape = self._shape.merge_with(shape)

    @property
    def ndim(self) -> int | None:
        return self._shape.rank

    @property
    def name(self) -> str:
        return f"{self._node.name}:{self._index}"

    @property
    def op(self) -> Any:
        return self._node

    @property
    def graph(self) -> Any:
        return self._node.graph

    @property
    def value_index(self) -> int:
        return self._index

    @property
    def device(self) -> str:
        return self._node.device

    def consumers(self) -> list:
        return [n for n in self._node.graph.nodes[self._node.index + 1:] if any(t is self for t in n.inputs)]

    # -- Python protocol ---------------------------------------------------------------------
    def __bool__(self) -> bool:
        raise OperatorNotAllowedInGraphError(_BOOL_MSG)

    def __len__(self) -> int:
        raise TypeError(f"len is not well defined for a symbolic Tensor ({self.name}). Please call `x.shape` "
                        "rather than `len(x)` for shape information.")

    def __iter__(self) -> Iterator[Any]:
        if self._node.graph.is_function:
            raise OperatorNotAllowedInGraphError(_BOOL_MSG.replace("Using a symbolic `tf.Tensor` as a Python "
                                                                   "`bool`", "Iterating over a symbolic `tf.Tensor`"))
        if self._shape.rank is None:
            raise TypeError("Cannot iterate over a tensor with unknown shape.")
        if self._shape.rank == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        n = self._shape[0]
        if n is None:
            raise TypeError("Cannot iterate over a tensor with unknown first dimension.")
        from .ops import array  # noqa: PLC0415
        return iter(array.unstack(self, n))

    def __index__(self) -> int:
        raise TypeError(f"{self.name} is a symbolic tensor: it has no Python integer value while the "
                        "graph is being built (use it as a tensor, or compute it eagerly).")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise NotImplementedError(f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. This "
                                  "error may indicate that you're trying to pass a Tensor to a NumPy call, "
                                  "which is not supported.")

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self) -> str:
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

    def eval(self, feed_dict: Any = None, session: Any = None) -> Any:
        hook = getattr(self._node.graph, "eval_hook", None)
        if hook is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. Use "
                             "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`")
        return hook(self, feed_dict, session)


def pseudo_op(name: str, kernel: Callable[..., Any] | None = None, **spec: Any) -> OpDef:
    """An op the graph itself makes (Const, Placeholder, VarHandleOp): not in the public registry."""
    def impl(xp: Any) -> Callable[..., Any]:
        if kernel is None:
            def missing(**attrs: Any) -> Any:
                raise AssertionError(f"{name} has no kernel; the executor feeds it")
            return missing
        return kernel
    return OpDef(name, impl, differentiable=False, **spec)
