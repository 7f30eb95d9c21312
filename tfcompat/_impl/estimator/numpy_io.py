"""`tf.estimator.inputs.numpy_input_fn` / `pandas_input_fn`: input_fns that batch in-memory arrays.

    input_fn = tf.estimator.inputs.numpy_input_fn({"x": xs}, ys, batch_size=4, num_epochs=None, shuffle=False)
    features, labels = input_fn()      # {"x": <float32 (4,)>}, <float32 (4,)>

Batches come in order (wrapping around between epochs) with shuffle=False, as TensorFlow's queues give
them. With shuffle=True rows are shuffled per epoch, in a different random order from TensorFlow's (its
RandomShuffleQueue cannot be reproduced; the graph seed seeds it). With num_epochs=None batches have a
static batch size; the last batch of a finite input may be smaller. The batches come from one stateful
graph node that slices the arrays (no per-row tf.data work).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dtypes
from runtime.errors import OutOfRangeError
from runtime.graph_tensor import pseudo_op

from ..._export import export
from ..v1.graph_api import get_default_graph


def _check_length(name: str, arrays: dict, length: int) -> None:
    for key, value in arrays.items():
        if len(value) != length:
            raise ValueError(f"Length of tensors in x and y is mismatched. All elements in x and y must have the same "
                             f"length.\nShapes in {name}: {key} has length {len(value)}, expected {length}")


def _array(v: Any) -> np.ndarray:
    a = np.asarray(v)
    if a.dtype.kind == "U":  # NOTE: string features as TF's bytes, so they compare equal to string constants
        a = np.char.encode(a, "utf-8").astype(object)
    return a


class _Feeder:
    """Batches of rows of in-memory arrays, in order (wrapping between epochs) or shuffled per epoch."""

    def __init__(self, arrays: dict, batch_size: int, num_epochs: Any, shuffle: bool, seed: Any) -> None:
        self.keys, self.arrays = list(arrays), list(arrays.values())
        self.n, self.batch_size, self.num_epochs = len(self.arrays[0]), int(batch_size), num_epochs
        self.rng = np.random.RandomState(seed) if shuffle else None
        self.position, self.order = 0, self._order()

    def _order(self) -> np.ndarray:
        return self.rng.permutation(self.n) if self.rng is not None else np.arange(self.n)

    def next(self) -> tuple:
        total = None if self.num_epochs is None else self.num_epochs * self.n
        if total is not None and self.position >= total:
            raise OutOfRangeError(None, None, "FIFOQueue '_1_fifo_queue' is closed and has insufficient elements "
                                  "(the numpy_input_fn input is exhausted: num_epochs reached)")
        end = self.position + self.batch_size if total is None else min(self.position + self.batch_size, total)
        rows = []
        while self.position < end:   # NOTE: a batch may straddle epochs, as TF's feeding queue's do
            i = self.position % self.n
            take = min(end - self.position, self.n - i)
            rows.append(self.order[i:i + take])
            self.position += take
            if self.position % self.n == 0:
                self.order = self._order()
        index = np.concatenate(rows)
        return tuple(a[index] for a in self.arrays)


def _feed(arrays: dict, batch_size: int, num_epochs: Any, shuffle: bool) -> dict:
    """Graph tensors of the next batch of `arrays` (one stateful node; OutOfRangeError when exhausted)."""
    graph = get_default_graph()
    feeder = _Feeder(arrays, batch_size, num_epochs, shuffle, graph.seed)
    d = [dtypes.as_dtype(a.dtype if a.dtype != object else np.bytes_) for a in feeder.arrays]
    batch = batch_size if num_epochs is None else None
    shapes = tuple((batch,) + a.shape[1:] for a in feeder.arrays)
    n = len(d)
    op = pseudo_op("QueueDequeueManyV2" if num_epochs is None else "QueueDequeueUpToV2",
                   lambda feeder=None: feeder.next() if n > 1 else feeder.next()[0], num_outputs=n, stateful=True,
                   shape=lambda **_: shapes if n > 1 else shapes[0], dtype=lambda **_: tuple(d) if n > 1 else d[0])
    out = graph.create_op(op, (), {"feeder": feeder}, "fifo_queue_DequeueMany" if num_epochs is None else
                          "fifo_queue_DequeueUpTo")
    outs = [out] if n == 1 else list(out)
    return dict(zip(feeder.keys, outs))


def _make_input_fn(x: Any, y: Any, batch_size: int, num_epochs: Any, shuffle: Any, queue_capacity: int,
                   what: str) -> Any:
    if not isinstance(shuffle, bool):
        raise ValueError("shuffle must be provided and explicitly set as boolean (it is recommended to set it as True "
                         f"for training); got {shuffle}")
    x_is_dict, y_is_dict = isinstance(x, dict), isinstance(y, dict)
    xs = {k: _array(v) for k, v in x.items()} if x_is_dict else {"__x": _array(x)}
    if x_is_dict and not xs:
        raise ValueError("x cannot be an empty dict")
    ys = None if y is None else {k: _array(v) for k, v in y.items()} if y_is_dict else {"__y": _array(y)}
    if ys is not None and x_is_dict and y_is_dict and set(xs) & set(ys):
        raise ValueError(f"{len(set(xs) & set(ys))} duplicate keys are found in both x and y: {sorted(set(xs) & set(ys))}")
    length = len(next(iter(xs.values())))
    _check_length("x", xs, length)
    if ys is not None:
        _check_length("y", ys, length)
    if num_epochs is not None and num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 or None, given: {num_epochs}")

    def input_fn() -> Any:
        arrays = {**{("x", k): v for k, v in xs.items()}, **{("y", k): v for k, v in (ys or {}).items()}}
        batch = _feed(arrays, batch_size, num_epochs, shuffle)
        features = {k: batch[("x", k)] for k in xs}
        features = features if x_is_dict else features["__x"]
        if ys is None:
            return features
        labels = {k: batch[("y", k)] for k in ys}
        return features, (labels if y_is_dict else labels["__y"])
    input_fn.__doc__ = f"The input_fn made by {what}."
    return input_fn


@export(v1=("estimator.inputs.numpy_input_fn",))
def numpy_input_fn(x: Any, y: Any = None, batch_size: int = 128, num_epochs: Any = 1, shuffle: Any = None,
                   queue_capacity: int = 1000, num_threads: int = 1) -> Any:
    """An input_fn giving `(features, labels)` batches of numpy arrays `x` (array or dict) and `y`."""
    return _make_input_fn(x, y, batch_size, num_epochs, shuffle, queue_capacity, "numpy_input_fn")


@export(v1=("estimator.inputs.pandas_input_fn",))
def pandas_input_fn(x: Any, y: Any = None, batch_size: int = 128, num_epochs: Any = 1, shuffle: Any = None,
                    queue_capacity: int = 1000, num_threads: int = 1, target_column: str = "target") -> Any:
    """An input_fn giving batches of a pandas DataFrame's columns (features) and a Series `y` (labels)."""
    try:
        import pandas as pd  # noqa: PLC0415
    except ImportError:
        raise TypeError("pandas_input_fn needs pandas: pip install pandas (or use numpy_input_fn)") from None
    if not isinstance(x, pd.DataFrame):
        raise TypeError(f"x must be a pandas DataFrame, got {type(x).__name__}")
    if y is not None:
        if target_column in x:
            raise ValueError(f"Cannot use name {target_column} for target column: DataFrame already has a column "
                             "with that name: " + ", ".join(x.columns))
        if not np.array_equal(x.index, y.index):
            raise ValueError(f"Index for x and y are mismatched.\nIndex for x: {x.index}\nIndex for y: {y.index}\n")
        y = y.values if isinstance(y, pd.Series) else {k: y[k].values for k in y.columns}
    columns = {k: x[k].values for k in x.columns}
    return _make_input_fn(columns, y, batch_size, num_epochs, shuffle, queue_capacity, "pandas_input_fn")
