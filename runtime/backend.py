"""Array modules and placement: NumPy on the CPU, CuPy on the GPU when it is installed and sees one.

Kernels are written once against an array module `xp`; an op is specialised for each
backend the first time it runs there (see ops.registry.OpDef.kernel). Placement follows
TensorFlow: with a device backend, new tensors and op results live on `/device:GPU:0`
unless `with tf.device('/CPU:0')` says otherwise; inputs on the other side are copied
to the op's device; `.numpy()`, printing and `Session.run` results are copied back.

    TFCOMPAT_TEST_DEVICE=strict   the strict stand-in (backend_strict) plays the GPU, for tests
    CUDA_VISIBLE_DEVICES=         CPU only, even with CuPy and a GPU
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
import warnings
from types import ModuleType
from typing import Any, Iterator

import numpy as np

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"
GPU = "/job:localhost/replica:0/task:0/device:GPU:0"
_HOST_KINDS = "OUSVMm"  # NOTE: strings and other Python objects always stay on the host, as in TensorFlow


def _select() -> ModuleType | None:
    """The device array module this process uses (checked once, at import)."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", "x").strip() in ("", "-1"):
        return None
    test = os.environ.get("TFCOMPAT_TEST_DEVICE", "").strip().lower()
    if test == "strict":
        from .backend_strict import xp  # noqa: PLC0415
        return xp
    if test not in ("", "0", "none", "cuda"):
        raise ValueError(f"TFCOMPAT_TEST_DEVICE={test!r} is not a test device: use 'strict' or leave it unset")
    if importlib.util.find_spec("cupy") is None:
        return None
    try:
        import cupy as cp  # noqa: PLC0415  (optional dependency)
        return cp if cp.cuda.runtime.getDeviceCount() > 0 else None
    except Exception:  # noqa: BLE001  (no driver, no GPU, or a broken CUDA install: CPU only)
        return None


_found: ModuleType | None = _select()
_device: ModuleType | None = _found  # NOTE: read on the hot path; None means CPU only
_device_array: type | None = _found.ndarray if _found is not None else None
_placed = False  # a tensor has been put on the device: visibility can no longer change
_warned: set = set()


class _Scope(threading.local):
    def __init__(self) -> None:
        self.stack: list[str | None] = []


_scope = _Scope()


def cupy() -> ModuleType | None:
    """The device array module (CuPy, or the strict stand-in under TFCOMPAT_TEST_DEVICE=strict)."""
    return _device


def scipy_special(xp: ModuleType) -> ModuleType:
    """`cupyx.scipy.special` for a device module `xp` (the strict stand-in's own for tests)."""
    if getattr(xp, "STRICT", False):
        from .backend_strict import scipy_special as strict  # noqa: PLC0415
        return strict()
    import cupyx.scipy.special  # noqa: PLC0415  (ships with CuPy)
    return cupyx.scipy.special


def gpu_available() -> bool:
    return _found is not None


def device_xp() -> ModuleType | None:
    return _device


def set_gpu_visible(visible: bool) -> None:
    """tf.config.set_visible_devices: hide the GPU (CPU-only run) or show it again, before any use."""
    global _device, _device_array
    want = _found if visible else None
    if want is _device:
        return
    if _placed:
        raise RuntimeError("Visible devices cannot be modified after being initialized")
    _device, _device_array = want, (want.ndarray if want is not None else None)


@contextlib.contextmanager
def using(xp: ModuleType | None) -> Iterator[None]:
    """Run the body with `xp` as the device module (tests: the strict stand-in in a CPU process)."""
    global _found, _device, _device_array, _placed
    saved = _found, _device, _device_array, _placed
    _found = _device = xp
    _device_array, _placed = (xp.ndarray if xp is not None else None), False
    try:
        yield
    finally:
        _found, _device, _device_array, _placed = saved


def is_gpu_array(array: Any) -> bool:
    return _device_array is not None and type(array) is _device_array


def xp_for(array: Any) -> ModuleType:
    """The array module that owns `array`."""
    return _device if is_gpu_array(array) else np  # type: ignore[return-value]


def to_host(array: Any) -> Any:
    """A NumPy copy (or the array itself) of any backend's array; other values pass."""
    return array.get() if _device_array is not None and type(array) is _device_array else array


def to_device(array: Any, device: str | None = None) -> Any:
    """`array` on the device (`/device:GPU:0`, the default with a device backend) or the host."""
    if device is not None and "GPU" not in device.upper():
        return to_host(array)
    xp = _device
    if xp is None:
        return array
    if type(array) is np.ndarray or isinstance(array, np.generic):
        if array.dtype.kind in _HOST_KINDS:
            return array
        global _placed
        _placed = True
        return xp.asarray(array)
    return array


def device_name(array: Any) -> str:
    return GPU if is_gpu_array(array) else CPU


# -- placement -------------------------------------------------------------------------------------
def _kind(spec: Any) -> str | None:
    """'CPU', 'GPU' or None (no device type named: inherit) for a device spec."""
    text = (spec if isinstance(spec, str) else getattr(spec, "name", "") or "").upper()
    for kind in ("GPU", "CPU"):
        if f"DEVICE:{kind}" in text or text.lstrip("/").startswith(kind):
            return kind
    return None


@contextlib.contextmanager
def device_scope(spec: Any) -> Iterator[None]:
    """Eager `with tf.device(spec)`: ops and new tensors inside go to that device."""
    _scope.stack.append(_kind(spec))
    try:
        yield
    finally:
        _scope.stack.pop()


def on_device() -> bool:
    """Whether new work goes to the device now (a device backend, and no CPU scope)."""
    if _device is None:
        return False
    for kind in reversed(_scope.stack):
        if kind is not None:
            return kind == "GPU"
    return True


def placement_key() -> Any:
    """What a compiled plan depends on: None (host) or the device module."""
    return _device if on_device() else None


def place_constant(array: Any) -> Any:
    """A new eager tensor's array where placement puts it."""
    return to_device(array) if on_device() else to_host(array)


def place(op: Any, arrays: Any) -> tuple:
    """(kernel, arrays): where `op` runs now and its inputs copied there (host-memory inputs stay)."""
    host = not on_device() or op.host_only
    if not host and arrays:
        boxes = 0  # NOTE: boxed Python values (a TensorList's items): no device kernel applies to them alone
        for a in arrays:
            if type(a) is np.ndarray and a.dtype.kind in _HOST_KINDS:
                if _is_text(a):
                    if getattr(op, "places_per_node", False):
                        continue  # NOTE: a function's device plan runs its string ops on the host itself
                    host = True  # NOTE: string ops run on the host, as TensorFlow's do
                    break
                boxes += 1
        host = host or boxes == len(arrays)
    if host:
        if op.host_only and on_device():
            warn_host(op.name, op.host_only)
        return op.cpu, [to_host(a) for a in arrays], False
    vi = op.value_inputs
    return op.kernel(_device), [to_host(a) if i in vi else to_device(a) for i, a in enumerate(arrays)], True


def _is_text(a: np.ndarray) -> bool:
    """Strings (bytes objects), not a boxed Python value such as a TensorList's items."""
    return a.dtype.kind != "O" or (a.size > 0 and isinstance(a.flat[0], (bytes, str)))


def settle(op: Any, out: Any, on_dev: bool, args: Any = ()) -> Any:
    """A device kernel's output on the device. A host array from a kernel given device arrays (and
    no other objects, such as variable handles) means a NumPy-only kernel: an error under the strict
    stand-in, else a one-time warning and a copy."""
    if not on_dev or op.host_output:
        return out
    if type(out) is np.ndarray and out.dtype.kind not in _HOST_KINDS:
        dev = any(type(a) is _device_array for a in args)
        numeric = all(type(a) is _device_array or (type(a) is np.ndarray and a.dtype.kind != "O") for a in args)
        if dev and numeric:
            if getattr(_device, "STRICT", False):
                raise TypeError(f"the device kernel of {op.name} returned a host array: write it with `xp`, "
                                f"or declare the op host_only='<reason>'")
            warn_host(op.name, "its kernel returned a host array")
        elif not dev and numeric and op.num_outputs == 1:
            warn_host(op.name, "its kernel made a host array")
        return to_device(out)
    if type(out) is tuple:
        return tuple(settle(op, o, on_dev, args) for o in out)
    return out


def warn_host(name: str, reason: str) -> None:
    if name not in _warned:
        _warned.add(name)
        warnings.warn(f"op {name} has no device kernel ({reason}): it runs on the host and its "
                      "results are copied to the device", RuntimeWarning, stacklevel=3)
