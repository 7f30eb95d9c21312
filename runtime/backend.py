"""Array modules: NumPy on the CPU, CuPy on the GPU when it is installed.

Kernels are written once against an array module `xp`; an op is specialised
for each backend the first time it runs there (see ops.registry.OpDef.kernel).
"""
from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"
_cupy: ModuleType | None = None
_cupy_checked = False


def cupy() -> ModuleType | None:
    """The CuPy module when it imports and sees a GPU, else None (checked once)."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy as cp  # noqa: PLC0415  (optional dependency)
            cp.cuda.runtime.getDeviceCount()
            _cupy = cp
        except Exception:  # noqa: BLE001  (no CuPy, no driver, or no GPU: CPU only)
            _cupy = None
    return _cupy


def gpu_available() -> bool:
    return cupy() is not None


def is_gpu_array(array: Any) -> bool:
    return _cupy is not None and isinstance(array, _cupy.ndarray)


def xp_for(array: Any) -> ModuleType:
    """The array module that owns `array`."""
    return _cupy if is_gpu_array(array) else np  # type: ignore[return-value]


def to_host(array: Any) -> np.ndarray:
    """A NumPy copy (or view) of any backend's array."""
    return array.get() if is_gpu_array(array) else array


def to_device(array: Any, device: str) -> Any:
    """`array` moved to the backend that `device` names (`/device:GPU:0`, `CPU`...)."""
    if "GPU" in device.upper():
        cp = cupy()
        if cp is None:
            from .errors import InvalidArgumentError  # noqa: PLC0415
            raise InvalidArgumentError(None, None, f"Could not satisfy device specification '{device}': "
                                       "no GPU is visible (install tfcompat[gpu] and check `nvidia-smi`)")
        return cp.asarray(array)
    return to_host(array)


def device_name(array: Any) -> str:
    return "/job:localhost/replica:0/task:0/device:GPU:0" if is_gpu_array(array) else CPU
