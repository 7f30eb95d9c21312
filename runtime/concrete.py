"""`ConcreteFunction`: one traced graph with its inputs, outputs and plan; the call ops.

    cf = f.get_concrete_function(TensorSpec([None], tf.float32))
    cf(x)  ->  execute(PartitionedCall, (x, *captured), f=cf)  ->  cf.plan([x, handles...])

Under a recording tape the call also outputs the forward values the backward needs
(`saved`), so the gradient (a ConcreteFunction over the same graph with those values
fed) never re-reads a variable or re-runs a side effect.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import backend, dispatch, dtypes, nest
from .executor import plan_for
from .graph import Graph
from .ops import random as random_ops
from .ops.registry import OpDef
from .shape import TensorShape
from .tensor import Tensor


class TensorSpec:
    """`tf.TensorSpec(shape, dtype, name)`: the type of a tensor argument (None dims allowed)."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> None:
        self._shape, self._dtype, self._name = TensorShape(shape), dtypes.as_dtype(dtype), name

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)

    @classmethod
    def from_tensor(cls, tensor: Any, name: str | None = None) -> "TensorSpec":
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, other: Any) -> bool:
        return self._dtype == other.dtype and self._shape.is_compatible_with(other.shape)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, TensorSpec) and (self._shape, self._dtype, self._name) == \
            (other._shape, other._dtype, other._name)

    def __hash__(self) -> int:
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self._shape}, dtype=tf.{self._dtype.name}, name={self._name!r})"


def _call_kernel(xp: Any) -> Any:
    def run(*arrays: Any, f: Any) -> Any:
        if xp is not np:  # NOTE: the device's kernel runs the plan compiled for the device
            plan = _placed_plan(f, "/GPU:0")
        else:
            plan = f.plan
            if plan.device is not None and backend._device is not None:  # a device process, a CPU scope
                plan = _placed_plan(f, "/CPU:0")
        caller = random_ops.function_streams(f)  # NOTE: the function's random kernels are its own (per caller)
        try:
            return plan.run(arrays)
        finally:
            random_ops.session_streams(caller)
    return run


def _placed_plan(f: Any, device: str) -> Any:
    """f's plan compiled for `device` (cached with the graph's other plans)."""
    if (f.plan.device is not None) == ("GPU" in device):
        return f.plan
    with backend.device_scope(device):
        return plan_for(f.graph, f.outputs, f.inputs, f.targets)


def _call_grad(gs: Any, outs: Any, *inputs: Any, f: "ConcreteFunction") -> tuple:
    gs = gs if isinstance(gs, tuple) else (gs,)
    outs = outs if isinstance(outs, tuple) else (outs,)
    n = len(f.outputs) - len(f.saved)
    mask = tuple(g is not None for g in gs)
    bwd = f.backward(mask)
    args = list(inputs) + list(outs[n:]) + [g for g in gs if g is not None]
    grads = bwd._call_flat(args)
    return tuple(grads) if isinstance(grads, list) else (grads,)


def _call_op(name: str, stateful: bool) -> OpDef:
    op = OpDef(name, _call_kernel, shape=lambda *s, f: tuple(o.shape.as_tuple() for o in f.outputs),
               dtype=lambda *d, f: tuple(o.dtype for o in f.outputs), grad=_call_grad, stateful=stateful,
               num_outputs=lambda *xs, f: len(f.outputs))
    op.grad_takes_none = True  # NOTE: autodiff passes None (not zeros) for outputs without gradient
    op.places_per_node = True  # NOTE: string arguments do not move the whole function to the host
    return op


CALL = _call_op("PartitionedCall", stateful=False)
STATEFUL_CALL = _call_op("StatefulPartitionedCall", stateful=True)


class ConcreteFunction:
    """A traced graph plus (inputs, outputs, targets): callable with tensors."""

    def __init__(self, graph: Graph, arg_inputs: list, structured_outputs: Any, name: str,
                 arg_specs: list | None = None, structured_inputs: Any = None, targets: Any = None,
                 saved: list | None = None, forward: "ConcreteFunction | None" = None) -> None:
        self.graph, self.name = graph, name
        self.arg_specs = arg_specs or []
        self.structured_input_signature = structured_inputs
        self.structured_outputs = structured_outputs
        self.captured = [v for v, _ in graph.captures]
        self.inputs = list(arg_inputs) + [ph for _, ph in graph.captures]
        flat = nest.flatten(structured_outputs) if structured_outputs is not None else []
        self._template = [i for i, v in enumerate(flat) if getattr(v, "_is_symbolic", False)]
        self._flat = flat
        # NOTE: the fast path returns the one output as is only when the outputs are that tensor, not [t] or (t, {})
        self._bare = len(flat) == 1 and bool(self._template) and not nest.is_nested(structured_outputs)
        self.saved = saved or []
        self.outputs = [flat[i] for i in self._template] + self.saved
        if targets is None:
            targets = [n for n in graph.nodes if n.op.stateful and n.op.name != "ReadVariableOp"]
        self.targets = targets
        self.created_variables = bool(getattr(graph, "created_variables", None))
        self.plan = plan_for(graph, self.outputs, self.inputs, targets)
        self._op = STATEFUL_CALL if targets else CALL
        self._attrs = {"f": self}
        self._forward = forward
        self._saved_variant: ConcreteFunction | None = None
        self._backwards: dict[tuple, ConcreteFunction] = {}
        self.text_name = name

    # -- calling -----------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        flat = [dispatch.convert_to_tensor(a) if not hasattr(a, "_handle") else a
                for a in nest.flatten((args, kwargs)) if dispatch.is_tensor(a) or hasattr(a, "_handle")
                or not _is_python(a)]
        if len(flat) != len(self.inputs) - len(self.captured):
            raise TypeError(f"{self.name}() takes {len(self.inputs) - len(self.captured)} tensor arguments "
                            f"but {len(flat)} were given")
        return self._call_flat(flat)

    def _call_flat(self, args: Any) -> Any:
        """Call with the flat tensor arguments (captured values are appended here)."""
        stack = dispatch._state.stack
        inputs = tuple(args) + tuple(self.captured) if self.captured else tuple(args)
        if len(stack) > 1 and _recording_tapes(stack, inputs):
            variant = self.with_saved()
            out = stack[-1].process(variant._op, inputs, variant._attrs, None)
            out = out[:len(out) - len(variant.saved)]
        else:
            out = stack[-1].process(self._op, inputs, self._attrs, None)
        flat = self._flat
        if self._bare:
            return out[0]
        if not flat:
            return self.structured_outputs if self.structured_outputs is None else \
                nest.pack_sequence_as(self.structured_outputs, [])
        values = list(flat)
        for i, t in zip(self._template, out):
            values[i] = t
        return nest.pack_sequence_as(self.structured_outputs, values)

    # -- gradients ---------------------------------------------------------------------------
    def with_saved(self) -> "ConcreteFunction":
        """This function, also outputting the forward values its backward reads."""
        if self._saved_variant is None:
            n_out = len(self.outputs)
            bwd = self._build_backward(tuple(True for _ in range(n_out)), saved=None)
            self._saved_variant = ConcreteFunction(self.graph, self.inputs[:len(self.inputs) - len(self.captured)],
                                                   self.structured_outputs, self.name, self.arg_specs,
                                                   self.structured_input_signature, self.targets, bwd[1])
            self._saved_variant._backwards[tuple(True for _ in range(n_out))] = bwd[0]
        return self._saved_variant

    def backward(self, mask: tuple) -> "ConcreteFunction":
        got = self._backwards.get(mask)
        if got is None:
            got = self._backwards[mask] = self._build_backward(mask, self.saved)[0]
        return got

    def _build_backward(self, mask: tuple, saved: list | None) -> tuple:
        from .graph_rules import gradients  # noqa: PLC0415
        g = self.graph
        n_user = len(self.outputs) - len(self.saved)
        ys = [o for o, m in zip(self.outputs, mask) if m]
        start = len(g.nodes)
        with g.as_default(), g._outside_scopes():
            gys = [g.placeholder(y.dtype, y.shape, name="grad_ys") for y in ys]
            grads = gradients(ys, self.inputs, grad_ys=gys)
        if saved is None:
            fed = {id(t) for t in self.inputs}
            saved, seen = [], set()
            for node in g.nodes[start:]:
                for t in node.inputs:
                    if t.op.index < start and id(t) not in fed and id(t) not in seen and t.op.type != "Const":
                        seen.add(id(t))
                        saved.append(t)
            for node in g.nodes[:start]:
                if node.type == "ReadVariableOp" and id(node.outputs[0]) not in seen:
                    seen.add(id(node.outputs[0]))
                    saved.append(node.outputs[0])
        del n_user
        bwd = ConcreteFunction.__new__(ConcreteFunction)
        bwd.graph, bwd.name, bwd.arg_specs, bwd.structured_input_signature = g, f"gradients_{self.name}", [], None
        bwd.captured, bwd.inputs = [], list(self.inputs) + list(saved) + gys
        bwd.structured_outputs = list(grads)
        bwd._flat = list(grads)
        bwd._template = [i for i, v in enumerate(grads) if v is not None]
        bwd._bare = False   # NOTE: gradients come back as a list (_call_grad makes it a tuple)
        bwd.saved, bwd.outputs = [], [v for v in grads if v is not None]
        bwd.targets, bwd.created_variables = [], False
        bwd.plan = plan_for(g, bwd.outputs, bwd.inputs, ())
        bwd._op, bwd._attrs, bwd._forward = CALL, {"f": bwd}, self
        bwd._saved_variant, bwd._backwards, bwd.text_name = None, {}, bwd.name
        return bwd, saved

    # -- TensorFlow's attributes -------------------------------------------------------------
    @property
    def captured_inputs(self) -> list:
        return list(self.captured)

    @property
    def variables(self) -> tuple:
        return tuple(v for v in self.captured if hasattr(v, "_handle"))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(v for v in self.variables if v.trainable)

    @property
    def output_shapes(self) -> Any:
        """The static shapes of the outputs, in their structure (TensorShape for each tensor)."""
        return nest.map_structure(lambda t: t.shape, self.structured_outputs)

    @property
    def output_dtypes(self) -> Any:
        return nest.map_structure(lambda t: t.dtype, self.structured_outputs)

    @property
    def function_type(self) -> Any:
        return self.arg_specs

    def pretty_printed_signature(self, verbose: bool = True) -> str:
        args = ", ".join(f"{p.op.name}: {TensorSpec(p.shape, p.dtype)}" for p in self.inputs[:len(self.arg_specs)])
        return f"Input Parameters:\n  {args}\nOutput Type:\n  {self.structured_outputs!r}"

    def __repr__(self) -> str:
        return f"<ConcreteFunction {self.name}({', '.join(map(repr, self.arg_specs))})>"


def _is_python(a: Any) -> bool:
    return a is None or isinstance(a, (bool, str, type)) or callable(a)


def _recording_tapes(stack: list, inputs: tuple) -> bool:
    """True when a tape records this call; it watches the trainable variables the function reads."""
    from .autodiff import TapeInterpreter  # noqa: PLC0415
    found = False
    for interp in stack:
        if isinstance(interp, TapeInterpreter) and interp.tape._recording:
            tape = interp.tape
            if tape._watch_accessed:
                for x in inputs:
                    if hasattr(x, "_handle") and x.trainable:
                        tape._watch_variable(x)
            found = found or any(id(x) in tape._watched for x in inputs)
    return found


_ = Tensor
