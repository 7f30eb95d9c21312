"""`tf.data.TFRecordDataset` and `tf.data.FixedLengthRecordDataset`: file records as scalar strings.

    tf.data.TFRecordDataset(["a.tfrecord", "b.tfrecord"])                # each record's bytes
    tf.data.FixedLengthRecordDataset("cifar.bin", 3073)                  # 3073-byte records
    tf.data.TFRecordDataset("a.tfrecord.gz", compression_type="GZIP")
    tf.data.Dataset.list_files("data/*.png", shuffle=False)              # sorted file names

Whole files are read (and decompressed: "", "ZLIB", "GZIP" as TensorFlow names them),
then split; TFRecord CRCs are checked (DataLossError on a corrupt record).
"""
from __future__ import annotations

import glob
import gzip
import io
import zlib
from typing import Any, Iterator

import numpy as np

from runtime import dtypes
from runtime.errors import DataLossError, InvalidArgumentError, NotFoundError
from runtime.shape import TensorShape

from ..._export import export
from ..io import events
from ..io.tfrecord_options import compression_name
from . import structure as st
from .dataset import UNKNOWN, Dataset


def filenames_of(filenames: Any) -> list[str]:
    """File names from a string, a list of them, or a string tensor (any shape)."""
    if isinstance(filenames, (str, bytes)):
        filenames = [filenames]
    arr = np.asarray(st.to_array(filenames) if not isinstance(filenames, list) else filenames, dtype=object)
    return [f.decode() if isinstance(f, bytes) else str(f) for f in arr.reshape(-1).tolist()]


def _kind(compression_type: Any) -> str:
    kind = compression_type.decode() if isinstance(compression_type, bytes) else compression_type
    return compression_name(kind)


def read_whole(name: str, kind: str) -> bytes:
    """The (decompressed) bytes of file `name`."""
    try:
        if kind == "GZIP":
            with gzip.open(name, "rb") as f:
                return f.read()
        with open(name, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{name}; No such file or directory") from None
    return zlib.decompress(data) if kind == "ZLIB" else data


def _tfrecords(names: list[str], kind: str) -> Iterator[Any]:
    for name in names:
        for record in events.read_records(io.BytesIO(read_whole(name, kind)), name):
            yield np.array(record, dtype=object)


def _fixed(names: list[str], record: int, header: int, footer: int, kind: str) -> Iterator[Any]:
    for name in names:
        data = read_whole(name, kind)
        body = data[header:len(data) - footer]
        if len(body) % record and not kind:
            raise DataLossError(None, None, f"Excluding the header ({header} bytes) and footer ({footer} bytes), "
                                f"input file \"{name}\" has body length {len(body)}, which is not an exact multiple "
                                f"of the record length ({record} bytes).")
        for start in range(0, len(body) - record + 1, record):
            yield np.array(body[start:start + record], dtype=object)


def _scalar_string() -> Any:
    return st.TensorSpec(TensorShape([]), dtypes.string)


@export("data.TFRecordDataset")
class TFRecordDataset(Dataset):
    """The records of TFRecord files, in file order, as scalar string tensors."""

    def __init__(self, filenames: Any, compression_type: Any = None, buffer_size: Any = None,
                 num_parallel_reads: Any = None, name: str | None = None) -> None:
        names, kind = filenames_of(filenames), _kind(compression_type)
        super().__init__(lambda: _tfrecords(names, kind), UNKNOWN, _scalar_string)


@export("data.FixedLengthRecordDataset")
class FixedLengthRecordDataset(Dataset):
    """Fixed-size records of binary files (after `header_bytes`, before `footer_bytes`) as scalar strings."""

    def __init__(self, filenames: Any, record_bytes: Any, header_bytes: Any = None, footer_bytes: Any = None,
                 buffer_size: Any = None, compression_type: Any = None, num_parallel_reads: Any = None,
                 name: str | None = None) -> None:
        names, kind = filenames_of(filenames), _kind(compression_type)
        record, header, footer = int(np.asarray(record_bytes)), int(np.asarray(header_bytes or 0)), \
            int(np.asarray(footer_bytes or 0))
        if record <= 0:
            raise InvalidArgumentError(None, None, f"record_bytes must be greater than zero, got {record}")
        super().__init__(lambda: _fixed(names, record, header, footer, kind), UNKNOWN, _scalar_string)


def list_files(file_pattern: Any, shuffle: bool | None, seed: int | None) -> Dataset:
    """`Dataset.list_files`: TF's error when nothing matches, a shuffle over all names unless told not to."""
    patterns = filenames_of(file_pattern)
    names = sorted({f for p in patterns for f in glob.glob(p)})
    if not names:
        raise InvalidArgumentError(None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
                                   f"Summarized data: b'No files matched pattern: {', '.join(patterns)}'")
    ds = Dataset.from_tensor_slices(np.array([n.encode() for n in names], dtype=object))
    return ds if shuffle is False else ds.shuffle(len(names), seed=seed)
