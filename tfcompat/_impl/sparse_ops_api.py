"""`tf.sparse`: to_dense, from_dense, reorder, sparse_dense_matmul, and `tf.edit_distance`
(TF1: `tf.sparse_tensor_to_dense`, `tf.sparse_reorder`, `tf.sparse_tensor_dense_matmul`, `tf.sparse.matmul`).

    sp = tf.sparse.from_dense([[0., 2.], [3., 0.]])      # indices [[0, 1], [1, 0]], values [2., 3.]
    tf.sparse.sparse_dense_matmul(sp, tf.ones([2, 4]))   # == tf.sparse.to_dense(sp) @ tf.ones([2, 4])
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch, dtypes
from runtime.errors import InvalidArgumentError
from runtime.ops import array, edit_distance as ed, gather, sparse as sp_ops

from .._export import export
from .sparse_tensor import SparseTensor


def _sparse(sp_input: Any) -> SparseTensor:
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return sp_input


@export("sparse.to_dense", v1=("sparse.to_dense", "sparse_tensor_to_dense"))
def to_dense(sp_input: Any, default_value: Any = None, validate_indices: bool = True, name: str | None = None) -> Any:
    """The dense tensor: values at indices, `default_value` (0) elsewhere; indices must be in row-major order."""
    sp = _sparse(sp_input)
    default = dispatch.convert_to_tensor(default_value if default_value is not None else
                                         ("" if sp.dtype is dtypes.string else 0), dtype=sp.dtype)
    return sp_ops.sparse_to_dense(sp.indices, sp.dense_shape, sp.values, default,
                                  validate_indices=bool(validate_indices), name=name)


@export("sparse.from_dense")
def from_dense(tensor: Any, name: str | None = None) -> SparseTensor:
    """The non-zero (non-empty) entries of `tensor` as a SparseTensor, in row-major order."""
    x = dispatch.convert_to_tensor(tensor)
    indices = gather.where(x)
    return SparseTensor(indices, gather.gather_nd(x, indices), array.shape(x, out_type=dtypes.int64))


@export("sparse.reorder", v1=("sparse.reorder", "sparse_reorder"))
def reorder(sp_input: Any, name: str | None = None) -> SparseTensor:
    """The same SparseTensor with its entries in canonical row-major order (what to_dense requires)."""
    sp = _sparse(sp_input)
    indices, values = sp_ops.sparse_reorder(sp.indices, sp.values, sp.dense_shape, name=name)
    out = SparseTensor(indices, values, sp.dense_shape)
    out.set_shape(sp.shape)
    return out


_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half"}  # TensorFlow's DataType names


def _dense_operand(b: Any, dtype: Any) -> Any:
    if not dispatch.is_tensor(b) and not hasattr(b, "_as_tensor"):
        return dispatch.convert_to_tensor(b, dtype=dtype)
    b = dispatch.convert_to_tensor(b)
    if b.dtype is not dtype:
        want, got = (_TF_NAMES.get(d.name, d.name) for d in (dtype, b.dtype))
        raise InvalidArgumentError(None, None, f"cannot compute SparseTensorDenseMatMul as input #3(zero-based) was "
                                   f"expected to be a {want} tensor but is a {got} tensor "
                                   "[Op:SparseTensorDenseMatMul] (cast one operand with tf.cast)")
    return b


@export("sparse.sparse_dense_matmul",
        v1=("sparse.sparse_dense_matmul", "sparse.matmul", "sparse_tensor_dense_matmul"))
def sparse_dense_matmul(sp_a: Any, b: Any, adjoint_a: bool = False, adjoint_b: bool = False,
                        name: str | None = None) -> Any:
    """sparse @ dense (or dense @ sparse when `b` is the SparseTensor), without densifying the sparse side."""
    if isinstance(b, SparseTensor) and not isinstance(sp_a, SparseTensor):
        # NOTE: a @ B == (B^T @ a^T)^T, as TensorFlow computes it
        out = sparse_dense_matmul(b, sp_a, adjoint_a=not adjoint_b, adjoint_b=not adjoint_a)
        return array.transpose(out, perm=(1, 0), name=name)
    sp = _sparse(sp_a)
    dense = _dense_operand(b, sp.dtype)
    return sp_ops.sparse_tensor_dense_mat_mul(sp.indices, sp.values, sp.dense_shape, dense,
                                              adjoint_a=bool(adjoint_a), adjoint_b=bool(adjoint_b), name=name)


@export("edit_distance")
def edit_distance(hypothesis: Any, truth: Any, normalize: bool = True, name: str = "edit_distance") -> Any:
    """Levenshtein distance between the sequences (last axis) of two SparseTensors, divided by the truth's
    length when `normalize`: edit_distance(["bear"], ["beers"]) == 0.4 (as character SparseTensors)."""
    parts = []
    for what, sp in (("Hypothesis", hypothesis), ("Truth", truth)):
        if type(sp).__name__ == "SparseTensorValue":
            sp = SparseTensor.from_value(sp)
        if not isinstance(sp, SparseTensor):
            raise TypeError(f"{what} must be a SparseTensor.")
        parts.append(sp)
    h, t = parts
    if h.dtype is not t.dtype:
        want, got = (_TF_NAMES.get(d.name, d.name) for d in (h.dtype, t.dtype))
        raise InvalidArgumentError(None, None, f"cannot compute EditDistance as input #4(zero-based) was expected to "
                                   f"be a {want} tensor but is a {got} tensor [Op:EditDistance]")
    return ed.edit_distance(h.indices, h.values, h.dense_shape, t.indices, t.values, t.dense_shape,
                            normalize=bool(normalize), name=name)
