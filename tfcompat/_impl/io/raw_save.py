"""`tf.raw_ops.SaveV2`: tensors written under their own names as a TensorFlow checkpoint bundle (eager).

    tf.raw_ops.SaveV2(prefix="/tmp/init", tensor_names=["dense/kernel"], shape_and_slices=[""], tensors=[w])
    ->  /tmp/init.index + /tmp/init.data-00000-of-00001, read by tf.train.load_checkpoint("/tmp/init")

TF2 code writes a TF1 name-based checkpoint this way (what `tf.compat.v1.train.Saver` wrote), e.g. for an
Estimator's warm_start_from; native mode's Estimator conversion emits it.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import backend

from ..._export import export
from .bundle import write_bundle


def _host(value: Any) -> Any:
    value = value.numpy() if hasattr(value, "numpy") else value
    return backend.to_host(value) if not isinstance(value, (np.ndarray, list, tuple, str, bytes, int, float)) else value


def _text(value: Any) -> str:
    value = _host(value)
    value = value.item() if isinstance(value, np.ndarray) else value
    return value.decode() if isinstance(value, bytes) else str(value)


@export("raw_ops.SaveV2")
def SaveV2(prefix: Any, tensor_names: Any, shape_and_slices: Any, tensors: Any, name: str | None = None) -> None:
    """Write `tensors` under `tensor_names` to the bundle `prefix` (eager only; whole tensors, no slices)."""
    names = [_text(n) for n in (_host(tensor_names).tolist() if hasattr(_host(tensor_names), "tolist")
                                else tensor_names)]
    slices = [_text(s) for s in (_host(shape_and_slices).tolist() if hasattr(_host(shape_and_slices), "tolist")
                                 else shape_and_slices)]
    if len(names) != len(tensors) or len(slices) != len(tensors):
        raise ValueError(f"SaveV2: {len(names)} tensor_names and {len(slices)} shape_and_slices for "
                         f"{len(tensors)} tensors; give one of each per tensor")
    if any(slices):
        raise NotImplementedError("SaveV2 shape_and_slices: tfcompat writes whole tensors; pass \"\" for each")
    if any(type(t).__name__ == "SymbolicTensor" for t in tensors):
        raise NotImplementedError("tf.raw_ops.SaveV2 in a graph or tf.function: tfcompat runs it eagerly only; "
                                  "call it outside, or save with tf.train.Checkpoint")
    write_bundle(_text(prefix), {n: np.asarray(_host(t)) for n, t in zip(names, tensors)})
