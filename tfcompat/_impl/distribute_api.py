"""`tf.distribute` on one device: strategies whose single replica is this process.

    strategy = tf.distribute.MirroredStrategy()      # num_replicas_in_sync == 1
    with strategy.scope():
        model = tf.keras.Sequential([...]); model.compile(...)
    model.fit(dataset)                               # unchanged code, one replica
    total = strategy.reduce("SUM", strategy.run(step, args=(batch,)), axis=None)

NOTE: the NumPy engine has one device, so MirroredStrategy mirrors onto exactly one
replica, as TensorFlow's does on a machine with one CPU and no GPU: per-replica values
are plain tensors, `run` calls the function once and cross-replica reductions over a
single replica are the identity (with `axis`, they reduce along that axis as TF does).
"""
from __future__ import annotations

import contextlib
import enum
import threading
from typing import Any, Callable, Iterator

from .._export import export
from .core import constant
from .math_ops_reduce import reduce_mean, reduce_sum

_state = threading.local()


def _stack() -> list:
    if not hasattr(_state, "stack"):
        _state.stack = []  # entries: (strategy, replica_context or None)
    return _state.stack


@export("distribute.ReduceOp")
class ReduceOp(enum.Enum):
    """How values from the replicas combine: `SUM` or `MEAN`."""

    SUM = "SUM"
    MEAN = "MEAN"

    @staticmethod
    def from_variable_aggregation(aggregation: Any) -> "ReduceOp":
        name = str(getattr(aggregation, "name", aggregation)).upper()
        if name not in ("SUM", "MEAN"):
            raise ValueError(f"Could not convert from `tf.VariableAggregation` {aggregation} to `tf.distribute.ReduceOp`.")
        return ReduceOp[name]


def _reduce_op(op: Any) -> ReduceOp:
    if isinstance(op, ReduceOp):
        return op
    if isinstance(op, str) and op.upper() in ("SUM", "MEAN"):
        return ReduceOp[op.upper()]
    raise ValueError(f"reduce_op must be a tf.distribute.ReduceOp or 'SUM'/'MEAN', got {op!r}")


@export("distribute.ReplicaContext")
class ReplicaContext:
    """Inside `strategy.run`: which replica is running, and cross-replica collectives."""

    def __init__(self, strategy: "Strategy", replica_id_in_sync_group: Any) -> None:
        self._strategy, self._replica_id = strategy, replica_id_in_sync_group

    @property
    def strategy(self) -> "Strategy":
        return self._strategy

    @property
    def num_replicas_in_sync(self) -> int:
        return self._strategy.num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self) -> Any:
        return constant(self._replica_id, dtype="int32")

    def all_reduce(self, reduce_op: Any, value: Any, options: Any = None) -> Any:
        """Sum or mean of `value` over the replicas: with one replica, `value` itself."""
        _reduce_op(reduce_op)
        return value

    def all_gather(self, value: Any, axis: int, options: Any = None) -> Any:
        return value

    def merge_call(self, merge_fn: Callable, args: tuple = (), kwargs: Any = None) -> Any:
        """Call `merge_fn(strategy, *args, **kwargs)` in cross-replica context."""
        stack = _stack()
        stack.append((self._strategy, None))
        try:
            return merge_fn(self._strategy, *args, **(kwargs or {}))
        finally:
            stack.pop()


class StrategyExtended:
    """`strategy.extended`: the devices and the replica count behind a strategy."""

    def __init__(self, strategy: "Strategy", devices: tuple) -> None:
        self._strategy, self.worker_devices, self.parameter_devices = strategy, devices, devices

    @property
    def experimental_between_graph(self) -> bool:
        return False

    @property
    def should_checkpoint(self) -> bool:
        return True

    def variable_created_in_scope(self, v: Any) -> bool:
        return getattr(v, "_distribute_strategy", None) is self._strategy


export("distribute.StrategyExtended")(StrategyExtended)


@export("distribute.DistributedDataset")
class DistributedDataset:
    """`strategy.experimental_distribute_dataset(ds)`: per-replica batches (one replica: ds's)."""

    def __init__(self, dataset: Any) -> None:
        self._dataset = dataset

    def __iter__(self) -> Iterator:
        return iter(self._dataset)

    @property
    def element_spec(self) -> Any:
        return self._dataset.element_spec

    def reduce(self, initial_state: Any, reduce_func: Callable) -> Any:
        return self._dataset.reduce(initial_state, reduce_func)


@export("distribute.InputContext")
class InputContext:
    """What `distribute_datasets_from_function`'s `dataset_fn` learns about the input pipeline."""

    def __init__(self, num_input_pipelines: int = 1, input_pipeline_id: int = 0,
                 num_replicas_in_sync: int = 1) -> None:
        self.num_input_pipelines, self.input_pipeline_id = num_input_pipelines, input_pipeline_id
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size: int) -> int:
        if global_batch_size % self.num_replicas_in_sync:
            raise ValueError(f"The `global_batch_size` {global_batch_size} is not divisible by "
                             f"`num_replicas_in_sync` {self.num_replicas_in_sync} ")
        return global_batch_size // self.num_replicas_in_sync


@export("distribute.Strategy")
class Strategy:
    """A distribution strategy with one replica; subclasses differ only in the devices they name."""

    def __init__(self, extended: Any) -> None:
        self._extended = extended

    @property
    def extended(self) -> StrategyExtended:
        return self._extended

    @property
    def num_replicas_in_sync(self) -> int:
        return 1

    @contextlib.contextmanager
    def _scope(self) -> Iterator["Strategy"]:
        current = get_strategy()
        if current is not self and not isinstance(current, _DefaultStrategy):
            raise ValueError(f"Mixing different tf.distribute.Strategy objects: {self} is not {current}; "
                             "leave the other strategy's scope first.")
        _stack().append((self, None))
        try:
            yield self
        finally:
            _stack().pop()

    def scope(self) -> Any:
        """Context manager: variables, models and optimizers made inside belong to this strategy."""
        return self._scope()

    def run(self, fn: Callable, args: tuple = (), kwargs: Any = None, options: Any = None) -> Any:
        """Call `fn(*args, **kwargs)` on each replica (here: once, as replica 0)."""
        _stack().append((self, ReplicaContext(self, 0)))
        try:
            return fn(*args, **(kwargs or {}))
        finally:
            _stack().pop()

    def reduce(self, reduce_op: Any, value: Any, axis: Any) -> Any:
        """Combine per-replica `value`s; with `axis`, also reduce along that axis of each."""
        op = _reduce_op(reduce_op)
        if axis is None:
            return value
        return (reduce_sum if op is ReduceOp.SUM else reduce_mean)(value, axis=axis)

    def experimental_distribute_dataset(self, dataset: Any, options: Any = None) -> DistributedDataset:
        return DistributedDataset(dataset)

    def distribute_datasets_from_function(self, dataset_fn: Callable, options: Any = None) -> DistributedDataset:
        return DistributedDataset(dataset_fn(InputContext()))

    def experimental_local_results(self, value: Any) -> tuple:
        return (value,)

    def gather(self, value: Any, axis: int) -> Any:
        return value

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object at {id(self):#x}>"


class _DefaultStrategy(Strategy):
    """The strategy in effect outside every `scope()`."""

    def __init__(self) -> None:
        super().__init__(StrategyExtended(self, ("/job:localhost/replica:0/task:0/device:CPU:0",)))


_DEFAULT = _DefaultStrategy()


@export("distribute.MirroredStrategy")
class MirroredStrategy(Strategy):
    """Synchronous data parallelism: one replica per device in `devices` (here: the one device)."""

    def __init__(self, devices: Any = None, cross_device_ops: Any = None) -> None:
        if devices is not None and len(list(devices)) > 1:
            raise ValueError(f"MirroredStrategy(devices={list(devices)}): tfcompat runs on one device; pass "
                             "devices=None (one replica) or a single device.")
        names = tuple(devices) if devices else ("/job:localhost/replica:0/task:0/device:CPU:0",)
        super().__init__(StrategyExtended(self, names))


@export("distribute.OneDeviceStrategy")
class OneDeviceStrategy(Strategy):
    """All computation on the one named device."""

    def __init__(self, device: str) -> None:
        super().__init__(StrategyExtended(self, (device,)))


@export("distribute.get_strategy")
def get_strategy() -> Strategy:
    """The strategy of the innermost `scope()` or `run()`, else the default strategy."""
    stack = _stack()
    return stack[-1][0] if stack else _DEFAULT


@export("distribute.has_strategy")
def has_strategy() -> bool:
    return bool(_stack())


@export("distribute.in_cross_replica_context")
def in_cross_replica_context() -> bool:
    stack = _stack()
    return bool(stack) and stack[-1][1] is None


@export("distribute.get_replica_context")
def get_replica_context() -> ReplicaContext | None:
    """The running replica's context; None in cross-replica context (inside `scope()`, outside `run`)."""
    stack = _stack()
    if not stack:
        return ReplicaContext(_DEFAULT, 0)
    return stack[-1][1]


@export("distribute.experimental_set_strategy")
def experimental_set_strategy(strategy: Strategy | None) -> None:
    """Enter `strategy`'s scope for good (None: leave it)."""
    stack = _stack()
    stack[:] = [] if strategy is None else [(strategy, None)]
