"""tfcompat's engine: tensors, one op registry, one dispatch, autodiff, graphs.

Imports only go down: `runtime` never imports `tfcompat` or `upgrader`.
"""
from . import ops  # noqa: F401  (registers every op)
from .dispatch import constant, convert_to_tensor, execute, executing_eagerly
from .tensor import Tensor

__all__ = ["Tensor", "constant", "convert_to_tensor", "execute", "executing_eagerly", "ops"]
