"""TensorFlow's discrete random draws, bit for bit: Multinomial (tf.random.categorical) and the
log-uniform candidate sampler, on `philox` generator positions.

    multinomial(gen, logits, 5)                  # == tf.raw_ops.Multinomial(logits, 5, seed, seed2)
    log_uniform_candidates(gen, true, 8, True, 50)

Both read the Philox words through a SimplePhilox (simple_philox.h): one word at a time from
4-word blocks, a double from two successive words. Multinomial's CPU kernel splits the batch
into shards as Eigen's ThreadPoolDevice::parallelFor does and starts each shard's generator
`start_row * (num_samples + 3) / 4` blocks on, so its numbers depend on the intra-op thread
count (TF_NUM_INTRAOP_THREADS, tf.config.threading.set_intra_op_parallelism_threads, else the
CPUs this process may run on), as TensorFlow's do; `intra_op_threads()` reproduces TF's choice.

NOTE: the CDF's exp is NumPy's where TF's is Eigen's vectorised one; they may differ in the last
bit, which changes an id only if a draw falls within that bit of a class boundary (about 1e-16
per sample; never seen in the tests). The sampler uses the C library's exp/log, as TF's does.
"""
from __future__ import annotations

import ctypes
import itertools
import math
import os
from typing import Any

import numpy as np

from . import philox

# The intra-op thread count set through tf.config.threading (0: TensorFlow's default).
INTRA_OP_THREADS = [0]


def intra_op_threads() -> int:
    """The size of TensorFlow's intra-op pool in this process (process_util.cc's rule)."""
    env = os.environ.get("TF_NUM_INTRAOP_THREADS", "")
    if env.strip().lstrip("-").isdigit() and int(env) > 0:
        return int(env)
    if INTRA_OP_THREADS[0] > 0:
        return INTRA_OP_THREADS[0]
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # NOTE: no affinity call (macOS): all CPUs
        return os.cpu_count() or 1


def _divup(a: int, b: int) -> int:
    return -(-a // b)


def shards(n: int, cost_per_unit: int, threads: int) -> list[tuple[int, int]]:
    """[start, limit) ranges of ThreadPool::ParallelFor(n, cost) over `threads` (Eigen's cost model)."""
    if n <= 0:
        return []
    want = (n * float(cost_per_unit) - 100000) / 100000 + 0.9  # TensorCostModel::numThreads
    if n == 1 or threads == 1 or min(threads, max(1, int(want))) == 1:
        return [(0, n)]
    block_size_f = 1.0 / (cost_per_unit / 40000)               # 1 / taskSize(1, cost)
    block = min(n, max(_divup(n, 4 * threads), int(block_size_f)))
    max_block = min(n, 2 * block)
    count = _divup(n, block)
    best = count / (_divup(count, threads) * threads)
    prev = count
    while best < 1.0 and prev > 1:                               # coarser blocks while efficiency holds
        coarser = _divup(n, prev - 1)
        if coarser > max_block:
            break
        coarser_count = _divup(n, coarser)
        prev = coarser_count
        eff = coarser_count / (_divup(coarser_count, threads) * threads)
        if eff + 0.01 >= best:
            block, count = coarser, coarser_count
            best = max(best, eff)
    return [(i * block, min(n, (i + 1) * block)) for i in range(count)]


def rand_doubles(gen: philox.Philox, n: int, skip: int = 0) -> np.ndarray:
    """SimplePhilox::RandDouble n times from `skip` blocks past `gen`: doubles in [0, 1)."""
    w = gen.words((2 * n + 3) // 4, skip)
    return philox.to_double(w[0:2 * n:2], w[1:2 * n:2])


def multinomial(gen: philox.Philox, logits: np.ndarray, num_samples: int, threads: int | None = None) -> np.ndarray:
    """MultinomialFunctor<CPUDevice>: class ids [batch, num_samples] (int64) from unnormalised log-probs."""
    batch, classes = logits.shape
    if batch * num_samples == 0:
        return np.zeros((batch, num_samples), np.int64)
    z = logits.astype(np.float64)
    finite = np.isfinite(z)
    top = np.max(np.where(finite, z, -np.inf), axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)                    # NOTE: no finite logit: every id is `classes`
    with np.errstate(over="ignore", invalid="ignore"):
        terms = np.where(finite, np.exp(z - top), 0.0)
    cdf = np.cumsum(terms, axis=1)                                # the kernel's running total, in order
    cost = int(50 * (num_samples * math.log(classes) / math.log(2) + classes))
    u = np.empty((batch, num_samples))
    for start, limit in shards(batch, cost, threads or intra_op_threads()):
        rows = limit - start
        u[start:limit] = rand_doubles(gen, rows * num_samples, start * (num_samples + 3) // 4).reshape(rows, -1)
    return upper_bound(cdf, u * cdf[:, -1:])


def upper_bound(cdf: np.ndarray, x: np.ndarray) -> np.ndarray:
    """std::upper_bound per row: the first j with cdf[b, j] > x[b, s] (cdf rows nondecreasing), all rows at once."""
    rows, classes = cdf.shape
    if x.size * classes <= 1 << 22:  # NOTE: counting the entries <= x is the same index, in one pass
        return (cdf[:, None, :] <= x[:, :, None]).sum(axis=2, dtype=np.int64)
    lo, hi = np.zeros(x.shape, np.int64), np.full(x.shape, classes, np.int64)
    index = np.arange(rows)[:, None]
    while True:
        active = lo < hi
        if not active.any():
            return lo
        mid = (lo + hi) // 2
        right = active & (cdf[index, np.minimum(mid, classes - 1)] <= x)
        lo, hi = np.where(right, mid + 1, lo), np.where(active & ~right, mid, hi)


def log_uniform_candidates(gen: philox.Philox, true: np.ndarray, num_sampled: int, unique: bool,
                           range_max: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LogUniformSampler's SampleBatchGetExpectedCount: (candidates, true expected, sampled expected)."""
    log_range = math.log1p(range_max)
    step = 2 * max(num_sampled, 1)  # NOTE: even, so each chunk starts on a block (two doubles a block)

    def draws() -> Any:
        for skip in itertools.count(0, step // 2):
            for x in rand_doubles(gen, step, skip).tolist():
                yield (int(math.exp(x * log_range)) - 1) % range_max   # NOTE: libm's exp, as the kernel
    source = draws()
    if unique:
        seen: dict[int, None] = {}
        tries = 0
        while len(seen) < num_sampled:
            tries += 1
            seen.setdefault(next(source))
        sampled = np.fromiter(seen, np.int64, num_sampled)
    else:
        sampled = np.fromiter((next(source) for _ in range(num_sampled)), np.int64, num_sampled)
        tries = num_sampled
    return sampled, _expected(true.reshape(-1), range_max, num_sampled, tries).reshape(true.shape), \
        _expected(sampled, range_max, num_sampled, tries)


def _expected(ids: np.ndarray, range_max: int, batch: int, tries: int) -> np.ndarray:
    """ExpectedCountHelper in float32 on Probability(id) = log((id + 2) / (id + 1)) / log1p(range_max)."""
    log_range = math.log1p(range_max)
    p = np.array([math.log((i + 2.0) / (i + 1.0)) / log_range for i in ids.tolist()], np.float32)
    if tries == batch:
        return p * np.float32(batch)
    lib = _libm_f32()
    if lib is None:  # NOTE: NumPy's float32 log1p/expm1 may differ from the C library's in the last bit
        return -np.expm1(np.float32(tries) * np.log1p(-p))
    return np.array([-lib.expm1f(np.float32(tries) * np.float32(lib.log1pf(-float(x)))) for x in p.tolist()],
                    np.float32)


_LIBM: list = []


def _libm_f32() -> Any:
    """The C library's log1pf and expm1f (what std::log1p/std::expm1 of a float call), or None."""
    if not _LIBM:
        lib = philox.LIBM
        try:
            for name in ("log1pf", "expm1f"):
                getattr(lib, name).restype = ctypes.c_float
                getattr(lib, name).argtypes = [ctypes.c_float]
        except AttributeError:
            lib = None
        _LIBM.append(lib)
    return _LIBM[0]
