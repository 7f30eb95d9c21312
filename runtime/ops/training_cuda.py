"""The fused optimizer updates as one CuPy `ElementwiseKernel` per variable (TensorFlow's ResourceApply* math).

    adam: m = m0 + (g - m0) * c1;  v = v0 + (g * g - v0) * c2;  w = w0 - (m * alpha) / (sqrt(v) + eps)

`training.py` computes the scalars (Adam's step size, 1 - beta...) and, on CuPy, calls these
kernels instead of its chain of `xp` ops: one launch per variable and step instead of six to ten.
New arrays are written (CuPy's memory pool makes that cheap), so a tensor read earlier keeps its
value. The operation order is the one of the NumPy kernels next door; `standalone_source` gives the
same code as a plain CUDA kernel, which tests compile with `nvcc` and check on the CPU.
"""
from __future__ import annotations

from typing import Any

KERNELS: dict[str, tuple[str, str, str]] = {
    "gd": ("T w0, T g, T alpha", "T w", "w = w0 - g * alpha"),
    "adam": ("T w0, T m0, T v0, T g, T alpha, T c1, T c2, T eps", "T w, T m, T v",
             "m = m0 + (g - m0) * c1; v = v0 + (g * g - v0) * c2; w = w0 - (m * alpha) / (sqrt(v) + eps)"),
    "adam_nesterov": ("T w0, T m0, T v0, T g, T alpha, T c1, T c2, T eps, T b1", "T w, T m, T v",
                      "m = m0 + (g - m0) * c1; v = v0 + (g * g - v0) * c2; "
                      "w = w0 - ((g * c1 + m * b1) * alpha) / (sqrt(v) + eps)"),
    "momentum": ("T w0, T a0, T g, T lr, T mom", "T w, T a", "a = a0 * mom + g; w = w0 - a * lr"),
    "momentum_nesterov": ("T w0, T a0, T g, T lr, T mom", "T w, T a",
                          "a = a0 * mom + g; w = w0 - (a * mom * lr + g * lr)"),
    "keras_momentum": ("T w0, T a0, T g, T lr, T mom", "T w, T a", "a = a0 * mom - g * lr; w = w0 + a"),
    "keras_momentum_nesterov": ("T w0, T a0, T g, T lr, T mom", "T w, T a",
                                "a = a0 * mom - g * lr; w = w0 + (a * mom - g * lr)"),
    "rmsprop": ("T w0, T ms0, T mom0, T g, T lr, T c, T mo, T eps", "T w, T ms, T mom",
                "ms = ms0 + (g * g - ms0) * c; mom = mom0 * mo + (g * lr) / sqrt(ms + eps); w = w0 - mom"),
    "adagrad": ("T w0, T a0, T g, T lr, T eps", "T w, T a",
                "a = a0 + g * g; w = w0 - (g * lr) / (sqrt(a) + eps)"),
    "adagrad_fixed": ("T w0, T a0, T g, T lr, T eps", "T w", "w = w0 - (g * lr) / (sqrt(a0) + eps)"),
}
_CACHE: dict[tuple, Any] = {}


def kernels(xp: Any) -> dict | None:
    """name -> CuPy ElementwiseKernel for the real CuPy; None for NumPy and the strict stand-in."""
    if not hasattr(xp, "ElementwiseKernel") or getattr(xp, "STRICT", False):
        return None
    got = _CACHE.get(id(xp))
    if got is None:
        got = _CACHE[id(xp)] = {name: xp.ElementwiseKernel(i, o, op, f"tfc_{name}")
                                for name, (i, o, op) in KERNELS.items()}
    return got


def standalone_source(ctype: str) -> str:
    """Every kernel as a plain CUDA kernel over contiguous arrays (a 0 stride: one broadcast value),
    `tfc_<name>_<ctype>`, one thread per element, as ElementwiseKernel runs it."""
    out = []
    for name, (ins, outs, op) in KERNELS.items():
        a = [p.split()[-1] for p in ins.split(",")]
        b = [p.split()[-1] for p in outs.split(",")]
        params = ", ".join([f"const T* __restrict__ p_{n}, long long s_{n}" for n in a] + [f"T* q_{n}" for n in b])
        loads = "".join(f"    const T {n} = p_{n}[s_{n} ? _i : 0];\n" for n in a)
        refs = "".join(f"    T &{n} = q_{n}[_i];\n" for n in b)
        out.append(f"#define T {ctype}\n"
                   f'extern "C" __global__ void tfc_{name}_{ctype}({params}, long long n) {{\n'
                   "  for (long long _i = blockIdx.x * (long long)blockDim.x + threadIdx.x; _i < n; "
                   f"_i += (long long)blockDim.x * gridDim.x) {{\n{loads}{refs}    {op};\n  }}\n}}\n#undef T\n")
    return "".join(out)
