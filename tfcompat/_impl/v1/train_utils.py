"""`tf.train` helpers: the global step and TF1's learning-rate schedules (graph tensors of the step).

    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.1, step, decay_steps=100, decay_rate=0.96, staircase=True)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.ops import elementwise as e

from ._api import v1_export
from .graph_api import get_default_graph
from .variables_v1 import VariableV1


@v1_export("train.get_global_step")
def get_global_step(graph: Any = None) -> Any:
    g = graph or get_default_graph()
    items = g.get_collection("global_step")
    if len(items) > 1:
        raise TypeError("There should be only one global step tensor")
    return items[0] if items else None


@v1_export("train.create_global_step")
def create_global_step(graph: Any = None) -> Any:
    g = graph or get_default_graph()
    if get_global_step(g) is not None:
        raise ValueError("\"global_step\" already exists.")
    with g.as_default(), g.name_scope(""):
        return VariableV1(np.int64(0), trainable=False, name="global_step", dtype=dtypes.int64,
                          collections=["variables", "global_step"])


@v1_export("train.get_or_create_global_step")
def get_or_create_global_step(graph: Any = None) -> Any:
    """The graph's `global_step` int64 variable, created (0, not trainable) on first use."""
    step = get_global_step(graph)   # NOTE: not `or`: the truth of a variable read in eager code is its value
    return step if step is not None else create_global_step(graph)


@v1_export("train.global_step")
def global_step(sess: Any, global_step_tensor: Any) -> int:
    return int(sess.run(global_step_tensor))


def _f(x: Any) -> Any:
    x = dispatch.convert_to_tensor(x)
    return x if x.dtype is dtypes.float32 else e.cast(x, DstT=dtypes.float32)


def _step(global_step: Any) -> Any:
    if global_step is None:
        raise ValueError("global_step is required for exponential_decay.")
    return _f(global_step)


@v1_export("train.exponential_decay")
def exponential_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: str | None = None) -> Any:
    """lr * decay_rate ^ (step / decay_steps) (floored exponent when staircase)."""
    p = _step(global_step) / _f(decay_steps)
    if staircase:
        p = e.floor(p)
    return _f(learning_rate) * e.pow_(_f(decay_rate), p)


@v1_export("train.inverse_time_decay")
def inverse_time_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                       staircase: bool = False, name: str | None = None) -> Any:
    """lr / (1 + decay_rate * step / decay_steps)."""
    p = _step(global_step) / _f(decay_steps)
    if staircase:
        p = e.floor(p)
    return _f(learning_rate) / (_f(decay_rate) * p + 1.0)


@v1_export("train.natural_exp_decay")
def natural_exp_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: str | None = None) -> Any:
    """lr * exp(-decay_rate * step / decay_steps)."""
    p = _step(global_step) / _f(decay_steps)
    if staircase:
        p = e.floor(p)
    return _f(learning_rate) * e.exp(-_f(decay_rate) * p)


@v1_export("train.polynomial_decay")
def polynomial_decay(learning_rate: Any, global_step: Any, decay_steps: Any, end_learning_rate: float = 0.0001,
                     power: float = 1.0, cycle: bool = False, name: str | None = None) -> Any:
    """(lr - end) * (1 - step / decay_steps) ^ power + end, with the step clipped (or cycled)."""
    step, steps = _step(global_step), _f(decay_steps)
    if cycle:
        mult = e.ceil(step / steps)
        steps = steps * e.select(e.equal(mult, 0.0), e.ones_like_e(mult), mult)
    else:
        step = e.minimum(step, steps)
    frac = 1.0 - step / steps
    return (_f(learning_rate) - _f(end_learning_rate)) * e.pow_(frac, _f(power)) + _f(end_learning_rate)


@v1_export("train.piecewise_constant", "train.piecewise_constant_decay")
def piecewise_constant(x: Any, boundaries: list, values: list, name: str | None = None) -> Any:
    """values[i] where boundaries[i-1] < x <= boundaries[i]."""
    if len(values) != len(boundaries) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    x = dispatch.convert_to_tensor(x)
    out = dispatch.convert_to_tensor(values[-1])
    for b, v in reversed(list(zip(boundaries, values[:-1]))):
        b = dispatch.convert_to_tensor(b, dtype=x.dtype) if not dispatch.is_tensor(b) else b
        out = e.select(e.less_equal(x, b), dispatch.convert_to_tensor(v, dtype=out.dtype), out)
    return out


@v1_export("train.cosine_decay")
def cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any, alpha: float = 0.0,
                 name: str | None = None) -> Any:
    """lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)."""
    step = e.minimum(_step(global_step), _f(decay_steps))
    cosine = (e.cos(step / _f(decay_steps) * math.pi) + 1.0) * 0.5
    return _f(learning_rate) * (cosine * (1.0 - alpha) + alpha)
