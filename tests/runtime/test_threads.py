"""Large elementwise kernels split across threads give exactly what one pass gives: every
split op on its registry cases, forced through the split path with tiny slices."""
from __future__ import annotations

import numpy as np
import pytest

import runtime.ops  # noqa: F401  (registers every op)
from runtime import threads
from runtime.ops.registry import REGISTRY

SPLIT = sorted(name for name, o in REGISTRY.items() if hasattr(o.cpu, "__wrapped__"))


def test_the_arithmetic_ops_are_split():
    assert {"AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Relu", "Exp", "Neg"} <= set(SPLIT)


@pytest.fixture
def split_everything(monkeypatch):
    monkeypatch.setattr(threads, "THREADS", 3)
    monkeypatch.setattr(threads, "MIN_SPLIT", 1)
    monkeypatch.setattr(threads, "SUB_CHUNK", 2)


@pytest.mark.parametrize("name", SPLIT)
def test_split_kernel_equals_one_pass(split_everything, name):
    opdef = REGISTRY[name]
    for inputs, attrs in opdef.cases(np.random.default_rng(0)):
        inputs = [np.ascontiguousarray(i) for i in inputs]
        try:
            want = opdef.cpu.__wrapped__(*inputs, **attrs)
        except Exception as e:  # noqa: BLE001 (the split kernel must raise the same)
            with pytest.raises(type(e)):
                opdef.cpu(*inputs, **attrs)
            continue
        got = opdef.cpu(*inputs, **attrs)
        assert np.asarray(got).dtype == np.asarray(want).dtype and np.shape(got) == np.shape(want)
        np.testing.assert_array_equal(got, want)


def test_split_with_single_values_and_fallbacks(split_everything):
    x = np.arange(10, dtype=np.float32).reshape(2, 5)
    add = threads.split_elementwise(np.add)
    np.testing.assert_array_equal(add(x, np.float32(2)), x + 2)
    np.testing.assert_array_equal(add(np.full((1, 1), 3, np.float32), x), x + 3)
    np.testing.assert_array_equal(add(x, x[0]), x + x[0])           # broadcasting a row: one pass
    np.testing.assert_array_equal(add(x.T, x.T), x.T + x.T)         # not C-contiguous: one pass
    strings = np.array(["a", "b"])
    assert add(strings, strings).tolist() == ["aa", "bb"]


def test_malloc_is_tuned_once_on_linux_and_can_be_turned_off(monkeypatch):
    import sys  # noqa: PLC0415

    from runtime import memory  # noqa: PLC0415
    if sys.platform.startswith("linux"):
        assert memory.keep_freed_buffers() in (True, False)   # glibc: True; musl has no mallopt
    monkeypatch.setattr(memory, "_DONE", [])
    monkeypatch.setenv("TFCOMPAT_MALLOC_TUNE", "0")
    assert memory.keep_freed_buffers() is False


def test_relu_split_writes_into_its_output(split_everything):
    x = np.linspace(-3, 3, 11, dtype=np.float32)
    np.testing.assert_array_equal(REGISTRY["Relu"].cpu(x), np.maximum(x, 0))


def test_native_fused_group_in_slices_on_the_pool_is_bit_identical(monkeypatch):
    from runtime import dtypes, fusion_native  # noqa: PLC0415
    from runtime.fusion import FusedGroup  # noqa: PLC0415
    if fusion_native.toolchain() is None:
        pytest.skip("no usable C compiler")
    monkeypatch.delenv("TFCOMPAT_NATIVE_FUSION", raising=False)
    steps = ((REGISTRY["Mul"], (("in", 0), ("in", 1)), {}), (REGISTRY["AddV2"], (("tmp", 0), ("in", 2)), {}),
             (REGISTRY["Relu"], (("tmp", 1),), {}))
    group = FusedGroup(steps, 3, dtypes.float32, ("a", "b", "c"))
    rng = np.random.default_rng(4)
    n = 1001
    x, c = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    a = np.asarray(np.float32(1.5))
    want = np.maximum(x * a + c, np.float32(0))
    monkeypatch.setattr(fusion_native, "MIN_THREADED_SIZE", 1)
    monkeypatch.setattr(threads, "THREADS", 3)
    out = np.empty(n, np.float32)
    assert fusion_native.kernel_for(group)(n, (x, a, c), out)
    np.testing.assert_array_equal(out, want)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork")
def test_pool_works_in_a_forked_child():
    import os  # noqa: PLC0415
    threads.map_ranges(lambda r: r, [(0, 1), (1, 2)])      # the parent's pool exists
    pid = os.fork()
    if pid == 0:
        ok = threads.map_ranges(lambda r: r[0], [(0, 1), (1, 2), (2, 3)]) == [0, 1, 2]
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0


def test_map_ranges_finishes_on_the_caller_when_every_worker_is_busy(monkeypatch):
    """The caller claims ranges itself: a pool whose threads are all held (a busy machine, a
    nested call) delays nothing; results keep their order and the first error is raised."""
    import threading  # noqa: PLC0415
    monkeypatch.setattr(threads, "THREADS", 2)
    release = threading.Event()
    held = [threads.pool().submit(release.wait, 10) for _ in range(threads.pool()._max_workers)]
    try:
        done = threading.Event()
        out: list = []

        def call() -> None:
            out.append(threads.map_ranges(lambda r: r[0] * 10, [(i, i + 1) for i in range(7)]))
            done.set()
        caller = threading.Thread(target=call)
        caller.start()
        assert done.wait(5), "map_ranges waited for a busy pool"
        assert out == [[0, 10, 20, 30, 40, 50, 60]]

        def boom(r):
            if r[0] == 3:
                raise ValueError("range 3")
            return r[0]
        with pytest.raises(ValueError, match="range 3"):
            threads.map_ranges(boom, [(i, i + 1) for i in range(6)])
    finally:
        release.set()
        for h in held:
            h.result()
