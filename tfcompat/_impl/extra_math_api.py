"""TF's inverse/hyperbolic trig, `xlogy`, segment reductions, `roll`, `repeat`, `meshgrid`, `searchsorted`.

    tf.math.segment_sum([[1, 2], [3, 4], [5, 6]], [0, 0, 1])    # [[4, 6], [5, 6]]
    tf.roll([1, 2, 3, 4], shift=1, axis=0)                       # [4, 1, 2, 3]
    tf.repeat([1, 2], repeats=[2, 3])                            # [1, 1, 2, 2, 2]

Arguments that become attributes (`shift`, `axis`, `repeats`, `num_segments`) must be
known when the op is built: Python values, eager tensors, or graph constants.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.errors import InvalidArgumentError
from runtime.ops import array, elementwise as e, extra_math as xm, gather as ga, reduce as r, scan

from .._export import export
from .math_ops import _binary, _unary


def static_value(x: Any, what: str) -> np.ndarray:
    """`x` as a NumPy value now: Python/NumPy values, eager tensors, graph constants."""
    if getattr(x, "_is_symbolic", False):
        node = x.op
        if node.op.name == "Const":
            return np.asarray(node.attrs["value"])
        raise ValueError(f"{what} must be known when the graph is built (a Python value or a constant), "
                         f"got the computed tensor {x.name}; pass a Python int or list")
    return np.asarray(x.numpy() if dispatch.is_tensor(x) else x)


def _t(x: Any, dtype: Any = None) -> Any:
    return dispatch.convert_to_tensor(x, dtype=dtype)


asin = _unary(xm.asin, "math.asin", "asin")
acos = _unary(xm.acos, "math.acos", "acos")
atan = _unary(xm.atan, "math.atan", "atan")
sinh = _unary(xm.sinh, "math.sinh", "sinh")
cosh = _unary(xm.cosh, "math.cosh", "cosh")
asinh = _unary(xm.asinh, "math.asinh", "asinh")
acosh = _unary(xm.acosh, "math.acosh", "acosh")
atanh = _unary(xm.atanh, "math.atanh", "atanh")
xlogy = _binary(xm.xlogy, "math.xlogy")


@export("math.segment_sum", v1=("math.segment_sum", "segment_sum"))
def segment_sum(data: Any, segment_ids: Any, name: str | None = None) -> Any:
    """Sums of `data` rows that share a sorted segment id."""
    return xm.segment_sum(_t(data), _t(segment_ids), name=name)


@export("math.segment_mean", v1=("math.segment_mean", "segment_mean"))
def segment_mean(data: Any, segment_ids: Any, name: str | None = None) -> Any:
    """Means of `data` rows that share a sorted segment id."""
    return xm.segment_mean(_t(data), _t(segment_ids), name=name)


@export("math.segment_max", v1=("math.segment_max", "segment_max"))
def segment_max(data: Any, segment_ids: Any, name: str | None = None) -> Any:
    """Maxima of `data` rows that share a sorted segment id (0 for ids no row has)."""
    return xm.segment_max(_t(data), _t(segment_ids), name=name)


@export("math.unsorted_segment_sum", v1=("math.unsorted_segment_sum", "unsorted_segment_sum"))
def unsorted_segment_sum(data: Any, segment_ids: Any, num_segments: Any, name: str | None = None) -> Any:
    """Sums of `data` slices by segment id, ids in any order; negative ids are dropped."""
    n = int(static_value(num_segments, "num_segments"))
    return xm.unsorted_segment_sum(_t(data), _t(segment_ids), num_segments=n, name=name)


@export("math.cumulative_logsumexp")
def cumulative_logsumexp(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
                         name: str | None = None) -> Any:
    """log(cumsum(exp(x))) computed stably (shifted by the stopped-gradient maximum)."""
    x = _t(x)
    a = int(static_value(axis, "axis"))
    raw = r.reduce_max(x, axis=a, keepdims=True)
    m = array.stop_gradient(e.select(e.is_finite(raw), raw, e.zeros_like_e(raw)))
    s = scan.cumsum(e.exp(x - m), axis=a, exclusive=bool(exclusive), reverse=bool(reverse))
    return e.add(e.log(s), m, name=name)


@export("roll", v1=("roll", "manip.roll"))
def roll(input: Any, shift: Any, axis: Any, name: str | None = None) -> Any:  # noqa: A002
    """Shift elements cyclically by `shift` along `axis` (both ints or equal-length lists)."""
    s = np.reshape(static_value(shift, "shift"), -1)
    a = np.reshape(static_value(axis, "axis"), -1)
    if len(s) != len(a):
        raise InvalidArgumentError(None, None, f"shift and axis must have the same size, got "
                                            f"{len(s)} and {len(a)}")
    return xm.roll(_t(input), shift=tuple(int(v) for v in s), axis=tuple(int(v) for v in a), name=name)


@export("repeat")
def repeat(input: Any, repeats: Any, axis: Any = None, name: str | None = None) -> Any:  # noqa: A002
    """Repeat each element (`axis=None`: of the flattened input) `repeats` times (an int or one per element)."""
    x = _t(input)
    if axis is None:
        x, a = array.reshape(x, [-1]), 0
    else:
        a = int(static_value(axis, "axis")) % max(x.shape.rank, 1)
    n = x.shape.as_list()[a]
    if n is None:
        raise ValueError(f"tf.repeat needs the size of axis {a} to be known; got shape {x.shape}")
    reps = np.reshape(static_value(repeats, "repeats"), -1)
    if reps.size not in (1, n):
        raise InvalidArgumentError(None, None, f"repeats must have size 1 or {n} (input.shape[{a}]), "
                                            f"got {reps.size}")
    idx = np.repeat(np.arange(n, dtype=np.int64), np.broadcast_to(reps, (n,)).astype(np.int64))
    return ga.gather(x, dispatch.constant(idx), axis=a, name=name)


@export("meshgrid")
def meshgrid(*args: Any, **kwargs: Any) -> list:
    """N-D coordinate grids from 1-D vectors; `indexing="xy"` (default) swaps the first two output axes."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments: {list(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError("Argument `indexing` parameter must be either 'xy' or 'ij', got '%s'" % indexing)
    xs = [array.reshape(_t(x), [-1]) for x in args]
    n = len(xs)
    shaped = []
    for i, x in enumerate(xs):
        pos = i
        if indexing == "xy" and n > 1 and i < 2:
            pos = 1 - i
        shaped.append(array.reshape(x, [-1 if k == pos else 1 for k in range(n)]))
    zeros = [e.zeros_like_e(s) for s in shaped]
    out = []
    for i, s in enumerate(shaped):
        total = s
        for j, z in enumerate(zeros):
            if j != i:
                total = total + array.cast(z, s.dtype)
        out.append(total)
    return out


@export("searchsorted")
def searchsorted(sorted_sequence: Any, values: Any, side: str = "left", out_type: Any = dtypes.int32,
                 name: str | None = None) -> Any:
    """Insertion indices of `values` in each row of `sorted_sequence` (`side` "left" or "right")."""
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: `side` = {side}.")
    opdef = xm.lower_bound if side == "left" else xm.upper_bound
    seq, vals = _t(sorted_sequence), _t(values)
    return opdef(seq, vals, out_type=dtypes.as_dtype(out_type).name, name=name)


@export("unravel_index")
def unravel_index(indices: Any, dims: Any, name: str | None = None) -> Any:
    """Coordinates (one row per dimension) of flat `indices` in an array of shape `dims`."""
    i = _t(indices)
    return xm.unravel_index(i, _t(dims, dtype=i.dtype), name=name)
