"""TF1 queues, queue runners and `Coordinator`, in-process.

    q = tf.FIFOQueue(32, [tf.float32], shapes=[[2]])
    tf.train.add_queue_runner(tf.train.QueueRunner(q, [q.enqueue([x])]))
    threads = tf.train.start_queue_runners(sess, coord)     # binds runners to `sess`
    sess.run(q.dequeue_many(4))                             # runs the enqueue op 4 times, then dequeues

NOTE: runners do not run on background threads. A dequeue that finds too few elements runs
its queue's enqueue ops (with the session given to `start_queue_runners`) until it has
enough, and closes the queue when they raise `OutOfRangeError`, as a runner thread would.
The values are those of TF's threads with one enqueue thread, deterministic.
"""
from __future__ import annotations

import collections
import contextlib
import threading
from typing import Any, Iterator

import numpy as np

from runtime import backend, dtypes as dt
from runtime.errors import CancelledError, OutOfRangeError
from runtime.graph_tensor import pseudo_op
from runtime.shape import TensorShape

from ._api import v1_export, shared_export
from .graph_api import add_to_collection, get_collection, get_default_graph


class QueueBase:
    """Elements are tuples of arrays; ops made by the methods act on the Python-side buffer."""

    _type = "FIFOQueue"

    def __init__(self, capacity: int, dtypes: Any, shapes: Any, names: Any, name: str) -> None:
        one = not isinstance(dtypes, (list, tuple))
        self._dtypes = [dt.as_dtype(d) for d in ([dtypes] if one else dtypes)]
        shapes = [None] * len(self._dtypes) if shapes is None else ([shapes] if one else list(shapes))
        self._shapes = [TensorShape(s) for s in shapes]
        self._names = names
        self._capacity = int(capacity)
        self._items: collections.deque = collections.deque()
        self._closed = False
        self.runners: list = []
        g = get_default_graph()
        self.name = g.unique_name(name, mark_as_used=False)
        self._graph = g

    dtypes = property(lambda self: list(self._dtypes))
    shapes = property(lambda self: list(self._shapes))
    names = property(lambda self: self._names)
    queue_ref = property(lambda self: self)

    # -- the Python side (kernels call these) ----------------------------------------------
    def _put(self, values: tuple) -> None:
        if self._closed:
            raise CancelledError(None, None, f"{self._type} '_0_{self.name}' is closed.")
        self._items.append(tuple(values))

    def _wanted(self, n: int) -> int:
        return n

    def _fill(self, n: int) -> None:
        """Run this queue's enqueue ops until it holds `n` elements or is closed."""
        while len(self._items) < self._wanted(n) and not self._closed:
            if not self.runners:
                raise OutOfRangeError(None, None, f"{self._type} '_0_{self.name}' has no queue runner and "
                                      f"insufficient elements (requested {n}, current size {len(self._items)}); "
                                      "TensorFlow would block here forever")
            self.runners[0].step(self)

    def _take(self, n: int, up_to: bool = False) -> list:
        self._fill(n)
        have = len(self._items)
        if have < n and not (up_to and have > 0 and self._closed):
            raise OutOfRangeError(None, None, f"{self._type} '_0_{self.name}' is closed and has insufficient "
                                  f"elements (requested {n}, current size {have})")
        return [self._pop() for _ in range(min(n, have))]

    def _pop(self) -> tuple:
        return self._items.popleft()

    # -- graph ops ----------------------------------------------------------------------------
    def _op(self, kind: str, inputs: tuple, kernel: Any, shapes: list | None, name: str | None) -> Any:
        n = 0 if shapes is None else len(shapes)
        d = tuple(self._dtypes)
        op = pseudo_op(kind, kernel, num_outputs=n, stateful=True,
                       shape=lambda *_, **__: shapes[0] if n == 1 else tuple(shapes),
                       dtype=lambda *_, **__: d[0] if n == 1 else d)
        return get_default_graph().create_op(op, inputs, {"queue": self}, name or f"{self.name}_{kind}")

    def enqueue(self, vals: Any, name: str | None = None) -> Any:
        vals = _as_list(vals)
        return self._op("QueueEnqueueV2", tuple(_convert(v, d) for v, d in zip(vals, self._dtypes)),
                        lambda *arrays, queue=None: queue._put(arrays), None, name)

    def enqueue_many(self, vals: Any, name: str | None = None) -> Any:
        vals = _as_list(vals)

        def kernel(*arrays: Any, queue: Any = None) -> None:
            for row in zip(*arrays):
                queue._put(row)
        return self._op("QueueEnqueueManyV2", tuple(_convert(v, d) for v, d in zip(vals, self._dtypes)),
                        kernel, None, name)

    def _out(self, rows: list, n: int) -> Any:
        cols = [backend.xp_for(rows[0][i]).stack([r[i] for r in rows]) if rows else np.zeros((0,))
                for i in range(len(self._dtypes))]
        return cols[0] if n == 1 else tuple(cols)

    def dequeue(self, name: str | None = None) -> Any:
        n = len(self._dtypes)
        shapes = [s.as_tuple() for s in self._shapes]
        def kernel(queue: Any = None) -> Any:
            row = queue._take(1)[0]
            return row[0] if n == 1 else tuple(row)
        return self._op("QueueDequeueV2", (), kernel, shapes, name)

    def dequeue_many(self, n: int, name: str | None = None) -> Any:
        k = len(self._dtypes)
        shapes = [None if s.rank is None else (int(n),) + s.as_tuple() for s in self._shapes]
        return self._op("QueueDequeueManyV2", (), lambda queue=None: self._out(queue._take(int(n)), k),
                        shapes, name)

    def dequeue_up_to(self, n: int, name: str | None = None) -> Any:
        k = len(self._dtypes)
        shapes = [None if s.rank is None else (None,) + s.as_tuple() for s in self._shapes]
        return self._op("QueueDequeueUpToV2", (), lambda queue=None: self._out(queue._take(int(n), True), k),
                        shapes, name)

    def close(self, cancel_pending_enqueues: bool = False, name: str | None = None) -> Any:
        def kernel(queue: Any = None) -> None:
            queue._closed = True
        return self._op("QueueCloseV2", (), kernel, None, name)

    def is_closed(self, name: str | None = None) -> Any:
        op = pseudo_op("QueueIsClosedV2", lambda queue=None: np.bool_(queue._closed), stateful=True,
                       shape=lambda **_: (), dtype=lambda **_: dt.bool)
        return get_default_graph().create_op(op, (), {"queue": self}, name or f"{self.name}_IsClosed")

    def size(self, name: str | None = None) -> Any:
        op = pseudo_op("QueueSizeV2", lambda queue=None: np.int32(len(queue._items)), stateful=True,
                       shape=lambda **_: (), dtype=lambda **_: dt.int32)
        return get_default_graph().create_op(op, (), {"queue": self}, name or f"{self.name}_Size")


def _as_list(vals: Any) -> list:
    return list(vals) if isinstance(vals, (list, tuple)) else [vals]


def _convert(v: Any, d: Any) -> Any:
    from runtime import dispatch  # noqa: PLC0415
    return dispatch.convert_to_tensor(v, dtype=d)


@shared_export("queue.FIFOQueue", v1=("FIFOQueue", "queue.FIFOQueue", "io.FIFOQueue"))
class FIFOQueue(QueueBase):
    """Elements come out in the order they went in."""

    def __init__(self, capacity: int, dtypes: Any, shapes: Any = None, names: Any = None, shared_name: Any = None,
                 name: str = "fifo_queue") -> None:
        super().__init__(capacity, dtypes, shapes, names, name)


@shared_export("queue.RandomShuffleQueue", v1=("RandomShuffleQueue", "queue.RandomShuffleQueue",
                                               "io.RandomShuffleQueue"))
class RandomShuffleQueue(QueueBase):
    """Elements come out in random order; a dequeue leaves at least `min_after_dequeue` until closed."""

    _type = "RandomShuffleQueue"

    def __init__(self, capacity: int, min_after_dequeue: int, dtypes: Any, shapes: Any = None, names: Any = None,
                 seed: Any = None, shared_name: Any = None, name: str = "random_shuffle_queue") -> None:
        super().__init__(capacity, dtypes, shapes, names, name)
        self._min_after = int(min_after_dequeue)
        g = get_default_graph()
        self._rng = np.random.RandomState(None if seed is None and g.seed is None else
                                          ((g.seed or 0) * 1000003 + (seed or 0)) % (2 ** 32))

    def _wanted(self, n: int) -> int:
        return max(n + self._min_after, min(self._capacity, n + self._min_after * 2))

    def _take(self, n: int, up_to: bool = False) -> list:
        self._fill(n)
        if not self._closed and len(self._items) - n < self._min_after:
            raise OutOfRangeError(None, None, f"RandomShuffleQueue '_0_{self.name}' has insufficient elements")
        return super()._take(n, up_to)

    def _pop(self) -> tuple:
        i = self._rng.randint(len(self._items))
        self._items.rotate(-i)
        item = self._items.popleft()
        self._items.rotate(i)
        return item


@v1_export("train.QueueRunner", "train.queue_runner.QueueRunner")
class QueueRunner:
    """Enqueue ops that keep `queue` filled; `start_queue_runners` binds them to a session."""

    def __init__(self, queue: Any = None, enqueue_ops: Any = None, close_op: Any = None, cancel_op: Any = None,
                 queue_closed_exception_types: Any = None, queue_runner_def: Any = None,
                 import_scope: Any = None) -> None:
        self.queue, self.enqueue_ops = queue, list(enqueue_ops or [])
        self._session: Any = None
        self._next = 0
        queue.runners.append(self)

    name = property(lambda self: self.queue.name)

    def step(self, queue: QueueBase) -> None:
        """Run one enqueue op; the producer's OutOfRangeError closes the queue."""
        if self._session is None:
            raise OutOfRangeError(None, None, f"the queue runner of '{queue.name}' is not started: call "
                                  "tf.train.start_queue_runners(sess) before reading from the queue")
        op = self.enqueue_ops[self._next % len(self.enqueue_ops)]
        self._next += 1
        try:
            self._session.run(op)
        except OutOfRangeError:
            queue._closed = True

    def create_threads(self, sess: Any, coord: Any = None, daemon: bool = False, start: bool = False) -> list:
        self._session = sess
        t = threading.Thread(target=lambda: None, daemon=daemon)  # NOTE: runners run on demand, see module doc
        if start:
            t.start()
        return [t]


@v1_export("train.add_queue_runner", "train.queue_runner.add_queue_runner")
def add_queue_runner(qr: Any, collection: str = "queue_runners") -> None:
    add_to_collection(collection, qr)


@v1_export("train.start_queue_runners", "train.queue_runner.start_queue_runners")
def start_queue_runners(sess: Any = None, coord: Any = None, daemon: bool = True, start: bool = True,
                        collection: str = "queue_runners") -> list:
    """Bind the graph's queue runners to `sess`; returns their (already finished) threads."""
    if sess is None:
        from .session import get_default_session  # noqa: PLC0415
        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. Use `with "
                             "sess.as_default()` or pass an explicit session to tf.start_queue_runners(sess=sess)")
    return [t for qr in get_collection(collection) for t in qr.create_threads(sess, coord, daemon, start)]


@shared_export("train.Coordinator", v1=("train.Coordinator",))
class Coordinator:
    """Stop flag shared by a training loop and its threads; `join` re-raises a reported error."""

    def __init__(self, clean_stop_exception_types: Any = None) -> None:
        self._clean = tuple(clean_stop_exception_types or (OutOfRangeError,))
        self._stop = threading.Event()
        self._exc: BaseException | None = None
        self._joined = False

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def request_stop(self, ex: Any = None) -> None:
        if ex is not None and not isinstance(ex, self._clean) and self._exc is None:
            self._exc = ex if isinstance(ex, BaseException) else ex[1]
        self._stop.set()

    def clear_stop(self) -> None:
        self._stop.clear()
        self._exc = None
        self._joined = False

    def wait_for_stop(self, timeout: Any = None) -> bool:
        return self._stop.wait(timeout)

    @contextlib.contextmanager
    def stop_on_exception(self) -> Iterator[None]:
        try:
            yield
        except Exception as e:  # noqa: BLE001  (reported to the coordinator, as TF does)
            self.request_stop(e)

    def raise_requested_exception(self) -> None:
        if self._exc is not None:
            raise self._exc

    def join(self, threads: Any = None, stop_grace_period_secs: int = 120, ignore_live_threads: bool = False) -> None:
        for t in threads or []:
            if t.is_alive() or t.ident is not None:
                t.join(stop_grace_period_secs)
        self._joined = True
        self.raise_requested_exception()

    joined = property(lambda self: self._joined)
