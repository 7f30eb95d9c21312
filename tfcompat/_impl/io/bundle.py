"""TensorFlow's tensor-bundle checkpoint format (V2): `prefix.index` + `prefix.data-*`.

    write_bundle("/tmp/m/model.ckpt", {"w": np.ones((2, 3), np.float32)})
    read_bundle("/tmp/m/model.ckpt")["w"].shape == (2, 3)

The index is a table (see `table`) mapping "" to a BundleHeaderProto and each tensor
name to a BundleEntryProto (dtype, shape, shard, offset, size, masked CRC-32C); the
data files hold the raw little-endian bytes. String tensors are stored as varint
lengths, a masked CRC of the lengths, then the bytes. No pickle: reading a bundle
only decodes numbers and bytes.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from runtime import dtypes
from runtime.errors import DataLossError, NotFoundError, UnimplementedError

from . import crc32c, wire
from .table import read_table, write_table

_BFLOAT16 = 14
VERSION = 1  # NOTE: kTensorBundleVersion


def data_path(prefix: str, shard: int = 0, num_shards: int = 1) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def index_path(prefix: str) -> str:
    return prefix + ".index"


@dataclass(frozen=True)
class BundleEntry:
    """One tensor's BundleEntryProto: where its bytes are and how to check them."""

    dtype: int
    shape: tuple[int, ...]
    shard_id: int = 0
    offset: int = 0
    size: int = 0
    crc32c: int | None = None
    sliced: bool = False

    def encode(self) -> bytes:
        dims = b"".join(wire.field_bytes(2, wire.field_varint(1, d)) for d in self.shape)
        out = wire.field_varint(1, self.dtype) + wire.field_bytes(2, dims)
        if self.shard_id:
            out += wire.field_varint(3, self.shard_id)
        if self.offset:
            out += wire.field_varint(4, self.offset)
        if self.size:
            out += wire.field_varint(5, self.size)
        if self.crc32c is not None:
            out += wire.field_fixed32(6, self.crc32c)
        return out

    @staticmethod
    def decode(buf: bytes) -> "BundleEntry":
        values: dict[str, Any] = {"dtype": 0, "shape": ()}
        for number, value in wire.fields(buf):
            if number == 1:
                values["dtype"] = value
            elif number == 2:
                values["shape"] = _decode_shape(value)
            elif number in (3, 4, 5):
                values[("shard_id", "offset", "size")[number - 3]] = value
            elif number == 6:
                values["crc32c"] = value
            elif number == 7:
                values["sliced"] = True
        return BundleEntry(**values)


def _decode_shape(buf: bytes) -> tuple[int, ...]:
    dims = []
    for number, value in wire.fields(buf):
        if number == 2:
            dims.append(next((wire.signed64(v) for n, v in wire.fields(value) if n == 1), 0))
    return tuple(dims)


def _header(num_shards: int = 1) -> bytes:
    return wire.field_varint(1, num_shards) + wire.field_bytes(3, wire.field_varint(1, VERSION))


def _decode_header(buf: bytes) -> int:
    found = dict((n, v) for n, v in wire.fields(buf) if n in (1, 2))
    if found.get(2, 0) != 0:
        raise UnimplementedError(None, None, "This checkpoint was written on a big-endian machine; "
                                             "only little-endian bundles can be read")
    return int(found.get(1, 1))


# -- encoding tensors -----------------------------------------------------------------------
def _encode_tensor(array: np.ndarray) -> tuple[int, bytes, int]:
    """(dtype enum, bytes, unmasked crc32c) as BundleWriter::Add writes them."""
    if array.dtype.kind in "OSU":
        items = [s.encode() if isinstance(s, str) else bytes(s) for s in array.reshape(-1).tolist()]
        lengths = b"".join(wire.varint(len(s)) for s in items)
        crc = crc32c.value(b"".join(_length_bytes(len(s)) for s in items))
        checksum = struct.pack("<I", crc32c.mask(crc))
        crc = crc32c.extend(crc, checksum)
        body = b"".join(items)
        return dtypes.string.as_datatype_enum, lengths + checksum + body, crc32c.extend(crc, body)
    d = dtypes.from_numpy(array.dtype)
    data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    return d.as_datatype_enum, data, crc32c.value(data)


def _length_bytes(n: int) -> bytes:
    """A string length as the checksum sees it: uint32 when it fits (TF's compatibility rule), else uint64."""
    return struct.pack("<I", n) if n <= 0xFFFFFFFF else struct.pack("<Q", n)


def _decode_tensor(name: str, entry: BundleEntry, raw: bytes) -> np.ndarray:
    count = int(np.prod(entry.shape, dtype=np.int64))
    if entry.dtype == dtypes.string.as_datatype_enum:
        lengths, pos = [], 0
        for _ in range(count):
            n, pos = wire.read_varint(raw, pos)
            lengths.append(n)
        pos += 4
        out = np.empty(count, dtype=object)
        for i, n in enumerate(lengths):
            out[i] = raw[pos:pos + n]
            pos += n
        return out.reshape(entry.shape)
    if entry.dtype == _BFLOAT16:  # NOTE: no NumPy bfloat16: widen the 16 stored bits to float32
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return bits.view(np.float32).reshape(entry.shape)
    try:
        npd = dtypes.as_dtype(entry.dtype).as_numpy_dtype
    except TypeError:
        raise UnimplementedError(None, None, f"Tensor {name!r} has dtype enum {entry.dtype}, "
                                             "which tfcompat cannot load") from None
    return np.frombuffer(raw, dtype=np.dtype(npd).newbyteorder("<")).astype(npd).reshape(entry.shape)


# -- public API -----------------------------------------------------------------------------
def write_bundle(prefix: str, tensors: Mapping[str, Any], block_size: int = 262144) -> None:
    """Write `{name: array}` as `prefix.index` + `prefix.data-00000-of-00001` (readable by TensorFlow)."""
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    entries: list[tuple[bytes, bytes]] = [(b"", _header())]
    offset = 0
    tmp = data_path(prefix) + ".tempstate"
    with open(tmp, "wb") as f:
        for name in sorted(tensors, key=lambda n: n.encode()):
            array = np.asarray(tensors[name])
            if array.dtype.kind in "U":
                array = array.astype(object)
            enum, data, crc = _encode_tensor(array)
            f.write(data)
            entry = BundleEntry(enum, tuple(int(d) for d in array.shape), 0, offset, len(data), crc32c.mask(crc))
            entries.append((name.encode(), entry.encode()))
            offset += len(data)
    os.replace(tmp, data_path(prefix))
    write_table(index_path(prefix) + ".tempstate", entries, block_size)
    os.replace(index_path(prefix) + ".tempstate", index_path(prefix))


class BundleReader:
    """Random access to one bundle: `.entries` (name -> BundleEntry), `.tensor(name)`."""

    def __init__(self, prefix: str) -> None:
        if not os.path.exists(index_path(prefix)):
            raise NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                                            f"matching files for {prefix} (no {index_path(prefix)})")
        self.prefix = prefix
        self.num_shards = 1
        self.entries: dict[str, BundleEntry] = {}
        for key, value in read_table(index_path(prefix)):
            if key == b"":
                self.num_shards = _decode_header(value)
            else:
                self.entries[key.decode("utf-8", "surrogateescape")] = BundleEntry.decode(value)

    def tensor(self, name: str) -> np.ndarray:
        entry = self.entries.get(name)
        if entry is None:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint {self.prefix}")
        if entry.sliced:
            raise UnimplementedError(None, None, f"Tensor {name!r} is stored in slices (a partitioned variable); "
                                                 "tfcompat reads whole tensors only")
        path = data_path(self.prefix, entry.shard_id, self.num_shards)
        with open(path, "rb") as f:
            f.seek(entry.offset)
            raw = f.read(entry.size)
        if len(raw) != entry.size:
            raise DataLossError(None, None, f"Truncated data file {path} reading tensor {name!r}")
        array = _decode_tensor(name, entry, raw)
        if entry.crc32c is not None and crc32c.mask(_checksum(entry, raw)) != entry.crc32c:
            raise DataLossError(None, None, f"Checksum does not match: stored {entry.crc32c} vs. calculated on "
                                            f"the restored bytes for tensor {name!r} in {path}")
        return array

    def read_all(self) -> dict[str, np.ndarray]:
        return {name: self.tensor(name) for name in self.entries}


def _checksum(entry: BundleEntry, raw: bytes) -> int:
    if entry.dtype != dtypes.string.as_datatype_enum:
        return crc32c.value(raw)
    count, pos, crc = int(np.prod(entry.shape, dtype=np.int64)), 0, 0
    for _ in range(count):
        n, pos = wire.read_varint(raw, pos)
        crc = crc32c.extend(crc, _length_bytes(n))
    return crc32c.extend(crc, raw[pos:])


def read_bundle(prefix: str) -> dict[str, np.ndarray]:
    """All tensors of the bundle at `prefix` as `{name: ndarray}` (strings: object arrays of bytes)."""
    return BundleReader(prefix).read_all()
