"""`tf.linalg`: matmul, tensordot, einsum, inverse, determinant, norms, eye, diagonals, trace.

    tf.linalg.matmul(a, b, transpose_b=True);  tf.einsum("bij,bjk->bik", a, b)
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch, dtypes
from runtime.ops import composite_math as cm, linalg, operators_bind  # noqa: F401  (binds `@`)
from runtime.ops import array

from .._export import export


@export("linalg.matmul", "matmul", v1=("matmul",))
def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
           adjoint_b: bool = False, a_is_sparse: bool = False, b_is_sparse: bool = False, output_type: Any = None,
           grad_a: bool = False, grad_b: bool = False, name: str | None = None) -> Any:
    """tf.matmul(a, b, transpose_b=True) == a @ b^T; rank > 2 multiplies batches of matrices."""
    out = cm.matmul(a, b, transpose_a, transpose_b, adjoint_a, adjoint_b, name=name)
    return out if output_type is None else array.cast(out, output_type)


@export("linalg.tensordot", "tensordot")
def tensordot(a: Any, b: Any, axes: Any, name: str | None = None) -> Any:
    """tf.tensordot(a, b, axes=[[1], [0]]) == a @ b for matrices; axes=0 is the outer product."""
    return cm.tensordot(a, b, axes)


@export("linalg.einsum", "einsum")
def einsum(equation: str, *inputs: Any, **kwargs: Any) -> Any:
    """tf.einsum("ij,jk->ik", a, b): Einstein summation (implicit output and '...' supported)."""
    return cm.einsum(equation, *inputs)


@export("linalg.inv", v1=("linalg.inv", "matrix_inverse"))
def inv(input: Any, adjoint: bool = False, name: str | None = None) -> Any:  # noqa: A002
    """tf.linalg.inv(a): the inverse of each innermost square matrix."""
    return linalg.matrix_inverse(input, adjoint=bool(adjoint), name=name)


@export("linalg.det", v1=("linalg.det", "matrix_determinant"))
def det(input: Any, name: str | None = None) -> Any:  # noqa: A002
    """tf.linalg.det(a): the determinant of each innermost square matrix."""
    return linalg.matrix_determinant(input, name=name)


@export("linalg.norm", "norm", v1=())
def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None, keepdims: Any = None,  # noqa: A002
         name: str | None = None) -> Any:
    """tf.norm([3., 4.]) == 5.0; ord=1, np.inf, p > 0 for vectors, 'fro', 1, inf for axis pairs."""
    if axis is not None and not isinstance(axis, int):
        axis = tuple(int(a) for a in axis)
    return cm.norm(tensor, ord=ord, axis=axis, keepdims=bool(keepdims))


@export("linalg.eye", "eye")
def eye(num_rows: Any, num_columns: Any = None, batch_shape: Any = None, dtype: Any = dtypes.float32,
        name: str | None = None) -> Any:
    """tf.eye(2) == [[1., 0.], [0., 1.]]; batch_shape=[3] gives three of them."""
    return cm.eye(int(num_rows), num_columns, batch_shape, dtype)


@export("linalg.diag", v1=("matrix_diag",))
def diag(diagonal: Any, name: str = "diag", k: int = 0, num_rows: int = -1, num_cols: int = -1,
         padding_value: Any = 0, align: str = "RIGHT_LEFT") -> Any:
    """tf.linalg.diag([1, 2]) == [[1, 0], [0, 2]] (main diagonal only: k=0, square, zero padding)."""
    if k != 0 or num_rows != -1 or num_cols != -1 or padding_value != 0:
        raise NotImplementedError("tf.linalg.diag supports the main diagonal only (k=0, default rows/cols/"
                                  "padding); build other bands with tf.pad / tf.scatter_nd")
    return linalg.matrix_diag(diagonal)


@export("linalg.diag_part", v1=("matrix_diag_part",))
def diag_part(input: Any, name: str = "diag_part", k: int = 0, padding_value: Any = 0,  # noqa: A002
              align: str = "RIGHT_LEFT") -> Any:
    """tf.linalg.diag_part([[1, 2], [3, 4]]) == [1, 4] (main diagonal only)."""
    if k != 0:
        raise NotImplementedError("tf.linalg.diag_part supports k=0 only; slice and gather other diagonals")
    return linalg.matrix_diag_part(input)


@export("linalg.trace", v1=("trace",))
def trace(x: Any, name: str | None = None) -> Any:
    """tf.linalg.trace([[1, 2], [3, 4]]) == 5: the sum of each innermost matrix's diagonal."""
    return cm.trace(x)


_ = dispatch
