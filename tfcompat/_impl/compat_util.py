"""`tf.compat`'s string and number helpers (TensorFlow's `python/util/compat.py`).

    tf.compat.as_str(b"text8")     # 'text8'      (bytes are decoded, str passes through)
    tf.compat.as_bytes("abc")      # b'abc'
    tf.compat.as_text(3)           # TypeError: Expected binary or unicode string, got 3
"""
from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from .._export import export, export_value

# NOTE: v1=() because tf.compat.v1.compat is the same module object as tf.compat (tfcompat/__init__.py).
export_value((numbers.Integral, np.integer), "compat.integral_types", v1=())
export_value((numbers.Real, np.integer, np.floating), "compat.real_types", v1=())
export_value((numbers.Complex, np.number), "compat.complex_types", v1=())
export_value((bytes, str), "compat.bytes_or_text_types", v1=())


@export("compat.as_bytes", v1=())
def as_bytes(bytes_or_text: Any, encoding: str = "utf-8") -> bytes:
    """`bytes_or_text` as bytes: text is encoded with `encoding`."""
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


@export("compat.as_text", "compat.as_str", v1=())
def as_text(bytes_or_text: Any, encoding: str = "utf-8") -> str:
    """`bytes_or_text` as str: bytes are decoded with `encoding`."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


@export("compat.as_str_any", v1=())
def as_str_any(value: Any, encoding: str = "utf-8") -> str:
    """Bytes decoded, anything else through `str()`."""
    return as_text(value, encoding) if isinstance(value, bytes) else str(value)


@export("compat.path_to_str", v1=())
def path_to_str(path: Any) -> Any:
    """An `os.PathLike` as its str; anything else unchanged (as TensorFlow does)."""
    return as_str_any(os.fspath(path)) if hasattr(path, "__fspath__") else path


@export("compat.dimension_value", v1=())
def dimension_value(dimension: Any) -> Any:
    """A shape entry as an int or None (tfcompat's shapes hold ints already; TF1 Dimensions carry `.value`)."""
    return getattr(dimension, "value", dimension)
