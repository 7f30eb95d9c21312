"""`tf.print` as a stateful op (`PrintV2`): it prints every time it runs, also inside functions.

    tf.print("x:", tf.constant([1.5, 2.0]))   ->   x: [1.5 2]        (TensorFlow's formatting)
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import backend, dispatch, nest
from .ops.registry import OpDef


def _scalar(v: Any) -> str:
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return _float(v)
    if isinstance(v, bytes):
        return '"' + v.decode("utf-8", "replace") + '"'
    return str(v)


def _float(v: float, digits: tuple = (6, 9)) -> str:
    """TensorFlow's shortest text for a float: %.6g when it round-trips (float32), else %.9g."""
    short = f"%.{digits[0]}g" % v
    return short if np.float32(float(short)) == np.float32(v) else f"%.{digits[1]}g" % v


def format_array(a: Any, summarize: int = 3, indent: int = 0) -> str:
    """`[0 1 2 ... 7 8 9]`: numpy-like nesting, at most `summarize` items at each end of a dimension."""
    a = np.asarray(backend.to_host(a))  # NOTE: printing copies a device value to the host
    if a.ndim == 0:
        if a.dtype == np.float64:
            return _float(float(a), (15, 17)) if np.float64(float(_float(float(a), (15, 17)))) == a else repr(float(a))
        return _scalar(a)
    n = a.shape[0]
    idx: list = list(range(n)) if summarize < 0 or n <= 2 * summarize else \
        list(range(summarize)) + [None] + list(range(n - summarize, n))
    if a.ndim == 1:
        return "[" + " ".join("..." if i is None else format_array(a[i], summarize) for i in idx) + "]"
    parts = ["..." if i is None else format_array(a[i], summarize, indent + 1) for i in idx]
    return "[" + ("\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _print_kernel(xp: Any) -> Any:
    def kernel(*arrays: Any, template: Any, sep: str, end: str, summarize: int, stream: Any) -> None:
        it = iter(arrays)
        flat = [_Raw(format_array(next(it), summarize)) if x is _TENSOR else x for x in template[1]]
        parts = [p if isinstance(p, str) else _structure_text(p) for p in nest.pack_sequence_as(template[0], flat)]
        out = sys.stderr if stream == "stderr" else sys.stdout if stream == "stdout" else stream
        out.write(sep.join(parts) + end)
        if hasattr(out, "flush"):
            out.flush()
    return kernel


class _TensorSlot:
    def __repr__(self) -> str:
        return "<tensor>"


_TENSOR = _TensorSlot()
PRINT = OpDef("PrintV2", _print_kernel, num_outputs=0, stateful=True, differentiable=False)


def _structure_text(v: Any) -> str:
    if isinstance(v, _Raw):
        return v.text
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_structure_text(x)}" for k, x in v.items()) + "}"
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_structure_text(x) for x in v) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(_structure_text(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    return str(v)


class _Raw:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def tf_print(*inputs: Any, output_stream: Any = None, summarize: int = 3, sep: str = " ", end: str = "\n",
             name: str | None = None) -> Any:
    """Print tensors (and Python values) each time this runs; returns the op (None when eager)."""
    stream = sys.stderr if output_stream is None else output_stream
    stream = "stderr" if stream is sys.stderr else "stdout" if stream is sys.stdout else stream
    flat = nest.flatten(list(inputs))
    tensors, template = [], []
    for x in flat:
        if dispatch.is_tensor(x) or hasattr(x, "_handle"):
            tensors.append(dispatch.convert_to_tensor(x))
            template.append(_TENSOR)
        else:
            template.append(x if isinstance(x, str) else _Raw(str(x)))
    # NOTE: a top-level string prints raw; a tensor inside a structure prints formatted.
    wrapped = [_Raw_wrap(t) for t in template]
    attrs = {"template": (list(inputs), wrapped), "sep": sep, "end": end, "summarize": summarize,
             "stream": stream}
    return dispatch.execute(PRINT, tuple(tensors), attrs, name)


def _Raw_wrap(t: Any) -> Any:  # noqa: N802
    return t if t is _TENSOR or isinstance(t, (str, _Raw)) else _Raw(str(t))
