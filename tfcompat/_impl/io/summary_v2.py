"""TensorFlow 2's `tf.summary`: default writers, steps, record_if, scalar/histogram/image/text.

    with tf.summary.create_file_writer("/tmp/logs").as_default(step=0):
        tf.summary.scalar("loss", 0.25)          # -> True, one event in the file

Values are written as TensorBoard's own v2 ops write them: a TensorProto plus
plugin metadata (scalars, histograms, images, text).
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Iterator

import numpy as np

from runtime import dispatch

from ..._export import export
from . import summary_proto as sp
from .events import EventFileWriter


class _State(threading.local):
    def __init__(self) -> None:
        self.writers: list[Any] = []
        self.conditions: list[Any] = []


_state = _State()
_step: list[Any] = [None]  # NOTE: TF's step is global (not per thread), as set_step documents


@export("summary.SummaryWriter", v1=())
class SummaryWriter:
    """A writer of summaries; `tf.summary.create_file_writer` makes the event-file kind."""

    def set_as_default(self, step: Any = None) -> None:
        _state.writers.append(self)
        if step is not None:
            _step[0] = step

    @contextlib.contextmanager
    def as_default(self, step: Any = None) -> Iterator["SummaryWriter"]:
        old_step = _step[0]
        _state.writers.append(self)
        if step is not None:
            _step[0] = step
        try:
            yield self
        finally:
            _state.writers.remove(self)
            if step is not None:
                _step[0] = old_step
            self.flush()

    def init(self) -> None:
        """Nothing to do: the file is opened when the writer is created."""

    def write(self, tag: str, tensor: bytes, step: int, meta: bytes | None) -> None:
        """Write one serialized TensorProto as a summary value (a no-op writer drops it)."""

    def flush(self) -> None:
        """Flush buffered events (nothing buffered by default)."""

    def close(self) -> None:
        """Flush and release the file (a no-op writer holds none)."""


class _FileWriter(SummaryWriter):
    def __init__(self, logdir: str, max_queue: int | None, flush_millis: int | None,
                 filename_suffix: str | None) -> None:
        flush_secs = 120.0 if flush_millis is None else flush_millis / 1000.0
        self._events = EventFileWriter(logdir, max_queue or 10, flush_secs, filename_suffix or ".v2")

    def write(self, tag: str, tensor: bytes, step: int, meta: bytes | None) -> None:
        value = sp.value(tag, tensor=tensor, meta=meta)
        self._events.add_event(sp.event(step=int(step), summary=sp.summary([value])))

    def flush(self) -> None:
        self._events.flush()

    def close(self) -> None:
        self._events.close()


@export("summary.create_file_writer", v1=())
def create_file_writer(logdir: str, max_queue: int | None = None, flush_millis: int | None = None,
                       filename_suffix: str | None = None, name: str | None = None,
                       experimental_trackable: bool = False, experimental_mesh: Any = None) -> SummaryWriter:
    """A writer of `events.out.tfevents.*` files in `logdir` (created if missing)."""
    return _FileWriter(str(logdir), max_queue, flush_millis, filename_suffix)


@export("summary.create_noop_writer", v1=())
def create_noop_writer() -> SummaryWriter:
    return SummaryWriter()


@export("summary.experimental.set_step", v1=())
def set_step(step: Any) -> None:
    _step[0] = step


@export("summary.experimental.get_step", v1=())
def get_step() -> Any:
    return _step[0]


@export("summary.record_if", v1=())
@contextlib.contextmanager
def record_if(condition: bool | Callable[[], Any]) -> Iterator[None]:
    """Record summaries in the body only when `condition` (a bool, tensor or callable) holds."""
    _state.conditions.append(condition)
    try:
        yield
    finally:
        _state.conditions.pop()


@export("summary.should_record_summaries", v1=())
def should_record_summaries() -> Any:
    return dispatch.constant(_should_record())


def _should_record() -> bool:
    if not _state.writers:
        return False
    for condition in _state.conditions:
        if not bool(condition() if callable(condition) else condition):
            return False
    return True


@export("summary.flush", v1=())
def flush(writer: SummaryWriter | None = None, name: str | None = None) -> None:
    writer = writer or (_state.writers[-1] if _state.writers else None)
    if writer is not None:
        writer.flush()


def _write(name: str, array: np.ndarray, step: Any, meta: bytes) -> Any:
    if not _should_record():
        return dispatch.constant(False)
    step = _step[0] if step is None else step
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument or through "
                         "tf.summary.experimental.set_step()")
    scope = "".join(s + "/" for s in getattr(dispatch._state, "scope", ()))
    _state.writers[-1].write(scope + name, sp.tensor_proto(array), int(np.asarray(step)), meta)
    return dispatch.constant(True)


@export("summary.write", v1=())
def write(tag: str, tensor: Any, step: Any = None, metadata: Any = None, name: str | None = None) -> Any:
    """Write any tensor under `tag` (metadata: serialized SummaryMetadata bytes, or None)."""
    return _write(tag, np.asarray(tensor), step, bytes(metadata) if metadata else b"")


@export("summary.scalar", v1=())
def scalar(name: str, data: Any, step: Any = None, description: str | None = None) -> Any:
    """tf.summary.scalar("loss", 0.5, step=1) -> True when a default writer recorded it."""
    array = np.asarray(data, dtype=np.float32)
    if array.ndim:
        raise ValueError(f"Expected scalar shape for {name}, saw shape: {array.shape}.")
    return _write(name, array, step, sp.metadata("scalars", description=description,
                                                  data_class=sp.DATA_CLASS_SCALAR))


def histogram_buckets(data: Any, bucket_count: int = 30) -> np.ndarray:
    """TensorBoard's v2 histogram: a [bucket_count, 3] float64 array of (left, right, count)."""
    flat = np.asarray(data, dtype=np.float64).reshape(-1)
    if bucket_count == 0:
        return np.zeros((0, 3))
    if flat.size == 0:
        return np.zeros((bucket_count, 3))
    lo, hi = flat.min(), flat.max()
    if lo == hi:
        counts = np.zeros(bucket_count)
        counts[-1] = flat.size
        return np.stack([np.full(bucket_count, lo), np.full(bucket_count, lo), counts], axis=1)
    width = (hi - lo) / bucket_count
    index = np.minimum(np.floor((flat - lo) / width).astype(np.int64), bucket_count - 1)
    counts = np.bincount(index, minlength=bucket_count).astype(np.float64)
    edges = np.concatenate([np.linspace(lo, hi, bucket_count + 1)[:-1], [hi]])
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


@export("summary.histogram", v1=())
def histogram(name: str, data: Any, step: Any = None, buckets: int | None = None,
              description: str | None = None) -> Any:
    return _write(name, histogram_buckets(data, 30 if buckets is None else int(buckets)), step,
                  sp.metadata("histograms", description=description, data_class=sp.DATA_CLASS_TENSOR))


@export("summary.image", v1=())
def image(name: str, data: Any, step: Any = None, max_outputs: int = 3, description: str | None = None) -> Any:
    """Images [k, h, w, c] (floats in [0, 1] or uint8) stored as [width, height, png...] strings."""
    arr = np.asarray(data)
    if arr.ndim != 4 or arr.shape[-1] not in (1, 3, 4):
        raise ValueError(f"Image data for {name} must have shape [k, h, w, c] with c in (1, 3, 4); "
                         f"got {arr.shape}")
    if arr.dtype != np.uint8:
        arr = np.clip(arr.astype(np.float64) * 255.5, 0, 255).astype(np.uint8)
    pngs = [sp.png(img) for img in arr[:max_outputs]]
    tensor = np.array([str(arr.shape[2]).encode(), str(arr.shape[1]).encode(), *pngs], dtype=object)
    return _write(name, tensor, step, sp.metadata("images", description=description,
                                                  data_class=sp.DATA_CLASS_BLOB_SEQUENCE))


@export("summary.text", v1=())
def text(name: str, data: Any, step: Any = None, description: str | None = None) -> Any:
    arr = np.asarray(data, dtype=object)
    return _write(name, arr, step, sp.metadata("text", description=description, data_class=sp.DATA_CLASS_TENSOR))
