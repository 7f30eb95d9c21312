"""Binds `tensor @ other` to matmul (added here, beside matmul's ops, not in a central list)."""
from __future__ import annotations

from .. import operators
from . import composite_math

operators.O.matmul = lambda a, b, name=None: composite_math.matmul(a, b, name=name)
