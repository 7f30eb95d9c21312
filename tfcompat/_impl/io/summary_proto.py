"""Event, Summary, HistogramProto, Image and TensorProto, encoded by hand (and decoded back).

    summary([scalar_value("loss", 0.5)])            -> a serialized Summary (what v1 tf.summary.scalar returns)
    event(step=3, summary=...)                       -> a serialized Event (one TFRecord of an event file)
    parse_event(data)["summary"][0]["simple_value"] == 0.5

v1 summaries use simple_value / histo / image; v2 ones (tf.summary.scalar with a
step) store a TensorProto plus plugin metadata, as TensorBoard's own ops do.
"""
from __future__ import annotations

import struct
import sys
import time
import zlib
from typing import Any, Iterable

import numpy as np

from runtime import dtypes
from runtime.errors import InvalidArgumentError

from . import wire

DATA_CLASS_SCALAR, DATA_CLASS_TENSOR, DATA_CLASS_BLOB_SEQUENCE = 1, 2, 3


def _default_bucket_limits() -> np.ndarray:
    """TensorFlow's default histogram bucket edges: +-1e-12 * 1.1**k up to 1e20, then +-DBL_MAX."""
    pos, v = [], 1.0e-12
    while v < 1.0e20:
        pos.append(v)
        v *= 1.1
    pos.append(sys.float_info.max)
    return np.array([-x for x in reversed(pos)] + [0.0] + pos)


DEFAULT_BUCKET_LIMITS = _default_bucket_limits()


# -- building blocks ------------------------------------------------------------------------
def tensor_proto(array: Any) -> bytes:
    """A TensorProto for `array` (strings as string_val, numbers as tensor_content)."""
    array = np.asarray(array)
    if array.dtype.kind in "OSU":
        items = [s.encode() if isinstance(s, str) else bytes(s) for s in array.reshape(-1).tolist()]
        enum, body = dtypes.string.as_datatype_enum, b"".join(wire.field_bytes(8, s) for s in items)
    else:
        d = dtypes.from_numpy(array.dtype)
        enum, body = d.as_datatype_enum, wire.field_bytes(4, np.ascontiguousarray(array).astype(
            array.dtype.newbyteorder("<")).tobytes())
    shape = b"".join(wire.field_bytes(2, wire.field_varint(1, n)) for n in array.shape)
    return wire.field_varint(1, enum) + wire.field_bytes(2, shape) + body


def metadata(plugin_name: str, content: bytes = b"", description: str | None = None,
             data_class: int = 0) -> bytes:
    """A SummaryMetadata naming the TensorBoard plugin that shows the value."""
    plugin = wire.field_bytes(1, plugin_name) + (wire.field_bytes(2, content) if content else b"")
    out = wire.field_bytes(1, plugin)
    if description:
        out += wire.field_bytes(3, description)
    return out + (wire.field_varint(4, data_class) if data_class else b"")


def value(tag: str, *, simple_value: float | None = None, histo: bytes | None = None, image: bytes | None = None,
          tensor: bytes | None = None, meta: bytes | None = None) -> bytes:
    """One Summary.Value (serialized); exactly one payload is normally given."""
    out = wire.field_bytes(1, tag)
    if simple_value is not None:
        out += wire.field_float(2, float(simple_value))
    if image is not None:
        out += wire.field_bytes(4, image)
    if histo is not None:
        out += wire.field_bytes(5, histo)
    if tensor is not None:
        out += wire.field_bytes(8, tensor)
    if meta is not None:
        out += wire.field_bytes(9, meta)
    return out


def summary(values: Iterable[bytes]) -> bytes:
    """A serialized Summary holding the given serialized Values."""
    return b"".join(wire.field_bytes(1, v) for v in values)


def merge_summaries(serialized: Iterable[bytes]) -> bytes:
    """Concatenate Summaries (TF's MergeSummary), refusing duplicate tags as TF does."""
    seen, values = set(), []
    for data in serialized:
        for number, raw in wire.fields(bytes(data)):
            if number != 1:
                continue
            tag = next((v for n, v in wire.fields(raw) if n == 1), b"").decode()
            if tag in seen:
                raise InvalidArgumentError(None, None, f"Duplicate tag {tag} found in summary inputs ")
            seen.add(tag)
            values.append(raw)
    return summary(values)


def event(wall_time: float | None = None, step: int = 0, *, summary: bytes | None = None,
          graph_def: bytes | None = None, file_version: str | None = None,
          meta_graph_def: bytes | None = None) -> bytes:
    """A serialized Event."""
    out = wire.field_double(1, time.time() if wall_time is None else wall_time)
    if step:
        out += wire.field_varint(2, int(step))
    if file_version is not None:
        out += wire.field_bytes(3, file_version)
    if graph_def is not None:
        out += wire.field_bytes(4, graph_def)
    if summary is not None:
        out += wire.field_bytes(5, summary)
    if meta_graph_def is not None:
        out += wire.field_bytes(9, meta_graph_def)
    return out


# -- v1 payloads ----------------------------------------------------------------------------
def scalar_value(tag: str, data: Any) -> bytes:
    """v1 `tf.summary.scalar`'s Value: simple_value."""
    return value(tag, simple_value=float(np.asarray(data).reshape(())))


def _bucket_index(data: np.ndarray) -> np.ndarray:
    """searchsorted(DEFAULT_BUCKET_LIMITS, data, side="right"), from the limits' log spacing.

    NOTE: the logarithm lands within one bucket of the answer; comparisons with the real limits
    then fix it, so ties and rounding come out exactly as a binary search gives them."""
    limits, mid = DEFAULT_BUCKET_LIMITS, len(DEFAULT_BUCKET_LIMITS) // 2   # limits[mid] == 0
    with np.errstate(divide="ignore", over="ignore"):
        k = np.floor(np.log(np.abs(data) * 1e12) / np.log(1.1))
    k = np.clip(np.nan_to_num(k, neginf=-1.0), -1, mid).astype(np.int64)
    idx = np.where(data >= 0, mid + 2 + k, mid - 1 - k)
    np.clip(idx, 0, len(limits), out=idx)
    ext = np.append(limits, np.inf)
    for _ in range(4):
        up = ext[idx] <= data                                   # limits[idx] must be > data
        down = (idx > 0) & (ext[np.maximum(idx - 1, 0)] > data)  # limits[idx-1] must be <= data
        if not (up.any() or down.any()):
            break
        idx += up
        idx -= down
    else:
        idx = np.searchsorted(limits, data, side="right")
    return idx


def histogram_proto(values: Any) -> bytes:
    """TF's HistogramProto over the default buckets, empty runs of buckets collapsed."""
    data = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(data)):
        raise InvalidArgumentError(None, None, "Nan in summary histogram (remove NaN/Inf values first)")
    counts = np.bincount(_bucket_index(data), minlength=len(DEFAULT_BUCKET_LIMITS)).astype(np.float64)
    # NOTE: a run of empty buckets becomes one, at the run's last limit: keep a bucket unless it and the next are empty
    keep = (counts > 0) | np.append(counts[1:] > 0, True)
    limits, buckets = DEFAULT_BUCKET_LIMITS[keep], counts[keep]
    lo = float(data.min()) if data.size else sys.float_info.max
    hi = float(data.max()) if data.size else -sys.float_info.max
    return (wire.field_double(1, lo) + wire.field_double(2, hi) + wire.field_double(3, float(data.size)) +
            wire.field_double(4, float(data.sum())) + wire.field_double(5, float((data * data).sum())) +
            wire.packed_doubles(6, limits) + wire.packed_doubles(7, buckets))


def histogram_value(tag: str, values: Any) -> bytes:
    return value(tag, histo=histogram_proto(values))


def png(image: np.ndarray) -> bytes:
    """PNG-encode an [h, w, c] uint8 image (c in 1..4), unfiltered, zlib-compressed."""
    h, w, c = image.shape
    color = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = np.concatenate([np.zeros((h, 1), np.uint8), image.reshape(h, w * c)], axis=1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes())) + \
        chunk(b"IEND", b"")


def to_uint8_images(images: Any) -> np.ndarray:
    """v1 ImageSummary's conversion: floats scaled so the largest |value| is 255 (127 + 128 offset with negatives)."""
    arr = np.asarray(images)
    if arr.ndim != 4 or arr.shape[-1] not in (1, 3, 4):
        raise InvalidArgumentError(None, None, f"Tensor must be 4-D with last dim 1, 3, or 4, not {list(arr.shape)}")
    if arr.dtype == np.uint8:
        return arr
    arr = arr.astype(np.float64)
    out = np.empty(arr.shape, np.uint8)
    for i, img in enumerate(arr):
        finite = img[np.isfinite(img)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
        if lo < 0:
            big = max(abs(lo), abs(hi))
            scale, offset = (0.0 if big < 1e-6 else 127.0 / big), 128.0
        else:
            scale, offset = (0.0 if hi < 1e-6 else 255.0 / hi), 0.0
        out[i] = np.clip(np.nan_to_num(img) * scale + offset, 0, 255).astype(np.uint8)  # NOTE: TF truncates
    return out


def image_values(tag: str, images: Any, max_outputs: int = 3) -> list[bytes]:
    """v1 `tf.summary.image`'s Values: `tag/image` or `tag/image/<i>`, PNG-encoded."""
    arr = to_uint8_images(images)[:max_outputs]
    out = []
    for i, img in enumerate(arr):
        h, w, c = img.shape
        proto = (wire.field_varint(1, h) + wire.field_varint(2, w) + wire.field_varint(3, c) +
                 wire.field_bytes(4, png(img)))
        out.append(value(f"{tag}/image/{i}" if max_outputs > 1 else f"{tag}/image", image=proto))
    return out


def text_value(tag: str, data: Any, description: str | None = None) -> bytes:
    """`tf.summary.text`'s Value: a string tensor shown by the text plugin."""
    return value(tag, tensor=tensor_proto(np.asarray(data, dtype=object)),
                 meta=metadata("text", description=description, data_class=DATA_CLASS_TENSOR))
