"""`tf.estimator.inputs.numpy_input_fn` / `pandas_input_fn`: input_fns that batch in-memory arrays.

    input_fn = tf.estimator.inputs.numpy_input_fn({"x": xs}, ys, batch_size=4, num_epochs=None, shuffle=False)
    features, labels = input_fn()      # {"x": <float32 (4,)>}, <float32 (4,)>

Batches come in order (wrapping around between epochs) with shuffle=False, as TensorFlow's queues give
them. With shuffle=True the order is a different random order from TensorFlow's (its RandomShuffleQueue
cannot be reproduced). With num_epochs=None batches have a static batch size; the last batch of a
finite input may be smaller.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..._export import export
from ..data.dataset import Dataset


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
        elements = (xs,) if ys is None else (xs, ys)
        ds = Dataset.from_tensor_slices(elements)
        if shuffle:
            ds = ds.shuffle(queue_capacity)
        ds = ds.repeat(num_epochs).batch(batch_size, drop_remainder=num_epochs is None)
        batch = ds.make_one_shot_iterator().get_next()
        features = batch[0] if x_is_dict else batch[0]["__x"]
        if ys is None:
            return features
        return features, (batch[1] if y_is_dict else batch[1]["__y"])
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
