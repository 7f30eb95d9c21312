"""Helpers shared by the v1 layer: v1-only exports and late binding to v2 functions.

    @v1_export("reduce_sum", "math.reduce_sum")       # TF1's own signature
    def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None)

    v2("math.reduce_sum")(x, axis=1)                   # the v2 function, looked up at call time

The v1 package is imported after the other `_impl` modules (package walk order), so a
name another module already exports for v1 with the same meaning is kept (`alias`).
"""
from __future__ import annotations

from typing import Any, Callable

from ... import _export
from ..._export import export


def v1_export(*names: str) -> Callable[[Any], Any]:
    """Publish under v1 names only (TF1 signature or TF1-only symbol)."""
    return export(v1=names)


def alias(v1_name: str, v2_name: str) -> None:
    """`tf.compat.v1.<v1_name>` is the same object as `tf.<v2_name>` (when both exist and v1 is free)."""
    obj = _export.V2.get(v2_name)
    if obj is not None and v1_name not in _export.V1:
        _export.V1[v1_name] = obj


def v2(name: str) -> Callable[..., Any]:
    """The v2 export `name` (e.g. "nn.relu"), resolved when called, with a clear error if missing."""
    obj = _export.V2.get(name)
    if obj is None:
        from runtime.errors import UnimplementedError  # noqa: PLC0415
        raise UnimplementedError(None, None, f"tf.{name} is not provided by tfcompat yet (needed by a v1 API)")
    return obj


def pick(name: str, new: Any, old: Any, new_name: str, old_name: str) -> Any:
    """TF1's deprecated-argument rule: at most one of `new`/`old` may be given."""
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}' in {name}")
    return new if new is not None else old


def shared_export(*names: str, v1: tuple | None = None) -> Callable[[Any], Any]:
    """Publish a name that TF1 and TF2 share (`tf.Graph`, `tf.group`), unless another module already does."""
    def register(obj: Any) -> Any:
        for n in names:
            _export.V2.setdefault(n, obj)
        for n in names if v1 is None else v1:
            _export.V1.setdefault(n, obj)
        return obj
    return register
