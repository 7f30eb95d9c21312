"""`tf.keras.regularizers`: penalties added to a layer's `losses`.

    Dense(3, kernel_regularizer=regularizers.l2(0.01))  ->  loss += 0.01 * sum(kernel ** 2)
"""
from __future__ import annotations

from typing import Any

from ..._export import export
from .common import tf


@export("keras.regularizers.Regularizer", "keras.Regularizer", v1=("keras.regularizers.Regularizer",))
class Regularizer:
    def __call__(self, x: Any) -> Any:
        return 0.0

    def get_config(self) -> dict:
        return {}


@export("keras.regularizers.L1L2", "keras.regularizers.l1_l2")
class L1L2(Regularizer):
    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x: Any) -> Any:
        t = tf()
        loss = t.constant(0.0, dtype=x.dtype)
        if self.l1:
            loss = loss + self.l1 * t.reduce_sum(t.abs(x))
        if self.l2:
            loss = loss + self.l2 * t.reduce_sum(t.square(x))
        return loss

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


@export("keras.regularizers.L1", "keras.regularizers.l1")
class L1(Regularizer):
    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = float(l1)

    def __call__(self, x: Any) -> Any:
        return self.l1 * tf().reduce_sum(tf().abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


@export("keras.regularizers.L2", "keras.regularizers.l2")
class L2(Regularizer):
    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = float(l2)

    def __call__(self, x: Any) -> Any:
        return self.l2 * tf().reduce_sum(tf().square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2}


@export("keras.regularizers.get")
def get(identifier: Any) -> Any:
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
