"""Random ops with TensorFlow's seed semantics: RandomStandardNormal, RandomUniform,
RandomUniformInt, TruncatedNormal, RandomShuffle, Multinomial, LogUniformCandidateSampler.

    set_seed(1); a = normal(); b = normal()     # a != b, and the same a, b on every run

Seeds. `get_seed(op_seed)` turns (global seed, op seed) into the op's `seed`/`seed2`
attrs exactly as TensorFlow's `random_seed.get_seed` does: a global seed and no op
seed draws a per-op seed from a counter that `set_seed` resets; an op seed alone
pairs with the default graph seed; neither gives (0, 0): nondeterministic.

State. The seed pair is an attr (it lives on the graph node), and each kernel draws
from the generator that `STREAMS` keeps for (op type, attrs). Calling the op again, or
re-running a graph node, continues that stream instead of repeating it, as TF's
cached stateful kernels do; `set_seed` clears `STREAMS`, so a program restarts its
streams. (NOTE: two graph nodes with identical attrs share one stream.) Seeds (0, 0)
use fresh OS entropy on every call.
"""
from __future__ import annotations

import random as _pyrandom
import threading
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import invalid
from .registry import op

DEFAULT_GRAPH_SEED = 87654321
MAXINT32 = 2**31 - 1


class _SeedState(threading.local):
    def __init__(self) -> None:
        self.global_seed: int | None = None
        self.op_seeds = _pyrandom.Random()


_seeds = _SeedState()


class Streams:
    """The generator of every seeded stream, keyed by (op type, sorted attrs)."""

    def __init__(self) -> None:
        self._gens: dict[tuple, np.random.Generator] = {}
        self._lock = threading.Lock()

    def get(self, name: str, attrs: dict) -> np.random.Generator:
        seed, seed2 = int(attrs.get("seed", 0)), int(attrs.get("seed2", 0))
        if seed == 0 and seed2 == 0:
            return np.random.default_rng()
        key = (name,) + tuple(sorted(attrs.items()))
        with self._lock:
            gen = self._gens.get(key)
            if gen is None:
                bits = np.random.Philox(key=np.array([seed & 0xFFFFFFFFFFFFFFFF, seed2 & 0xFFFFFFFFFFFFFFFF],
                                                     dtype=np.uint64))
                gen = self._gens[key] = np.random.Generator(bits)
            return gen

    def clear(self) -> None:
        with self._lock:
            self._gens.clear()


STREAMS = Streams()


def set_seed(seed: int | None) -> None:
    """tf.random.set_seed: the global seed; restarts the op-seed counter and every stream."""
    _seeds.global_seed = None if seed is None else int(seed)
    _seeds.op_seeds = _pyrandom.Random(_seeds.global_seed)
    STREAMS.clear()


def global_seed() -> int | None:
    return _seeds.global_seed


def get_seed(op_seed: Any = None) -> tuple[int, int]:
    """(seed, seed2) attrs for a random op, from the global seed and the op seed."""
    g = _seeds.global_seed
    if op_seed is not None:
        op_seed = int(op_seed)
    if g is not None:
        if op_seed is None:
            op_seed = _seeds.op_seeds.randint(0, MAXINT32)
        seeds = (g, op_seed)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, op_seed)
    else:
        seeds = (0, 0)
    return (0, MAXINT32) if seeds == (0, 0) and (g is not None or op_seed is not None) else seeds


# -- the ops ---------------------------------------------------------------------------------
def _dims(shape: Any) -> tuple:
    dims = tuple(int(d) for d in np.reshape(shape, -1))
    if any(d < 0 for d in dims):
        raise invalid(f"Shape dimensions must be non-negative, got {list(dims)}")
    return dims


def _shape_rule(shape: Any, *_: Any, **__: Any) -> Any:
    """The static shape from the shape input's (partial) value: [?, 784] from tf.shape(x)."""
    if shape is None:
        return None
    return tuple(None if d is None else int(d) for d in np.reshape(np.asarray(shape, dtype=object), -1))


def _float_dtype(shape: Any, dtype: Any = dtypes.float32, **_: Any) -> Any:
    return dtype


def _sampler(name: str, **spec: Any):
    """An op whose kernel gets the stream for its attrs as `rng` (stateful, no gradient)."""
    def register(draw: Any) -> Any:
        def impl(xp: Any) -> Any:
            def kernel(*inputs: Any, **attrs: Any) -> Any:
                out = draw(STREAMS.get(name, attrs), *inputs, **attrs)
                return tuple(xp.asarray(o) for o in out) if isinstance(out, tuple) else xp.asarray(out)
            return kernel
        impl.__doc__ = draw.__doc__
        return op(name, stateful=True, differentiable=False, **spec)(impl)
    return register


@_sampler("RandomStandardNormal", shape=_shape_rule, value_inputs=(0,), dtype=_float_dtype)
def random_standard_normal(rng, shape, seed=0, seed2=0, dtype=dtypes.float32):
    """RandomStandardNormal(shape=[2], seed=1, seed2=5) -> two N(0, 1) samples."""
    return rng.standard_normal(_dims(shape)).astype(dtype.as_numpy_dtype)


@_sampler("RandomUniform", shape=_shape_rule, value_inputs=(0,), dtype=_float_dtype)
def random_uniform(rng, shape, seed=0, seed2=0, dtype=dtypes.float32):
    """RandomUniform(shape=[2]) -> two samples from [0, 1)."""
    out = rng.random(_dims(shape)).astype(dtype.as_numpy_dtype)
    return np.minimum(out, np.nextafter(dtype.as_numpy_dtype(1), dtype.as_numpy_dtype(0)))  # float32 rounding


@_sampler("RandomUniformInt", shape=_shape_rule, value_inputs=(0,), dtype=lambda shape, lo, hi, **_: lo)
def random_uniform_int(rng, shape, minval, maxval, seed=0, seed2=0):
    """RandomUniformInt(shape=[3], minval=0, maxval=10) -> three ints in [0, 10)."""
    lo, hi = int(minval), int(maxval)
    if lo >= hi:
        raise invalid(f"Need minval < maxval: {lo} >= {hi}")
    return rng.integers(lo, hi, _dims(shape)).astype(np.asarray(minval).dtype)


@_sampler("TruncatedNormal", shape=_shape_rule, value_inputs=(0,), dtype=_float_dtype)
def truncated_normal(rng, shape, seed=0, seed2=0, dtype=dtypes.float32):
    """TruncatedNormal(shape=[4]) -> N(0, 1) samples redrawn until within 2 standard deviations."""
    out = rng.standard_normal(_dims(shape))
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out.astype(dtype.as_numpy_dtype)


@_sampler("RandomShuffle", shape=lambda x, **_: x)
def random_shuffle(rng, value, seed=0, seed2=0):
    """RandomShuffle([1, 2, 3]) -> the rows of value in a random order, e.g. [3, 1, 2]."""
    return value.copy() if value.ndim == 0 else rng.permutation(value)


@_sampler("Multinomial", shape=lambda logits, n, **_: None if logits is None or n is None else (logits[0], int(n)),
          value_inputs=(1,), dtype=lambda logits, n, output_dtype=dtypes.int64, **_: output_dtype)
def multinomial(rng, logits, num_samples, seed=0, seed2=0, output_dtype=dtypes.int64):
    """Multinomial(logits [batch, classes], num_samples) -> class ids [batch, num_samples]."""
    if logits.ndim != 2:
        raise invalid(f"logits should be a matrix, got shape [{','.join(map(str, logits.shape))}]")
    n = int(num_samples)
    z = logits.astype(np.float64)
    z = np.exp(z - np.max(z, axis=1, keepdims=True))
    cdf = np.cumsum(z, axis=1)
    u = rng.random((logits.shape[0], n)) * cdf[:, -1:]
    out = np.stack([np.searchsorted(cdf[b], u[b], side="right") for b in range(logits.shape[0])]) \
        if logits.shape[0] else np.zeros((0, n), np.int64)
    return np.minimum(out, logits.shape[1] - 1).astype(output_dtype.as_numpy_dtype)


def log_uniform_prob(ids: Any, range_max: int) -> Any:
    """P(id) of the log-uniform (Zipfian) distribution over [0, range_max)."""
    ids = np.asarray(ids, dtype=np.float64)
    return (np.log(ids + 2) - np.log(ids + 1)) / np.log(range_max + 1)


def _sampler_shapes(true_classes, num_true=1, num_sampled=1, **_):
    batch = None if true_classes is None else true_classes[0]
    return (num_sampled,), (batch, num_true), (num_sampled,)


@_sampler("LogUniformCandidateSampler", num_outputs=3, shape=_sampler_shapes,
          dtype=lambda *_, **__: (dtypes.int64, dtypes.float32, dtypes.float32))
def log_uniform_candidate_sampler(rng, true_classes, num_true=1, num_sampled=1, unique=True, range_max=1,
                                  seed=0, seed2=0):
    """(sampled_candidates, true_expected_count, sampled_expected_count) from P(k) ~ log((k+2)/(k+1))."""
    if unique and num_sampled > range_max:
        raise invalid(f"Sampler's range is too small: range_max={range_max} < num_sampled={num_sampled} "
                      "(sample with unique=False or fewer candidates)")
    log_range = np.log(range_max + 1)

    def draw(n):
        return np.minimum((np.exp(rng.random(n) * log_range) - 1).astype(np.int64), range_max - 1)
    if unique:
        picked: dict[int, None] = {}
        tries = 0
        while len(picked) < num_sampled:
            batch = draw(max(2 * (num_sampled - len(picked)), 8))
            for k in batch:
                tries += 1
                picked.setdefault(int(k))
                if len(picked) == num_sampled:
                    break
        sampled = np.fromiter(picked, dtype=np.int64, count=num_sampled)

        def expected(ids):  # NOTE: TF's formula; exact p * n when no draw was a duplicate
            p = log_uniform_prob(ids, range_max)
            return p * num_sampled if tries == num_sampled else -np.expm1(tries * np.log1p(-p))
    else:
        sampled = draw(num_sampled)

        def expected(ids):
            return log_uniform_prob(ids, range_max) * num_sampled
    true = np.asarray(true_classes).reshape(-1, num_true)
    return sampled, expected(true).astype(np.float32), expected(sampled).astype(np.float32)
