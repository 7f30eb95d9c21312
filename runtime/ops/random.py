"""Random ops with TensorFlow's seeds and TensorFlow's numbers: RandomStandardNormal, RandomUniform,
RandomUniformInt, TruncatedNormal, RandomShuffle (bit for bit, see `philox`), Multinomial and
LogUniformCandidateSampler (bit for bit, see `random_discrete`), and their stateless forms.

    set_seed(1); a = normal(); b = normal()     # a != b, and the same a, b as TensorFlow's

Seeds. `get_seed(op_seed)` turns (global seed, op seed) into the op's `seed`/`seed2`
attrs exactly as TensorFlow's `random_seed.get_seed` does. The global seed is the
graph's seed while a graph is being built (`set_random_seed`; a traced function's graph
takes the eager global seed) and `set_seed`'s otherwise. A global seed and no op seed
draws the op seed from a counter: `random.Random(seed).randint(0, 2**31 - 1)` when
eager, 0, 1, 2... per graph when building one. An op seed alone pairs with the default
graph seed 87654321; neither gives (0, 0): a kernel seeded from OS entropy.

State. Each kernel draws from the Philox generator that `STREAMS` keeps for (op type,
attrs), reserving 256 counter values per output as TF's kernels do, so a second call
continues the stream exactly as TF's cached kernel does; `set_seed` clears `STREAMS`.
A graph node whose seeds repeat an earlier node's gets a `stream` attr (`seed_attrs`),
so it restarts the sequence as TF's separate kernel does. A v1 Session has kernels of its own in
TensorFlow: `session_streams(streams)` makes a Session's `Streams` the ones its runs draw from, so
a new Session over the same graph draws the first session's numbers again. A traced function's
kernels are its own too, per caller (`function_streams`): eager code, each function, and a
function called inside another draw separate streams, and `set_seed` restarts them all.
"""
from __future__ import annotations

import os
import random as _pyrandom
import threading
from typing import Any

import numpy as np

from .. import backend, dtypes
from ..errors import invalid
from . import philox, random_discrete
from .registry import op

DEFAULT_GRAPH_SEED = 87654321
MAXINT32 = 2**31 - 1


class _SeedState(threading.local):
    def __init__(self) -> None:
        self.global_seed: int | None = None
        self.op_seeds = _pyrandom.Random()


_seeds = _SeedState()


class Streams:
    """The Philox generator of every kernel, keyed by (op type, sorted attrs); a traced function's kernels
    are a child `Streams` per function (`child`), as TF instantiates them per caller."""

    def __init__(self) -> None:
        self._gens: dict[tuple, philox.Philox] = {}
        self._children: dict[Any, Streams] = {}
        self._lock = threading.Lock()

    def reserve(self, name: str, attrs: dict, samples: int) -> philox.Philox:
        """The kernel's generator position for this run; the stream moves `samples` counters on."""
        key = (name,) + tuple(sorted(attrs.items()))
        with self._lock:
            gen = self._gens.get(key)
            if gen is None:
                seed, seed2 = int(attrs.get("seed", 0)), int(attrs.get("seed2", 0))
                if seed == 0 and seed2 == 0:  # GuardedPhiloxRandom: fresh random seeds
                    seed, seed2 = (int.from_bytes(os.urandom(8), "little") for _ in range(2))
                gen = self._gens[key] = philox.Philox.from_seeds(seed, seed2)
            return gen.reserve(samples)

    def child(self, function: Any) -> "Streams":
        """The streams of `function`'s kernels when called from here (each caller has its own)."""
        found = self._children.get(function)
        if found is None:
            with self._lock:
                found = self._children.setdefault(function, Streams())
        return found

    def clear(self) -> None:
        with self._lock:
            self._gens.clear()
            self._children.clear()


STREAMS = Streams()


class _Active(threading.local):
    streams: Streams | None = None   # a v1 Session's streams while it runs (None: STREAMS)


ACTIVE = _Active()


def session_streams(streams: Streams | None) -> Streams | None:
    """Draw from `streams` on this thread (a Session's, while it runs; None: the eager STREAMS); returns the last."""
    prev, ACTIVE.streams = ACTIVE.streams, streams
    return prev


def function_streams(function: Any) -> Streams | None:
    """Enter a traced function's own streams (a child of the caller's); returns the caller's, for `session_streams`."""
    prev = ACTIVE.streams
    ACTIVE.streams = (prev or STREAMS).child(function)
    return prev


def set_seed(seed: int | None) -> None:
    """tf.random.set_seed: the global seed; restarts the op-seed counter and every stream."""
    _seeds.global_seed = None if seed is None else int(seed)
    _seeds.op_seeds = _pyrandom.Random(_seeds.global_seed)
    STREAMS.clear()


def global_seed() -> int | None:
    return _seeds.global_seed


def _building_graph() -> Any:
    from ..graph import default_graph  # noqa: PLC0415  (the graph module imports the op registry)
    return default_graph()


def _truncate(seed: int) -> int:
    return int(seed) % MAXINT32  # NOTE: random_seed._truncate_seed (modulo 2**31 - 1, as TF does)


def current_global_seed() -> int | None:
    """The seed `get_seed` pairs with op seeds now: the graph's while building one, else `set_seed`'s."""
    graph = _building_graph()
    if graph is not None and (graph.seed is not None or not graph.is_function):
        return graph.seed
    return _seeds.global_seed


def python_seeds(op_seed: Any = None) -> tuple[Any, Any]:
    """tf.compat.v1.get_seed: (graph-level, op-level) seeds, (None, None) when nothing is seeded."""
    graph = _building_graph()
    g = current_global_seed()
    if g is not None:
        if op_seed is None:
            if graph is not None:
                op_seed = graph.__dict__.get("_random_op_seed", 0)
                graph.__dict__["_random_op_seed"] = op_seed + 1
            else:
                op_seed = _seeds.op_seeds.randint(0, MAXINT32)
        seeds = (_truncate(g), _truncate(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, _truncate(op_seed))
    else:
        return None, None
    return (0, MAXINT32) if seeds == (0, 0) else seeds


def get_seed(op_seed: Any = None) -> tuple[int, int]:
    """(seed, seed2) attrs for a random op, from the global seed and the op seed ((0, 0): unseeded)."""
    hook = SEED_HOOK[0]
    s1, s2 = hook(op_seed) if hook is not None else python_seeds(op_seed)
    return int(s1 or 0), int(s2 or 0)


def seed_attrs(op_seed: Any = None) -> dict:
    """The attrs of a new random op: `seed`, `seed2`, and `stream` for a repeated pair in one graph."""
    s1, s2 = get_seed(op_seed)
    graph = _building_graph()
    if graph is None or (s1, s2) == (0, 0):
        return {"seed": s1, "seed2": s2}
    used = graph.__dict__.setdefault("_random_seed_pairs", {})
    n = used[(s1, s2)] = used.get((s1, s2), -1) + 1
    return {"seed": s1, "seed2": s2, "stream": n} if n else {"seed": s1, "seed2": s2}


# A replacement for `python_seeds` (tf-upgrade verify's recording hook seeds both engines alike).
SEED_HOOK: list = [None]


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
    """An op whose kernel gets `reserve(samples)` -> its generator for this run (stateful, no gradient)."""
    def register(draw: Any) -> Any:
        def impl(xp: Any) -> Any:
            def kernel(*inputs: Any, **attrs: Any) -> Any:
                inputs = tuple(backend.to_host(i) for i in inputs)  # NOTE: drawn on the host, then copied
                streams = ACTIVE.streams or STREAMS
                out = draw(lambda samples: streams.reserve(name, attrs, samples), *inputs, **attrs)
                return tuple(xp.asarray(o) for o in out) if isinstance(out, tuple) else xp.asarray(out)
            return kernel
        impl.__doc__ = draw.__doc__
        return op(name, stateful=True, differentiable=False, **spec)(impl)
    return register


def _fill(dist: Any, reserve: Any, shape: Any, dtype: Any) -> np.ndarray:
    dims = _dims(shape)
    n = int(np.prod(dims, dtype=np.int64))
    return dist(reserve(n * 256), dtype.as_numpy_dtype, n).reshape(dims)  # NOTE: 256 per output, as TF reserves


@_sampler("RandomStandardNormal", shape=_shape_rule, value_inputs=(0,), dtype=_float_dtype)
def random_standard_normal(reserve, shape, seed=0, seed2=0, dtype=dtypes.float32, stream=0):
    """RandomStandardNormal(shape=[2], seed=1, seed2=5) -> two N(0, 1) samples."""
    return _fill(philox.normal, reserve, shape, dtype)


@_sampler("RandomUniform", shape=_shape_rule, value_inputs=(0,), dtype=_float_dtype)
def random_uniform(reserve, shape, seed=0, seed2=0, dtype=dtypes.float32, stream=0):
    """RandomUniform(shape=[2]) -> two samples from [0, 1)."""
    return _fill(philox.uniform, reserve, shape, dtype)


@_sampler("RandomUniformInt", shape=_shape_rule, value_inputs=(0,), dtype=lambda shape, lo, hi, **_: lo)
def random_uniform_int(reserve, shape, minval, maxval, seed=0, seed2=0, stream=0):
    """RandomUniformInt(shape=[3], minval=0, maxval=10) -> three ints in [0, 10)."""
    lo, hi = int(minval), int(maxval)
    if lo >= hi:
        raise invalid(f"Need minval < maxval: {lo} >= {hi}")
    dims = _dims(shape)
    n = int(np.prod(dims, dtype=np.int64))
    return philox.uniform_int(reserve(n * 256), lo, hi, np.asarray(minval).dtype, n).reshape(dims)


@_sampler("TruncatedNormal", shape=_shape_rule, value_inputs=(0,), dtype=_float_dtype)
def truncated_normal(reserve, shape, seed=0, seed2=0, dtype=dtypes.float32, stream=0):
    """TruncatedNormal(shape=[4]) -> N(0, 1) samples redrawn until within 2 standard deviations."""
    return _fill(philox.truncated_normal, reserve, shape, dtype)


@_sampler("RandomShuffle", shape=lambda x, **_: x)
def random_shuffle(reserve, value, seed=0, seed2=0, stream=0):
    """RandomShuffle([1, 2, 3]) -> the rows of value in a random order, e.g. [3, 1, 2]."""
    value = np.asarray(value)
    if value.size <= 1 or value.shape[0] <= 1:
        return value.copy()
    size = value.shape[0]
    return value[philox.permutation(reserve((size - 1 + 3) // 4), size)]


@_sampler("Multinomial", shape=lambda logits, n, **_: None if logits is None or n is None else (logits[0], int(n)),
          value_inputs=(1,), dtype=lambda logits, n, output_dtype=dtypes.int64, **_: output_dtype)
def multinomial(reserve, logits, num_samples, seed=0, seed2=0, output_dtype=dtypes.int64, stream=0):
    """Multinomial(logits [batch, classes], num_samples) -> class ids [batch, num_samples] (TF's numbers)."""
    n = _checked_multinomial(logits, num_samples)
    batch = logits.shape[0]
    gen = reserve(batch * ((n + 3) // 4 * 4) * 2 * 256) if batch * n else None  # NOTE: two words a sample
    return random_discrete.multinomial(gen, logits, n).astype(output_dtype.as_numpy_dtype)


def _checked_multinomial(logits: Any, num_samples: Any) -> int:
    if logits.ndim != 2:
        raise invalid(f"logits should be a matrix, got shape [{','.join(map(str, logits.shape))}]")
    if np.ndim(num_samples):
        raise invalid(f"num_samples should be a scalar, got shape [{','.join(map(str, np.shape(num_samples)))}]")
    n = int(num_samples)
    if n < 0:
        raise invalid(f"num_samples should be non-negative, got {n}")
    if logits.shape[1] <= 0:
        raise invalid(f"num_classes should be positive, got {logits.shape[1]}")
    return n


def log_uniform_prob(ids: Any, range_max: int) -> Any:
    """P(id) of the log-uniform (Zipfian) distribution over [0, range_max)."""
    ids = np.asarray(ids, dtype=np.float64)
    return (np.log(ids + 2) - np.log(ids + 1)) / np.log(range_max + 1)


def _sampler_shapes(true_classes, num_true=1, num_sampled=1, **_):
    batch = None if true_classes is None else true_classes[0]
    return (num_sampled,), (batch, num_true), (num_sampled,)


@_sampler("LogUniformCandidateSampler", num_outputs=3, shape=_sampler_shapes,
          dtype=lambda *_, **__: (dtypes.int64, dtypes.float32, dtypes.float32))
def log_uniform_candidate_sampler(reserve, true_classes, num_true=1, num_sampled=1, unique=True, range_max=1,
                                  seed=0, seed2=0, stream=0):
    """(sampled_candidates, true_expected_count, sampled_expected_count) from P(k) ~ log((k+2)/(k+1))."""
    if unique and num_sampled > range_max:
        raise invalid(f"Sampler's range is too small: range_max={range_max} < num_sampled={num_sampled} "
                      "(sample with unique=False or fewer candidates)")
    true = np.asarray(true_classes).astype(np.int64).reshape(-1, num_true)
    outside = true[(true < 0) | (true >= range_max)]
    if outside.size:
        raise invalid(f"`true_candidate` out of range [0, {range_max}), received {outside[0]}")
    gen = reserve(512 * num_sampled)  # NOTE: ReserveSamples32(2048 * num_sampled), as TF's kernel
    return random_discrete.log_uniform_candidates(gen, true, num_sampled, unique, range_max)


# -- stateless ops: the numbers are a function of the seed pair (no stream) -------------------
def _stateless(name: str, dist: Any) -> Any:
    def impl(xp: Any) -> Any:
        def kernel(shape: Any, seed: Any, dtype: Any = dtypes.float32) -> Any:
            s = np.asarray(backend.to_host(seed)).reshape(-1)  # NOTE: host memory, as in TensorFlow
            if s.size != 2:
                raise invalid(f"seed must have shape [2], not [{s.size}]")
            dims = _dims(shape)
            n = int(np.prod(dims, dtype=np.int64))
            gen = philox.Philox.from_stateless(int(s[0]), int(s[1]))
            return xp.asarray(dist(gen, dtype.as_numpy_dtype, n).reshape(dims))
        return kernel
    impl.__doc__ = f"{name}(shape=[2], seed=[1, 2]) -> the same two numbers as TensorFlow's for that seed."
    return op(name, differentiable=False, shape=_shape_rule, value_inputs=(0,), dtype=_float_dtype)(impl)


stateless_random_uniform = _stateless("StatelessRandomUniform", philox.uniform)
stateless_random_normal = _stateless("StatelessRandomNormal", philox.normal)
stateless_truncated_normal = _stateless("StatelessTruncatedNormal", philox.truncated_normal)


@op("StatelessMultinomial", differentiable=False, value_inputs=(1,),
    shape=lambda logits, n, seed, **_: None if logits is None or n is None else (logits[0], int(n)),
    dtype=lambda logits, n, seed, output_dtype=dtypes.int64, **_: output_dtype)
def stateless_multinomial(xp):
    """StatelessMultinomial(logits [batch, classes], 5, seed=[1, 2]) -> TensorFlow's [batch, 5] class ids."""
    def kernel(logits: Any, num_samples: Any, seed: Any, output_dtype: Any = dtypes.int64) -> Any:
        logits, s = backend.to_host(logits), np.asarray(backend.to_host(seed)).reshape(-1)
        if s.size != 2:
            raise invalid(f"seed must have shape [2], not [{s.size}]")
        n = _checked_multinomial(logits, num_samples)
        gen = philox.Philox.from_stateless(int(s[0]), int(s[1]))
        return xp.asarray(random_discrete.multinomial(gen, logits, n).astype(output_dtype.as_numpy_dtype))
    return kernel
