"""`tf.io.TFRecordOptions` and TFRecord compression: GZIP and ZLIB streams over the whole file.

    with tf.io.TFRecordWriter("a.tfrecord.gz", options="GZIP") as w: w.write(b"record")
    tf.io.TFRecordOptions(compression_type="ZLIB", compression_level=9)
    tf.io.decode_compressed(tf.io.read_file("x.gz"), compression_type="GZIP")
"""
from __future__ import annotations

import gzip
import zlib
from typing import Any, BinaryIO

import numpy as np

from runtime import dispatch, dtypes
from runtime.errors import DataLossError, InvalidArgumentError
from runtime.graph_tensor import pseudo_op

from ..._export import export


@export(v1=("io.TFRecordCompressionType", "python_io.TFRecordCompressionType"))
class TFRecordCompressionType:
    """TF1's compression enum: NONE, ZLIB, GZIP."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


_NAMES = {None: "", "": "", 0: "", 1: "ZLIB", 2: "GZIP", "ZLIB": "ZLIB", "GZIP": "GZIP", "NONE": ""}


def compression_name(kind: Any) -> str:
    """'' / 'ZLIB' / 'GZIP' from a string, an enum value, or TFRecordOptions."""
    if isinstance(kind, TFRecordOptions):
        return kind.compression_type
    key = kind.upper() if isinstance(kind, str) else kind
    if key not in _NAMES:
        raise InvalidArgumentError(None, None, f"Unsupported compression_type: {kind!r}. Supported types are "
                                   "'', 'ZLIB' and 'GZIP'")
    return _NAMES[key]


@export("io.TFRecordOptions", v1=("io.TFRecordOptions", "python_io.TFRecordOptions"))
class TFRecordOptions:
    """How a TFRecord file is compressed (only `compression_type` and `compression_level` change the bytes)."""

    def __init__(self, compression_type: Any = None, flush_mode: Any = None, input_buffer_size: Any = None,
                 output_buffer_size: Any = None, window_bits: Any = None, compression_level: Any = None,
                 compression_method: Any = None, mem_level: Any = None, compression_strategy: Any = None) -> None:
        self.compression_type = compression_name(compression_type)
        self.compression_level = compression_level
        self.flush_mode, self.input_buffer_size, self.output_buffer_size = flush_mode, input_buffer_size, \
            output_buffer_size
        self.window_bits, self.compression_method, self.mem_level, self.compression_strategy = \
            window_bits, compression_method, mem_level, compression_strategy

    @classmethod
    def get_compression_type_string(cls, options: Any) -> str:
        return compression_name(options) if options is not None else ""


def open_for_write(path: str, options: Any) -> BinaryIO:
    """A writable binary file that compresses as `options` says."""
    kind = compression_name(options) if options is not None else ""
    level = getattr(options, "compression_level", None)
    level = -1 if level is None else int(level)
    if kind == "GZIP":
        return gzip.open(path, "wb", compresslevel=6 if level < 0 else level)  # type: ignore[return-value]
    f = open(path, "wb")  # noqa: SIM115
    return _ZlibWriter(f, level) if kind == "ZLIB" else f


class _ZlibWriter:
    def __init__(self, f: BinaryIO, level: int) -> None:
        self._f, self._z = f, zlib.compressobj(level)

    def write(self, data: bytes) -> None:
        self._f.write(self._z.compress(data))

    def flush(self) -> None:
        self._f.write(self._z.flush(zlib.Z_SYNC_FLUSH))
        self._f.flush()

    def close(self) -> None:
        self._f.write(self._z.flush())
        self._f.close()


def decompress(data: bytes, kind: str, what: str = "input") -> bytes:
    try:
        return gzip.decompress(data) if kind == "GZIP" else zlib.decompress(data) if kind == "ZLIB" else data
    except (OSError, zlib.error, EOFError) as e:
        raise DataLossError(None, None, f"{what}: {kind} data is corrupt or truncated ({e})") from None


def _decompress_kernel(data: Any, *, kind: str) -> Any:
    arr = np.asarray(data, dtype=object)
    out = [decompress(b if isinstance(b, bytes) else str(b).encode(), kind) for b in arr.reshape(-1).tolist()]
    return np.array(out + [b""], dtype=object)[:-1].reshape(arr.shape)


_DECOMPRESS = pseudo_op("DecodeCompressed", _decompress_kernel, shape=lambda s, **a: s,
                        dtype=lambda d, **a: dtypes.string)


@export("io.decode_compressed", v1=("decode_compressed", "io.decode_compressed"))
def decode_compressed(bytes: Any, compression_type: str = "", name: str | None = None) -> Any:  # noqa: A002
    """Each string decompressed ('' leaves it as is, 'ZLIB', 'GZIP'); same shape as `bytes`."""
    return dispatch.execute(_DECOMPRESS, (dispatch.convert_to_tensor(bytes, dtype=dtypes.string),),
                            {"kind": compression_name(compression_type)}, name or "DecodeCompressed")
