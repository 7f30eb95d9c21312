"""What Keras 3's preprocessing layers share: input conversion, categorical encoding, adapt() batches.

    encode(ids=[[0, 2], [3, 3]], "multi_hot", depth=4, dtype="float32")  ->  [[1, 0, 1, 0], [0, 0, 0, 1]]
    encode(ids=[[0, 2], [3, 3]], "count", depth=4, dtype="float32")      ->  [[1, 0, 1, 0], [0, 0, 0, 2]]
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from runtime import dispatch
from runtime.errors import InvalidArgumentError
from runtime.tensor import Tensor
from runtime.variables import Variable

from .base_layer import Layer
from .common import tf

ENCODINGS = ("int", "one_hot", "multi_hot", "count")


def as_tensor(x: Any, dtype: Any = None) -> Any:
    """A list, NumPy array or tensor as one tensor (strings stay strings), cast to `dtype` if given."""
    t = tf()
    x = x.value() if isinstance(x, Variable) else x
    if not dispatch.is_tensor(x):
        arr = np.asarray(x)
        if arr.dtype.kind == "U":
            arr = arr.astype(object)
        x = dispatch.convert_to_tensor(arr)
    if dtype is not None and x.dtype != t.as_dtype(dtype):
        x = t.cast(x, dtype)
    return x


def encode(ids: Any, output_mode: str, depth: int, dtype: Any, count_weights: Any = None) -> Any:
    """Keras's encode_categorical_inputs: ids -> int (cast), one_hot, multi_hot or count (last axis `depth`).

    Ids outside [0, depth) count nowhere (as DenseBincount's maxlength); a rank-1 input is one sample.
    """
    t = tf()
    if output_mode == "int":
        return t.cast(ids, dtype)
    if ids.shape.rank == 0:
        ids = t.expand_dims(ids, -1)
    if output_mode == "one_hot":
        if ids.shape.rank > 1 and ids.shape[-1] == 1:
            ids = t.squeeze(ids, -1)
        return t.one_hot(ids, depth, dtype=dtype)
    rank = ids.shape.rank
    if isinstance(ids, Tensor) and rank <= 2 and bool(np.any(ids.numpy() < 0)):   # NOTE: eager only, as a check
        raise InvalidArgumentError(None, None, "Input arr must be non-negative! [Op:DenseBincount]")
    if count_weights is not None:
        dtype = count_weights.dtype
    if rank == 1 or (rank == 2 and ids.shape[0] is not None):   # NOTE: a segment sum needs the row count
        return _bincount(ids, depth, dtype, count_weights, binary=output_mode == "multi_hot")
    hot = t.one_hot(ids, depth, dtype=dtype)
    if output_mode == "multi_hot":
        return t.reduce_max(hot, axis=-2)
    if count_weights is not None:
        hot = hot * t.expand_dims(t.cast(count_weights, dtype), -1)
    return t.reduce_sum(hot, axis=1 if rank > 1 else 0)


def _bincount(ids: Any, depth: int, dtype: Any, weights: Any, binary: bool) -> Any:
    """Per row (a rank-1 input is one row) the count (or presence) of each id in [0, depth), as DenseBincount:
    one segment sum over row * depth + id, out-of-range ids into a dropped extra segment."""
    t = tf()
    rank1 = ids.shape.rank == 1
    ids = t.cast(t.expand_dims(ids, 0) if rank1 else ids, t.int64)
    rows = int(ids.shape[0])
    valid = t.logical_and(t.greater_equal(ids, 0), t.less(ids, depth))
    dropped = rows * depth
    segments = t.where(valid, t.expand_dims(t.range(rows, dtype=t.int64) * depth, 1) + ids,
                       t.fill(t.shape(ids), dropped))
    data = t.ones_like(ids, dtype=dtype) if weights is None else t.cast(
        t.expand_dims(weights, 0) if rank1 else weights, dtype)
    counts = t.math.unsorted_segment_sum(t.reshape(data, [-1]), t.reshape(segments, [-1]), dropped + 1)
    counts = t.reshape(counts[:-1], [rows, depth])
    if binary:
        counts = t.cast(t.greater(counts, 0), dtype)
    return counts[0] if rank1 else counts


def check_mode(output_mode: str, allowed: tuple, layer: str) -> str:
    """Keras's validate_string_arg for `output_mode` ('binary' is 'multi_hot', 'tf-idf' is 'tf_idf')."""
    output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
    if output_mode not in allowed:
        raise ValueError(f"Unknown value for `output_mode` argument of {layer}. Allowed values are: {allowed}. "
                         f"Received: output_mode={output_mode}")
    return output_mode


def batches(data: Any, steps: Any = None) -> Iterator[Any]:
    """adapt()'s data as batches: a tensor or array is one batch; a Dataset or other iterable yields batches."""
    from ..data.dataset import Dataset  # noqa: PLC0415
    if isinstance(data, Dataset):
        data = data.take(steps) if steps is not None else data
        yield from data
        return
    if isinstance(data, np.ndarray) or dispatch.is_tensor(data) or isinstance(data, (str, bytes)):
        yield data
        return
    items = list(data)
    if items and all(isinstance(v, (str, bytes, int, float, np.generic)) for v in items):
        yield items   # NOTE: a flat list of values is one batch, as Keras converts it
        return
    for i, batch in enumerate(items):
        if steps is not None and i >= steps:
            break
        yield batch


class PreprocessingLayer(Layer):
    """A layer whose inputs are converted whole (a list of strings is one string tensor), never autocast."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.autocast = False

    def _convert_inputs(self, inputs: Any) -> Any:
        return as_tensor(inputs)

    def build(self, input_shape: Any = None) -> None:
        self.built = True
