"""`tf.math` reductions, scans, top-k and clipping with TensorFlow's signatures.

    tf.reduce_sum(x, axis=1, keepdims=True);  tf.math.top_k(x, k=2).indices
"""
from __future__ import annotations

import collections
from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.ops import array, composite_math as cm, elementwise as e, reduce as r, scan, sort

from .._export import export

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def _axis(axis: Any) -> Any:
    """An axis argument (int, list, tuple, tensor) as the ops' hashable attr."""
    if axis is None or isinstance(axis, int):
        return axis
    if dispatch.is_tensor(axis):
        axis = axis.numpy()
    return tuple(int(a) for a in np.reshape(axis, -1)) if np.ndim(axis) else int(axis)


def _reduction(opdef: Any, *names: str) -> Any:
    def fn(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> Any:
        return opdef(input_tensor, axis=_axis(axis), keepdims=bool(keepdims), name=name)
    fn.__name__ = fn.__qualname__ = names[0].rsplit(".", 1)[-1]
    fn.__doc__ = f"tf.{names[0]}(x, axis=None, keepdims=False): {opdef.name} over axis (all axes when None)."
    return export(*names, v1=())(fn)


reduce_sum = _reduction(r.reduce_sum, "math.reduce_sum", "reduce_sum")
reduce_mean = _reduction(r.reduce_mean, "math.reduce_mean", "reduce_mean")
reduce_max = _reduction(r.reduce_max, "math.reduce_max", "reduce_max")
reduce_min = _reduction(r.reduce_min, "math.reduce_min", "reduce_min")
reduce_prod = _reduction(r.reduce_prod, "math.reduce_prod", "reduce_prod")
reduce_any = _reduction(r.reduce_any, "math.reduce_any", "reduce_any")
reduce_all = _reduction(r.reduce_all, "math.reduce_all", "reduce_all")


@export("math.reduce_logsumexp", "reduce_logsumexp", v1=())
def reduce_logsumexp(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> Any:
    """tf.reduce_logsumexp(x, 1) == log(sum(exp(x), 1)), computed without overflow."""
    return cm.reduce_logsumexp(input_tensor, axis=_axis(axis), keepdims=keepdims)


@export("math.reduce_variance", v1=())
def reduce_variance(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> Any:
    """tf.math.reduce_variance([1., 2., 3., 4.]) == 1.25 (population variance)."""
    return cm.reduce_variance(input_tensor, axis=_axis(axis), keepdims=keepdims)


@export("math.reduce_std", v1=())
def reduce_std(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> Any:
    """tf.math.reduce_std(x) == sqrt(reduce_variance(x))."""
    return cm.reduce_std(input_tensor, axis=_axis(axis), keepdims=keepdims)


def _arg(opdef: Any, name: str) -> Any:
    def fn(input: Any, axis: Any = None, output_type: Any = dtypes.int64, name: str | None = None) -> Any:  # noqa: A002
        return opdef(input, axis=0 if axis is None else int(_axis(axis)),
                     output_type=dtypes.as_dtype(output_type), name=name)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"tf.math.{name}(x, axis=None -> 0, output_type=tf.int64): index of the extreme value along axis."
    return export(f"math.{name}", name, v1=())(fn)


argmax = _arg(r.arg_max, "argmax")
argmin = _arg(r.arg_min, "argmin")


@export("math.count_nonzero", v1=())
def count_nonzero(input: Any, axis: Any = None, keepdims: Any = None, dtype: Any = dtypes.int64,  # noqa: A002
                  name: str | None = None) -> Any:
    """tf.math.count_nonzero([0, 1, 2]) == 2 (int64 by default)."""
    return cm.count_nonzero(input, axis=_axis(axis), keepdims=bool(keepdims), dtype=dtype)


@export("math.zero_fraction", "nn.zero_fraction")
def zero_fraction(value: Any, name: str | None = None) -> Any:
    """tf.math.zero_fraction([0., 1., 0., 2.]) == 0.5 (float32): the share of entries equal to zero."""
    x = dispatch.convert_to_tensor(value)
    zero = dispatch.constant(np.zeros((), x.dtype.as_numpy_dtype))
    return r.reduce_mean(array.cast(e.equal(x, zero), dtypes.float32), axis=None, keepdims=False)


@export("math.cumsum", "cumsum")
def cumsum(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False, name: str | None = None) -> Any:
    """tf.cumsum([1, 2, 3]) == [1, 3, 6]; exclusive=True gives [0, 1, 3]."""
    return scan.cumsum(x, axis=int(_axis(axis)), exclusive=bool(exclusive), reverse=bool(reverse), name=name)


@export("math.cumprod", v1=("cumprod", "math.cumprod"))
def cumprod(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False, name: str | None = None) -> Any:
    """tf.math.cumprod([1, 2, 3]) == [1, 2, 6]."""
    return scan.cumprod(x, axis=int(_axis(axis)), exclusive=bool(exclusive), reverse=bool(reverse), name=name)


@export("math.top_k", "nn.top_k")
def top_k(input: Any, k: Any = 1, sorted: bool = True, index_type: Any = dtypes.int32,  # noqa: A002
          name: str | None = None) -> TopKV2:
    """tf.math.top_k([1, 5, 3], k=2) -> TopKV2(values=[5, 3], indices=[1, 2])."""
    values, indices = sort.top_k(input, k=int(k), sorted=bool(sorted), index_type=dtypes.as_dtype(index_type),
                                 name=name)
    return TopKV2(values, indices)


@export("math.in_top_k", "nn.in_top_k", v1=())
def in_top_k(targets: Any, predictions: Any, k: Any, name: str | None = None) -> Any:
    """tf.math.in_top_k(targets=[1], predictions=[[.1, .9]], k=1) == [True]."""
    return sort.in_top_k(predictions, targets, k=int(k), name=name)


@export("clip_by_value")
def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any, name: str | None = None) -> Any:
    """tf.clip_by_value(x, 0., 1.): min(max(x, lo), hi) elementwise."""
    return cm.clip_by_value(t, clip_value_min, clip_value_max)


@export("clip_by_norm")
def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: str | None = None) -> Any:
    """tf.clip_by_norm(t, 1.0): t scaled down so its L2 norm (over axes) is at most clip_norm."""
    return cm.clip_by_norm(t, clip_norm, axes=_axis(axes))


@export("clip_by_global_norm")
def clip_by_global_norm(t_list: Any, clip_norm: Any, use_norm: Any = None, name: str | None = None) -> tuple:
    """tf.clip_by_global_norm([g1, g2], 5.0) -> ([g1', g2'], global_norm)."""
    return cm.clip_by_global_norm(list(t_list), clip_norm, use_norm=use_norm)


@export("linalg.global_norm", v1=("global_norm", "linalg.global_norm"))
def global_norm(t_list: Any, name: str | None = None) -> Any:
    """tf.linalg.global_norm([a, b]) == sqrt(sum(a**2) + sum(b**2))."""
    return cm.global_norm(list(t_list))


@export("linalg.l2_normalize", "math.l2_normalize", "nn.l2_normalize")
def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: str | None = None, dim: Any = None) -> Any:
    """tf.math.l2_normalize(x, axis=1) == x / sqrt(max(sum(x**2, axis), epsilon))."""
    return cm.l2_normalize(x, axis=_axis(axis if dim is None else dim), epsilon=epsilon)
