"""TF1 signatures of array functions whose argument order or names changed in TF2.

    tf.transpose(a, perm=None, name="transpose", conjugate=False)      # TF1 order
    tf.zeros_like(tensor, dtype=None, name=None, optimize=True)         # `tensor`, not `input`
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch

from ._api import shared_export, v1_export, v2


@v1_export("transpose")
def transpose(a: Any, perm: Any = None, name: str = "transpose", conjugate: bool = False) -> Any:
    """tf.transpose(x, [1, 0]); perm=None reverses the axes."""
    return v2("transpose")(a, perm, conjugate, name=name)


@v1_export("zeros_like")
def zeros_like(tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True) -> Any:
    """Zeros with `tensor`'s shape (and dtype unless given)."""
    return v2("zeros_like")(tensor, dtype, name=name or "zeros_like")


@v1_export("ones_like")
def ones_like(tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True) -> Any:
    """Ones with `tensor`'s shape (and dtype unless given)."""
    return v2("ones_like")(tensor, dtype, name=name or "ones_like")


@v1_export("size")
def size(input: Any, name: str | None = None, out_type: Any = None) -> Any:  # noqa: A002
    """The number of elements of `input` (int32)."""
    return v2("size")(input, out_type, name=name)


@v1_export("pad")
def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", name: str | None = None, constant_values: Any = 0) -> Any:
    """tf.pad(x, [[1, 1], [2, 0]]): pad each axis by (before, after)."""
    return v2("pad")(tensor, paddings, mode, constant_values, name=name)


@v1_export("boolean_mask")
def boolean_mask(tensor: Any, mask: Any, name: str = "boolean_mask", axis: Any = None) -> Any:
    """The entries of `tensor` where `mask` is true."""
    return v2("boolean_mask")(tensor, mask, axis, name=name)


@v1_export("gather_nd", "manip.gather_nd")
def gather_nd(params: Any, indices: Any, name: str | None = None, batch_dims: int = 0,
              bad_indices_policy: str = "") -> Any:
    """Slices of `params` at the index tuples in `indices`' last axis."""
    return v2("gather_nd")(params, indices, batch_dims, name=name)


@v1_export("scalar_mul")
def scalar_mul(scalar: Any, x: Any, name: str | None = None) -> Any:
    """scalar * x for a scalar `scalar`."""
    return v2("multiply")(scalar, x, name=name)


@v1_export("nn.xw_plus_b")
def xw_plus_b(x: Any, weights: Any, biases: Any, name: str | None = None) -> Any:
    """matmul(x, weights) + biases."""
    return v2("nn.bias_add")(v2("linalg.matmul")(x, weights), biases, name=name or "xw_plus_b")


@shared_export("linalg.tensor_diag", v1=("diag", "linalg.tensor_diag"))
def tensor_diag(diagonal: Any, name: str | None = None) -> Any:
    """TF1's tf.diag: a rank-2k tensor with `diagonal` (rank k) on its diagonal; zeros elsewhere."""
    x = dispatch.convert_to_tensor(diagonal)
    shape = x.shape.as_list() if x.shape.is_fully_defined() else v2("shape")(x)
    square = v2("linalg.diag")(v2("reshape")(x, [-1]))
    return v2("reshape")(square, shape + shape if isinstance(shape, list) else v2("concat")([shape, shape], 0), name=name or "Diag")
