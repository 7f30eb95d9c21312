"""TF1 input pipelines on queues: producers, `TextLineReader`, `decode_csv`, `train.batch`/`shuffle_batch`.

    files = tf.train.string_input_producer(["a.csv"], num_epochs=2, shuffle=False)
    key, line = tf.TextLineReader().read(files)              # b"a.csv:1", b"0,0.5,1"
    i, x = tf.decode_csv(line, record_defaults=[[0], [0.0]])
    xs, ys = tf.train.batch([x, i], batch_size=4)            # OutOfRangeError after the last full batch
"""
from __future__ import annotations

import csv
from typing import Any

import numpy as np

from runtime import backend, dispatch, dtypes as dt
from runtime.errors import InvalidArgumentError, OutOfRangeError
from runtime.graph_tensor import pseudo_op

from ..._export import export
from ._api import v1_export
from .graph_api import get_default_graph
from .queues_v1 import FIFOQueue, QueueRunner, RandomShuffleQueue, add_queue_runner


class _Epochs:
    """The producer's epoch count: enqueues the whole input once per epoch, `num_epochs` times."""

    def __init__(self, num_epochs: Any, shuffle: bool, seed: Any) -> None:
        self.left = None if num_epochs is None else int(num_epochs)
        self.rng = np.random.RandomState(seed) if shuffle else None

    def next(self, values: np.ndarray) -> np.ndarray:
        if self.left is not None:
            if self.left <= 0:
                raise OutOfRangeError(None, None, "Reached limit of epochs (input_producer/limit_epochs)")
            self.left -= 1
        return values[self.rng.permutation(len(values))] if self.rng is not None else values


@v1_export("train.input_producer")
def input_producer(input_tensor: Any, element_shape: Any = None, num_epochs: Any = None, shuffle: bool = True,
                   seed: Any = None, capacity: int = 32, shared_name: Any = None, summary_name: Any = None,
                   name: Any = None, cancel_op: Any = None) -> Any:
    """A queue fed with the rows of `input_tensor`, once per epoch (shuffled each epoch if `shuffle`)."""
    x = dispatch.convert_to_tensor(input_tensor)
    g = get_default_graph()
    with g.name_scope(name or "input_producer"):
        q = FIFOQueue(capacity, [x.dtype], shapes=[x.shape.as_tuple()[1:] if x.shape.rank else None])
        epochs = _Epochs(num_epochs, shuffle, seed)

        def kernel(values: Any, queue: Any = None) -> None:
            for v in epochs.next(np.asarray(backend.to_host(values))):
                queue._put((v,))
        op = pseudo_op("QueueEnqueueManyV2", kernel, num_outputs=0, stateful=True)
        enqueue = g.create_op(op, (x,), {"queue": q}, "fifo_queue_EnqueueMany")
    add_queue_runner(QueueRunner(q, [enqueue]))
    return q


@v1_export("train.string_input_producer")
def string_input_producer(string_tensor: Any, num_epochs: Any = None, shuffle: bool = True, seed: Any = None,
                          capacity: int = 32, shared_name: Any = None, name: Any = None, cancel_op: Any = None) -> Any:
    """A queue of file names for a reader: each name once per epoch; OutOfRangeError after `num_epochs`."""
    return input_producer(dispatch.convert_to_tensor(string_tensor, dtype=dt.string), num_epochs=num_epochs,
                          shuffle=shuffle, seed=seed, capacity=capacity, name=name or "input_producer")


@v1_export("TextLineReader")
class TextLineReader:
    """Reads a file's lines, taking file names from a queue: `key, value = reader.read(queue)`."""

    def __init__(self, skip_header_lines: Any = None, name: Any = None) -> None:
        self._skip = int(skip_header_lines or 0)
        self._lines: list = []
        self._file = b""
        self._pos = 0
        self._produced = 0
        self.name = name or "TextLineReaderV2"

    def _next(self, queue: Any) -> tuple:
        while self._pos >= len(self._lines):
            self._file = bytes(queue._take(1)[0][0])
            with open(self._file.decode(), "rb") as f:
                self._lines = f.read().splitlines()
            self._pos = self._skip
        self._pos += 1
        self._produced += 1
        key = self._file + b":" + str(self._pos).encode()
        return np.array(key, dtype=object), np.array(self._lines[self._pos - 1], dtype=object)

    def read(self, queue: Any, name: Any = None) -> tuple:
        op = pseudo_op("ReaderReadV2", lambda reader=None, queue=None: reader._next(queue), num_outputs=2,
                       stateful=True, shape=lambda **_: ((), ()), dtype=lambda **_: (dt.string, dt.string))
        key, value = get_default_graph().create_op(op, (), {"reader": self, "queue": queue}, name or "ReaderReadV2")
        return key, value

    def reset(self, name: Any = None) -> Any:
        def kernel(reader: Any = None) -> None:
            reader._lines, reader._pos, reader._produced = [], 0, 0
        op = pseudo_op("ReaderResetV2", kernel, num_outputs=0, stateful=True)
        return get_default_graph().create_op(op, (), {"reader": self}, name or "ReaderResetV2")

    def num_records_produced(self, name: Any = None) -> Any:
        op = pseudo_op("ReaderNumRecordsProducedV2", lambda reader=None: np.int64(reader._produced), stateful=True,
                       shape=lambda **_: (), dtype=lambda **_: dt.int64)
        return get_default_graph().create_op(op, (), {"reader": self}, name or "ReaderNumRecordsProducedV2")


def _default(d: Any) -> tuple:
    """(dtype, default value or None) of one `record_defaults` entry: [0], [0.0], [""], [] or a tensor."""
    if dispatch.is_tensor(d):
        node = getattr(d, "op", None)
        value = np.asarray(node.attrs["value"]) if getattr(node, "type", "") == "Const" else \
            (np.asarray(d.numpy()) if hasattr(d, "numpy") else None)
        return d.dtype, (None if value is None or value.size == 0 else value.reshape(-1)[0])
    vals = list(d) if isinstance(d, (list, tuple, np.ndarray)) else [d]
    if not vals:
        return dt.float32, None  # NOTE: TF converts [] to an empty float32 tensor: a required float column
    v = vals[0]
    if isinstance(v, (bytes, str)):
        return dt.string, v.encode() if isinstance(v, str) else v
    arr = dispatch.to_array(v)
    return dt.from_numpy(arr.dtype), arr


@v1_export("decode_csv", "io.decode_csv")
def decode_csv(records: Any, record_defaults: Any, field_delim: str = ",", use_quote_delim: bool = True,
               name: Any = None, na_value: str = "", select_cols: Any = None) -> list:
    """One tensor per column of each CSV record; empty fields take the column's default."""
    recs = dispatch.convert_to_tensor(records, dtype=dt.string)
    cols = tuple(_default(d) for d in record_defaults)
    if select_cols is not None and len(select_cols) != len(cols):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    picks = tuple(select_cols) if select_cols is not None else None
    na = na_value.encode()

    def kernel(r: Any, **_: Any) -> tuple:
        flat = np.asarray(r, dtype=object).reshape(-1)
        out = [np.empty(len(flat), dtype=object if d is dt.string else d.as_numpy_dtype) for d, _ in cols]
        for i, rec in enumerate(flat):
            text = rec.decode() if isinstance(rec, bytes) else str(rec)
            fields = next(csv.reader([text], delimiter=field_delim, quoting=csv.QUOTE_MINIMAL if use_quote_delim
                                     else csv.QUOTE_NONE)) if text else [""]
            if picks is not None:
                fields = [fields[k] if k < len(fields) else "" for k in picks]
            if len(fields) != len(cols):
                raise InvalidArgumentError(None, None, f"Expect {len(cols)} fields but have {len(fields)} in "
                                           f"record {i}")
            for j, (f, (d, default)) in enumerate(zip(fields, cols)):
                if f == "" or f.encode() == na:
                    if default is None:
                        raise InvalidArgumentError(None, None, f"Field {j} is required but missing in record {i}!")
                    out[j][i] = default
                elif d is dt.string:
                    out[j][i] = f.encode()
                else:
                    try:
                        out[j][i] = float(f) if d.is_floating else int(f)
                    except ValueError:
                        kind = "float" if d.is_floating else "int"
                        raise InvalidArgumentError(None, None, f"Field {j} in record {i} is not a valid {kind}: "
                                                   f"{f}") from None
        shaped = tuple(o.reshape(np.shape(r)) for o in out)
        return shaped if len(shaped) > 1 else shaped[0]

    shape = recs.shape.as_tuple()
    op = pseudo_op("DecodeCSV", kernel, num_outputs=len(cols),
                   shape=lambda *_, **__: shape if len(cols) == 1 else tuple(shape for _ in cols),
                   dtype=lambda *_, **__: cols[0][0] if len(cols) == 1 else tuple(d for d, _ in cols))
    out = dispatch.execute(op, (recs,), {}, name or "DecodeCSV")  # eager, tf.function, tf.data and v1 graphs
    return [out] if len(cols) == 1 else list(out)


@export("io.decode_csv", v1=())
def decode_csv_v2(records: Any, record_defaults: Any, field_delim: str = ",", use_quote_delim: bool = True,
                  na_value: str = "", select_cols: Any = None, name: Any = None) -> list:
    """TF2's decode_csv: `name` comes last."""
    return decode_csv(records, record_defaults, field_delim, use_quote_delim, name, na_value, select_cols)


def _batch(queue_cls: Any, tensors: Any, batch_size: int, enqueue_many: bool, shapes: Any,
           allow_smaller_final_batch: bool, name: str, **queue_args: Any) -> Any:
    keys = sorted(tensors) if isinstance(tensors, dict) else None
    flat = [dispatch.convert_to_tensor(tensors[k] if keys else t) for k, t in
            zip(keys or range(len(tensors)), keys or tensors)] if isinstance(tensors, (list, tuple, dict)) else \
        [dispatch.convert_to_tensor(tensors)]
    if shapes is None:
        shapes = [t.shape.as_tuple()[1:] if enqueue_many else t.shape.as_tuple() for t in flat]
    if any(s is None or None in s for s in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes} (pass shapes= to tf.train.batch)")
    g = get_default_graph()
    with g.name_scope(name):
        q = queue_cls(dtypes=[t.dtype for t in flat], shapes=shapes, **queue_args)
        enqueue = q.enqueue_many(flat) if enqueue_many else q.enqueue(flat)
        add_queue_runner(QueueRunner(q, [enqueue]))
        out = q.dequeue_up_to(batch_size, name=name) if allow_smaller_final_batch else \
            q.dequeue_many(batch_size, name=name)
    out = [out] if len(flat) == 1 else list(out)
    if keys is not None:
        return dict(zip(keys, out))
    return out if isinstance(tensors, (list, tuple)) and len(flat) > 1 else out[0]


@v1_export("train.batch")
def batch(tensors: Any, batch_size: int, num_threads: int = 1, capacity: int = 32, enqueue_many: bool = False,
          shapes: Any = None, dynamic_pad: bool = False, allow_smaller_final_batch: bool = False,
          shared_name: Any = None, name: Any = None) -> Any:
    """Batches of `batch_size` consecutive elements of `tensors` (a list, dict or one tensor)."""
    if dynamic_pad:
        raise NotImplementedError("tf.train.batch(dynamic_pad=True) is not provided by tfcompat yet")
    return _batch(FIFOQueue, tensors, batch_size, enqueue_many, shapes, allow_smaller_final_batch,
                  name or "batch", capacity=capacity)


@v1_export("train.shuffle_batch")
def shuffle_batch(tensors: Any, batch_size: int, capacity: int, min_after_dequeue: int, num_threads: int = 1,
                  seed: Any = None, enqueue_many: bool = False, shapes: Any = None,
                  allow_smaller_final_batch: bool = False, shared_name: Any = None, name: Any = None) -> Any:
    """Batches drawn at random from a buffer that keeps at least `min_after_dequeue` elements."""
    return _batch(RandomShuffleQueue, tensors, batch_size, enqueue_many, shapes, allow_smaller_final_batch,
                  name or "shuffle_batch", capacity=capacity, min_after_dequeue=min_after_dequeue, seed=seed)
