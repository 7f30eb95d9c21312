"""`tf.linalg` decompositions: eigh, eigvalsh, qr, svd (TF1 spellings `tf.self_adjoint_eig`, `tf.qr`, `tf.svd`).

    e, v = tf.linalg.eigh(a)                 # a @ v == v * e, eigenvalues ascending
    q, r = tf.linalg.qr(a)                   # a == q @ r
    s, u, v = tf.linalg.svd(a)               # a == u @ tf.linalg.diag(s) @ tf.transpose(v)
"""
from __future__ import annotations

import collections
from typing import Any

from runtime import dispatch
from runtime.ops import linalg_decomp as ld

from .._export import export

Qr = collections.namedtuple("Qr", ["q", "r"])


def _t(x: Any) -> Any:
    return dispatch.convert_to_tensor(x)


@export("linalg.eigh", v1=("linalg.eigh", "self_adjoint_eig"))
def eigh(tensor: Any, name: str | None = None) -> tuple:
    """tf.linalg.eigh([[2., 1.], [1., 2.]]) -> (e=[1., 3.], v with unit eigenvector columns)."""
    e, v = ld.self_adjoint_eig(_t(tensor), compute_v=True, name=name)
    return e, v


@export("linalg.eigvalsh", v1=("linalg.eigvalsh", "self_adjoint_eigvals"))
def eigvalsh(tensor: Any, name: str | None = None) -> Any:
    """tf.linalg.eigvalsh([[2., 1.], [1., 2.]]) == [1., 3.] (the eigenvalues of eigh, ascending)."""
    e, _ = ld.self_adjoint_eig(_t(tensor), compute_v=False, name=name)
    return e


@export("linalg.qr", v1=("linalg.qr", "qr"))
def qr(input: Any, full_matrices: bool = False, name: str | None = None) -> Qr:  # noqa: A002
    """tf.linalg.qr(a) -> Qr(q, r) with a == q @ r (full_matrices=True: q is square)."""
    q, r = ld.qr(_t(input), full_matrices=bool(full_matrices), name=name)
    return Qr(q, r)


@export("linalg.svd", v1=("linalg.svd", "svd"))
def svd(tensor: Any, full_matrices: bool = False, compute_uv: bool = True, name: str | None = None) -> Any:
    """tf.linalg.svd(a) -> (s, u, v), a == u @ diag(s) @ v^T; compute_uv=False -> s only (descending)."""
    s, u, v = ld.svd(_t(tensor), compute_uv=bool(compute_uv), full_matrices=bool(full_matrices), name=name)
    return (s, u, v) if compute_uv else s
