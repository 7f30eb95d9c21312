"""TFRecord framing and TensorBoard event files.

    w = EventFileWriter("/tmp/logs");  w.add_summary(summary([scalar_value("loss", 0.5)]), 3);  w.close()
    [e["step"] for e in read_events(w.get_filename())] == [0, 3]

A record is: uint64 length, masked CRC-32C of those 8 bytes, the data, masked
CRC-32C of the data. An event file starts with an Event whose file_version is
"brain.Event:2".
"""
from __future__ import annotations

import os
import socket
import struct
import time
from typing import Any, BinaryIO, Iterator

from runtime.errors import DataLossError

from . import crc32c, summary_proto, wire


def encode_record(data: bytes) -> bytes:
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", crc32c.mask(crc32c.value(header))) + data + \
        struct.pack("<I", crc32c.mask(crc32c.value(data)))


def read_records(f: BinaryIO, path: str = "<stream>") -> Iterator[bytes]:
    """Yield each record's data, checking both CRCs; a truncated last record ends the stream."""
    while True:
        header = f.read(12)
        if len(header) < 12:
            return
        length, stored = struct.unpack("<QI", header)
        if crc32c.mask(crc32c.value(header[:8])) != stored:
            raise DataLossError(None, None, f"corrupted record at {f.tell() - 12} in {path} (length checksum)")
        data = f.read(length)
        footer = f.read(4)
        if len(footer) < 4:
            return
        if crc32c.mask(crc32c.value(data)) != struct.unpack("<I", footer)[0]:
            raise DataLossError(None, None, f"corrupted record in {path} (data checksum)")
        yield data


def tf_record_iterator(path: str) -> Iterator[bytes]:
    with open(path, "rb") as f:
        yield from read_records(f, path)


class EventFileWriter:
    """Writes `events.out.tfevents.<time>.<host><suffix>` in `logdir`; wrapped by v1 FileWriter and v2 writers."""

    def __init__(self, logdir: str, max_queue: int = 10, flush_secs: float = 120,
                 filename_suffix: str | None = None) -> None:
        self._logdir = str(logdir)
        os.makedirs(self._logdir, exist_ok=True)
        name = f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}{filename_suffix or ''}"
        self._path = os.path.join(self._logdir, name)
        self._file: BinaryIO | None = open(self._path, "ab")
        self._pending: list[bytes] = []
        self._max_queue = max(1, int(max_queue or 10))
        self._flush_secs = float(flush_secs if flush_secs is not None else 120)
        self._last_flush = time.time()
        self.add_event(summary_proto.event(file_version="brain.Event:2"))
        self.flush()

    def get_logdir(self) -> str:
        return self._logdir

    def get_filename(self) -> str:
        return self._path

    def add_event(self, event: bytes) -> None:
        """Queue one serialized Event; written at `flush`, when the queue is full, or after flush_secs."""
        if self._file is None:
            raise RuntimeError(f"Cannot write to the closed event writer for {self._logdir}; call reopen() first")
        self._pending.append(encode_record(bytes(event)))
        if len(self._pending) >= self._max_queue or time.time() - self._last_flush >= self._flush_secs:
            self.flush()

    def add_summary(self, summary: bytes, global_step: int | None = None) -> None:
        """Add a serialized Summary (what v1 tf.summary.* ops evaluate to) at `global_step`."""
        if not isinstance(summary, (bytes, bytearray)):
            summary = summary.SerializeToString() if hasattr(summary, "SerializeToString") else bytes(summary)
        self.add_event(summary_proto.event(step=int(global_step or 0), summary=bytes(summary)))

    def add_graph(self, graph_def: bytes, global_step: int | None = None) -> None:
        """Add a serialized GraphDef (the graph tab of TensorBoard)."""
        self.add_event(summary_proto.event(step=int(global_step or 0), graph_def=bytes(graph_def)))

    def add_meta_graph(self, meta_graph_def: bytes, global_step: int | None = None) -> None:
        self.add_event(summary_proto.event(step=int(global_step or 0), meta_graph_def=bytes(meta_graph_def)))

    def flush(self) -> None:
        if self._file is None:
            return
        if self._pending:
            self._file.write(b"".join(self._pending))
            self._pending.clear()
        self._file.flush()
        self._last_flush = time.time()

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None

    def reopen(self) -> None:
        if self._file is None:
            self._file = open(self._path, "ab")

    def __enter__(self) -> "EventFileWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# -- reading back ---------------------------------------------------------------------------
def parse_value(data: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, v in wire.fields(data):
        if number == 1:
            out["tag"] = v.decode()
        elif number == 2:
            out["simple_value"] = wire.as_float(v)
        elif number == 4:
            image = dict(wire.fields(v))
            out["image"] = {"height": image.get(1, 0), "width": image.get(2, 0), "colorspace": image.get(3, 0),
                            "encoded_image_string": image.get(4, b"")}
        elif number == 5:
            out["histo"] = _parse_histo(v)
        elif number == 8:
            out["tensor"] = v
        elif number == 9:
            plugin = next((p for n, p in wire.fields(v) if n == 1), b"")
            out["plugin_name"] = next((p.decode() for n, p in wire.fields(plugin) if n == 1), "")
    return out


def _parse_histo(data: bytes) -> dict[str, Any]:
    names = {1: "min", 2: "max", 3: "num", 4: "sum", 5: "sum_squares"}
    out: dict[str, Any] = {"bucket_limit": [], "bucket": []}
    for number, v in wire.fields(data):
        if number in names:
            out[names[number]] = wire.as_double(v)
        elif number in (6, 7):
            key = "bucket_limit" if number == 6 else "bucket"
            out[key] += list(struct.unpack(f"<{len(v) // 8}d", v)) if isinstance(v, bytes) else [wire.as_double(v)]
    return out


def parse_event(data: bytes) -> dict[str, Any]:
    """An Event as a dict: wall_time, step, and file_version / graph_def / summary (list of values)."""
    out: dict[str, Any] = {"wall_time": 0.0, "step": 0}
    for number, v in wire.fields(data):
        if number == 1:
            out["wall_time"] = wire.as_double(v)
        elif number == 2:
            out["step"] = wire.signed64(v)
        elif number == 3:
            out["file_version"] = v.decode()
        elif number == 4:
            out["graph_def"] = v
        elif number == 5:
            out["summary"] = [parse_value(raw) for n, raw in wire.fields(v) if n == 1]
        elif number == 9:
            out["meta_graph_def"] = v
    return out


def read_events(path: str) -> Iterator[dict[str, Any]]:
    """Every event of an event file, parsed (see `parse_event`)."""
    for record in tf_record_iterator(path):
        yield parse_event(record)
