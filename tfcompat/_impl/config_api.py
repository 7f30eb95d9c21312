"""`tf.config` switches for functions: `run_functions_eagerly` (debugging) and its query.

    tf.config.run_functions_eagerly(True)   # @tf.function bodies now run as plain Python
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from runtime import backend, dispatch, function as fn_mod
from runtime.ops import random_discrete

from .._export import export, export_value


@export("config.run_functions_eagerly", v1=("config.run_functions_eagerly",))
def run_functions_eagerly(run_eagerly: bool) -> None:
    """tf.config.run_functions_eagerly(True): tf.functions call their Python code, eagerly."""
    fn_mod.run_functions_eagerly(run_eagerly)


@export("config.experimental_run_functions_eagerly", v1=("config.experimental_run_functions_eagerly",))
def experimental_run_functions_eagerly(run_eagerly: bool) -> None:
    """Deprecated spelling of tf.config.run_functions_eagerly."""
    fn_mod.run_functions_eagerly(run_eagerly)


@export("config.functions_run_eagerly", v1=("config.functions_run_eagerly",))
def functions_run_eagerly() -> bool:
    """True after tf.config.run_functions_eagerly(True)."""
    return fn_mod.functions_run_eagerly()


@export("config.experimental_functions_run_eagerly", v1=("config.experimental_functions_run_eagerly",))
def experimental_functions_run_eagerly() -> bool:
    return fn_mod.functions_run_eagerly()


# -- devices -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhysicalDevice:
    """tf.config.PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')."""

    name: str
    device_type: str


@dataclass(frozen=True)
class LogicalDevice:
    """tf.config.LogicalDevice(name='/device:CPU:0', device_type='CPU')."""

    name: str
    device_type: str


export_value(PhysicalDevice, "config.PhysicalDevice")
export_value(LogicalDevice, "config.LogicalDevice")
_STATE: dict[str, Any] = {"visible": None, "growth": {}, "intra": 0, "inter": 0}


def _physical() -> list:
    found = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    if backend.gpu_available():
        found.append(PhysicalDevice("/physical_device:GPU:0", "GPU"))
    return found


def _of_type(devices: list, device_type: Any) -> list:
    return [d for d in devices if device_type is None or d.device_type == str(device_type).upper()]


@export("config.list_physical_devices", "config.experimental.list_physical_devices")
def list_physical_devices(device_type: Any = None) -> list:
    """The CPU, plus the GPU when CuPy finds one: [PhysicalDevice(name='/physical_device:CPU:0', ...)]."""
    return _of_type(_physical(), device_type)


@export("config.get_visible_devices", "config.experimental.get_visible_devices")
def get_visible_devices(device_type: Any = None) -> list:
    """Physical devices the runtime may use (all of them unless set_visible_devices narrowed it)."""
    visible = _STATE["visible"] if _STATE["visible"] is not None else _physical()
    return _of_type(visible, device_type)


@export("config.set_visible_devices", "config.experimental.set_visible_devices")
def set_visible_devices(devices: Any, device_type: Any = None) -> None:
    """Restrict the runtime to `devices` (of `device_type`; devices of other types stay visible)."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    for d in devices:
        if d not in _physical():
            raise ValueError(f"Unrecognized device: {d!r}")
    keep = [d for d in get_visible_devices() if device_type is not None and
            d.device_type != str(device_type).upper()]
    visible = keep + [d for d in devices if d not in keep]
    backend.set_gpu_visible(any(d.device_type == "GPU" for d in visible))  # RuntimeError once a tensor is placed
    _STATE["visible"] = visible


@export("config.list_logical_devices", "config.experimental.list_logical_devices")
def list_logical_devices(device_type: Any = None) -> list:
    """One logical device per visible physical device: [LogicalDevice(name='/device:CPU:0', ...)]."""
    return [LogicalDevice(d.name.replace("/physical_device:", "/device:"), d.device_type)
            for d in get_visible_devices(device_type)]


@export("config.experimental.set_memory_growth")
def set_memory_growth(device: Any, enable: bool) -> None:
    """Record the memory-growth flag of a GPU (CuPy's pool grows on demand either way)."""
    if device not in _physical():
        raise ValueError(f"Unrecognized device: {device!r}")
    if device.device_type == "CPU":
        raise ValueError("Cannot set memory growth on non-GPU devices")
    _STATE["growth"][device.name] = bool(enable)


@export("config.experimental.get_memory_growth")
def get_memory_growth(device: Any) -> bool:
    """The memory-growth flag of a GPU (False until set)."""
    if device not in _physical():
        raise ValueError(f"Unrecognized device: {device!r}")
    if device.device_type == "CPU":
        raise ValueError("Cannot get memory growth on non-GPU devices")
    return _STATE["growth"].get(device.name, False)


@export("config.threading.set_intra_op_parallelism_threads")
def set_intra_op_parallelism_threads(num_threads: int) -> None:
    """Record the intra-op thread count (0: the system picks); tf.random.categorical shards by it, as TF's."""
    _STATE["intra"] = int(num_threads)
    random_discrete.INTRA_OP_THREADS[0] = int(num_threads)


@export("config.threading.get_intra_op_parallelism_threads")
def get_intra_op_parallelism_threads() -> int:
    return _STATE["intra"]


@export("config.threading.set_inter_op_parallelism_threads")
def set_inter_op_parallelism_threads(num_threads: int) -> None:
    """Record the inter-op thread count (0: the system picks)."""
    _STATE["inter"] = int(num_threads)


@export("config.threading.get_inter_op_parallelism_threads")
def get_inter_op_parallelism_threads() -> int:
    return _STATE["inter"]


@export("config.set_soft_device_placement")
def set_soft_device_placement(enabled: bool) -> None:
    """Soft placement on (TF2's default): an op pinned to a device it has no kernel for runs where it can.

    tfcompat always places ops this way; turning it off is not supported.
    """
    if not enabled:
        raise NotImplementedError("tf.config.set_soft_device_placement(False): tfcompat always places softly (an op "
                                  "pinned to a missing device runs on one it has); leave it enabled")


@export("config.get_soft_device_placement")
def get_soft_device_placement() -> bool:
    return True


class _PlacementLog(dispatch.EagerInterpreter):
    """The eager interpreter, also logging each op's device to stderr as TF2's eager runtime does."""

    def process(self, op: Any, inputs: tuple, attrs: dict, name: str | None) -> Any:
        out = super().process(op, inputs, attrs, name)
        first = out[0] if isinstance(out, tuple) and out else out
        where = first.device if first is not None else backend.device_name(None)
        print(f"Executing op {op.name} in device {where}", file=sys.stderr)
        return out


@export("debugging.set_log_device_placement")
def set_log_device_placement(enabled: bool) -> None:
    """Log each eagerly executed op's device (`Executing op MatMul in device .../device:CPU:0`) to stderr.

    Ops run inside a tf.function or a TF1 graph are not logged (TF2 logs their graph's placement instead).
    """
    dispatch._state.stack[0] = _PlacementLog() if enabled else dispatch.EAGER   # NOTE: this thread's eager base
