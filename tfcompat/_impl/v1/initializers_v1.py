"""TF1 initializers: `initializer(shape, dtype=None, partition_info=None)` -> an initial-value tensor.

    tf.get_variable("w", [3, 2], initializer=tf.truncated_normal_initializer(stddev=0.1))

The random ones return TensorFlow's random ops (`tf.random_normal(shape, mean, stddev,
dtype, seed=self.seed)`...), as `init_ops` does, so with the same seeds their values are
TensorFlow's, bit for bit.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from runtime import dispatch, dtypes

from .. import random_ops
from ..keras.initializers import orthogonal_from
from ._api import v1_export

def _shape(shape: Any) -> list:
    return [int(s) for s in (shape.as_list() if hasattr(shape, "as_list") else shape)]


def _fans(shape: list) -> tuple[float, float]:
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: `__call__(shape, dtype=None, partition_info=None)`; `get_config()`."""

    def __init__(self, dtype: Any = dtypes.float32) -> None:
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        d = dtypes.as_dtype(dtype) if dtype is not None else self.dtype
        shape = [int(s) for s in (shape.as_list() if hasattr(shape, "as_list") else shape)]
        return dispatch.convert_to_tensor(np.asarray(self._value(shape, d), dtype=d.as_numpy_dtype))

    def _value(self, shape: list, dtype: dtypes.DType) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define _value")

    def get_config(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        return cls(**config)


@v1_export("zeros_initializer", "initializers.zeros")
class Zeros(Initializer):
    def _value(self, shape: list, dtype: dtypes.DType) -> np.ndarray:
        return np.zeros(shape)


@v1_export("ones_initializer", "initializers.ones")
class Ones(Initializer):
    def _value(self, shape: list, dtype: dtypes.DType) -> np.ndarray:
        return np.ones(shape)


@v1_export("constant_initializer", "initializers.constant")
class Constant(Initializer):
    """A scalar fills the shape; a list/array must have as many elements (it is reshaped)."""

    def __init__(self, value: Any = 0, dtype: Any = dtypes.float32, verify_shape: bool = False) -> None:
        super().__init__(dtype)
        self.value, self.verify_shape = value, verify_shape

    def _value(self, shape: list, dtype: dtypes.DType) -> np.ndarray:
        v = np.asarray(self.value)
        if v.size == 1:
            return np.full(shape, v.reshape(()))
        if v.size != int(np.prod(shape)):
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {self.value!r} has "
                            f"{v.size} elements, but got `shape` {tuple(shape)} with {int(np.prod(shape))} elements).")
        return v.reshape(shape)


@v1_export("random_normal_initializer", "initializers.random_normal")
class RandomNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 1.0, seed: Any = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(dtype)
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        d = dtypes.as_dtype(dtype) if dtype is not None else self.dtype
        return random_ops.normal(_shape(shape), self.mean, self.stddev, d, seed=self.seed)


@v1_export("truncated_normal_initializer", "initializers.truncated_normal")
class TruncatedNormal(RandomNormal):
    """Normal values more than two standard deviations from the mean are redrawn."""

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        d = dtypes.as_dtype(dtype) if dtype is not None else self.dtype
        return random_ops.truncated_normal(_shape(shape), self.mean, self.stddev, d, seed=self.seed)


@v1_export("random_uniform_initializer", "initializers.random_uniform")
class RandomUniform(Initializer):
    def __init__(self, minval: Any = 0, maxval: Any = None, seed: Any = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(dtype)
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        d = dtypes.as_dtype(dtype) if dtype is not None else self.dtype
        return random_ops.uniform(_shape(shape), self.minval, self.maxval, d, seed=self.seed)


@v1_export("variance_scaling_initializer", "initializers.variance_scaling")
class VarianceScaling(Initializer):
    """stddev = sqrt(scale / n), n = fan_in, fan_out or their mean; truncated normal, normal or uniform."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: Any = None, dtype: Any = dtypes.float32) -> None:
        if scale <= 0.0:
            raise ValueError("`scale` must be positive float.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode}")
        if distribution not in ("normal", "uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        super().__init__(dtype)
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        d = dtypes.as_dtype(dtype) if dtype is not None else self.dtype
        shape = _shape(shape)
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution in ("normal", "truncated_normal"):
            return random_ops.truncated_normal(shape, 0.0, math.sqrt(scale) / 0.87962566103423978, d, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.normal(shape, 0.0, math.sqrt(scale), d, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.uniform(shape, -limit, limit, d, seed=self.seed)


@v1_export("glorot_uniform_initializer", "initializers.glorot_uniform")
class GlorotUniform(VarianceScaling):
    def __init__(self, seed: Any = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "dtype": self.dtype}


@v1_export("glorot_normal_initializer", "initializers.glorot_normal")
class GlorotNormal(VarianceScaling):
    def __init__(self, seed: Any = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed, "dtype": self.dtype}


@v1_export("orthogonal_initializer", "initializers.orthogonal")
class Orthogonal(Initializer):
    """Q of the QR of `tf.random_normal(..., seed=self.seed)`, as TF1's init_ops builds it (TF's numbers)."""

    def __init__(self, gain: float = 1.0, seed: Any = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(dtype)
        self.gain, self.seed = gain, seed

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        d = dtypes.as_dtype(dtype) if dtype is not None else self.dtype
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: shape={shape} "
                             f"of rank {len(shape)}.")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        flat = [cols, rows] if rows < cols else [rows, cols]
        draw = random_ops.normal(flat, dtype=d, seed=self.seed)
        return orthogonal_from(draw, rows < cols, shape, self.gain)


@v1_export("initializers.identity")
class Identity(Initializer):
    def __init__(self, gain: float = 1.0, dtype: Any = dtypes.float32) -> None:
        super().__init__(dtype)
        self.gain = gain

    def _value(self, shape: list, dtype: dtypes.DType) -> np.ndarray:
        return self.gain * np.eye(*shape)


def xavier_initializer(uniform: bool = True, seed: Any = None, dtype: Any = dtypes.float32) -> Initializer:
    """`tf.contrib.layers.xavier_initializer`: Glorot uniform (or truncated normal)."""
    return VarianceScaling(1.0, "fan_avg", "uniform" if uniform else "truncated_normal", seed, dtype)


def variance_scaling_contrib(factor: float = 2.0, mode: str = "FAN_IN", uniform: bool = False, seed: Any = None,
                             dtype: Any = dtypes.float32) -> Initializer:
    """`tf.contrib.layers.variance_scaling_initializer` (He initialisation by default)."""
    return VarianceScaling(factor, {"FAN_IN": "fan_in", "FAN_OUT": "fan_out", "FAN_AVG": "fan_avg"}[mode],
                           "uniform" if uniform else "truncated_normal", seed, dtype)
