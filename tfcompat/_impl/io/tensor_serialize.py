"""`tf.io.serialize_tensor` / `tf.io.parse_tensor`: a tensor as TensorProto bytes and back.

    s = tf.io.serialize_tensor(tf.constant([[1.0, 2.0]]))     # bytes TF writes too (tensor_content)
    tf.io.parse_tensor(s, tf.float32)                         # [[1., 2.]]

Numbers are written as `tensor_content`, strings as `string_val`, as TensorFlow does;
parsing also reads the typed `*_val` fields other writers use.
"""
from __future__ import annotations

import struct
from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.errors import InvalidArgumentError
from runtime.graph_tensor import pseudo_op

from ..._export import export
from . import wire

# TensorProto field -> how its packed payload decodes (float_val, double_val, int_val, int64_val, bool_val, half_val)
_TYPED = {5: "<f4", 6: "<f8", 7: "varint", 10: "varint", 11: "varint", 13: "varint"}


_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half"}  # DataTypeString's spelling


def tensor_bytes(array: np.ndarray) -> bytes:
    """TensorProto bytes as TF's AsProtoTensorContent writes them (proto3: zero sizes, empty content omitted)."""
    dims = b"".join(wire.field_bytes(2, wire.field_varint(1, n) if n else b"") for n in array.shape)
    if array.dtype.kind in "OSU":
        enum = dtypes.string.as_datatype_enum
        body = b"".join(wire.field_bytes(8, v.encode() if isinstance(v, str) else bytes(v))
                        for v in array.reshape(-1).tolist())
    else:
        enum = dtypes.from_numpy(array.dtype).as_datatype_enum
        raw = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        body = wire.field_bytes(4, raw) if raw else b""
    return wire.field_varint(1, enum) + wire.field_bytes(2, dims) + body


def _serialize_kernel(tensor: Any) -> Any:
    return np.array(tensor_bytes(np.asarray(tensor)), dtype=object)


def _typed(num: int, v: Any) -> list:
    if _TYPED[num] == "varint":
        return wire.unpack_varints(v) if isinstance(v, bytes) else [v]
    if isinstance(v, bytes):
        return list(np.frombuffer(v, _TYPED[num]))
    return [wire.as_float(v) if num == 5 else wire.as_double(v)]


def _parse_kernel(serialized: Any, *, out_type: Any) -> Any:
    data = np.asarray(serialized, dtype=object).item()
    enum, shape, content, strings, vals = 0, [], None, [], []
    try:
        for num, v in wire.fields(bytes(data)):
            if num == 1:
                enum = v
            elif num == 2:
                shape = [dict(wire.fields(d)).get(1, 0) for n, d in wire.fields(v) if n == 2]
            elif num == 4:
                content = v
            elif num == 8:
                strings.append(v)
            elif num in _TYPED:
                vals += _typed(num, v)
    except (IndexError, ValueError, struct.error):
        raise InvalidArgumentError(None, None, "Could not parse `serialized` as TensorProto: "
                                   f"{bytes(data)[:40]!r}") from None
    got = dtypes.as_dtype(enum) if enum else None
    if got is not out_type:
        name = _TF_NAMES.get(got.name, got.name) if got else enum
        raise InvalidArgumentError(None, None, f"Type mismatch between parsed tensor ({name}) and dtype "
                                   f"({_TF_NAMES.get(out_type.name, out_type.name)})")
    size = int(np.prod(shape)) if shape else 1
    if out_type is dtypes.string:
        return np.array(strings, dtype=object).reshape(shape)
    np_type = np.dtype(out_type.as_numpy_dtype)
    if content is not None:
        return np.frombuffer(content, np_type.newbyteorder("<")).astype(np_type).reshape(shape)
    if out_type is dtypes.float16:
        arr = np.array(vals, np.uint16).view(np.float16)
    else:
        arr = np.array(vals, np_type)
    if 0 < len(arr) < size:  # NOTE: TF repeats the last value to fill the shape
        arr = np.concatenate([arr, np.full(size - len(arr), arr[-1], np_type)])
    return (arr if len(arr) else np.zeros(size, np_type)).reshape(shape)


_SERIALIZE = pseudo_op("SerializeTensor", _serialize_kernel, shape=lambda s: (), dtype=lambda d: dtypes.string)
_PARSE = pseudo_op("ParseTensor", _parse_kernel, shape=lambda s, **a: None, dtype=lambda d, **a: a["out_type"])


@export("io.serialize_tensor", v1=("serialize_tensor", "io.serialize_tensor"))
def serialize_tensor(tensor: Any, name: str | None = None) -> Any:
    """The TensorProto bytes of `tensor`, as a scalar string."""
    return dispatch.execute(_SERIALIZE, (dispatch.convert_to_tensor(tensor),), {}, name or "SerializeTensor")


@export("io.parse_tensor", v1=("parse_tensor", "io.parse_tensor"))
def parse_tensor(serialized: Any, out_type: Any, name: str | None = None) -> Any:
    """The tensor held by TensorProto bytes; `out_type` must be its dtype."""
    return dispatch.execute(_PARSE, (dispatch.convert_to_tensor(serialized, dtype=dtypes.string),),
                            {"out_type": dtypes.as_dtype(out_type)}, name or "ParseTensor")
