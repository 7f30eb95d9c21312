"""`tf.sparse_to_dense` and `tf.read_file`: TF1 top-level names real code uses.

    tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], [5, 6])     # [[0, 5], [0, 0], [6, 0]]
    tf.read_file("img.png")                                  # a scalar string tensor with the bytes
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.errors import NotFoundError
from runtime.graph_tensor import pseudo_op
from runtime.ops import sparse

from ._api import shared_export


@shared_export(v1=("sparse_to_dense",))
def sparse_to_dense(sparse_indices: Any, output_shape: Any, sparse_values: Any, default_value: Any = 0,
                    validate_indices: bool = True, name: str | None = None) -> Any:
    """A dense tensor of `output_shape`: `sparse_values` at `sparse_indices`, `default_value` elsewhere."""
    vals = dispatch.convert_to_tensor(sparse_values)
    return sparse.sparse_to_dense(dispatch.convert_to_tensor(sparse_indices), dispatch.convert_to_tensor(output_shape),
                                  vals, dispatch.convert_to_tensor(default_value, dtype=vals.dtype),
                                  validate_indices=bool(validate_indices), name=name)


def _read_kernel(filename: Any) -> Any:
    path = np.asarray(filename, dtype=object).item()
    path = path.decode() if isinstance(path, bytes) else str(path)
    try:
        with open(path, "rb") as f:
            return np.array(f.read(), dtype=object)
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None


_READ = pseudo_op("ReadFile", _read_kernel, shape=lambda s: (), dtype=lambda d: dtypes.string, stateful=True)


@shared_export(v1=("read_file", "io.read_file"))
def read_file(filename: Any, name: str | None = None) -> Any:
    """The whole contents of `filename` as a scalar string tensor."""
    return dispatch.execute(_READ, (dispatch.convert_to_tensor(filename, dtype=dtypes.string),), {},
                            name or "ReadFile")
