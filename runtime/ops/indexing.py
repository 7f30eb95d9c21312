"""`tensor[...]`: NumPy-style basic indexing as one op, `StridedSlice`, and its gradient.

    x[1:, ::2, None, ..., -1]     x[i] with a scalar integer tensor i

The index is stored as a hashable `spec` attr; scalar tensors inside it become extra
inputs (so a loop counter can index in a graph). Items of the spec:
("i", int) | ("t", k) input k | ("s", start, stop, step) | ("e",) ellipsis | ("n",) newaxis.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import dispatch
from ..errors import invalid
from .registry import op
from .testcases import given


def _bound(v: Any, extra: list) -> Any:
    if v is None or isinstance(v, (int, np.integer)):
        return None if v is None else int(v)
    if dispatch.is_tensor(v) or hasattr(v, "_handle"):
        extra.append(v)
        return ("t", len(extra) - 1)
    raise TypeError(f"Slice bounds must be integers, None or scalar integer tensors, got {v!r}")


def parse_key(key: Any) -> tuple[tuple, list]:
    """(spec, extra tensor inputs) for a Python index expression."""
    items = key if isinstance(key, tuple) else (key,)
    spec, extra = [], []
    for k in items:
        if k is Ellipsis:
            spec.append(("e",))
        elif k is None:
            spec.append(("n",))
        elif isinstance(k, slice):
            spec.append(("s", _bound(k.start, extra), _bound(k.stop, extra), _bound(k.step, extra)))
        elif isinstance(k, (bool, np.bool_)):
            raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                            f"tf.int32/tf.int64 tensors are valid indices, got {k!r}")
        elif isinstance(k, (int, np.integer)):
            spec.append(("i", int(k)))
        elif dispatch.is_tensor(k) or hasattr(k, "_handle"):
            if k.shape.rank not in (0, None) or not k.dtype.is_integer:
                raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                                f"tf.int32/tf.int64 tensors are valid indices, got {k!r} (use tf.gather)")
            extra.append(k)
            spec.append(("t", len(extra) - 1))
        else:
            raise TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                            f"tf.int32/tf.int64 tensors are valid indices, got {k!r} (use tf.gather)")
    return tuple(spec), extra


def build_index(spec: tuple, extra: tuple) -> tuple:
    def val(v: Any) -> Any:
        return int(extra[v[1]]) if isinstance(v, tuple) else v
    out = []
    for item in spec:
        kind = item[0]
        if kind == "i":
            out.append(item[1])
        elif kind == "t":
            out.append(int(extra[item[1]]))
        elif kind == "s":
            out.append(slice(val(item[1]), val(item[2]), val(item[3])))
        else:
            out.append(Ellipsis if kind == "e" else None)
    return tuple(out)


def _slice_shape(x: Any, *extra: Any, spec: tuple) -> Any:
    if x is None:
        return None
    consuming = sum(1 for item in spec if item[0] in "its")
    if consuming > len(x):
        raise invalid(f"Index out of range using input dim {len(x)}; input has only {len(x)} dims")
    out, i = [], 0
    for item in spec:
        kind = item[0]
        if kind == "n":
            out.append(1)
        elif kind == "e":
            n = len(x) - consuming
            out.extend(x[i:i + n])
            i += n
        elif kind in "it":
            i += 1
        else:
            d = x[i]
            dynamic = any(isinstance(b, tuple) for b in item[1:])
            out.append(None if d is None or dynamic else len(range(*slice(*item[1:]).indices(d))))
            i += 1
    return tuple(out) + tuple(x[i:])


def _check_ints(x: Any, index: tuple) -> None:
    dim = 0
    for k in index:
        if isinstance(k, int):
            if not -x.shape[dim] <= k < x.shape[dim]:
                raise invalid(f"slice index {k} of dimension {dim} out of bounds.")
        if k is Ellipsis:
            dim = x.ndim - sum(1 for j in index if j is not None and j is not Ellipsis) + dim
        elif k is not None:
            dim += 1


def _slice_grad(g: Any, y: Any, x: Any, *extra: Any, spec: tuple) -> tuple:
    return (strided_slice_grad(g, x, *extra, spec=spec),) + (None,) * len(extra)


@op("StridedSlice", shape=_slice_shape, grad=_slice_grad,
    ref=lambda x, spec: x[build_index(spec, ())],
    cases=given(np.arange(24.0).reshape(2, 3, 4), spec=(("i", -1), ("s", None, None, -1), ("e",), ("n",)))
    + given(np.arange(12.0).reshape(3, 4), spec=(("s", 1, None, None), ("s", None, None, 2))))
def strided_slice(xp: Any) -> Any:
    def kernel(x: Any, *extra: Any, spec: tuple) -> Any:
        index = build_index(spec, extra)
        _check_ints(x, index)
        return x[index]
    return kernel


@op("StridedSliceGrad", shape=lambda g, x, *extra, spec: x,
    grad=lambda gg, y, g, x, *extra, spec: (strided_slice(gg, *extra, spec=spec), None) + (None,) * len(extra),
    ref=lambda g, x, spec: _scatter_ref(g, x, spec),
    cases=given(np.ones((3, 2)), np.zeros((3, 4)), spec=(("s", None, None, None), ("s", 1, 3, None))))
def strided_slice_grad(xp: Any) -> Any:
    """StridedSliceGrad(g, x, spec): zeros shaped like x with g written where x[spec] was read."""
    def kernel(g: Any, x: Any, *extra: Any, spec: tuple) -> Any:
        out = xp.zeros(x.shape, dtype=g.dtype)
        out[build_index(spec, extra)] = g
        return out
    return kernel


def _scatter_ref(g: Any, x: Any, spec: tuple) -> Any:
    out = np.zeros(np.shape(x), dtype=g.dtype)
    out[build_index(spec, ())] = g
    return out


def getitem(x: Any, key: Any, name: str | None = None) -> Any:
    spec, extra = parse_key(key)
    return strided_slice(x, *extra, spec=spec, name=name)
