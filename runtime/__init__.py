"""tfcompat's engine: tensors, one op registry, one dispatch, autodiff, graphs.

Imports only go down: `runtime` never imports `tfcompat` or `upgrader`.
"""
from . import memory as _memory
from . import ops  # noqa: F401  (registers every op)
from .dispatch import constant, convert_to_tensor, execute, executing_eagerly
from .tensor import Tensor

_memory.keep_freed_buffers()   # NOTE: freed large arrays are reused instead of page-faulted afresh

__all__ = ["Tensor", "constant", "convert_to_tensor", "execute", "executing_eagerly", "ops"]
