"""`tf.random`: seeded sampling with TensorFlow's seed semantics.

    tf.random.set_seed(5); tf.random.normal([2])    # the same two numbers on every run

Seeds come from `runtime.ops.random.get_seed` (TensorFlow's rules: the graph seed
while building a graph, the global seed when eager), and the numbers are TensorFlow's
(`runtime.ops.philox`). The arithmetic after the raw op is TensorFlow's too
(`raw * stddev + mean`, `raw * (maxval - minval) + minval`), so results match bit for bit.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.ops import elementwise as e, random as rnd

from .._export import export


def seeds(op_seed: Any = None) -> dict:
    """The `seed`/`seed2` attrs of a random op (TensorFlow's `random_seed.get_seed`)."""
    return rnd.seed_attrs(op_seed)


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
    """tf.random.set_seed(1): fixes every later random op's stream (restarting them); in a graph, its seed."""
    graph = getattr(dispatch.current(), "graph", None)
    if graph is not None and not graph.is_function:
        graph.seed = None if seed is None else int(seed)
    else:
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
    maxval = 1 if maxval is None else maxval
    shape = shape_tensor(shape)
    return _uniform_scaled(rnd.random_uniform(shape, dtype=dtype, **seeds(seed)), minval, maxval, dtype, name)


def _uniform_scaled(raw: Any, minval: Any, maxval: Any, dtype: Any, name: str | None) -> Any:
    """TF's arithmetic: raw, raw * maxval (minval the int 0) or raw * (maxval - minval) + minval."""
    if type(minval) is int and minval == 0:  # noqa: E721  (TF tests `isinstance(minval, int)` on the value)
        if type(maxval) is int and maxval == 1:
            return raw if name is None else e.add(raw, dispatch.convert_to_tensor(0, dtype=dtype), name=name)
        return e.multiply(raw, dispatch.convert_to_tensor(maxval, dtype=dtype), name=name)
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


@export(v1=("multinomial", "random.multinomial"))
def multinomial(logits: Any, num_samples: Any, seed: Any = None, name: str | None = None,
                output_dtype: Any = None) -> Any:
    """TF1's tf.multinomial(logits, 5): tf.random.categorical with TF1's argument order."""
    return categorical(logits, num_samples, dtype=output_dtype, seed=seed, name=name)


@export("random.stateless_categorical", v1=("random.stateless_categorical",))
def stateless_categorical(logits: Any, num_samples: Any, seed: Any, dtype: Any = dtypes.int64,
                          name: str | None = None) -> Any:
    """tf.random.stateless_categorical(logits, 5, seed=[1, 2]) -> the same class ids on every call (TF's)."""
    n = dispatch.convert_to_tensor(num_samples, dtype=dtypes.int32)
    return rnd.stateless_multinomial(logits, n, _stateless_seed(seed), output_dtype=dtypes.as_dtype(dtype), name=name)


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


def _stateless_seed(seed: Any) -> Any:
    return seed if dispatch.is_tensor(seed) else dispatch.constant(np.asarray(seed, dtype=np.int64).reshape(-1))


@export("random.stateless_uniform", v1=("random.stateless_uniform",))
def stateless_uniform(shape: Any, seed: Any, minval: Any = 0, maxval: Any = None, dtype: Any = dtypes.float32,
                      name: str | None = None, alg: str = "auto_select") -> Any:
    """tf.random.stateless_uniform([2], seed=[1, 2]) -> the same two floats on every call (TF's numbers)."""
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise NotImplementedError(f"stateless_uniform with dtype={dtype.name}: use a floating dtype "
                                  "(integer stateless sampling is not supported)")
    raw = rnd.stateless_random_uniform(shape_tensor(shape), _stateless_seed(seed), dtype=dtype)
    return _uniform_scaled(raw, minval, 1 if maxval is None else maxval, dtype, name)


@export("random.stateless_normal", v1=("random.stateless_normal",))
def stateless_normal(shape: Any, seed: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = dtypes.float32,
                     name: str | None = None, alg: str = "auto_select") -> Any:
    """tf.random.stateless_normal([2], seed=[1, 2]) -> the same two normals on every call (TF's numbers)."""
    dtype = dtypes.as_dtype(dtype)
    raw = rnd.stateless_random_normal(shape_tensor(shape), _stateless_seed(seed), dtype=dtype)
    return _scaled(raw, stddev, mean, dtype, name)


@export("random.stateless_truncated_normal", v1=("random.stateless_truncated_normal",))
def stateless_truncated_normal(shape: Any, seed: Any, mean: Any = 0.0, stddev: Any = 1.0,
                               dtype: Any = dtypes.float32, name: str | None = None, alg: str = "auto_select") -> Any:
    """tf.random.stateless_truncated_normal([2], seed=[1, 2]): within two standard deviations (TF's numbers)."""
    dtype = dtypes.as_dtype(dtype)
    raw = rnd.stateless_truncated_normal(shape_tensor(shape), _stateless_seed(seed), dtype=dtype)
    return _scaled(raw, stddev, mean, dtype, name)
