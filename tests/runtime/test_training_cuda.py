"""The fused optimizer kernels for CuPy, checked without a GPU: their CUDA compiles with `nvcc`, and
training.py's CuPy branch, run against the same source compiled for the CPU (an `xp` whose
ElementwiseKernel is that build), updates variables and slots exactly as the NumPy kernels do."""
from __future__ import annotations

import ctypes
import shutil
import subprocess
from types import ModuleType

import numpy as np
import pytest

from runtime.ops import training, training_cuda

from .test_fusion_cupy import HOST_PRELUDE


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc (the CUDA toolkit) is not installed")
def test_optimizer_kernels_compile_with_nvcc(tmp_path):
    src = tmp_path / "train.cu"
    src.write_text(training_cuda.standalone_source("float") + training_cuda.standalone_source("double"))
    run = subprocess.run(["nvcc", "-c", "-O2", str(src), "-o", str(tmp_path / "train.o")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]


class _HostKernel:
    """cupy.ElementwiseKernel's calling convention over the host build of the standalone source."""

    def __init__(self, lib: ctypes.CDLL, in_params: str, out_params: str, name: str) -> None:
        self.lib, self.name, self.n_out = lib, name, len(out_params.split(","))

    def __call__(self, *args: np.ndarray) -> object:
        args = [np.ascontiguousarray(a) for a in args]
        big = max(args, key=np.size)
        ctype = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}[big.dtype]
        outs = [np.empty(big.shape, big.dtype) for _ in range(self.n_out)]
        call = []
        for a in args:
            assert a.dtype == big.dtype and (a.size == 1 or a.shape == big.shape)
            call += [a.ctypes.data_as(ctypes.c_void_p), ctypes.c_longlong(int(a.size > 1))]
        call += [o.ctypes.data_as(ctypes.c_void_p) for o in outs] + [ctypes.c_longlong(big.size)]
        getattr(self.lib, f"{self.name}_{ctype}")(*call)
        return outs[0] if self.n_out == 1 else tuple(outs)


@pytest.fixture(scope="module")
def host_xp(tmp_path_factory):
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    d = tmp_path_factory.mktemp("train_host")
    src = d / "train.cpp"
    src.write_text(HOST_PRELUDE + training_cuda.standalone_source("float") + training_cuda.standalone_source("double"))
    run = subprocess.run(["g++", "-shared", "-fPIC", "-O1", "-ffp-contract=off", str(src), "-o", str(d / "t.so")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    lib = ctypes.CDLL(str(d / "t.so"))
    xp = ModuleType("host_cupy")
    xp.__getattr__ = lambda name: getattr(np, name)  # type: ignore[attr-defined]
    xp.ElementwiseKernel = lambda i, o, op, name: _HostKernel(lib, i, o, name)  # type: ignore[attr-defined]
    return xp


class _Handle:
    def __init__(self, value: np.ndarray) -> None:
        self.value = value

    def read(self) -> np.ndarray:
        return self.value


CASES = {  # impl, number of slots, scalar inputs before grad, scalars after grad, attrs
    "gd": (training._gd, 0, (0.1,), (), {}),
    "adam": (training._adam, 2, (0.9 ** 3, 0.999 ** 3, 0.01, 0.9, 0.999, 1e-7), (), {}),
    "adam_nesterov": (training._adam, 2, (0.9 ** 3, 0.999 ** 3, 0.01, 0.9, 0.999, 1e-7), (), {"use_nesterov": True}),
    "momentum": (training._momentum, 1, (0.1,), (0.9,), {}),
    "momentum_nesterov": (training._momentum, 1, (0.1,), (0.9,), {"use_nesterov": True}),
    "keras_momentum": (training._keras_momentum, 1, (0.1,), (0.9,), {}),
    "keras_momentum_nesterov": (training._keras_momentum, 1, (0.1,), (0.9,), {"use_nesterov": True}),
    "rmsprop": (training._rmsprop, 2, (0.01, 0.9, 0.5, 1e-7), (), {}),
    "adagrad": (training._adagrad_v2, 1, (0.1, 1e-7), (), {}),
    "adagrad_fixed": (training._adagrad_v2, 1, (0.1, 1e-7), (), {"update_slots": False}),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_cupy_branch_updates_exactly_like_the_numpy_kernels(host_xp, case, dtype):
    impl, slots, before, after, attrs = CASES[case]
    assert case in training_cuda.KERNELS
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal((4, 5)).astype(dtype)
    s0 = [np.abs(rng.standard_normal((4, 5))).astype(dtype) for _ in range(slots)]
    g = rng.standard_normal((4, 5)).astype(dtype)
    results = []
    for xp in (np, host_xp):
        hs = [_Handle(w0.copy())] + [_Handle(s.copy()) for s in s0]
        args = [np.asarray(x, np.float64 if case.startswith("adam") else dtype) for x in before]
        tail = [np.asarray(x, dtype) for x in after]
        impl(xp)(*hs, *args, g, *tail, **attrs)
        results.append([h.value for h in hs])
    for want, got in zip(*results):
        np.testing.assert_array_equal(got, want, err_msg=f"{case} {np.dtype(dtype).name}")
