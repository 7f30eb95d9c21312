"""File and raw-byte ops as graph ops: `tf.io.read_file`, `write_file`, `matching_files`, `decode_raw`.

    tf.io.read_file("img.png")                          # a scalar string tensor with the file's bytes
    tf.io.write_file("out.bin", b"\x01\x02")            # writes the bytes (an op in graphs)
    tf.io.matching_files("data/*.csv")                  # [b"data/a.csv", b"data/b.csv"], sorted
    tf.io.decode_raw([b"\x01\x00\x02\x00"], tf.int16)   # [[1, 2]]

Each is one op run through `dispatch.execute`, so it works eagerly, in `tf.function`,
in `tf.data` map functions and in v1 graphs.
"""
from __future__ import annotations

import glob
from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.errors import InvalidArgumentError, NotFoundError
from runtime.graph_tensor import pseudo_op

from ..._export import export


def _path(value: Any) -> str:
    path = np.asarray(value, dtype=object).item()
    return path.decode() if isinstance(path, bytes) else str(path)


def _read_kernel(filename: Any) -> Any:
    path = _path(filename)
    try:
        with open(path, "rb") as f:
            return np.array(f.read(), dtype=object)
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None


def _write_kernel(filename: Any, contents: Any) -> Any:
    path, data = _path(filename), np.asarray(contents, dtype=object).item()
    try:
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else bytes(data))
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    return np.zeros((0,), np.int32)  # NOTE: TF's WriteFile has no outputs; an empty value stands in


def _match_kernel(pattern: Any) -> Any:
    found: list = []
    for p in np.asarray(pattern, dtype=object).reshape(-1).tolist():
        p = p.decode() if isinstance(p, bytes) else str(p)
        found += sorted(glob.glob(p))
    return np.array([f.encode() for f in found], dtype=object).reshape(-1)


_READ = pseudo_op("ReadFile", _read_kernel, shape=lambda s: (), dtype=lambda d: dtypes.string, stateful=True)
_WRITE = pseudo_op("WriteFile", _write_kernel, shape=lambda a, b: (0,), dtype=lambda a, b: dtypes.int32,
                   stateful=True)
_MATCH = pseudo_op("MatchingFiles", _match_kernel, shape=lambda s: (None,), dtype=lambda d: dtypes.string,
                   stateful=True)


@export("io.read_file", v1=("read_file", "io.read_file"))
def read_file(filename: Any, name: str | None = None) -> Any:
    """The whole contents of `filename` as a scalar string tensor."""
    return dispatch.execute(_READ, (dispatch.convert_to_tensor(filename, dtype=dtypes.string),), {},
                            name or "ReadFile")


@export("io.write_file", v1=("write_file", "io.write_file"))
def write_file(filename: Any, contents: Any, name: str | None = None) -> Any:
    """Write the scalar string `contents` to `filename` (creating or replacing it)."""
    out = dispatch.execute(_WRITE, (dispatch.convert_to_tensor(filename, dtype=dtypes.string),
                                    dispatch.convert_to_tensor(contents, dtype=dtypes.string)), {},
                           name or "WriteFile")
    return None if not hasattr(out, "op") else out.op


@export("io.matching_files", v1=("matching_files", "io.matching_files"))
def matching_files(pattern: Any, name: str | None = None) -> Any:
    """The files matching a glob pattern (or a vector of patterns), as a sorted 1-D string tensor."""
    return dispatch.execute(_MATCH, (dispatch.convert_to_tensor(pattern, dtype=dtypes.string),), {},
                            name or "MatchingFiles")


_RAW_TYPES = ("float16", "float32", "float64", "int32", "uint16", "uint8", "int16", "int8", "int64",
              "complex64", "complex128", "bool", "bfloat16")


def _raw_kernel(data: Any, *, out_type: Any, little_endian: bool, fixed_length: int | None) -> Any:
    items = np.asarray(data, dtype=object)
    flat = [b if isinstance(b, bytes) else str(b).encode() for b in items.reshape(-1).tolist()]
    np_type = np.dtype(out_type.as_numpy_dtype).newbyteorder("<" if little_endian else ">")
    size = np_type.itemsize
    if fixed_length is not None:
        flat = [b[:fixed_length].ljust(fixed_length, b"\0") for b in flat]
        width = fixed_length // size
        flat = [b[:width * size] for b in flat]
    elif flat:
        width = len(flat[0])
        if width % size:
            raise InvalidArgumentError(None, None, f"Input to DecodeRaw has length {width} that is not a multiple "
                                       f"of {size}, the size of {out_type.name}")
        for i, b in enumerate(flat):
            if len(b) != width:
                raise InvalidArgumentError(None, None, "DecodeRaw requires input strings to all be the same size, "
                                           f"but element {i} has size {len(b)} != {width}")
        width //= size
    else:
        width = 0
    out = np.frombuffer(b"".join(flat), dtype=np_type).astype(np_type.newbyteorder("="))
    return out.reshape(items.shape + (width,))


_RAW = pseudo_op("DecodeRaw", _raw_kernel, shape=lambda s, **a: None if s is None else tuple(s) + (
    a["fixed_length"] // np.dtype(a["out_type"].as_numpy_dtype).itemsize if a["fixed_length"] else None,),
    dtype=lambda d, **a: a["out_type"])


@export("io.decode_raw", v1=())
def decode_raw(input_bytes: Any, out_type: Any, little_endian: bool = True, fixed_length: Any = None,
               name: str | None = None) -> Any:
    """Reinterpret each string's bytes as a vector of `out_type`: shape `input.shape + [n]`."""
    dt = dtypes.as_dtype(out_type)
    if dt.name not in _RAW_TYPES:
        raise TypeError(f"Value passed to parameter 'out_type' has DataType {dt.name} not in list of allowed "
                        f"values: {', '.join(_RAW_TYPES)}")
    fixed = None if fixed_length is None else int(np.asarray(fixed_length))
    return dispatch.execute(_RAW, (dispatch.convert_to_tensor(input_bytes, dtype=dtypes.string),),
                            {"out_type": dt, "little_endian": bool(little_endian), "fixed_length": fixed},
                            name or ("DecodePaddedRaw" if fixed is not None else "DecodeRaw"))


@export(v1=("decode_raw", "io.decode_raw"))
def decode_raw_v1(input_bytes: Any = None, out_type: Any = None, little_endian: bool = True,
                  name: str | None = None, bytes: Any = None) -> Any:  # noqa: A002  (TF's name)
    """TF1's decode_raw: `bytes` is the deprecated name of `input_bytes`."""
    if input_bytes is not None and bytes is not None:
        raise ValueError("Cannot specify both 'input_bytes' and 'bytes' in decode_raw")
    return decode_raw(input_bytes if input_bytes is not None else bytes, out_type, little_endian, None, name)
