"""`tf.random`: seeded sampling with TensorFlow's seed semantics.

    tf.random.set_seed(5); tf.random.normal([2])    # the same two numbers on every run

Seeds come from `runtime.ops.random.get_seed` (global seed + op seed); an
interpreter that defines `random_seed(op_seed)` (a v1 graph with a graph-level
seed) decides them instead.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.ops import elementwise as e, random as rnd

from .._export import export


def seeds(op_seed: Any = None) -> dict:
    """The `seed`/`seed2` attrs of a random op, from the active interpreter or the global seed."""
    hook = getattr(dispatch.current(), "random_seed", None)
    s1, s2 = hook(op_seed) if hook is not None else rnd.get_seed(op_seed)
    return {"seed": int(s1 or 0), "seed2": int(s2 or 0)}


def shape_tensor(shape: Any) -> Any:
    """A shape (list, tuple, TensorShape or int32 tensor) as a 1-D int32 tensor."""
    if dispatch.is_tensor(shape):
        return shape
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and any(dispatch.is_tensor(d) for d in shape):
        from runtime.ops import array  # noqa: PLC0415
        return array.stack([array.cast(dispatch.convert_to_tensor(d), dtypes.int32) for d in shape])
    return dispatch.constant(np.asarray(shape, dtype=np.int32).reshape(-1))


def _scaled(raw: Any, scale: Any, shift: Any, dtype: Any, name: str | None) -> Any:
    scale = dispatch.convert_to_tensor(scale, dtype=dtype)
    shift = dispatch.convert_to_tensor(shift, dtype=dtype)
    return e.add(raw * scale, shift, name=name)


@export("random.set_seed", v1=())
def set_seed(seed: Any) -> None:
    """tf.random.set_seed(1): fixes every later random op's stream (restarting them)."""
    rnd.set_seed(seed)


@export("random.normal", v1=("random.normal", "random_normal"))
def normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = dtypes.float32, seed: Any = None,
           name: str | None = None) -> Any:
    """tf.random.normal([2, 3], stddev=0.1): samples from N(mean, stddev**2)."""
    dtype = dtypes.as_dtype(dtype)
    raw = rnd.random_standard_normal(shape_tensor(shape), dtype=dtype, **seeds(seed))
    return _scaled(raw, stddev, mean, dtype, name)


@export("random.truncated_normal", v1=("random.truncated_normal", "truncated_normal"))
def truncated_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = dtypes.float32,
                     seed: Any = None, name: str | None = None) -> Any:
    """tf.random.truncated_normal([3]): normal samples, redrawn beyond two standard deviations."""
    dtype = dtypes.as_dtype(dtype)
    raw = rnd.truncated_normal(shape_tensor(shape), dtype=dtype, **seeds(seed))
    return _scaled(raw, stddev, mean, dtype, name)


@export("random.uniform", v1=("random.uniform", "random_uniform"))
def uniform(shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = dtypes.float32, seed: Any = None,
            name: str | None = None) -> Any:
    """tf.random.uniform([2], 0, 10, dtype=tf.int32): floats in [minval, maxval) (maxval 1 by default)."""
    dtype = dtypes.as_dtype(dtype)
    if dtype.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        lo, hi = dispatch.convert_to_tensor(minval, dtype=dtype), dispatch.convert_to_tensor(maxval, dtype=dtype)
        return rnd.random_uniform_int(shape_tensor(shape), lo, hi, name=name, **seeds(seed))
    if not dtype.is_floating:
        raise ValueError(f"Invalid dtype {dtype!r} for tf.random.uniform: use a floating or integer dtype")
    raw = rnd.random_uniform(shape_tensor(shape), dtype=dtype, **seeds(seed))
    maxval = 1 if maxval is None else maxval
    lo = dispatch.convert_to_tensor(minval, dtype=dtype)
    return _scaled(raw, dispatch.convert_to_tensor(maxval, dtype=dtype) - lo, lo, dtype, name)


@export("random.shuffle", v1=("random.shuffle", "random_shuffle"))
def shuffle(value: Any, seed: Any = None, name: str | None = None) -> Any:
    """tf.random.shuffle([1, 2, 3]) -> the same rows in a random order."""
    return rnd.random_shuffle(value, name=name, **seeds(seed))


@export("random.categorical", v1=("random.categorical",))
def categorical(logits: Any, num_samples: Any, dtype: Any = None, seed: Any = None, name: str | None = None) -> Any:
    """tf.random.categorical(tf.math.log([[0.5, 0.5]]), 5) -> [1, 5] class ids."""
    out = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    n = dispatch.convert_to_tensor(num_samples, dtype=dtypes.int32)
    return rnd.multinomial(logits, n, output_dtype=out, name=name, **seeds(seed))


@export("random.log_uniform_candidate_sampler",
        v1=("random.log_uniform_candidate_sampler", "nn.log_uniform_candidate_sampler"))
def log_uniform_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int, unique: bool,
                                  range_max: int, seed: Any = None, name: str | None = None) -> tuple:
    """(sampled_candidates, true_expected_count, sampled_expected_count) from a Zipfian distribution."""
    true_classes = dispatch.convert_to_tensor(true_classes, dtype=dtypes.int64) \
        if not dispatch.is_tensor(true_classes) else true_classes
    return rnd.log_uniform_candidate_sampler(true_classes, num_true=int(num_true), num_sampled=int(num_sampled),
                                             unique=bool(unique), range_max=int(range_max), name=name,
                                             **seeds(seed))
