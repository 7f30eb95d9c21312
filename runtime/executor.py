"""The executor: (fetches, feeds, targets) of a graph -> a cached plan of straight-line Python.

    plan = plan_for(g, fetches=[loss], feeds=[x])     # prune, order, fold, CSE, fuse, codegen
    loss_value, = plan([x_array])                     # ~0.3 µs per kernel call

A plan runs the nodes the fetches and targets need (a fed tensor cuts its producer
off), in creation order, which is program order, so stateful ops keep their order.
Passes: constant folding (never stateful ops), `x * ones` -> x, common-subexpression elimination,
elementwise fusion (see `fusion`), dead-node removal. The plan is generated Python
source with kernels and constants bound as closure variables, compiled once. It
serves `Session.run` (feed any tensor) and concrete functions alike.
"""
from __future__ import annotations

from functools import partial
from typing import Any, Sequence

import numpy as np

from . import backend, executor_device, fusion, fusion_conv, fusion_cupy
from .errors import InvalidArgumentError, OpError

_OWN_SOURCE = ("Const", "VarHandleOp")


class Plan:
    """A compiled program: `plan(feed_values) -> [fetched values]`."""

    __slots__ = ("run", "source", "fetches", "feeds", "targets", "names", "kernels", "groups", "device")

    def __init__(self, fetches: Sequence[Any], feeds: Sequence[Any], targets: Sequence[Any]) -> None:
        self.fetches, self.feeds, self.targets = tuple(fetches), tuple(feeds), tuple(targets)
        _Builder(self).build()

    def __call__(self, feeds: Sequence[Any]) -> list:
        return self.run(feeds)

    def __repr__(self) -> str:
        return f"<Plan {len(self.kernels)} kernels, {len(self.groups)} fused groups>"


def plan_for(graph: Any, fetches: Sequence[Any], feeds: Sequence[Any] = (), targets: Sequence[Any] = ()) -> Plan:
    """The cached plan for these fetches (tensors), feeds (any tensors) and targets (nodes to run)."""
    key = (tuple(map(id, fetches)), tuple(map(id, feeds)), tuple(map(id, targets)))
    if backend._device is not None:
        key += (backend.placement_key(),)  # NOTE: a plan is compiled for the host or for the device
    plan = graph.plans.get(key)
    if plan is None:
        plan = graph.plans[key] = Plan(fetches, feeds, targets)
    return plan


def evaluate(tensor: Any) -> Any:
    """The value of a symbolic tensor that needs no feeds (constants, variables)."""
    return plan_for(tensor.graph, [tensor])([])[0]


def _attrs_key(attrs: dict) -> Any:
    try:
        key = tuple(sorted(attrs.items()))
        hash(key)
        return key
    except TypeError:
        return None


class _Builder:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.env: dict[int, str] = {}     # id(tensor) -> local name in the generated code
        self.consts: dict[str, Any] = {}  # local name -> constant value
        self.steps: list[list] = []       # [node-or-group, kernel, in_names, out_names, stateful]
        self._n = 0
        self.device = plan.device = backend.placement_key() if backend._device is not None else None

    def fresh(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def const(self, value: Any) -> str:
        name = self.fresh("c")
        self.consts[name] = value
        return name

    # -- passes ------------------------------------------------------------------------------
    def build(self) -> None:
        p = self.plan
        for i, t in enumerate(p.feeds):
            self.env[id(t)] = f"f{i}"
        order = self.prune()
        cse: dict[tuple, list[str]] = {}
        for node in order:
            op = node.op
            if op.name in _OWN_SOURCE:
                name = self.const(node.attrs["value"] if op.name == "Const" else node.attrs["handle"])
                self.env[id(node.outputs[0])] = name
                continue
            if op.name == "Placeholder":
                t = node.outputs[0]
                site = getattr(node.graph, "defined_at", {}).get(node.name)
                raise InvalidArgumentError(None, node, f"You must feed a value for placeholder tensor "
                                           f"'{node.name}' with dtype {t.dtype.name} and shape {_dims(t.shape)}"
                                           + (f" (the placeholder was defined at {site})" if site else ""))
            ins = [self.env[id(t)] for t in node.inputs]
            if op.name in _SHAPE_READERS and self.device is None:
                self.shape_only(node, ins)
            if not op.stateful and not node.control_inputs and node.outputs and all(n in self.consts for n in ins):
                if self.fold(node, ins):
                    continue
            alias = fusion.identity_input(node, ins, self.consts)
            if alias is not None:      # x * ones: the plan reads x
                self.env[id(node.outputs[0])] = alias
                continue
            key = None
            if not op.stateful and node.outputs:
                ak = _attrs_key(node.attrs)
                if ak is not None:
                    key = (id(op), ak, tuple(ins))
                    hit = cse.get(key)
                    if hit is not None:
                        for t, n in zip(node.outputs, hit):
                            self.env[id(t)] = n
                        continue
            outs = [self.fresh("v") for _ in node.outputs]
            for t, n in zip(node.outputs, outs):
                self.env[id(t)] = n
            if key is not None:
                cse[key] = outs
            if self.device is None:
                kernel = partial(op.cpu, **node.attrs) if node.attrs else op.cpu
            else:
                kernel = executor_device.node_kernel(node, self.device)
            if op.name in _SHAPE_KEEPING and not node.attrs:
                kernel = _SHAPE_KEEPING[op.name](kernel)
            elif op.name in _REDUCTIONS and node.attrs.get("axis") in (None, ()):
                kernel = _unless_scalar(kernel)
            self.steps.append([node, kernel, ins, outs, op.stateful or node in self._targets])
        fetch_names = [self.env[id(t)] for t in p.fetches]
        if self.device is None:
            self.steps = fusion.fuse(fusion_conv.fuse(self.steps, set(fetch_names)), set(fetch_names))
            self.steps = self.drop_dead(fetch_names)
        else:
            self.steps = fusion.fuse(self.steps, set(fetch_names), compile=lambda group: None)
            self.steps = fusion_cupy.fuse_reductions(self.steps, set(fetch_names))
            self.steps = executor_device.place(self.drop_dead(fetch_names), self.consts, self.device)
        self.codegen(fetch_names)

    def prune(self) -> list:
        p = self.plan
        fed = {id(t) for t in p.feeds}
        self._targets = set(p.targets)
        needed: dict[int, Any] = {}
        stack = [t.op for t in p.fetches if id(t) not in fed] + list(p.targets)
        while stack:
            n = stack.pop()
            if n.index in needed:
                continue
            needed[n.index] = n
            stack.extend(t.op for t in n.inputs if id(t) not in fed)
            stack.extend(n.control_inputs)
        return [needed[i] for i in sorted(needed)]

    def shape_only(self, node: Any, ins: list) -> None:
        """Inputs read only for their shape and dtype (OnesLike(y), BroadcastLike(g, y)) whose static
        shape is fully known become a zero-byte constant of that shape: y need not be computed
        (a gradient of reduce_sum(conv(x)) skips the forward conv, as TensorFlow's grappler does)."""
        for i in _SHAPE_READERS[node.op.name]:
            t = node.inputs[i]
            if ins[i] in self.consts or not t.shape.is_fully_defined():
                continue   # NOTE: feeds too: Session.run checks a fed value's shape against the static one
            dtype = getattr(t.dtype, "as_numpy_dtype", None)
            if dtype is None or np.dtype(dtype).kind not in "biufc":
                continue
            ins[i] = self.const(np.broadcast_to(np.zeros((), dtype), t.shape.as_tuple()))

    def fold(self, node: Any, ins: list) -> bool:
        try:
            out = node.op.cpu(*(self.consts[n] for n in ins), **node.attrs)
        except Exception:  # noqa: BLE001  (the error is raised when the plan runs, with the node named)
            return False
        outs = out if _tuple_out(node) else (out,)
        for t, v in zip(node.outputs, outs):
            self.env[id(t)] = self.const(v)
        return True

    def drop_dead(self, fetch_names: list) -> list:
        used = set(fetch_names)
        kept = []
        for step in reversed(self.steps):
            if step[4] or any(o in used for o in step[3]):
                kept.append(step)
                used.update(step[2])
        kept.reverse()
        return kept

    # -- code generation ---------------------------------------------------------------------
    def codegen(self, fetch_names: list) -> None:
        p = self.plan
        ns: dict[str, Any] = dict(self.consts)
        lines = ["def run(feeds):"]
        if p.feeds:
            lines.append("    " + "".join(f"f{i}, " for i in range(len(p.feeds))) + "= feeds")
        lines.append("    try:")
        names, line_of = [], {}
        for i, (node, kernel, ins, outs, _) in enumerate(self.steps):
            k = f"k{i}"
            ns[k] = kernel
            call = f"{k}({', '.join(ins)})"
            if not outs:
                code = call
            elif not _tuple_out(node):
                code = f"{outs[0]} = {call}"
            else:
                code = f"{', '.join(outs)}, = {call}"
            line_of[len(lines) + 1] = node
            lines.append("        " + code)
            names.append(getattr(node, "name", "?"))
        lines.append("        pass")
        lines.append("    except Exception as e:")
        lines.append("        _fail(e)")
        lines.append(f"    return [{', '.join(fetch_names)}]")
        source = "\n".join(lines) + "\n"
        ns["_fail"] = partial(_fail, line_of)
        factory = "def _make(" + ", ".join(ns) + "):\n" + "".join("    " + ln + "\n" for ln in lines) + "    return run\n"
        scope: dict[str, Any] = {}
        exec(compile(factory, "<tfcompat plan>", "exec"), scope)  # noqa: S102  (our own generated source)
        p.run = scope["_make"](**ns)
        if self.device is not None and p.feeds:
            p.run = executor_device.put_feeds(p.run)
        p.source, p.names = source, names
        p.kernels = [s[0] for s in self.steps]
        p.groups = [s[0] for s in self.steps if isinstance(s[0], fusion.FusedGroup)]


def _unless_same_shape(kernel: Any) -> Any:
    """`kernel(g, like)`, or `g` itself when it already has like's shape (the usual case of the
    broadcast-undoing gradient ops, whose static shapes are unknown when placeholders are)."""
    def run(g: Any, like: Any) -> Any:
        return g if g.shape == like.shape else kernel(g, like)
    return run


def _unless_scalar(kernel: Any) -> Any:
    """A whole-tensor sum/mean kernel, or its input itself when that is a floating scalar."""
    def run(x: Any) -> Any:
        return x if x.ndim == 0 and x.dtype.kind == "f" else kernel(x)
    return run


_REDUCTIONS = ("Sum", "Mean")
# NOTE: ops that read only the shape and dtype of these inputs (never their values)
_SHAPE_READERS = {"Shape": (0,), "Size": (0,), "Rank": (0,), "ZerosLike": (0,), "OnesLike": (0,),
                  "BroadcastLike": (1,), "SumToShapeLike": (1,), "ReshapeLike": (1,)}
# NOTE: ops that return their first input unchanged when it already has the second's shape
_SHAPE_KEEPING = {"SumToShapeLike": _unless_same_shape, "BroadcastLike": _unless_same_shape}


def _tuple_out(node: Any) -> bool:
    """Whether the kernel returns a tuple (several outputs, or a variadic op with one)."""
    if isinstance(node, fusion.FusedGroup):
        return False
    return len(node.outputs) != 1 or callable(getattr(getattr(node, "op", None), "num_outputs", 1))


def _fail(line_of: dict, e: Exception) -> None:
    """Re-raise a kernel's error as TensorFlow does: typed, with the failing node named."""
    import sys  # noqa: PLC0415
    tb = sys.exc_info()[2]
    while tb is not None and tb.tb_frame.f_code.co_filename != "<tfcompat plan>":
        tb = tb.tb_next
    node = line_of.get(tb.tb_lineno - 1) if tb is not None else None
    name = getattr(node, "name", None)
    if name is None or getattr(e, "_tfcompat_node", None):
        raise e
    if isinstance(e, OpError):
        err = type(e)(None, node, f"{e.message}\n\t [[{{{{node {name}}}}}]]")
    elif isinstance(e, (ValueError, IndexError, ZeroDivisionError, FloatingPointError)):
        from .dispatch import op_error  # noqa: PLC0415
        base = op_error(node.op, [], e) if hasattr(node, "op") else InvalidArgumentError(None, None, str(e))
        err = InvalidArgumentError(None, node, f"{base.message}\n\t [[{{{{node {name}}}}}]]")
    else:
        raise e
    err._tfcompat_node = node
    raise err from None


def _dims(shape: Any) -> str:
    if shape.rank is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"
