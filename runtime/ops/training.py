"""Fused optimizer updates: one pass per variable, TensorFlow's `ResourceApply*` kernels.

    ResourceApplyGradientDescent(var, alpha, delta)      # var -= delta * alpha

Each kernel takes variable handles (and scalar / gradient arrays) and replaces the
handles' arrays. A handle's array is updated IN PLACE only when nothing else holds
it (copy-on-write, see `_exclusive`): a tensor read earlier keeps its value, as in
TensorFlow. The math and its operation order are TensorFlow's (training_ops.cc), so
results are bit-identical to the unfused chain of ops. Scalar arithmetic (`1 - beta1`,
Adam's step size) is done in the scalars' own dtype, then cast to the variable's.

NOTE: these ops are built with `OpDef(...)`, not `@op`, like the call ops in
`runtime/concrete.py`: they act on handles, so the registry-wide array tests cannot
run them; tests/runtime/test_training_ops.py checks them against NumPy references.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import training_cuda, training_native
from .registry import OpDef


class _Probe:
    __slots__ = ("value",)


def _exclusive(h: Any, held: int = 0) -> bool:
    """Whether h's array may be written in place: a plain owned NumPy array held only by `h`
    (and by `held` local variables of the calling kernel)."""
    a = h.value
    return type(a) is np.ndarray and a.base is None and a.flags.writeable and \
        sys.getrefcount(a) <= _BASE + held


_BASE = 10 ** 9
_p = _Probe()
_p.value = np.empty(2)
_BASE = sys.getrefcount(_p.value) + 1   # NOTE: h's slot + `a` + getrefcount's argument (calibrated)
assert _exclusive(_p), "refcount calibration failed"
del _p


def _dest(xp: Any, h: Any) -> Any:
    """Where to write h's new value: its own array when only h and the kernel's one local hold it,
    else None (allocate; whoever else holds the old array keeps its value)."""
    return h.value if xp is np and _exclusive(h, held=1) else None


def _scalar(x: Any, dtype: Any) -> Any:
    return np.asarray(x).astype(dtype)[()] if isinstance(x, np.ndarray) or np.isscalar(x) else x.astype(dtype)


_GENERIC = {np.dtype(t): t for t in (np.float16, np.float32, np.float64, np.complex64, np.complex128)}


def _one_minus(x: Any, dtype: Any) -> Any:
    return _scalar(1 - x, dtype)   # NOTE: in x's dtype first (float64 from Keras' Python floats)


def _set(h: Any, new: Any) -> None:
    if new is not h.value:
        h.value = new


def _training_op(name: str, impl: Any) -> OpDef:
    return OpDef(name, impl, num_outputs=0, stateful=True, differentiable=False)


def _gd(xp: Any) -> Any:
    fused = training_cuda.kernels(xp)  # NOTE: CuPy: one kernel launch per variable

    def kernel(var: Any, alpha: Any, delta: Any, use_locking: bool = False) -> None:
        a = var.read()
        if type(alpha) is not _GENERIC.get(a.dtype):
            alpha = _scalar(alpha, a.dtype)
        if fused is not None:
            var.value = fused["gd"](a, delta, alpha)
            return
        step = xp.multiply(delta, alpha)
        if a.ndim == 0:  # NOTE: nothing to save by writing a scalar in place
            var.value = xp.subtract(a, step)
            return
        o = _dest(xp, var)  # NOTE: its own statement: no stack refs
        _set(var, xp.subtract(a, step, out=o))
    return kernel


def _adam(xp: Any) -> Any:
    fused = training_cuda.kernels(xp)

    def kernel(var: Any, m: Any, v: Any, beta1_power: Any, beta2_power: Any, lr: Any, beta1: Any, beta2: Any,
               epsilon: Any, grad: Any, use_locking: bool = False, use_nesterov: bool = False) -> None:
        w, m0, v0 = var.read(), m.read(), v.read()
        dt = w.dtype
        alpha = _scalar(lr * xp.sqrt(1 - beta2_power) / (1 - beta1_power), dt)
        c1, c2 = _one_minus(beta1, dt), _one_minus(beta2, dt)
        if fused is not None:
            extra = (_scalar(beta1, dt),) if use_nesterov else ()
            var.value, m.value, v.value = fused["adam_nesterov" if use_nesterov else "adam"](
                w, m0, v0, grad, alpha, c1, c2, _scalar(epsilon, dt), *extra)
            return
        if xp is np and not use_nesterov and type(w) is np.ndarray and w.ndim:
            # NOTE: one compiled pass (training_native); destinations as below, each its own statement
            om = _dest(xp, m)
            ov = _dest(xp, v)
            ow = _dest(xp, var)
            om, ov, ow = (np.empty_like(w) if o is None else o for o in (om, ov, ow))
            if training_native.adam(w, m0, v0, grad, alpha, c1, c2, _scalar(epsilon, dt), ow, om, ov):
                _set(m, om)
                _set(v, ov)
                _set(var, ow)
                return
        t = xp.subtract(grad, m0, out=xp.empty_like(w))  # m += (g - m) * (1 - beta1)
        t *= c1
        o = _dest(xp, m)  # NOTE: its own statement: no stack refs
        _set(m, xp.add(m0, t, out=o))
        t = xp.square(grad, out=t)                  # v += (g^2 - v) * (1 - beta2)
        t -= v0
        t *= c2
        o = _dest(xp, v)  # NOTE: its own statement: no stack refs
        _set(v, xp.add(v0, t, out=o))
        m1, v1 = m.value, v.value
        if use_nesterov:                            # ((g * (1 - beta1) + beta1 * m) * alpha)
            t = xp.multiply(grad, c1, out=t)
            t += xp.multiply(m1, _scalar(beta1, dt))
            t *= alpha
        else:
            t = xp.multiply(m1, alpha, out=t)       # (m * alpha)
        d = xp.sqrt(v1, out=xp.empty_like(w))       # / (sqrt(v) + epsilon)
        d += _scalar(epsilon, dt)
        t /= d
        o = _dest(xp, var)  # NOTE: its own statement: no stack refs
        _set(var, xp.subtract(w, t, out=o))
    return kernel


def _momentum(xp: Any) -> Any:
    fused = training_cuda.kernels(xp)

    def kernel(var: Any, accum: Any, lr: Any, grad: Any, momentum: Any, use_locking: bool = False,
               use_nesterov: bool = False) -> None:
        w, acc = var.read(), accum.read()
        dt = w.dtype
        lr_, mom = _scalar(lr, dt), _scalar(momentum, dt)
        if fused is not None:
            var.value, accum.value = fused["momentum_nesterov" if use_nesterov else "momentum"](w, acc, grad, lr_, mom)
            return
        t = xp.multiply(acc, mom, out=xp.empty_like(w))  # accum = accum * momentum + grad
        o = _dest(xp, accum)  # NOTE: its own statement: no stack refs
        _set(accum, xp.add(t, grad, out=o))
        a1 = accum.value
        if use_nesterov:                            # var -= grad * lr + accum * momentum * lr
            t = xp.multiply(a1, mom, out=t)
            t *= lr_
            t += xp.multiply(grad, lr_)
        else:                                       # var -= accum * lr
            t = xp.multiply(a1, lr_, out=t)
        o = _dest(xp, var)  # NOTE: its own statement: no stack refs
        _set(var, xp.subtract(w, t, out=o))
    return kernel


def _keras_momentum(xp: Any) -> Any:
    fused = training_cuda.kernels(xp)

    def kernel(var: Any, accum: Any, lr: Any, grad: Any, momentum: Any, use_locking: bool = False,
               use_nesterov: bool = False) -> None:
        w, acc = var.read(), accum.read()
        dt = w.dtype
        lr_, mom = _scalar(lr, dt), _scalar(momentum, dt)
        if fused is not None:
            name = "keras_momentum_nesterov" if use_nesterov else "keras_momentum"
            var.value, accum.value = fused[name](w, acc, grad, lr_, mom)
            return
        gl = xp.multiply(grad, lr_)                 # accum = accum * momentum - grad * lr
        t = xp.multiply(acc, mom, out=xp.empty_like(w))
        o = _dest(xp, accum)  # NOTE: its own statement: no stack refs
        _set(accum, xp.subtract(t, gl, out=o))
        a1 = accum.value
        if use_nesterov:                            # var += accum * momentum - grad * lr
            t = xp.multiply(a1, mom, out=t)
            t -= gl
            o = _dest(xp, var)  # NOTE: its own statement: no stack refs
            _set(var, xp.add(w, t, out=o))
        else:                                       # var += accum
            o = _dest(xp, var)  # NOTE: its own statement: no stack refs
            _set(var, xp.add(w, a1, out=o))
    return kernel


def _rmsprop(xp: Any) -> Any:
    fused = training_cuda.kernels(xp)

    def kernel(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any, epsilon: Any, grad: Any,
               use_locking: bool = False) -> None:
        w, ms0, mom0 = var.read(), ms.read(), mom.read()
        dt = w.dtype
        if fused is not None:
            var.value, ms.value, mom.value = fused["rmsprop"](
                w, ms0, mom0, grad, _scalar(lr, dt), _one_minus(rho, dt), _scalar(momentum, dt),
                _scalar(epsilon, dt))
            return
        t = xp.square(grad, out=xp.empty_like(w))   # ms += (g^2 - ms) * (1 - rho)
        t -= ms0
        t *= _one_minus(rho, dt)
        o = _dest(xp, ms)  # NOTE: its own statement: no stack refs
        _set(ms, xp.add(ms0, t, out=o))
        d = xp.add(ms.value, _scalar(epsilon, dt), out=xp.empty_like(w))  # mom = mom * momentum + (g * lr) / sqrt(ms + eps)
        xp.sqrt(d, out=d)
        t = xp.multiply(grad, _scalar(lr, dt), out=t)
        t /= d
        d = xp.multiply(mom0, _scalar(momentum, dt), out=d)
        o = _dest(xp, mom)  # NOTE: its own statement: no stack refs
        _set(mom, xp.add(d, t, out=o))
        o = _dest(xp, var)  # NOTE: its own statement: no stack refs
        _set(var, xp.subtract(w, mom.value, out=o))   # var -= mom
    return kernel


def _adagrad_v2(xp: Any) -> Any:
    fused = training_cuda.kernels(xp)

    def kernel(var: Any, accum: Any, lr: Any, epsilon: Any, grad: Any, use_locking: bool = False,
               update_slots: bool = True) -> None:
        w, acc = var.read(), accum.read()
        dt = w.dtype
        if fused is not None:
            lr_, eps = _scalar(lr, dt), _scalar(epsilon, dt)
            if update_slots:
                var.value, accum.value = fused["adagrad"](w, acc, grad, lr_, eps)
            else:
                var.value = fused["adagrad_fixed"](w, acc, grad, lr_, eps)
            return
        if update_slots:                            # accum += g^2
            o = _dest(xp, accum)  # NOTE: its own statement: no stack refs
            _set(accum, xp.add(acc, xp.square(grad), out=o))
        d = xp.sqrt(accum.value, out=xp.empty_like(w))  # var -= g * lr / (sqrt(accum) + eps)
        d += _scalar(epsilon, dt)
        t = xp.multiply(grad, _scalar(lr, dt), out=xp.empty_like(w))
        t /= d
        o = _dest(xp, var)  # NOTE: its own statement: no stack refs
        _set(var, xp.subtract(w, t, out=o))
    return kernel


resource_apply_gradient_descent = _training_op("ResourceApplyGradientDescent", _gd)
resource_apply_adam = _training_op("ResourceApplyAdam", _adam)
resource_apply_momentum = _training_op("ResourceApplyMomentum", _momentum)
resource_apply_keras_momentum = _training_op("ResourceApplyKerasMomentum", _keras_momentum)
resource_apply_rms_prop = _training_op("ResourceApplyRMSProp", _rmsprop)
resource_apply_adagrad_v2 = _training_op("ResourceApplyAdagradV2", _adagrad_v2)


def apply(opdef: OpDef, *inputs: Any, **attrs: Any) -> Any:
    """Run a training op: variables stay handles, the rest become tensors (NumPy scalars keep their dtype).

    apply(resource_apply_gradient_descent, var, np.float32(0.1), grad)
    """
    from .. import dispatch  # noqa: PLC0415
    ins = tuple(x if hasattr(x, "_handle") else dispatch.convert_to_tensor(x) for x in inputs)
    return dispatch.execute(opdef, ins, attrs)
