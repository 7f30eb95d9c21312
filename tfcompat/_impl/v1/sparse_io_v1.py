"""`tf.sparse_to_dense`: a TF1 top-level name real code uses (`tf.read_file` is in io/file_ops.py).

    tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], [5, 6])     # [[0, 5], [0, 0], [6, 0]]
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch, dtypes
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
