"""AutoGraph: Python control flow on graph tensors becomes `cond` / `while_loop`; on Python values it stays Python.

    def collatz(n):                      converted = convert(collatz)
        count = 0                        converted(tf.constant(27))   # eager: a Python loop
        while n != 1:                    # traced by tf.function: one while_loop node
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            count += 1
        return count

`convert(fn)` returns the converted function; `to_code(fn)` its source. One
converter per construct lives in `converters/`; the `ag__.*` helpers the converted
code calls live in `operators` and `loops`.
"""
from __future__ import annotations

import warnings
from typing import Any

from . import datasets  # noqa: F401  (registers `for` over datasets and iterators)
from .conversion import DO_NOT_CONVERT, converted_call, do_not_convert
from .transpiler import SourceUnavailable, convert_function, converted_code, unwrap

__all__ = ["convert", "to_code", "converted_call", "do_not_convert", "SourceUnavailable"]


def convert(fn: Any, recursive: bool = True) -> Any:
    """`fn` with its control flow converted; functions AutoGraph must not touch come back unchanged.

    Source that cannot be found (lambdas, `exec`) is run as it is, with a warning, as TensorFlow does.
    """
    if getattr(fn, DO_NOT_CONVERT, False):
        return fn
    plain, rewrap = unwrap(fn)
    if getattr(plain, DO_NOT_CONVERT, False):
        return fn
    try:
        return rewrap(convert_function(plain, recursive))
    except SourceUnavailable as e:
        warnings.warn(f"AutoGraph could not transform {plain.__qualname__} and will run it as-is: {e}",
                      stacklevel=2)
        return fn


def to_code(fn: Any, recursive: bool = True) -> str:
    """The converted source of `fn` (what `tf.autograph.to_code` shows)."""
    plain, _ = unwrap(fn)
    return converted_code(plain, recursive).source + "\n"
