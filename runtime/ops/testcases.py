"""Example inputs that the registry-wide tests run every op on.

    cases=floats(2) + ints(2)    # two float32 inputs of broadcastable shapes, then two int32
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

Case = tuple  # (inputs: tuple of arrays, attrs: dict)
SHAPES = {1: [((2, 3),), ((),)], 2: [((2, 3), (2, 3)), ((2, 3), (3,)), ((), (4,))],
          3: [((2, 3), (2, 3), (2, 3))]}


class Cases:
    """A list of case generators that can be added together."""

    def __init__(self, *makers: Callable[[np.random.Generator], list]) -> None:
        self.makers = makers

    def __add__(self, other: "Cases") -> "Cases":
        return Cases(*self.makers, *other.makers)

    def __call__(self, rng: np.random.Generator) -> list:
        return [case for make in self.makers for case in make(rng)]


def _arrays(n: int, draw: Callable[[np.random.Generator, tuple], np.ndarray], attrs: dict | None = None) -> Cases:
    def make(rng: np.random.Generator) -> list:
        return [(tuple(draw(rng, s) for s in shapes), dict(attrs or {})) for shapes in SHAPES[n]]
    return Cases(make)


def floats(n: int, dtype: Any = np.float64, **attrs: Any) -> Cases:
    """Standard-normal values (float64 so finite differences are precise)."""
    return _arrays(n, lambda rng, s: rng.standard_normal(s).astype(dtype), attrs)


def positive(n: int, dtype: Any = np.float64, **attrs: Any) -> Cases:
    return _arrays(n, lambda rng, s: rng.uniform(0.5, 2.0, s).astype(dtype), attrs)


def unit_interval(n: int, dtype: Any = np.float64, **attrs: Any) -> Cases:
    return _arrays(n, lambda rng, s: rng.uniform(-0.9, 0.9, s).astype(dtype), attrs)


def ints(n: int, low: int = -5, high: int = 6, **attrs: Any) -> Cases:
    return _arrays(n, lambda rng, s: rng.integers(low, high, s).astype(np.int32), attrs)


def bools(n: int, **attrs: Any) -> Cases:
    return _arrays(n, lambda rng, s: rng.standard_normal(s) > 0, attrs)


def given(*inputs: Any, **attrs: Any) -> Cases:
    """One explicit case: `given(np.ones((2, 3)), axis=1)`."""
    return Cases(lambda rng: [(tuple(np.asarray(i) if not isinstance(i, np.ndarray) else i for i in inputs),
                               dict(attrs))])


_DRAW = {"normal": lambda rng, s: rng.standard_normal(s),
         "positive": lambda rng, s: rng.uniform(0.5, 2.0, s),
         "int": lambda rng, s: rng.integers(-5, 6, s).astype(np.int32),
         "bool": lambda rng, s: rng.standard_normal(s) > 0}


def shaped(*shapes: tuple, draw: str = "normal", **attrs: Any) -> Cases:
    """One case of random arrays with the given shapes: `shaped((2, 3), (3,), draw="positive", axis=1)`."""
    return Cases(lambda rng: [(tuple(_DRAW[draw](rng, s) for s in shapes), dict(attrs))])
