"""CuPy backend for fused groups: one `ElementwiseKernel` per group, one `ReductionKernel` when a
reduction is fed by one.

    relu(x * a + b)      ->  ElementwiseKernel("float32 i0, float32 i1, float32 i2", "float32 out",
                                               "out = tfc_Relu(tfc_AddV2(tfc_Mul(i0, i1), i2))", ...)
    sum(square(x - y))   ->  ReductionKernel(..., map_expr="tfc_Square(tfc_Sub(i0, i1))",
                                             reduce_expr="a + b", post_map_expr="out = a", identity="0")

Every op is a device function in one preamble, so a group is one expression (no value is
computed twice) and a reduction's map is that expression. Kernels are cached by the group's
structure and dtype. Under the strict stand-in (no GPU) the source is still generated, and the
group runs as its ops' device kernels; `cuda_source` gives a self-contained translation unit
(the same preamble and expressions) that tests compile with `nvcc`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from .fusion import FusedGroup

CTYPES = {"float32": "float", "float64": "double"}
# NOTE: NumPy's maximum/minimum: a NaN operand wins (first, then second); ties give the second.
PREAMBLE = """
template <typename T> __device__ __forceinline__ T tfc_AddV2(T a, T b) { return a + b; }
template <typename T> __device__ __forceinline__ T tfc_Sub(T a, T b) { return a - b; }
template <typename T> __device__ __forceinline__ T tfc_Mul(T a, T b) { return a * b; }
template <typename T> __device__ __forceinline__ T tfc_RealDiv(T a, T b) { return a / b; }
template <typename T> __device__ __forceinline__ T tfc_Maximum(T a, T b) {
  return a != a ? a : (b != b ? b : (a > b ? a : b)); }
template <typename T> __device__ __forceinline__ T tfc_Minimum(T a, T b) {
  return a != a ? a : (b != b ? b : (a < b ? a : b)); }
template <typename T> __device__ __forceinline__ T tfc_Neg(T a) { return -a; }
template <typename T> __device__ __forceinline__ T tfc_Abs(T a) { return fabs(a); }
template <typename T> __device__ __forceinline__ T tfc_Square(T a) { return a * a; }
template <typename T> __device__ __forceinline__ T tfc_Exp(T a) { return exp(a); }
template <typename T> __device__ __forceinline__ T tfc_Log(T a) { return log(a); }
template <typename T> __device__ __forceinline__ T tfc_Tanh(T a) { return tanh(a); }
template <typename T> __device__ __forceinline__ T tfc_Sqrt(T a) { return sqrt(a); }
template <typename T> __device__ __forceinline__ T tfc_Sin(T a) { return sin(a); }
template <typename T> __device__ __forceinline__ T tfc_Cos(T a) { return cos(a); }
template <typename T> __device__ __forceinline__ T tfc_Reciprocal(T a) { return (T)1 / a; }
template <typename T> __device__ __forceinline__ T tfc_Expm1(T a) { return expm1(a); }
template <typename T> __device__ __forceinline__ T tfc_Log1p(T a) { return log1p(a); }
template <typename T> __device__ __forceinline__ T tfc_Relu(T a) { return tfc_Maximum(a, (T)0); }
"""
OPS = frozenset(("AddV2 Sub Mul RealDiv Maximum Minimum Neg Abs Square Exp Log Tanh Sqrt Sin Cos "
                 "Reciprocal Expm1 Log1p Relu").split())
# reduction op -> (reduce_expr, identity by C type, post_map_expr)
_NEG_INF = {"float": "__int_as_float(0xff800000)", "double": "__longlong_as_double(0xfff0000000000000ULL)"}
_POS_INF = {"float": "__int_as_float(0x7f800000)", "double": "__longlong_as_double(0x7ff0000000000000ULL)"}
REDUCTIONS = {
    "Sum": ("a + b", {"float": "0", "double": "0"}, "out = a"),
    "Mean": ("a + b", {"float": "0", "double": "0"}, "out = a / (out_type)(_in_ind.size() / _out_ind.size())"),
    "Max": ("tfc_Maximum(a, b)", _NEG_INF, "out = a"),
    "Min": ("tfc_Minimum(a, b)", _POS_INF, "out = a"),
}
_CACHE: dict[tuple, Any] = {}


@dataclass(frozen=True, eq=False)
class FusedReduction(FusedGroup):
    """A reduction (`reduce`, its attrs) of a fused elementwise group's value."""

    reduce: Any = None
    attrs: tuple = ()

    def __repr__(self) -> str:
        return f"{self.reduce.name}[" + ", ".join(s[0].name for s in self.steps) + "]"


def supported(group: FusedGroup) -> bool:
    return np.dtype(group.dtype.as_numpy_dtype).name in CTYPES and all(s[0].name in OPS for s in group.steps)


def expression(group: FusedGroup) -> str:
    """The group as one C++ expression of its inputs i0, i1, ...: `tfc_Relu(tfc_AddV2(...))`."""
    exprs: list[str] = []
    for op, refs, _ in group.steps:
        args = ", ".join(f"i{r[1]}" if r[0] == "in" else exprs[r[1]] for r in refs)
        exprs.append(f"tfc_{op.name}({args})")
    return exprs[-1]


def kernel_parts(group: FusedGroup) -> dict:
    """The arguments of the CuPy kernel for `group` (a FusedReduction gets a ReductionKernel's)."""
    dt = np.dtype(group.dtype.as_numpy_dtype).name
    ctype = CTYPES[dt]
    structure = repr([(op.name, refs) for op, refs, _ in group.steps])
    reduce = getattr(group, "reduce", None)
    key = structure + dt + (reduce.name if reduce is not None else "")
    name = "tfc_fused_" + hashlib.sha1(key.encode()).hexdigest()[:12]
    parts = {"in_params": ", ".join(f"{dt} i{k}" for k in range(group.n_inputs)),
             "out_params": f"{dt} out", "name": name, "preamble": PREAMBLE, "ctype": ctype}
    if reduce is None:
        parts["operation"] = f"out = {expression(group)}"
    else:
        red, identity, post = REDUCTIONS[reduce.name]
        parts.update(map_expr=expression(group), reduce_expr=red, identity=identity[ctype],
                     post_map_expr=post.replace("out_type", ctype))
    return parts


def compile_group(group: FusedGroup, xp: Any) -> Any:
    """A function of the group's device arrays: one CuPy kernel launch (strict stand-in: its ops)."""
    parts = kernel_parts(group)  # NOTE: generated even without a GPU, so codegen is exercised
    reduce = getattr(group, "reduce", None)
    attrs = dict(group.attrs) if reduce is not None else {}
    if getattr(xp, "STRICT", False) or not hasattr(xp, "ElementwiseKernel"):
        return _unfused(group, xp, reduce, attrs)
    key = (parts["name"], parts.get("operation") or parts["map_expr"])
    k = _CACHE.get(key)
    if k is None:
        if reduce is None:
            k = xp.ElementwiseKernel(parts["in_params"], parts["out_params"], parts["operation"],
                                     parts["name"], preamble=PREAMBLE)
        else:
            k = xp.ReductionKernel(parts["in_params"], parts["out_params"], parts["map_expr"],
                                   parts["reduce_expr"], parts["post_map_expr"], parts["identity"],
                                   parts["name"], preamble=PREAMBLE)
        _CACHE[key] = k
    if reduce is None:
        return k
    axis, keepdims = attrs.get("axis"), attrs.get("keepdims", False)
    axis = axis if axis is None or isinstance(axis, int) else tuple(axis)
    return lambda *ins: k(*ins, axis=axis, keepdims=keepdims)


def _unfused(group: FusedGroup, xp: Any, reduce: Any, attrs: dict) -> Any:
    kernels = [op.kernel(xp) for op, _, _ in group.steps]
    steps = [(k, refs) for k, (_, refs, _) in zip(kernels, group.steps)]
    finish = reduce.kernel(xp) if reduce is not None else None

    def run(*ins: Any) -> Any:
        vals: list = []
        for k, refs in steps:
            vals.append(k(*[ins[r[1]] if r[0] == "in" else vals[r[1]] for r in refs]))
        return vals[-1] if finish is None else finish(vals[-1], **attrs)
    return run


def fuse_reductions(steps: list, fetched: set) -> list:
    """Merge each Sum/Mean/Max/Min whose input is a supported fused group's value used only there."""
    uses: dict[str, int] = {}
    for s in steps:
        for n in s[2]:
            uses[n] = uses.get(n, 0) + 1
    producer = {s[3][0]: i for i, s in enumerate(steps) if len(s[3]) == 1 and isinstance(s[0], FusedGroup)}
    drop: set[int] = set()
    out = list(steps)
    for i, s in enumerate(steps):
        node = s[0]
        op = getattr(node, "op", None)
        if isinstance(node, FusedGroup) or op is None or op.name not in REDUCTIONS or len(s[2]) != 1:
            continue
        j = producer.get(s[2][0])
        if j is None or uses[s[2][0]] != 1 or s[2][0] in fetched or not supported(steps[j][0]) \
                or set(node.attrs) - {"axis", "keepdims"} or node.outputs[0].dtype is not steps[j][0].dtype:
            continue
        g = steps[j][0]
        red = FusedReduction(g.steps, g.n_inputs, g.dtype, g.names + (node.name,), op, tuple(node.attrs.items()))
        out[i] = [red, None, list(steps[j][2]), list(s[3]), False]
        drop.add(j)
    return [s for k, s in enumerate(out) if k not in drop]


def cuda_source(groups: list) -> str:
    """One self-contained CUDA translation unit with the groups' generated code (for `nvcc` checks):
    the preamble, and per group a kernel with its expressions, one thread per output element."""
    out = ["#ifdef __CUDACC__\n#include <cuda_runtime.h>\n#endif\n", PREAMBLE,
           "struct tfc_ind { long long n; __device__ long long size() const { return n; } };\n"]
    for group in groups:
        p = kernel_parts(group)
        T = p["ctype"]
        params = "".join(f"const {T}* __restrict__ p{k}, long long s{k}, " for k in range(group.n_inputs))
        loads = "".join(f"      const {T} i{k} = p{k}[s{k} ? _j : 0];\n" for k in range(group.n_inputs))
        grid = ("  for (long long _i = blockIdx.x * (long long)blockDim.x + threadIdx.x; _i < n; "
                "_i += (long long)blockDim.x * gridDim.x) {\n")
        if "operation" in p:
            out.append(f'extern "C" __global__ void {p["name"]}({params}{T}* out_p, long long n) {{\n{grid}'
                       f"    long long _j = _i;\n{loads}    {T} out;\n    {p['operation']};\n"
                       "    out_p[_i] = out;\n  }\n}\n")
        else:
            out.append(f'extern "C" __global__ void {p["name"]}({params}{T}* out_p, long long n, long long m) {{\n'
                       f"  tfc_ind _in_ind{{n * m}}, _out_ind{{n}};\n{grid}    {T} a = {p['identity']};\n"
                       f"    for (long long _r = 0; _r < m; _r++) {{\n      long long _j = _i * m + _r;\n{loads}"
                       f"      {T} b = {p['map_expr']};\n      a = {p['reduce_expr']};\n    }}\n"
                       f"    {T} out;\n    {p['post_map_expr']};\n    out_p[_i] = out;\n  }}\n}}\n")
    return "".join(out)
