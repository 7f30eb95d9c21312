"""TF1 summaries: graph ops producing serialized `Summary` protos, and `FileWriter`.

    tf.summary.scalar("loss", loss); merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(logdir, sess.graph)
    writer.add_summary(sess.run(merged), step)          # a TensorBoard event file

`tf.train.summary_iterator(path)` reads events back as proto-like objects.
"""
from __future__ import annotations

import struct
import zlib
from typing import Any, Iterator

import numpy as np

from runtime import dispatch, dtypes
from runtime.graph_tensor import pseudo_op

from ..io import summary_proto as sp
from ..io.events import EventFileWriter, read_events
from ._api import v1_export
from .graph_api import get_default_graph

_STR = dict(shape=lambda *a, **k: (), dtype=lambda *a, **k: dtypes.string, stateful=True)


def _scalar(x: Any, tag: str = "") -> bytes:
    return sp.summary([sp.value(tag, simple_value=float(np.asarray(x).reshape(())))])


def _histogram(x: Any, tag: str = "") -> bytes:
    return sp.summary([sp.value(tag, histo=sp.histogram_proto(np.asarray(x, dtype=np.float64)))])


def _png(img: np.ndarray) -> bytes:
    h, w, c = img.shape
    raw = b"".join(b"\x00" + img[i].astype(np.uint8).tobytes() for i in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    color = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _image(x: Any, tag: str = "", max_outputs: int = 3) -> bytes:
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        arr = np.clip(arr * (255.0 if arr.max() <= 1.0 else 1.0), 0, 255)
    values = []
    for i, img in enumerate(arr[:max_outputs]):
        body = (sp.wire.field_varint(1, img.shape[0]) + sp.wire.field_varint(2, img.shape[1])
                + sp.wire.field_varint(3, img.shape[2]) + sp.wire.field_bytes(4, _png(img)))
        values.append(sp.value(f"{tag}/image" + ("" if max_outputs == 1 else f"/{i}"), image=body))
    return sp.summary(values)


def _text(x: Any, tag: str = "") -> bytes:
    return sp.summary([sp.value(tag, tensor=sp.tensor_proto(np.asarray(x, dtype=object)),
                                meta=sp.metadata("text"))])


def _merge(*parts: Any) -> bytes:
    return b"".join(bytes(p) for p in parts)


SCALAR = pseudo_op("ScalarSummary", _scalar, **_STR)
HISTOGRAM = pseudo_op("HistogramSummary", _histogram, **_STR)
IMAGE = pseudo_op("ImageSummary", _image, **_STR)
TEXT = pseudo_op("TensorSummaryV2", _text, **_STR)
MERGE = pseudo_op("MergeSummary", _merge, **_STR)


def _summary_op(op: Any, name: str, tensor: Any, collections: Any, family: Any, **attrs: Any) -> Any:
    g = get_default_graph()
    tag = f"{family}/{name}" if family else name
    scope = g.get_name_scope()
    tag = f"{scope}/{tag}" if scope else tag
    t = dispatch.convert_to_tensor(tensor)
    out = g.create_op(op, (t,), {"tag": tag, **attrs}, name)
    for key in collections if collections is not None else ["summaries"]:
        g.add_to_collection(key, out)
    return out


@v1_export("summary.scalar", "scalar_summary")
def scalar(name: str, tensor: Any, collections: Any = None, family: Any = None) -> Any:
    """A string tensor: the serialized Summary with one simple_value."""
    return _summary_op(SCALAR, name, tensor, collections, family)


@v1_export("summary.histogram", "histogram_summary")
def histogram(name: str, values: Any, collections: Any = None, family: Any = None) -> Any:
    return _summary_op(HISTOGRAM, name, values, collections, family)


@v1_export("summary.image", "image_summary")
def image(name: str, tensor: Any, max_outputs: int = 3, collections: Any = None, family: Any = None) -> Any:
    return _summary_op(IMAGE, name, tensor, collections, family, max_outputs=max_outputs)


@v1_export("summary.text")
def text(name: str, tensor: Any, collections: Any = None) -> Any:
    return _summary_op(TEXT, name, tensor, collections, None)


@v1_export("summary.merge", "merge_summary")
def merge(inputs: Any, collections: Any = None, name: str | None = None) -> Any:
    g = get_default_graph()
    out = g.create_op(MERGE, tuple(dispatch.convert_to_tensor(i) for i in inputs), {}, name or "Merge/MergeSummary")
    for key in collections or ():
        g.add_to_collection(key, out)
    return out


@v1_export("summary.merge_all", "merge_all_summaries")
def merge_all(key: str = "summaries", scope: Any = None, name: str | None = None) -> Any:
    """All summaries of collection `key` merged into one string tensor (None if there are none)."""
    items = get_default_graph().get_collection(key, scope)
    return merge(items, name=name) if items else None


class FileWriter:
    """`tf.summary.FileWriter`: writes summaries (serialized protos) to a TensorBoard event file."""

    def __init__(self, logdir: str, graph: Any = None, max_queue: int = 10, flush_secs: float = 120,
                 graph_def: Any = None, filename_suffix: str | None = None, session: Any = None) -> None:
        self._writer = EventFileWriter(logdir, max_queue=max_queue, flush_secs=flush_secs,
                                       filename_suffix=filename_suffix or "")
        self._graph = graph

    def get_logdir(self) -> str:
        return self._writer.get_logdir()

    def add_summary(self, summary: Any, global_step: Any = None) -> None:
        data = summary if isinstance(summary, (bytes, bytearray)) else summary.SerializeToString()
        self._writer.add_summary(bytes(data), None if global_step is None else int(global_step))

    def add_graph(self, graph: Any, global_step: Any = None, graph_def: Any = None) -> None:
        """Accepted; tfcompat graphs have no GraphDef to write, so nothing is recorded."""

    def add_session_log(self, session_log: Any, global_step: Any = None) -> None:
        """Accepted; session logs are not recorded."""

    def add_run_metadata(self, run_metadata: Any, tag: str, global_step: Any = None) -> None:
        """Accepted; run metadata is not recorded."""

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()

    def reopen(self) -> None:
        self._writer.reopen()

    def __enter__(self) -> "FileWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


v1_export("summary.FileWriter", "train.SummaryWriter")(FileWriter)


class _Proto:
    """A parsed proto message read back from an event file (attribute access, HasField)."""

    def __init__(self, fields: dict, defaults: dict) -> None:
        self._fields = fields
        self._defaults = defaults

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._fields:
            return self._fields[name]
        if name in self._defaults:
            return self._defaults[name]
        raise AttributeError(name)

    def HasField(self, name: str) -> bool:  # noqa: N802  (protobuf's name)
        return name in self._fields

    def __repr__(self) -> str:
        return repr(self._fields)


def _value(v: dict) -> _Proto:
    fields = dict(v)
    if "histo" in fields:
        fields["histo"] = _Proto(fields["histo"], {"num": 0.0, "sum": 0.0, "min": 0.0, "max": 0.0})
    return _Proto(fields, {"tag": "", "simple_value": 0.0})


@v1_export("train.summary_iterator")
def summary_iterator(path: str) -> Iterator[_Proto]:
    """Events of an event file: `e.step`, `e.wall_time`, `e.summary.value[i].tag/simple_value/histo`."""
    for ev in read_events(path):
        fields = dict(ev)
        if "summary" in fields:
            fields["summary"] = _Proto({"value": [_value(v) for v in fields["summary"]]}, {})
        yield _Proto(fields, {"summary": _Proto({"value": []}, {}), "file_version": ""})
