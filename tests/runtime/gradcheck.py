"""Finite-difference gradient checks to any order, on random projections (autograd's `check_grads`).

    check_grads(lambda x, y: x * y, (np.ones(3), np.arange(3.0)), order=2)

First order: for L(x) = sum(f(x) * u) with a random cotangent u, the tape's
<dL/dx, v> must equal the central difference of L along a random direction v.
Order k: the same check on H(x) = <dL/dx, w>, computed under nested tapes, so the
gradient function is itself differentiated by the tape.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from runtime import dispatch
from runtime.autodiff import GradientTape
from runtime.ops import reduce as r


def _flat(out: Any) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _is_float(a: np.ndarray) -> bool:
    return a.dtype.kind == "f"


def check_grads(fn: Callable[..., Any], args: Sequence[Any], order: int = 2, eps: float = 1e-6,
                rtol: float = 1e-5, atol: float = 1e-7, seed: int = 0) -> None:
    """Check the tape's gradients of `fn` (tensors -> tensor or tuple) against finite differences."""
    rng = np.random.default_rng(seed)
    xs = [np.asarray(a) for a in args]
    outs = _flat(fn(*[dispatch.convert_to_tensor(x) for x in xs]))
    us = [rng.standard_normal(o.shape.as_list()) if o.dtype.is_floating else None for o in outs]

    def scalar(*ts: Any) -> Any:
        total = None
        for o, u in zip(_flat(fn(*ts)), us):
            if u is not None:
                term = r.reduce_sum(o * u.astype(o.dtype.as_numpy_dtype))
                total = term if total is None else total + term
        return total

    _check(scalar, xs, [i for i, x in enumerate(xs) if _is_float(x)], order, rng, eps, rtol, atol, "")


def _tape_grads(scalar: Callable[..., Any], ts: list, live: list) -> list:
    with GradientTape(persistent=False) as tape:
        for i in live:
            tape.watch(ts[i])
        value = scalar(*ts)
    return [None] * len(live) if value is None else tape.gradient(value, [ts[i] for i in live])


def _check(scalar: Callable[..., Any], xs: list, diff: list, order: int, rng: np.random.Generator,
           eps: float, rtol: float, atol: float, where: str) -> None:
    if not diff:
        return
    ts = [dispatch.convert_to_tensor(x) for x in xs]
    grads = _tape_grads(scalar, ts, diff)
    live = [i for i, g in zip(diff, grads) if g is not None]  # NOTE: None = no path from this input
    if not live:
        return
    got = {i: g for i, g in zip(diff, grads) if g is not None}
    for i in live:
        assert tuple(got[i].shape.as_list()) == xs[i].shape, f"{where}grad {i} has shape {got[i].shape}"
    vs = {i: rng.standard_normal(xs[i].shape) for i in live}
    analytic = sum(float(np.sum(got[i].numpy() * vs[i])) for i in live)

    def at(sign: float) -> float:
        moved = [x + sign * eps * vs[i] if i in vs else x for i, x in enumerate(xs)]
        value = scalar(*[dispatch.convert_to_tensor(m) for m in moved])
        return 0.0 if value is None else float(value.numpy())
    numeric = (at(1.0) - at(-1.0)) / (2 * eps)
    tol = atol + rtol * max(abs(numeric), abs(analytic), 1.0)
    assert abs(numeric - analytic) <= tol, (
        f"{where}order-1 check failed: finite differences {numeric!r} vs tape {analytic!r}")
    if order > 1:
        ws = {i: rng.standard_normal(xs[i].shape) for i in live}

        def grad_scalar(*ts2: Any) -> Any:
            gs = _tape_grads(scalar, list(ts2), live)
            total = None
            for i, g in zip(live, gs):
                if g is not None:
                    term = r.reduce_sum(g * ws[i].astype(g.dtype.as_numpy_dtype))
                    total = term if total is None else total + term
            return total
        _check(grad_scalar, xs, live, order - 1, rng, eps * 10, rtol * 10, atol * 10, f"{where}[grad] ")
