"""Finite-difference checks of tape gradients (first and second order) for nn tests.

    check_grads(lambda x, w: conv2d(x, w, strides=..., padding="SAME"), x, w)

`fn` takes tensors and returns a tensor (or a tuple: each output is weighted and
summed); arrays are float64 so central differences are precise.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from runtime.autodiff import GradientTape
from runtime.tensor import Tensor


def _scalar(fn: Callable[..., Any], weights: list, *xs: Any) -> Any:
    out = fn(*xs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    total = None
    for o, w in zip(outs, weights):
        if w is None:
            continue
        s = _sum(o * Tensor(w))
        total = s if total is None else total + s
    return total


def _sum(t: Any) -> Any:
    from runtime.ops.reduce import reduce_sum  # noqa: PLC0415
    return reduce_sum(t)


def numeric_grad(f: Callable[[list], float], arrays: list, i: int, eps: float = 1e-6) -> np.ndarray:
    x = arrays[i]
    g = np.zeros_like(x)
    flat = x.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        hi = f(arrays)
        flat[k] = old - eps
        lo = f(arrays)
        flat[k] = old
        g.reshape(-1)[k] = (hi - lo) / (2 * eps)
    return g


def check_grads(fn: Callable[..., Any], *arrays: Any, wrt: tuple | None = None, order: int = 1,
                rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0) -> None:
    """Assert tape gradients of sum(w * fn(*arrays)) match central differences (order 1 or 2)."""
    rng = np.random.default_rng(seed)
    arrays = [np.array(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a) for a in arrays]
    wrt = tuple(i for i, a in enumerate(arrays) if a.dtype.kind == "f") if wrt is None else wrt
    probe = fn(*[Tensor(a) for a in arrays])
    outs = probe if isinstance(probe, (tuple, list)) else (probe,)
    weights = [rng.standard_normal(o.shape) if o.dtype.is_floating else None for o in outs]

    def value(arrs: list) -> float:
        return float(_scalar(fn, weights, *[Tensor(a) for a in arrs]).numpy())

    def tape_grads(arrs: list) -> list:
        xs = [Tensor(a) for a in arrs]
        with GradientTape() as tape:
            for i in wrt:
                tape.watch(xs[i])
            y = _scalar(fn, weights, *xs)
        gs = tape.gradient(y, [xs[i] for i in wrt])
        return [np.zeros_like(arrs[i]) if g is None else g.numpy() for i, g in zip(wrt, gs)]

    analytic = tape_grads(arrays)
    for i, a in zip(wrt, analytic):
        np.testing.assert_allclose(a, numeric_grad(value, arrays, i), rtol=rtol, atol=atol,
                                   err_msg=f"first-order gradient wrt input {i}")
    if order >= 2:
        vs = [rng.standard_normal(arrays[i].shape) for i in wrt]

        def directional(arrs: list) -> float:  # <grad f, v>, whose gradient is the Hessian-vector product
            xs = [Tensor(a) for a in arrs]
            with GradientTape() as outer:
                for i in wrt:
                    outer.watch(xs[i])
                with GradientTape() as inner:
                    for i in wrt:
                        inner.watch(xs[i])
                    y = _scalar(fn, weights, *xs)
                gs = inner.gradient(y, [xs[i] for i in wrt])
                total = None
                for g, v in zip(gs, vs):
                    if g is not None:
                        s = _sum(g * Tensor(v))
                        total = s if total is None else total + s
            hv = outer.gradient(total, [xs[i] for i in wrt]) if total is not None else [None] * len(wrt)
            directional.last = [np.zeros_like(arrs[i]) if h is None else h.numpy() for i, h in zip(wrt, hv)]
            return 0.0 if total is None else float(total.numpy())

        directional(arrays)
        hvp = directional.last
        for i, h in zip(wrt, hvp):
            np.testing.assert_allclose(h, numeric_grad(directional, arrays, i), rtol=max(rtol, 1e-4),
                                       atol=max(atol, 1e-5), err_msg=f"second-order gradient wrt input {i}")
