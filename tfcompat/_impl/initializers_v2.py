"""TF2's top-level initializers (`init_ops_v2`): `tf.constant_initializer`, `tf.zeros_initializer`, ...

    init = tf.random_normal_initializer(stddev=0.1, seed=1)
    tf.Variable(init(shape=[784, 10], dtype=tf.float32))

They are distinct classes from `tf.keras.initializers.*` (as in TensorFlow) with
dtype defaulting to float32. The random ones draw as `init_ops_v2` does: with a seed,
stateless ops keyed [seed, 0]; without, the stateful ops (TensorFlow's numbers either way).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes

from . import random_ops
from .._export import export
from .keras import initializers as keras_init


class Initializer:
    """Base class of the v2 initializers: `__call__(shape, dtype=tf.float32, **kwargs)`, `get_config()`."""

    _keras: Any = None  # the Keras initializer doing the work, built by subclasses

    def __call__(self, shape: Any, dtype: Any = dtypes.float32, **kwargs: Any) -> Any:
        unknown = [k for k in kwargs if k != "partition_shape" and k != "partition_offset"]
        if unknown:
            raise TypeError(f"Keyword argument should be one of ['partition_shape', 'partition_offset']. "
                            f"Received: {unknown[0]}")
        return self._keras(shape, dtype=dtypes.as_dtype(dtype))

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        config.pop("dtype", None)
        return cls(**config)


@export("constant_initializer", v1=())
class Constant(Initializer):
    """Every element is `value` (a scalar, or a value of the requested shape)."""

    def __init__(self, value: Any = 0, support_partition: bool = False) -> None:
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray)) or hasattr(value, "numpy")):
            raise TypeError(f"Invalid type for initial value={value!r} of type: {type(value).__name__}. "
                            "Expected Python scalar, list or tuple of values, or numpy.ndarray.")
        self.value = value
        self.support_partition = support_partition
        self._keras = keras_init.Constant(np.asarray(value.numpy() if hasattr(value, "numpy") else value))

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Any:
        if dtype is None:
            dtype = dispatch.convert_to_tensor(self.value).dtype  # NOTE: tf.constant's rule (ints: int32)
        size = int(np.prod([int(d) for d in (shape.as_list() if hasattr(shape, "as_list") else shape)]))
        arr = np.asarray(self._keras.value)
        if arr.ndim and arr.size != size:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {arr.tolist()} "
                            f"(converted from {self.value}) has {arr.size} elements, but got `shape` {tuple(shape)}"
                            f" with {size} elements).")
        if arr.ndim:
            return keras_init.Constant(arr.reshape(tuple(int(d) for d in shape)))(shape, dtype=dtypes.as_dtype(dtype))
        return super().__call__(shape, dtype, **kwargs)

    def get_config(self) -> dict:
        return {"value": self.value}


@export("zeros_initializer", v1=())
class Zeros(Initializer):
    """All zeros."""

    def __init__(self) -> None:
        self._keras = keras_init.Zeros()


@export("ones_initializer", v1=())
class Ones(Initializer):
    """All ones."""

    def __init__(self) -> None:
        self._keras = keras_init.Ones()


@export("random_normal_initializer", v1=())
class RandomNormal(Initializer):
    """Normal values with `mean` and `stddev`; `seed` makes them repeatable."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape: Any, dtype: Any = dtypes.float32, **kwargs: Any) -> Any:
        shape, dtype = _checked(shape, dtype, kwargs)
        if self.seed is not None:
            return random_ops.stateless_normal(shape, [self.seed, 0], self.mean, self.stddev, dtype)
        return random_ops.normal(shape, self.mean, self.stddev, dtype)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@export("random_uniform_initializer", v1=())
class RandomUniform(Initializer):
    """Uniform values in [minval, maxval); `seed` makes them repeatable."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None) -> None:
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape: Any, dtype: Any = dtypes.float32, **kwargs: Any) -> Any:
        shape, dtype = _checked(shape, dtype, kwargs)
        if self.seed is not None and dtype.is_floating:
            return random_ops.stateless_uniform(shape, [self.seed, 0], self.minval, self.maxval, dtype)
        return random_ops.uniform(shape, self.minval, self.maxval, dtype)


def _checked(shape: Any, dtype: Any, kwargs: dict) -> tuple:
    unknown = [k for k in kwargs if k not in ("partition_shape", "partition_offset")]
    if unknown:
        raise TypeError(f"Keyword argument should be one of ['partition_shape', 'partition_offset']. "
                        f"Received: {unknown[0]}")
    return kwargs.get("partition_shape", shape), dtypes.as_dtype(dtype)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}
