"""`tf.keras.optimizers.schedules`: learning rate as a function of the optimizer's step.

    ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(5)  ->  0.1 * 0.5 ** 0.5
"""
from __future__ import annotations

import math
from typing import Any

from ..._export import export
from .common import tf


def _exp(name: str) -> Any:
    return export(f"keras.optimizers.schedules.{name}")


def _float_step(step: Any, dtype: Any = "float32") -> Any:
    return tf().cast(step, dtype)


@_exp("LearningRateSchedule")
class LearningRateSchedule:
    """Base class: `__call__(step)` returns the learning rate at that step."""

    def __call__(self, step: Any) -> Any:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override `get_config()`.")

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        return cls(**config)


@_exp("ExponentialDecay")
class ExponentialDecay(LearningRateSchedule):
    """lr * decay_rate ** (step / decay_steps) (the exponent floored when staircase)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "ExponentialDecay") -> None:
        if decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0, received: decay_steps={decay_steps}")
        self.initial_learning_rate, self.decay_steps, self.decay_rate = initial_learning_rate, decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step: Any) -> Any:
        t = tf()
        p = _float_step(step) / float(self.decay_steps)
        if self.staircase:
            p = t.floor(p)
        return self.initial_learning_rate * t.pow(t.constant(self.decay_rate, "float32"), p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


@_exp("PiecewiseConstantDecay")
class PiecewiseConstantDecay(LearningRateSchedule):
    """values[i] while boundaries[i-1] < step <= boundaries[i]."""

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. "
                             f"Received: boundaries={boundaries} of length {len(boundaries)}, and values={values} "
                             f"of length {len(values)}.")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step: Any) -> Any:
        t = tf()
        x = _float_step(step)
        out = t.constant(self.values[-1], "float32")
        for b, v in reversed(list(zip(self.boundaries, self.values))):
            out = t.where(x <= float(b), t.constant(v, "float32"), out)
        return out

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@_exp("PolynomialDecay")
class PolynomialDecay(LearningRateSchedule):
    """(lr0 - end) * (1 - step / decay_steps) ** power + end, step clipped (or cycled)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False, name: str = "PolynomialDecay") -> None:
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step: Any) -> Any:
        t = tf()
        x = _float_step(step)
        steps = t.constant(float(self.decay_steps), "float32")
        if self.cycle:
            mult = t.where(t.equal(x, 0.0), t.constant(1.0), t.math.ceil(x / float(self.decay_steps)))
            steps = steps * mult
        else:
            x = t.minimum(x, steps)
        frac = t.pow(1.0 - x / steps, t.constant(float(self.power)))
        return (self.initial_learning_rate - self.end_learning_rate) * frac + self.end_learning_rate

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


@_exp("InverseTimeDecay")
class InverseTimeDecay(LearningRateSchedule):
    """lr0 / (1 + decay_rate * step / decay_steps) (the ratio floored when staircase)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "InverseTimeDecay") -> None:
        self.initial_learning_rate, self.decay_steps, self.decay_rate = initial_learning_rate, decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step: Any) -> Any:
        t = tf()
        p = _float_step(step) / float(self.decay_steps)
        if self.staircase:
            p = t.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


@_exp("CosineDecay")
class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then lr * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0, name: str = "CosineDecay",
                 warmup_target: Any = None, warmup_steps: int = 0) -> None:
        self.initial_learning_rate, self.decay_steps, self.alpha = initial_learning_rate, decay_steps, alpha
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def __call__(self, step: Any) -> Any:
        t = tf()
        x = _float_step(step)
        if self.warmup_target is None:
            decay_from = t.constant(float(self.initial_learning_rate), "float32")
            return self._decay(t.minimum(x, float(self.decay_steps)), decay_from)
        warm = float(self.warmup_steps)
        target = float(self.warmup_target)
        warmup = (target - self.initial_learning_rate) * (x / max(warm, 1.0)) + self.initial_learning_rate
        after = self._decay(t.minimum(x - warm, float(self.decay_steps)), t.constant(target, "float32"))
        return t.where(x < warm, warmup, after)

    def _decay(self, x: Any, lr: Any) -> Any:
        t = tf()
        cosine = 0.5 * (1.0 + t.cos(math.pi * (x / float(self.decay_steps))))
        return lr * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


@export("keras.optimizers.schedules.serialize", v1=())
def serialize(learning_rate_schedule: LearningRateSchedule) -> dict:
    return {"class_name": type(learning_rate_schedule).__name__, "config": learning_rate_schedule.get_config()}
