"""`tf.keras.constraints`: projections applied to a weight after each optimizer update.

    Dense(4, kernel_constraint=tf.keras.constraints.MaxNorm(2.0))   # column norms <= 2
"""
from __future__ import annotations

from typing import Any

from ..._export import export
from .common import tf


def _names(cls: str, alias: str) -> tuple:
    names = (f"keras.constraints.{cls}", f"keras.constraints.{alias}")
    return export(*names, v1=names)


@export("keras.constraints.Constraint", v1=("keras.constraints.Constraint",))
class Constraint:
    """Base class: `__call__(w)` returns the projected weight."""

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)


def _norm(w: Any, axis: Any) -> Any:
    t = tf()
    return t.sqrt(t.reduce_sum(t.square(w), axis=axis, keepdims=True))


@_names("MaxNorm", "max_norm")
class MaxNorm(Constraint):
    """Rescale weights whose norm along `axis` exceeds `max_value`."""

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value, self.axis = max_value, axis

    def __call__(self, w: Any) -> Any:
        t = tf()
        norms = _norm(w, self.axis)
        desired = t.clip_by_value(norms, 0.0, float(self.max_value))
        return w * (desired / (t.cast(1e-7, w.dtype) + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


@_names("NonNeg", "non_neg")
class NonNeg(Constraint):
    """Zero out negative weights."""

    def __call__(self, w: Any) -> Any:
        return tf().maximum(w, 0.0)


@_names("UnitNorm", "unit_norm")
class UnitNorm(Constraint):
    """Scale weights to unit norm along `axis`."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        return w / (tf().cast(1e-7, w.dtype) + _norm(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


@_names("MinMaxNorm", "min_max_norm")
class MinMaxNorm(Constraint):
    """Keep norms along `axis` between `min_value` and `max_value`, moving there at `rate`."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w: Any) -> Any:
        t = tf()
        norms = _norm(w, self.axis)
        desired = self.rate * t.clip_by_value(norms, float(self.min_value), float(self.max_value)) \
            + (1 - self.rate) * norms
        return w * (desired / (t.cast(1e-7, w.dtype) + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


_BY_NAME = {"max_norm": MaxNorm, "maxnorm": MaxNorm, "non_neg": NonNeg, "nonneg": NonNeg,
            "unit_norm": UnitNorm, "unitnorm": UnitNorm, "min_max_norm": MinMaxNorm, "minmaxnorm": MinMaxNorm}


@export("keras.constraints.serialize", v1=("keras.constraints.serialize",))
def serialize(constraint: Any) -> Any:
    return None if constraint is None else {"class_name": type(constraint).__name__,
                                            "config": constraint.get_config()}


@export("keras.constraints.deserialize", v1=("keras.constraints.deserialize",))
def deserialize(config: Any, custom_objects: Any = None) -> Constraint:
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(name.lower())
    if cls is None:
        raise ValueError(f"Unknown constraint: '{name}' (known: MaxNorm, NonNeg, UnitNorm, MinMaxNorm)")
    return cls(**config.get("config", {}))


@export("keras.constraints.get", v1=("keras.constraints.get",))
def get(identifier: Any) -> Any:
    """None, a callable, a name ('non_neg') or a config dict -> a constraint."""
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() not in _BY_NAME:
            raise ValueError(f"Could not interpret constraint identifier: {identifier}")
        return _BY_NAME[identifier.lower()]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")
