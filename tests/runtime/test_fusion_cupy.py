"""CuPy fusion codegen, checked without a GPU: plans on the strict stand-in fuse as CuPy would, the
generated CUDA compiles with `nvcc`, and the same source compiled for the CPU (g++, one "thread")
computes what the unfused NumPy ops compute, NaNs included."""
from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from runtime import backend, backend_strict, dtypes, fusion_cupy
from runtime.executor import plan_for
from runtime.fusion import FusedGroup
from runtime.fusion_cupy import FusedReduction
from runtime.graph import Graph
from runtime.ops import REGISTRY, elementwise as e, reduce as r

IN, TMP = "in", "tmp"
# Chains covering every op the CuPy codegen knows: (op name, refs) per step.
CHAINS = {
    "mul_add_relu": (3, [("Mul", ((IN, 0), (IN, 1))), ("AddV2", ((TMP, 0), (IN, 2))), ("Relu", ((TMP, 1),))]),
    "sub_abs_sqrt_log1p_tanh": (2, [("Sub", ((IN, 0), (IN, 1))), ("Abs", ((TMP, 0),)), ("Sqrt", ((TMP, 1),)),
                                    ("Log1p", ((TMP, 2),)), ("Tanh", ((TMP, 3),))]),
    "max_min_div_reciprocal": (3, [("Maximum", ((IN, 0), (IN, 1))), ("Minimum", ((TMP, 0), (IN, 2))),
                                   ("RealDiv", ((TMP, 1), (IN, 0))), ("Reciprocal", ((TMP, 2),))]),
    "neg_sin_cos_exp_expm1_square_log": (1, [("Neg", ((IN, 0),)), ("Sin", ((TMP, 0),)), ("Cos", ((TMP, 1),)),
                                             ("Exp", ((TMP, 2),)), ("Expm1", ((TMP, 3),)), ("Square", ((TMP, 4),)),
                                             ("Log", ((TMP, 5),))]),
}
REDUCE_CHAIN = (2, [("Sub", ((IN, 0), (IN, 1))), ("Square", ((TMP, 0),))])
DTYPES = (dtypes.float32, dtypes.float64)


def _group(n_in, steps, dtype, reduce=None):
    st = tuple((REGISTRY[name], refs, {}) for name, refs in steps)
    names = tuple(name for name, _ in steps)
    if reduce is None:
        return FusedGroup(st, n_in, dtype, names)
    return FusedReduction(st, n_in, dtype, names + (reduce,), REGISTRY[reduce], (("axis", -1),))


def _groups():
    out = [(f"{k}-{d.name}", _group(n, s, d)) for k, (n, s) in CHAINS.items() for d in DTYPES]
    out += [(f"{red.lower()}_square_sub-{d.name}", _group(*REDUCE_CHAIN, d, red)) for red in fusion_cupy.REDUCTIONS
            for d in DTYPES]
    return out


def test_plans_on_the_device_fuse_elementwise_groups_and_their_reductions():
    g = Graph()
    with g.as_default():
        x, a, b = g.placeholder("float32", [None, 4]), g.placeholder("float32", []), g.placeholder("float32", [])
        y = e.relu(x * a + b)
        s = r.reduce_sum(e.square(x - a), axis=(1,))
    xv = np.arange(8, dtype=np.float32).reshape(2, 4)
    with backend.using(backend_strict.xp):
        fused = plan_for(g, [y], [x, a, b])
        reduced = plan_for(g, [s], [x, a])
        got_y = fused([xv, np.float32(0.5), np.float32(-1.0)])[0]
        got_s = reduced([xv, np.float32(1.0)])[0]
    assert [repr(k) for k in fused.kernels] == ["Fused[Mul, AddV2, Relu]"]
    assert [repr(k) for k in reduced.kernels] == ["Sum[Sub, Square]"]
    parts = fusion_cupy.kernel_parts(fused.kernels[0])
    assert parts["operation"] == "out = tfc_Relu(tfc_AddV2(tfc_Mul(i0, i1), i2))"
    assert parts["in_params"] == "float32 i0, float32 i1, float32 i2" and parts["out_params"] == "float32 out"
    assert fusion_cupy.kernel_parts(reduced.kernels[0])["map_expr"] == "tfc_Square(tfc_Sub(i0, i1))"
    np.testing.assert_array_equal(got_y.get(), np.maximum(xv * 0.5 - 1.0, 0))
    np.testing.assert_array_equal(got_s.get(), ((xv - 1.0) ** 2).sum(axis=1))
    assert fusion_cupy.kernel_parts(fused.kernels[0])["name"] == fusion_cupy.kernel_parts(
        _group(*CHAINS["mul_add_relu"], dtypes.float32))["name"]  # cached by structure and dtype


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc (the CUDA toolkit) is not installed")
def test_generated_cuda_compiles_with_nvcc(tmp_path):
    src = tmp_path / "fused.cu"
    src.write_text(fusion_cupy.cuda_source([g for _, g in _groups()]))
    run = subprocess.run(["nvcc", "-c", "-O2", str(src), "-o", str(tmp_path / "fused.o")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]


HOST_PRELUDE = """
#include <math.h>
#include <string.h>
#define __global__
#define __device__
#define __forceinline__ inline
struct tfc_dim3 { long long x; };
static const tfc_dim3 blockIdx = {0}, threadIdx = {0}, blockDim = {1}, gridDim = {1};
static inline float __int_as_float(unsigned int v) { float f; memcpy(&f, &v, 4); return f; }
static inline double __longlong_as_double(unsigned long long v) { double d; memcpy(&d, &v, 8); return d; }
"""


@pytest.fixture(scope="module")
def host_build(tmp_path_factory):
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    groups = _groups()
    d = tmp_path_factory.mktemp("fused_host")
    src = d / "fused.cpp"
    src.write_text(HOST_PRELUDE + fusion_cupy.cuda_source([g for _, g in groups]))
    lib = d / "fused.so"
    run = subprocess.run(["g++", "-shared", "-fPIC", "-O1", "-ffp-contract=off", str(src), "-o", str(lib)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return ctypes.CDLL(str(lib)), groups


def _unfused(group, arrays):
    vals = []
    for op, refs, _ in group.steps:
        vals.append(op.cpu(*[arrays[i] if kind == IN else vals[i] for kind, i in refs]))
    if isinstance(group, FusedReduction):
        return group.reduce.cpu(vals[-1], **dict(group.attrs))
    return vals[-1]


@pytest.mark.parametrize("case", [k for k, _ in _groups()])
def test_generated_code_computes_what_the_unfused_ops_compute(host_build, case):
    lib, groups = host_build
    rng = np.random.default_rng(0)
    for name, group in [(k, g) for k, g in groups if k == case]:  # NOTE: exactly one
        dt = group.dtype.as_numpy_dtype
        shape = (5, 7)
        arrays = [rng.uniform(-2, 2, shape).astype(dt) for _ in range(group.n_inputs)]
        arrays[0][0, :3] = [np.nan, 0.0, -0.0]
        if group.n_inputs > 1:
            arrays[-1] = np.asarray(dt(0.75))  # a broadcast scalar input (stride 0)
        with np.errstate(all="ignore"):
            want = _unfused(group, arrays)
        reduce = isinstance(group, FusedReduction)
        out = np.empty(shape[0] if reduce else shape, dt)
        args = []
        for a in arrays:
            args += [a.ctypes.data_as(ctypes.c_void_p), ctypes.c_longlong(int(a.ndim > 0))]
        args += [out.ctypes.data_as(ctypes.c_void_p), ctypes.c_longlong(out.size)]
        if reduce:
            args.append(ctypes.c_longlong(shape[1]))
        getattr(lib, fusion_cupy.kernel_parts(group)["name"])(*args)
        tol = 1e-5 if dt == np.float32 else 1e-12
        np.testing.assert_allclose(out, want, rtol=tol, atol=tol, equal_nan=True, err_msg=name)


def test_codegen_module_has_no_stale_op_list():
    assert set(fusion_cupy.OPS) <= set(REGISTRY)
    assert {name for _, steps in CHAINS.values() for name, _ in steps} == set(fusion_cupy.OPS)
    assert Path(fusion_cupy.__file__).read_text().count("\n") <= 400
