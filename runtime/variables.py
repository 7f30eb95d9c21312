"""Resource variables: one buffer, read and assigned only through ops.

    v = Variable(5.0);  v.assign_sub(1.0);  v.numpy() == 4.0

Arrays are never written in place: an assignment replaces the handle's array, so a
tensor read earlier keeps its value (TensorFlow's read semantics). A tape watches a
trainable variable when `ReadVariableOp` reads it.
"""
from __future__ import annotations

from enum import Enum
from typing import Any, Callable

import numpy as np

from . import backend, dispatch, dtypes
from .errors import FailedPreconditionError, InvalidArgumentError
from .ops.registry import op
from .operators import TensorOperators
from .shape import TensorShape
from .dtypes import from_numpy
from .tensor import Tensor


class VariableSynchronization(Enum):
    """`tf.VariableSynchronization`: when a distributed variable's replicas are synced (ON_READ: not trainable)."""
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(Enum):
    """`tf.VariableAggregation`: how a distributed variable's replica updates combine."""
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


def _enum_arg(enum: type, value: Any, what: str) -> Any:
    if value is None:
        return enum(0)
    if isinstance(value, enum):
        return value
    raise ValueError(f"Invalid variable {what} mode: {value} for variable: None")


class ResourceHandle:
    """The mutable cell behind a variable: `value` is its current array (None: uninitialised)."""

    __slots__ = ("value", "name", "dtype", "shape")

    def __init__(self, value: Any, name: str, dtype: dtypes.DType, shape: TensorShape) -> None:
        self.value, self.name, self.dtype, self.shape = value, name, dtype, shape

    def read(self) -> Any:
        if self.value is None:
            raise FailedPreconditionError(
                None, None, f"Could not find variable {self.name.split(':')[0]}. This could mean that the "
                "variable has been deleted or was never initialized (run its initializer first).")
        return self.value


@op("ReadVariableOp", grad=lambda g, out, v: (g,), stateful=True)
def read_variable_op(xp):
    """The variable's current value: ReadVariableOp(v) -> tensor."""
    return lambda h: h.read()


def _assign_kernel(combine: Any) -> Callable[[Any], Callable]:
    def impl(xp: Any) -> Callable[[Any, Any], None]:
        def kernel(h: ResourceHandle, value: Any) -> None:
            h.value = value if combine is None else combine(xp, h.read(), value)
        return kernel
    return impl


assign_variable_op = op("AssignVariableOp", num_outputs=0, stateful=True, differentiable=False)(
    _assign_kernel(None))
assign_add_variable_op = op("AssignAddVariableOp", num_outputs=0, stateful=True, differentiable=False)(
    _assign_kernel(lambda xp, a, b: xp.add(a, b)))
assign_sub_variable_op = op("AssignSubVariableOp", num_outputs=0, stateful=True, differentiable=False)(
    _assign_kernel(lambda xp, a, b: xp.subtract(a, b)))


class Variable(TensorOperators):
    """`tf.Variable` (a resource variable), usable wherever a tensor is."""

    __slots__ = ("_value", "_trainable", "_constraint", "_initial_value", "_graph_state", "_synchronization",
                 "_aggregation", "__weakref__")
    _is_symbolic = False

    def __init__(self, initial_value: Any = None, trainable: bool | None = None, validate_shape: bool = True,
                 caching_device: Any = None, name: str | None = None, variable_def: Any = None,
                 dtype: Any = None, import_scope: Any = None, constraint: Callable | None = None,
                 synchronization: Any = VariableSynchronization.AUTO,
                 aggregation: Any = VariableAggregation.NONE, shape: Any = None,
                 experimental_enable_variable_lifting: bool = True) -> None:
        if initial_value is None:
            raise ValueError("The `initial_value` arg (None) must be specified (a tensor, value or callable).")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Received: {constraint!r}")
        if callable(initial_value):
            initial_value = initial_value()
        self._synchronization = _enum_arg(VariableSynchronization, synchronization, "synchronization")
        self._aggregation = _enum_arg(VariableAggregation, aggregation, "aggregation")
        init = dispatch.convert_to_tensor(initial_value, dtype=dtype)
        if trainable is None:  # TF: an ON_READ variable (a metric's accumulator) is not trainable by default
            trainable = self._synchronization is not VariableSynchronization.ON_READ
        self._trainable = bool(trainable)
        self._constraint = constraint
        self._initial_value = init
        self._graph_state = None
        static = TensorShape(shape) if shape is not None else init.shape
        full_name = dispatch.current().variable_name(name or "Variable")
        self._value = ResourceHandle(None, full_name, init.dtype, static)
        dispatch.current().init_variable(self, init)

    # -- TensorFlow's attributes -------------------------------------------------------------
    @property
    def _handle(self) -> ResourceHandle:
        return self._value

    @property
    def name(self) -> str:
        return self._value.name

    @property
    def dtype(self) -> dtypes.DType:
        return self._value.dtype

    @property
    def shape(self) -> TensorShape:
        return self._value.shape

    def get_shape(self) -> TensorShape:
        return self._value.shape

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def synchronization(self) -> VariableSynchronization:
        return self._synchronization

    @property
    def aggregation(self) -> VariableAggregation:
        return self._aggregation

    @property
    def constraint(self) -> Callable | None:
        return self._constraint

    @property
    def initial_value(self) -> Any:
        return self._initial_value

    @property
    def device(self) -> str:
        return backend.device_name(self._value.value) if self._value.value is not None else backend.CPU

    @property
    def ndim(self) -> int:
        return self.shape.rank

    @property
    def initializer(self) -> None:
        """None for an eager variable, as in TensorFlow 2 (it is initialised when created)."""
        return None

    # -- reading -----------------------------------------------------------------------------
    def value(self) -> Any:
        return dispatch.execute(read_variable_op, (self,))

    read_value = value
    _as_tensor = value

    def numpy(self) -> Any:
        value = backend.to_host(self._value.read())
        return value[()] if value.ndim == 0 else value.copy()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        value = np.asarray(backend.to_host(self._value.read()))
        return value if dtype is None else value.astype(dtype)

    # -- assigning ---------------------------------------------------------------------------
    def _update(self, opdef: Any, value: Any, read_value: bool) -> Any:
        h = self._value
        if type(value) is Tensor and h.value is not None and from_numpy(value._value.dtype) is h.dtype \
                and value._value.shape == h.value.shape:  # NOTE: eager fast path (same dtype, same shape)
            result = dispatch.execute(opdef, (self, value))
            return dispatch.current().after_assign(self, result, read_value)
        value = dispatch.convert_to_tensor(value, dtype=self.dtype)
        if not self.shape.is_compatible_with(value.shape):
            if opdef is assign_variable_op:
                raise ValueError(f"Cannot assign value to variable ' {self.name}': Shape mismatch.The variable "
                                 f"shape {self.shape}, and the assigned value shape {value.shape} are "
                                 "incompatible.")
            raise InvalidArgumentError(
                None, None, f"Cannot update variable with shape {_dims(self.shape)} using a Tensor with shape "
                f"{_dims(value.shape)}, shapes must be equal. [Op:{opdef.name}]")
        result = dispatch.execute(opdef, (self, value))
        return dispatch.current().after_assign(self, result, read_value)

    def assign(self, value: Any, use_locking: Any = None, name: str | None = None, read_value: bool = True) -> Any:
        return self._update(assign_variable_op, value, read_value)

    def assign_add(self, delta: Any, use_locking: Any = None, name: str | None = None,
                   read_value: bool = True) -> Any:
        return self._update(assign_add_variable_op, delta, read_value)

    def assign_sub(self, delta: Any, use_locking: Any = None, name: str | None = None,
                   read_value: bool = True) -> Any:
        return self._update(assign_sub_variable_op, delta, read_value)

    def __iadd__(self, other: Any) -> Any:
        raise RuntimeError("`variable += value` with `tf.Variable`s is not supported. Use "
                           "`variable.assign_add(value)` to modify the variable, or `out = variable + value` "
                           "if you need to get a new output Tensor.")

    def __isub__(self, other: Any) -> Any:
        raise RuntimeError("`variable -= value` with `tf.Variable`s is not supported. Use "
                           "`variable.assign_sub(value)` to modify the variable, or `out = variable - value` "
                           "if you need to get a new output Tensor.")

    def __hash__(self) -> int:
        raise TypeError(f"Variable is unhashable. Instead, use variable.ref() as the key. (Variable: {self!r})")

    # -- Python protocol ---------------------------------------------------------------------
    def __bool__(self) -> bool:
        return bool(self.numpy())

    def __float__(self) -> float:
        return float(self.numpy())

    def __int__(self) -> int:
        return int(self.numpy())

    def __len__(self) -> int:
        return len(self.value())

    def __iter__(self) -> Any:
        return iter(self.value())

    def __format__(self, spec: str) -> str:
        return format(self.value(), spec)

    def __repr__(self) -> str:
        if self._value.value is None:
            return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"
        from .tensor import _numpy_text  # noqa: PLC0415
        text = _numpy_text(self._value.value, is_repr=True)
        sep = "\n" if "\n" in text else ""
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}, numpy={sep}{text}>"

    def __reduce__(self) -> tuple:
        raise TypeError("tf.Variable cannot be pickled; save it with tf.train.Checkpoint")


def _dims(shape: TensorShape) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"
