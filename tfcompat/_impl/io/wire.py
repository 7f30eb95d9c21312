"""Protocol-buffer wire format by hand: enough for checkpoints, events and summaries.

    field_varint(1, 3) + field_bytes(2, b"hi") == b"\\x08\\x03\\x12\\x02hi"
    dict(fields(b"\\x08\\x03")) == {1: 3}

Decoding only splits bytes into (field number, value): no code runs, nothing is
looked up by name, so reading an untrusted file is safe.
"""
from __future__ import annotations

import struct
from typing import Any, Iterator

import numpy as np

from runtime.errors import DataLossError

VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5


def varint(value: int) -> bytes:
    """Base-128 varint; negative int32/int64 values take ten bytes, as protobuf writes them."""
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def read_varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    """(value, next position) of the varint at `pos`."""
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise DataLossError(None, None, "Truncated varint in protocol buffer (the file is corrupt)")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DataLossError(None, None, "Varint longer than 10 bytes in protocol buffer (corrupt file)")


def signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def key(number: int, wire_type: int) -> bytes:
    return varint((number << 3) | wire_type)


def field_varint(number: int, value: int) -> bytes:
    return key(number, VARINT) + varint(int(value))


def field_bytes(number: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else bytes(value)
    return key(number, BYTES) + varint(len(data)) + data


def field_double(number: int, value: float) -> bytes:
    return key(number, FIXED64) + struct.pack("<d", value)


def field_float(number: int, value: float) -> bytes:
    return key(number, FIXED32) + struct.pack("<f", value)


def field_fixed32(number: int, value: int) -> bytes:
    return key(number, FIXED32) + struct.pack("<I", value)


def packed_doubles(number: int, values: Any) -> bytes:
    return field_bytes(number, np.asarray(values, dtype="<f8").tobytes())


def fields(buf: bytes | memoryview) -> Iterator[tuple[int, int | bytes]]:
    """Yield (field number, value) pairs: ints for varint/fixed fields, bytes for length-delimited."""
    pos, end = 0, len(buf)
    while pos < end:
        tag, pos = read_varint(buf, pos)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == VARINT:
            value, pos = read_varint(buf, pos)
        elif wire_type == FIXED64:
            value, pos = int.from_bytes(buf[pos:pos + 8], "little"), pos + 8
        elif wire_type == FIXED32:
            value, pos = int.from_bytes(buf[pos:pos + 4], "little"), pos + 4
        elif wire_type == BYTES:
            size, pos = read_varint(buf, pos)
            value, pos = bytes(buf[pos:pos + size]), pos + size
        else:
            raise DataLossError(None, None, f"Unsupported protocol-buffer wire type {wire_type} "
                                            f"for field {number} (the file is corrupt or not this format)")
        if pos > end:
            raise DataLossError(None, None, f"Truncated protocol buffer at field {number} (corrupt file)")
        yield number, value


def as_double(bits: int) -> float:
    return struct.unpack("<d", bits.to_bytes(8, "little"))[0]


def as_float(bits: int) -> float:
    return struct.unpack("<f", bits.to_bytes(4, "little"))[0]


def unpack_varints(data: bytes) -> list[int]:
    out, pos = [], 0
    while pos < len(data):
        v, pos = read_varint(data, pos)
        out.append(v)
    return out
