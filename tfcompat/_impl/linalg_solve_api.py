"""`tf.linalg` linear systems: cholesky, solve, triangular_solve, cholesky_solve, band_part,
matrix_transpose, adjoint and cross (TF1 spellings `tf.cholesky`, `tf.matrix_solve`, ... too).

    l = tf.linalg.cholesky(a);  x = tf.linalg.cholesky_solve(l, b)     # a @ x == b
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch
from runtime.ops import array, linalg_solve as ls

from .._export import export


def _t(x: Any) -> Any:
    return dispatch.convert_to_tensor(x)


@export("linalg.cholesky", v1=("linalg.cholesky", "cholesky"))
def cholesky(input: Any, name: str | None = None) -> Any:  # noqa: A002
    """tf.linalg.cholesky([[4., 2.], [2., 5.]]) == [[2., 0.], [1., 2.]]."""
    return ls.cholesky(input, name=name)


@export("linalg.solve", v1=("linalg.solve", "matrix_solve"))
def solve(matrix: Any, rhs: Any, adjoint: bool = False, name: str | None = None) -> Any:
    """tf.linalg.solve(a, b): x with a @ x == b (adjoint=True: a^H @ x == b)."""
    return ls.matrix_solve(matrix, rhs, adjoint=bool(adjoint), name=name)


@export("linalg.triangular_solve", v1=("linalg.triangular_solve", "matrix_triangular_solve"))
def triangular_solve(matrix: Any, rhs: Any, lower: bool = True, adjoint: bool = False, name: str | None = None) -> Any:
    """tf.linalg.triangular_solve(l, b): x with tril(l) @ x == b (lower=False: the upper triangle)."""
    return ls.matrix_triangular_solve(matrix, rhs, lower=bool(lower), adjoint=bool(adjoint), name=name)


@export("linalg.cholesky_solve", v1=("linalg.cholesky_solve", "cholesky_solve"))
def cholesky_solve(chol: Any, rhs: Any, name: str | None = None) -> Any:
    """x with a @ x == rhs, given chol = tf.linalg.cholesky(a)."""
    y = ls.matrix_triangular_solve(chol, rhs, lower=True, adjoint=False)
    return ls.matrix_triangular_solve(chol, y, lower=True, adjoint=True, name=name)


@export("linalg.band_part", v1=("linalg.band_part", "matrix_band_part"))
def band_part(input: Any, num_lower: Any, num_upper: Any, name: str | None = None) -> Any:  # noqa: A002
    """tf.linalg.band_part(x, 0, -1): the upper triangle; (-1, 0) the lower; (0, 0) the diagonal."""
    return ls.band_part(input, num_lower=int(num_lower), num_upper=int(num_upper), name=name)


@export("linalg.matrix_transpose", v1=("linalg.matrix_transpose", "linalg.transpose", "matrix_transpose"))
def matrix_transpose(a: Any, name: str = "matrix_transpose", conjugate: bool = False) -> Any:
    """Swap the two innermost axes: [..., m, n] -> [..., n, m] (conjugate=True also conjugates)."""
    x = _t(a)
    rank = x.shape.rank
    if rank is None or rank < 2:
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received: {a!r}")
    if conjugate and x.dtype.is_complex:
        raise NotImplementedError("matrix_transpose(conjugate=True) of a complex matrix is not provided by "
                                  "tfcompat; use conjugate=False (real matrices need no conjugation)")
    return array.transpose(x, perm=tuple(range(rank - 2)) + (rank - 1, rank - 2), name=name)


@export("linalg.adjoint")
def adjoint(matrix: Any, name: str | None = None) -> Any:
    """The conjugate transpose of the innermost matrices."""
    return matrix_transpose(matrix, name=name or "adjoint", conjugate=True)


@export("linalg.cross", v1=("linalg.cross", "cross"))
def cross(a: Any, b: Any, name: str | None = None) -> Any:
    """The cross product of 3-vectors on the last axis: cross([1., 0, 0], [0., 1, 0]) == [0., 0, 1]."""
    x, y = _t(a), _t(b)
    if x.shape.rank is not None and x.shape[-1] not in (None, 3):
        raise ValueError(f"Cross product needs 3-vectors on the last axis, got shape {x.shape}")
    xs, ys = [x[..., i] for i in range(3)], [y[..., i] for i in range(3)]
    parts = [xs[1] * ys[2] - xs[2] * ys[1], xs[2] * ys[0] - xs[0] * ys[2], xs[0] * ys[1] - xs[1] * ys[0]]
    return array.stack(parts, axis=-1, name=name)
