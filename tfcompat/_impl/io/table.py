"""LevelDB-format sorted tables (TensorFlow's `.index` files): read and write.

    write_table(path, [(b"", header), (b"w", entry)]);  dict(read_table(path))[b"w"] == entry

Layout: data blocks (prefix-compressed entries + restart array), a metaindex block,
an index block mapping a key >= each block's last key to its (offset, size), and a
48-byte footer ending in the magic number. Every block carries a 5-byte trailer:
compression type (0 none, 1 snappy) and the masked CRC-32C of block + type byte.
"""
from __future__ import annotations

import struct
from typing import Iterable, Iterator

from runtime.errors import DataLossError

from . import crc32c, snappy
from .wire import read_varint, varint

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
TRAILER_SIZE = 5
BLOCK_SIZE = 262144      # NOTE: TensorFlow's table::Options defaults
RESTART_INTERVAL = 16


class _BlockBuilder:
    def __init__(self) -> None:
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last = b""

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.counter < RESTART_INTERVAL:
            limit = min(len(self.last), len(key))
            while shared < limit and self.last[shared] == key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        self.buf += varint(shared) + varint(len(key) - shared) + varint(len(value))
        self.buf += key[shared:] + value
        self.last = key
        self.counter += 1

    def finish(self) -> bytes:
        return bytes(self.buf) + struct.pack(f"<{len(self.restarts)}I", *self.restarts) + \
            struct.pack("<I", len(self.restarts))

    def size(self) -> int:
        return len(self.buf) + 4 * len(self.restarts) + 4


def write_table(path: str, items: Iterable[tuple[bytes, bytes]], block_size: int = BLOCK_SIZE) -> None:
    """Write sorted (key, value) pairs as an uncompressed table file at `path`."""
    out = bytearray()
    index = _BlockBuilder()

    def emit(block: bytes) -> bytes:
        handle = varint(len(out)) + varint(len(block))
        out.extend(block + b"\x00" + struct.pack("<I", crc32c.mask(crc32c.value(block + b"\x00"))))
        return handle

    block, previous = _BlockBuilder(), None
    for key, value in items:
        if previous is not None and key <= previous:
            raise ValueError(f"Table keys must be added in strictly increasing order: {key!r} after {previous!r}")
        block.add(key, value)
        previous = key
        if block.size() >= block_size:
            index.add(key, emit(block.finish()))
            block = _BlockBuilder()
    if block.counter or previous is None:
        index.add(previous or b"", emit(block.finish()))
    meta_handle = emit(_BlockBuilder().finish())
    index_handle = emit(index.finish())
    footer = (meta_handle + index_handle).ljust(FOOTER_SIZE - 8, b"\x00") + struct.pack("<Q", MAGIC)
    with open(path, "wb") as f:
        f.write(bytes(out) + footer)


def _read_block(data: bytes, handle: bytes | memoryview, path: str) -> bytes:
    offset, pos = read_varint(handle, 0)
    size, _ = read_varint(handle, pos)
    if offset + size + TRAILER_SIZE > len(data):
        raise DataLossError(None, None, f"Truncated table block at offset {offset} in {path}")
    block = data[offset:offset + size]
    kind = data[offset + size]
    stored = struct.unpack_from("<I", data, offset + size + 1)[0]
    if crc32c.mask(crc32c.value(data[offset:offset + size + 1])) != stored:
        raise DataLossError(None, None, f"Block checksum mismatch at offset {offset} in {path}: the file is corrupt")
    if kind == 1:
        return snappy.decompress(block)
    if kind != 0:
        raise DataLossError(None, None, f"Unknown block compression type {kind} in {path}")
    return block


def _block_entries(block: bytes, path: str) -> Iterator[tuple[bytes, bytes]]:
    if len(block) < 4:
        raise DataLossError(None, None, f"Table block too short in {path}")
    num_restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 - 4 * num_restarts
    pos, last = 0, b""
    while pos < end:
        shared, pos = read_varint(block, pos)
        non_shared, pos = read_varint(block, pos)
        value_len, pos = read_varint(block, pos)
        key = last[:shared] + block[pos:pos + non_shared]
        pos += non_shared
        yield key, block[pos:pos + value_len]
        pos += value_len
        last = key


def read_table(path: str) -> Iterator[tuple[bytes, bytes]]:
    """Yield every (key, value) of the table at `path`, in key order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < FOOTER_SIZE or struct.unpack_from("<Q", data, len(data) - 8)[0] != MAGIC:
        raise DataLossError(None, None, f"Not an sstable (bad magic number): {path}")
    footer = data[len(data) - FOOTER_SIZE:]
    _, pos = read_varint(footer, 0)
    _, pos = read_varint(footer, pos)   # skip the metaindex handle
    index = _read_block(data, footer[pos:], path)
    for _, handle in _block_entries(index, path):
        yield from _block_entries(_read_block(data, handle, path), path)
