"""Every primitive op, registered on import; see `registry` for how an op is declared.

Families: elementwise, reduce, array, indexing (and more modules as they are added);
compositions of primitives live in `composite`.
"""
from __future__ import annotations

import importlib
import pkgutil

from .. import operators
from .registry import REGISTRY, OpDef, op

# NOTE: op families are found by walking this package (add a file, not a list entry).
for _info in pkgutil.iter_modules(__path__):
    if _info.name not in ("registry", "testcases"):
        importlib.import_module(f"{__name__}.{_info.name}")

from . import array, composite, elementwise, indexing, reduce  # noqa: E402

operators.O.__dict__.update(
    add=elementwise.add, subtract=elementwise.subtract, multiply=elementwise.multiply,
    truediv=composite.truediv, floordiv=elementwise.floordiv, mod=elementwise.mod, pow=elementwise.pow_,
    negative=elementwise.negative, abs=elementwise.abs_, invert=composite.invert,
    bitwise_and=elementwise.bitwise_and, bitwise_or=elementwise.bitwise_or, bitwise_xor=elementwise.bitwise_xor,
    less=elementwise.less, less_equal=elementwise.less_equal, greater=elementwise.greater,
    greater_equal=elementwise.greater_equal, tensor_equals=composite.tensor_equals,
    tensor_not_equals=composite.tensor_not_equals, getitem=indexing.getitem,
)

__all__ = ["REGISTRY", "OpDef", "op"]
