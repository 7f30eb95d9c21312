"""Native (compiled C) fused groups: bit-identical to the NumPy path, cached, and optional."""
from __future__ import annotations

import os

import numpy as np
import pytest

import runtime.ops  # noqa: F401
from runtime import dtypes, fusion, fusion_native
from runtime.executor import plan_for
from runtime.fusion import FusedGroup
from runtime.graph import Graph
from runtime.ops import elementwise as e
from runtime.ops.registry import REGISTRY

@pytest.fixture(autouse=True)
def _native_on(monkeypatch):
    """These tests check the native path itself, whatever TFCOMPAT_NATIVE_FUSION says outside."""
    monkeypatch.delenv("TFCOMPAT_NATIVE_FUSION", raising=False)


needs_cc = pytest.mark.skipif(fusion_native.toolchain() is None, reason="no usable C compiler")
IN0, IN1, IN2 = ("in", 0), ("in", 1), ("in", 2)
N = (1 << 16) + 37  # odd, above MIN_NATIVE_SIZE and MIN_THREADED_SIZE/2


def _group(dtype: str, *steps: tuple) -> FusedGroup:
    gsteps = tuple((REGISTRY[name], tuple(refs), {}) for name, *refs in steps)
    n_in = 1 + max(r[1] for _, *refs in steps for r in refs if r[0] == "in")
    return FusedGroup(gsteps, n_in, dtypes.as_dtype(dtype), tuple(f"s{j}" for j in range(len(steps))))


def _unfused(group: FusedGroup, inputs: list) -> np.ndarray:
    tmp: list = []
    for op, refs, _ in group.steps:
        tmp.append(op.cpu(*[inputs[r[1]] if r[0] == "in" else tmp[r[1]] for r in refs]))
    return np.asarray(tmp[-1])


def _values(rng: np.random.Generator, dtype: str, n: int) -> np.ndarray:
    if dtype.startswith("int"):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)  # overflow wraps
    v = (rng.standard_normal(n) * 10).astype(dtype)
    special = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e-40], dtype)
    idx = rng.integers(0, n, n // 8)
    v[idx] = special[rng.integers(0, len(special), len(idx))]
    return v


def _bits_equal(a: np.ndarray, b: np.ndarray) -> None:
    """Same bits everywhere (-0.0 included), except that a NaN's sign and payload may differ: IEEE
    leaves them open, the compiler may swap a commutative op's operands, and no supported op turns
    a NaN into a number."""
    assert a.dtype == b.dtype and a.shape == b.shape
    ua = a.view(f"u{a.dtype.itemsize}")
    ub = b.view(f"u{b.dtype.itemsize}")
    diff = ua != ub
    if a.dtype.kind == "f":
        diff &= ~(np.isnan(a) & np.isnan(b))
    bad = np.flatnonzero(diff)
    assert bad.size == 0, f"{bad.size} elements differ, first at {bad[:5]}: {a.flat[bad[:5]]} vs {b.flat[bad[:5]]}"


FLOAT_GROUPS = [
    (("Mul", IN0, IN1), ("AddV2", ("tmp", 0), IN2), ("Relu", ("tmp", 1))),
    (("Sub", IN0, IN1), ("RealDiv", ("tmp", 0), IN2), ("Neg", ("tmp", 1)), ("Abs", ("tmp", 2))),
    (("Maximum", IN0, IN1), ("Minimum", ("tmp", 0), IN2), ("Square", ("tmp", 1))),
    (("SquaredDifference", IN0, IN1), ("Mul", ("tmp", 0), IN0), ("Maximum", IN2, ("tmp", 1))),
    (("Minimum", IN1, IN0), ("Relu", ("tmp", 0)), ("RealDiv", IN2, ("tmp", 1))),
]
INT_GROUPS = [
    (("Mul", IN0, IN1), ("AddV2", ("tmp", 0), IN2), ("Relu", ("tmp", 1))),
    (("Sub", IN0, IN1), ("Neg", ("tmp", 0)), ("Abs", ("tmp", 1)), ("Square", ("tmp", 2))),
    (("Maximum", IN0, IN1), ("Minimum", ("tmp", 0), IN2)),
]


@needs_cc
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("gi", range(len(FLOAT_GROUPS)))
@pytest.mark.parametrize("scalars", [(), (1,), (1, 2), (0, 2)])
def test_native_float_groups_are_bit_identical(dtype, gi, scalars):
    rng = np.random.default_rng(gi * 10 + len(scalars))
    group = _group(dtype, *FLOAT_GROUPS[gi])
    inputs = [_values(rng, dtype, 1 if k in scalars else N) for k in range(3)]
    inputs = [v.reshape(()) if v.size == 1 else v for v in inputs]
    if len(scalars) == 1:  # a special value as the broadcast scalar
        inputs[1] = np.array(-0.0 if gi % 2 else np.nan, dtype)
    keep = [v.copy() for v in inputs]
    kernel = fusion_native.kernel_for(group)
    out = np.empty(N, dtype)
    with np.errstate(all="ignore"):
        assert kernel(N, tuple(inputs), out)
        _bits_equal(out, _unfused(group, inputs))
        if all(op.name in fusion.UFUNCS or op.name == "Relu" for op, _, _ in group.steps):
            _bits_equal(out, _numpy_fused(group, inputs))  # (SquaredDifference is never fused today)
    for v, k in zip(inputs, keep):
        _bits_equal(v, k)


def _numpy_fused(group: FusedGroup, inputs: list) -> np.ndarray:
    """The NumPy backend's chunked result (native switched off while the group compiles)."""
    saved = os.environ.get("TFCOMPAT_NATIVE_FUSION")
    os.environ["TFCOMPAT_NATIVE_FUSION"] = "0"
    try:
        fn = fusion.compile_numpy(group)
    finally:
        if saved is None:
            del os.environ["TFCOMPAT_NATIVE_FUSION"]
        else:
            os.environ["TFCOMPAT_NATIVE_FUSION"] = saved
    return fn(*inputs)


@needs_cc
@pytest.mark.parametrize("dtype", ["int32", "int64"])
@pytest.mark.parametrize("gi", range(len(INT_GROUPS)))
def test_native_int_groups_wrap_like_numpy(dtype, gi):
    rng = np.random.default_rng(gi)
    group = _group(dtype, *INT_GROUPS[gi])
    inputs = [_values(rng, dtype, N), _values(rng, dtype, N), np.array(np.iinfo(dtype).min, dtype)]
    inputs = inputs[:group.n_inputs]
    out = np.empty(N, dtype)
    with np.errstate(over="ignore"):
        assert fusion_native.kernel_for(group)(N, tuple(inputs), out)
        _bits_equal(out, _unfused(group, inputs))


@needs_cc
@pytest.mark.parametrize("n", [(1 << 16) - 1, 1 << 16, (1 << 18) + 3, 3 * (1 << 20) + 1])
def test_plan_sizes_around_thresholds(n, monkeypatch):
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [None])
        a, b = g.placeholder("float32", []), g.placeholder("float32", [])
        y = e.relu(x * a + b)
    xv = _values(np.random.default_rng(n), "float32", n)
    feeds = [xv, np.float32(1.5), np.float32(-0.25)]
    native = plan_for(g, [y], [x, a, b])
    first, second = native(feeds)[0], native(feeds)[0]
    assert first is not second  # a held result is never overwritten
    _bits_equal(first, second)
    monkeypatch.setenv("TFCOMPAT_NATIVE_FUSION", "0")
    g2 = Graph()
    with g2.as_default():
        x2 = g2.placeholder("float32", [None])
        a2, b2 = g2.placeholder("float32", []), g2.placeholder("float32", [])
        y2 = e.relu(x2 * a2 + b2)
    _bits_equal(first, plan_for(g2, [y2], [x2, a2, b2])(feeds)[0])
    _bits_equal(first, np.maximum(xv * np.float32(1.5) + np.float32(-0.25), np.float32(0)))


def test_unsupported_groups_and_switch_off_fall_back(monkeypatch):
    assert fusion_native.kernel_for(_group("float32", ("Mul", IN0, IN1), ("Exp", ("tmp", 0)))) is None
    assert fusion_native.kernel_for(_group("float16", ("Mul", IN0, IN1), ("Relu", ("tmp", 0)))) is None
    assert fusion_native.kernel_for(_group("int32", ("RealDiv", IN0, IN1), ("Relu", ("tmp", 0)))) is None
    monkeypatch.setenv("TFCOMPAT_NATIVE_FUSION", "0")
    assert fusion_native.kernel_for(_group("float32", ("Mul", IN0, IN1), ("Relu", ("tmp", 0)))) is None


def test_no_compiler_falls_back_to_numpy(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fusion_native, "_TOOLCHAIN", [])
    monkeypatch.setattr(fusion_native, "_LIBS", {})
    monkeypatch.setattr(fusion_native.shutil, "which", lambda name: None)
    assert fusion_native.toolchain() is None
    group = _group("float32", ("Mul", IN0, IN1), ("AddV2", ("tmp", 0), IN2), ("Relu", ("tmp", 1)))
    kernel = fusion_native.kernel_for(group)
    xs = [_values(np.random.default_rng(1), "float32", N), np.float32(2), np.float32(-1)]
    assert not kernel(N, tuple(np.asarray(v) for v in xs), np.empty(N, np.float32))
    _bits_equal(fusion.compile_numpy(group)(*xs), _unfused(group, xs))
    assert not os.path.exists(fusion_native.cache_dir())


@needs_cc
def test_builds_are_cached_on_disk_and_in_process(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fusion_native, "_LIBS", {})
    group = _group("float64", ("Sub", IN0, IN1), ("Square", ("tmp", 0)), ("Neg", ("tmp", 1)))
    src = fusion_native.c_source(group, (False, True))
    fn = fusion_native.load(src, 2)
    assert fn is not None and fusion_native.load(src, 2) is fn
    built = sorted(p for p in os.listdir(fusion_native.cache_dir()) if p.startswith("fused_"))
    assert len(built) == 1 and not [p for p in os.listdir(fusion_native.cache_dir()) if "tmp" in p]
    stamp = os.stat(os.path.join(fusion_native.cache_dir(), built[0])).st_mtime_ns
    monkeypatch.setattr(fusion_native, "_LIBS", {})  # a new process: found on disk, not rebuilt
    calls = []
    real_run = fusion_native.subprocess.run
    monkeypatch.setattr(fusion_native.subprocess, "run", lambda *a, **k: calls.append(a) or real_run(*a, **k))
    assert fusion_native.load(src, 2) is not None and calls == []
    assert os.stat(os.path.join(fusion_native.cache_dir(), built[0])).st_mtime_ns == stamp
    xs = (_values(np.random.default_rng(2), "float64", N), np.array(0.5))
    out = np.empty(N)
    assert fusion_native.kernel_for(group)(N, xs, out)
    _bits_equal(out, _unfused(group, list(xs)))


@needs_cc
def test_build_failure_falls_back(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fusion_native, "_LIBS", {})
    assert fusion_native.load("this is not C\n", 1) is None
    group = _group("float32", ("Mul", IN0, IN1), ("Relu", ("tmp", 0)))
    monkeypatch.setattr(fusion_native, "c_source", lambda g, s: "syntax error here\n")
    xs = [_values(np.random.default_rng(3), "float32", N), np.float32(3)]
    assert not fusion_native.kernel_for(group)(N, tuple(np.asarray(v) for v in xs), np.empty(N, np.float32))
    _bits_equal(fusion.compile_numpy(group)(*xs), _unfused(group, xs))
