"""Snappy decompression (the raw block format), for tables written with compression on.

    decompress(b"\\x05\\x10hello") == b"hello"
"""
from __future__ import annotations

from runtime.errors import DataLossError

from .wire import read_varint


def decompress(data: bytes) -> bytes:
    """Decode one raw Snappy block: literals and back-references."""
    size, pos = read_varint(data, 0)
    out = bytearray()
    n = len(data)
    while pos < n:
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:
            length = (tag >> 2) + 1
            if length > 60:
                extra = length - 60
                length = int.from_bytes(data[pos:pos + extra], "little") + 1
                pos += extra
            out += data[pos:pos + length]
            pos += length
            continue
        if kind == 1:
            length, offset = ((tag >> 2) & 7) + 4, ((tag >> 5) << 8) | data[pos]
            pos += 1
        elif kind == 2:
            length, offset = (tag >> 2) + 1, int.from_bytes(data[pos:pos + 2], "little")
            pos += 2
        else:
            length, offset = (tag >> 2) + 1, int.from_bytes(data[pos:pos + 4], "little")
            pos += 4
        if offset == 0 or offset > len(out):
            raise DataLossError(None, None, "Corrupt snappy block: back-reference before the start")
        start = len(out) - offset
        for i in range(length):  # NOTE: overlapping copies repeat the pattern, so byte by byte
            out.append(out[start + i])
    if len(out) != size:
        raise DataLossError(None, None, f"Corrupt snappy block: {len(out)} bytes decoded, header says {size}")
    return bytes(out)
