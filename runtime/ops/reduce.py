"""Reductions over axes: Sum, Mean, Max, Min, Prod, Any, All, ArgMax, ArgMin.

Attrs: `axis` (None, int or tuple of ints) and `keepdims`. Gradients broadcast the
incoming gradient back over the reduced axes with `BroadcastLike`, which also works
when the input's shape is only known at run time.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import invalid
from .registry import op
from .testcases import floats, ints, shaped


def _axes(axis, rank):
    if axis is None:
        return tuple(range(rank)) if rank is not None else None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if rank is None:
        return tuple(int(a) for a in axes)
    out = []
    for a in axes:
        a = int(a)
        if not -rank <= a < max(rank, 1):
            raise invalid(f"Invalid reduction dimension ({a} for input with {rank} dimension(s)")
        out.append(a % rank if rank else 0)
    return tuple(sorted(set(out)))


def reduce_shape(x, axis=None, keepdims=False, **_):
    if x is None:
        return None
    axes = _axes(axis, len(x))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in axes)


def _np_axis(axis):
    return axis if axis is None or isinstance(axis, (int, np.integer)) else tuple(axis)


def _expand_back(g, x, axis, keepdims):
    """Broadcast a reduced gradient `g` back to `x`'s shape."""
    from . import array  # noqa: PLC0415
    if not keepdims and x.shape.rank is not None:
        for a in _axes(axis, x.shape.rank):
            g = array.expand_dims(g, axis=a)
    elif not keepdims and axis is not None:
        g = array.reshape_op(g, _kept_shape(x, _axes(axis, None)))
    return array.broadcast_like(g, x)


def _kept_shape(x, axes):
    """x's shape with the reduced axes set to 1, computed at run time (x's rank is unknown)."""
    from . import array, elementwise as e, layout  # noqa: PLC0415
    from .. import dispatch  # noqa: PLC0415
    shape = array.shape(x)
    rank = array.rank(x)
    wrapped = e.mod(dispatch.constant(np.asarray(axes, np.int32)), rank)
    ids = layout.range_(dispatch.constant(np.int32(0)), rank, dispatch.constant(np.int32(1)))
    hit = reduce_any(e.equal(array.expand_dims(ids, axis=1), array.expand_dims(wrapped, axis=0)), axis=1)
    return e.select(hit, e.ones_like_e(shape), shape)


def _plain(fn):
    """A backend's reduction function as a kernel taking TF's attrs."""
    def impl(xp):
        f = fn(xp)
        return lambda x, axis=None, keepdims=False: f(x, axis=_np_axis(axis), keepdims=keepdims)
    return impl


def _keeps_dtype(fn):
    """Sum/Prod keep the input dtype, as TF does (NumPy widens small integers to int64)."""
    def impl(xp):
        f = fn(xp)

        def kernel(x, axis=None, keepdims=False):
            out = f(x, axis=_np_axis(axis), keepdims=keepdims)
            return out if out.dtype == x.dtype else out.astype(x.dtype)
        return kernel
    return impl


def _reduction(name, impl, grad, ref, cases):
    return op(name, shape=reduce_shape, grad=grad, ref=lambda x, axis=None, keepdims=False: ref(
        x, axis=_np_axis(axis), keepdims=keepdims), cases=cases, differentiable=grad is not None)(impl)


def _reduce_cases(draw):
    """Every reduction is tested over all axes, one axis, negative axes, and with keepdims."""
    return (shaped((2, 3), draw=draw) + shaped((), draw=draw) + shaped((2, 3), draw=draw, axis=1)
            + shaped((2, 3, 2), draw=draw, axis=(0, -1)) + shaped((2, 3), draw=draw, axis=(0,), keepdims=True))


def _sum_grad(g, y, x, axis=None, keepdims=False):
    return (_expand_back(g, x, axis, keepdims),)


def _mean_grad(g, y, x, axis=None, keepdims=False):
    from . import array  # noqa: PLC0415
    full = _expand_back(g, x, axis, keepdims)
    if x.shape.is_fully_defined() and y.shape.is_fully_defined():
        return (full * (max(y.shape.num_elements(), 1) / max(x.shape.num_elements(), 1)),)
    ratio = array.cast(array.size(y), DstT=g.dtype) / array.cast(array.size(x), DstT=g.dtype)
    return (full * ratio,)


def _extreme_grad(g, y, x, axis=None, keepdims=False):
    from . import array, elementwise as e  # noqa: PLC0415
    y_full = _expand_back(y, x, axis, keepdims)
    mask = array.cast(e.equal(x, y_full), DstT=g.dtype)
    count = _expand_back(reduce_sum(mask, axis=axis, keepdims=keepdims), x, axis, keepdims)
    return (_expand_back(g, x, axis, keepdims) * mask / count,)


def _prod_grad(g, y, x, axis=None, keepdims=False):
    # NOTE: y / x is exact away from zeros; TF's zero-safe formula is not reproduced here.
    return (_expand_back(g * y, x, axis, keepdims) / x,)


def _mean(xp):
    """NumPy's mean of ints is float64; TF keeps the dtype (integer division)."""
    def kernel(x, axis=None, keepdims=False):
        if x.dtype.kind in "iu":
            s = xp.sum(x, axis=_np_axis(axis), keepdims=keepdims, dtype=np.int64)
            n = x.size // max(s.size, 1) if x.size else 1
            return (s // n).astype(x.dtype) if n else s.astype(x.dtype)
        if x.dtype.kind == "f" and x.dtype.itemsize < 4:
            return xp.mean(x, axis=_np_axis(axis), keepdims=keepdims, dtype=np.float32).astype(x.dtype)
        return xp.mean(x, axis=_np_axis(axis), keepdims=keepdims)
    return kernel


reduce_sum = _reduction("Sum", _keeps_dtype(lambda xp: xp.sum), _sum_grad, np.sum, _reduce_cases("normal"))
reduce_mean = _reduction("Mean", _mean, _mean_grad, np.mean, _reduce_cases("normal"))
reduce_max = _reduction("Max", _plain(lambda xp: xp.max), _extreme_grad, np.max, _reduce_cases("normal"))
reduce_min = _reduction("Min", _plain(lambda xp: xp.min), _extreme_grad, np.min, _reduce_cases("normal"))
reduce_prod = _reduction("Prod", _keeps_dtype(lambda xp: xp.prod), _prod_grad, np.prod, _reduce_cases("normal"))
reduce_any = _reduction("Any", _plain(lambda xp: xp.any), None, np.any, _reduce_cases("bool"))
reduce_all = _reduction("All", _plain(lambda xp: xp.all), None, np.all, _reduce_cases("bool"))


def _arg_shape(x, axis=0, output_type=None):
    if x is None:
        return None
    a = axis % len(x) if len(x) else 0
    return tuple(d for i, d in enumerate(x) if i != a)


def _arg(name, np_fn):
    def impl(xp):
        f = getattr(xp, np_fn.__name__)
        return lambda x, axis=0, output_type=dtypes.int64: f(x, axis=axis).astype(output_type.as_numpy_dtype)
    return op(name, shape=_arg_shape, differentiable=False,
              dtype=lambda x, axis=0, output_type=dtypes.int64: output_type,
              ref=lambda x, axis=0, output_type=dtypes.int64: np_fn(x, axis=axis).astype(
                  output_type.as_numpy_dtype),
              cases=shaped((2, 3), axis=0) + shaped((2, 3), axis=-1) + shaped((3, 2), draw="int", axis=0))(impl)


arg_max = _arg("ArgMax", np.argmax)
arg_min = _arg("ArgMin", np.argmin)
