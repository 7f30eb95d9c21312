"""Device plans: an executor plan placed on the device backend (CuPy, or the strict stand-in).

    run(feeds)  ->  feeds copied to the device once  ->  device kernels and fused CuPy kernels

A step runs on the device unless its op is `host_only`, its node was placed on a CPU
(`tf.device('/CPU:0')` while the graph was built), or it handles strings (which stay on the
host, as in TensorFlow). Constants are copied to the device once, when the plan is built;
host-memory inputs (the `value_inputs` of an op: shapes, axes) are read on the host.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from . import backend, fusion_cupy
from .fusion import FusedGroup


def runs_on_host(node: Any) -> bool:
    """Whether a graph node of a device plan runs on the host."""
    op = node.op
    if op.host_only or backend._kind(node.device) == "CPU":
        return True
    names = [t.dtype.name for t in node.inputs]
    if "string" in names or any(t.dtype.name == "string" for t in node.outputs):
        return True
    return bool(names) and all(n == "variant" for n in names)  # NOTE: only boxed values: nothing for a device


def place(steps: list, consts: dict, xp: Any) -> list:
    """The plan's steps with device kernels, their inputs copied where they run, constants placed."""
    out = []
    for node, kernel, ins, outs, stateful in steps:
        if isinstance(node, FusedGroup):
            kernel, host, value_inputs = _group_step(fusion_cupy.compile_group(node, xp)), False, ()
        else:
            host = runs_on_host(node)
            value_inputs = node.op.value_inputs
            kernel = _host_step(node.op, kernel) if host else _device_step(node.op, kernel, value_inputs)
        placed = []
        for i, n in enumerate(ins):
            if n in consts and not host and i not in value_inputs:
                d = n + "_d"
                if d not in consts:
                    consts[d] = backend.to_device(consts[n])
                n = d
            placed.append(n)
        out.append([node, kernel, placed, outs, stateful])
    return out


def node_kernel(node: Any, xp: Any) -> Any:
    """The device (or host) kernel of `node` with its attrs bound."""
    op = node.op
    k = op.cpu if runs_on_host(node) else op.kernel(xp)
    return partial(k, **node.attrs) if node.attrs else k


def _device_step(op: Any, kernel: Any, value_inputs: tuple) -> Any:
    to_device, to_host, settle = backend.to_device, backend.to_host, backend.settle

    if not value_inputs:
        def run(*args: Any) -> Any:
            return settle(op, kernel(*[to_device(a) for a in args]), True, args)
    else:
        def run(*args: Any) -> Any:
            args = tuple(to_host(a) if i in value_inputs else to_device(a) for i, a in enumerate(args))
            return settle(op, kernel(*args), True, args)
    return run


def _group_step(kernel: Any) -> Any:
    to_device = backend.to_device

    def run(*args: Any) -> Any:  # NOTE: an input may come from a host op (an input pipeline's)
        return kernel(*[to_device(a) for a in args])
    return run


def _host_step(op: Any, kernel: Any) -> Any:
    to_host = backend.to_host

    def run(*args: Any) -> Any:
        if op.host_only:
            backend.warn_host(op.name, op.host_only)
        return kernel(*[to_host(a) for a in args])
    return run


def put_feeds(run: Any) -> Any:
    """`run` with its feeds copied to the device once, at the start of each run."""
    to_device = backend.to_device

    def placed(feeds: Any) -> list:
        return run([to_device(f) for f in feeds])
    return placed
