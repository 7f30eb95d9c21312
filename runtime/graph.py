"""The graph IR: `Graph`, `Node` and `SymbolicTensor`, and the interpreter that builds them.

    g = Graph()
    with g.as_default():                 # pushes a GraphInterpreter
        y = x @ w + 1                    # adds MatMul, Const, AddV2 nodes
    print(g)                             # add = AddV2(MatMul:0, Const:0) : float32 (2, 3)

Nodes are created in program order, so creation order is a topological order and
the executor runs stateful ops in the order the program issued them. Names are
unique exactly as TensorFlow makes them (`MatMul`, `MatMul_1`, `outer/inner/Sum`).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from . import dispatch, dtypes
from .graph_tensor import SymbolicTensor, pseudo_op
from .ops.registry import OpDef
from .shape import TensorShape
from .tensor import Tensor

CONST = pseudo_op("Const", lambda value, dtype: value)
PLACEHOLDER = pseudo_op("Placeholder")
VAR_HANDLE = pseudo_op("VarHandleOp", lambda handle, dtype: handle)
NO_OP = pseudo_op("NoOp", lambda: None, num_outputs=0)


@dataclass(frozen=True, eq=False)
class Node:
    """One operation in a graph (TensorFlow's `tf.Operation`): `name = op[attrs](inputs)`."""

    op: OpDef
    inputs: tuple
    attrs: dict
    name: str
    device: str = ""
    control_inputs: tuple = ()
    graph: Any = field(default=None, repr=False)
    index: int = field(default=0, repr=False)       # creation order = a topological order
    outputs: tuple = field(default=(), repr=False)

    @property
    def type(self) -> str:
        return self.op.name

    @property
    def node_def(self) -> Any:
        return self

    def values(self) -> tuple:
        return self.outputs

    def get_attr(self, name: str) -> Any:
        if name not in self.attrs:
            raise ValueError(f"Operation '{self.name}' has no attr named '{name}'.")
        return self.attrs[name]

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"

    __hash__ = object.__hash__


class Graph:
    """A dataflow graph: nodes, naming, scopes, control dependencies and collections."""

    def __init__(self, outer: "Graph | None" = None, is_function: bool = False, name: str = "") -> None:
        self.nodes: list[Node] = []
        self.outer = outer
        self.is_function = is_function
        self.name = name
        self.captures: list[tuple[Any, SymbolicTensor]] = []  # (outer value, inner placeholder)
        self._capture_ids: dict[int, SymbolicTensor] = {}
        self._names: dict[str, int] = {}
        self._by_name: dict[str, Node] = {}
        self._name_stack = ""
        self._device_stack: list[str] = []
        self._control_stack: list[list[Node]] = []
        self.collections: dict[str, list] = {}
        self.plans: dict[tuple, Any] = {}  # executor's plan cache
        self.interpreter = GraphInterpreter(self)
        self.seed: int | None = None
        self._finalized = False

    # -- names -------------------------------------------------------------------------------
    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """`MatMul` -> `MatMul_1` the second time (case-insensitive, as TensorFlow)."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        i = self._names.get(key, 0)
        if mark_as_used:
            self._names[key] = i + 1
        if i > 0:
            base = key
            while key in self._names:
                key = f"{base}_{i}"
                i += 1
            if mark_as_used:
                self._names[key] = 1
            name = f"{name}_{i - 1}"
        return name

    def get_name_scope(self) -> str:
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name: str | None) -> Iterator[str]:
        """`with g.name_scope("outer"):` names ops `outer/...`; a trailing `/` re-enters a scope."""
        old = self._name_stack
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield new + "/" if new else ""
        finally:
            self._name_stack = old

    # -- devices and control dependencies ----------------------------------------------------
    @contextlib.contextmanager
    def device(self, spec: str | None) -> Iterator[None]:
        self._device_stack.append(spec or "")
        try:
            yield
        finally:
            self._device_stack.pop()

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs: Any) -> Iterator[None]:
        """Ops created inside run after `control_inputs`; `None` clears the outer ones."""
        if control_inputs is None:
            saved, self._control_stack = self._control_stack, []
            try:
                yield
            finally:
                self._control_stack = saved
            return
        deps = []
        for c in control_inputs:
            c = self.as_graph_element(c)
            deps.append(c if isinstance(c, Node) else c.op)
        self._control_stack.append(deps)
        try:
            yield
        finally:
            self._control_stack.pop()

    def as_graph_element(self, obj: Any) -> Any:
        """A node or tensor of this graph for a tensor, op, variable or name (`"loss:0"`)."""
        if isinstance(obj, str):
            return self.get_tensor_by_name(obj) if ":" in obj else self.get_operation_by_name(obj)
        if isinstance(obj, (Node, SymbolicTensor)):
            return obj
        if hasattr(obj, "_handle") or isinstance(obj, Tensor):
            return self.capture(obj)
        raise TypeError(f"Can not convert a {type(obj).__name__} into a Tensor or Operation.")

    def get_operation_by_name(self, name: str) -> Node:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.") from None

    def get_tensor_by_name(self, name: str) -> SymbolicTensor:
        op_name, _, index = name.partition(":")
        node = self._by_name.get(op_name)
        if node is None or not index.isdigit() or int(index) >= len(node.outputs):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                           f"'{op_name}', does not exist in the graph.")
        return node.outputs[int(index)]

    def get_operations(self) -> list[Node]:
        return list(self.nodes)

    # -- collections (v1) --------------------------------------------------------------------
    def add_to_collection(self, name: str, value: Any) -> None:
        self.collections.setdefault(name, []).append(value)

    def add_to_collections(self, names: Any, value: Any) -> None:
        for n in [names] if isinstance(names, str) else names:
            self.add_to_collection(n, value)

    def get_collection(self, name: str, scope: str | None = None) -> list:
        import re  # noqa: PLC0415
        items = self.collections.get(name, [])
        if scope is None:
            return list(items)
        return [v for v in items if re.match(scope, getattr(v, "name", "") or "")]

    def get_collection_ref(self, name: str) -> list:
        return self.collections.setdefault(name, [])

    def get_all_collection_keys(self) -> list[str]:
        return sorted(self.collections)

    def clear_collection(self, name: str) -> None:
        self.collections.pop(name, None)

    # -- building ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self) -> Iterator["Graph"]:
        """Make ops and constants go into this graph (pushes its interpreter)."""
        with dispatch.interpreting(self.interpreter):
            yield self

    def finalize(self) -> None:
        self._finalized = True

    @property
    def finalized(self) -> bool:
        return self._finalized

    def create_node(self, op: OpDef, inputs: tuple, attrs: dict, name: str | None,
                    dtypes_out: list, shapes_out: list, control_inputs: tuple = ()) -> Node:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        deps = tuple(c for frame in self._control_stack for c in frame) + tuple(control_inputs)
        full = name[:-1] if name and name.endswith("/") else self.unique_name(name or op.name)  # "x/": exactly x
        node = Node(op, inputs, attrs, full, self._device_stack[-1] if self._device_stack else "", deps, self,
                    len(self.nodes))
        outs = tuple(SymbolicTensor(node, i, d, TensorShape(s)) for i, (d, s) in enumerate(zip(dtypes_out, shapes_out)))
        object.__setattr__(node, "outputs", outs)
        self.nodes.append(node)
        self._by_name[node.name] = node
        return node

    def create_op(self, op: OpDef, inputs: tuple, attrs: dict, name: str | None = None) -> Any:
        """Add `op(inputs)` with static dtype and shape; returns its output(s) (the node if none)."""
        from .graph_rules import infer  # noqa: PLC0415
        dts, shapes = infer(op, inputs, attrs, name)
        node = self.create_node(op, inputs, attrs, name, dts, shapes)
        if not node.outputs and op.num_outputs == 0:
            return node
        return node.outputs[0] if op.num_outputs == 1 else node.outputs

    def constant(self, array: Any, name: str | None = None) -> SymbolicTensor:
        dt = array.dtype if hasattr(array, "dtype") else np.asarray(array).dtype
        d = dtypes.string if hasattr(array, "dtype") and dt == object else dtypes.from_numpy(dt)
        return self.create_node(CONST, (), {"value": array, "dtype": d}, name or "Const", [d],
                                [tuple(array.shape) if hasattr(array, "shape") else np.shape(array)]).outputs[0]

    def placeholder(self, dtype: Any, shape: Any = None, name: str | None = None) -> SymbolicTensor:
        d = dtypes.as_dtype(dtype)
        s = TensorShape(shape)
        return self.create_node(PLACEHOLDER, (), {"dtype": d, "shape": s}, name or "Placeholder", [d],
                                [s.as_tuple()]).outputs[0]

    def capture(self, value: Any) -> SymbolicTensor:
        """This graph's tensor for an outside value: eager tensors become constants, variables a
        resource input (read at run time), outer-graph tensors an input of this (function) graph."""
        if type(value) is SymbolicTensor and value.graph is self:
            return value
        got = self._capture_ids.get(id(value))
        if got is not None:
            return got
        if isinstance(value, Tensor):
            with self._outside_scopes():
                t = self.constant(value._value)
        elif hasattr(value, "_handle"):
            t = self._capture_variable(value)
        elif getattr(value, "_is_symbolic", False):
            if not self.is_function:
                raise ValueError(f"Tensor {value.name} must be from the same graph as the tensors it is "
                                 "combined with (build each graph inside its own `as_default()`).")
            with self._outside_scopes():
                t = self.placeholder(value.dtype, value.shape, name=value.op.name.split("/")[-1])
            t._handle_data = value._handle_data
            self.captures.append((value, t))
        else:
            return dispatch.convert_to_tensor(value)
        self._capture_ids[id(value)] = t
        self.collections.setdefault("_captured_objects", []).append(value)  # NOTE: keeps ids valid
        return t

    def _capture_variable(self, var: Any) -> SymbolicTensor:
        h = var._handle
        with self._outside_scopes():
            if self.is_function:
                t = self.placeholder(dtypes.resource, (), name=h.name.split(":")[0].replace("/", "_") + "_resource")
                self.captures.append((var, t))
            else:
                base = h.name.split(":")[0]  # NOTE: the name the variable reserved: its VarHandleOp's, as in TF
                t = self.create_node(VAR_HANDLE, (), {"handle": h, "dtype": dtypes.resource},
                                     base + "/" if base not in self._by_name else base, [dtypes.resource],
                                     [()]).outputs[0]
        t._handle_data = (h.dtype, h.shape)
        return t

    @contextlib.contextmanager
    def _outside_scopes(self) -> Iterator[None]:
        saved = self._name_stack, self._control_stack
        self._name_stack, self._control_stack = "", []
        try:
            yield
        finally:
            self._name_stack, self._control_stack = saved

    # -- text --------------------------------------------------------------------------------
    def __str__(self) -> str:
        """One line per node: `name = Op[attrs](inputs) : dtype shape` (stable, for golden tests)."""
        from .graph_rules import node_text  # noqa: PLC0415
        return "\n".join(node_text(n) for n in self.nodes) + ("\n" if self.nodes else "")

    def __repr__(self) -> str:
        return f"<tfcompat Graph {self.name or id(self):} with {len(self.nodes)} nodes>"


def default_graph() -> Graph | None:
    """The graph being built (innermost graph interpreter on the stack), or None when eager."""
    for interp in reversed(dispatch._state.stack):
        g = getattr(interp, "graph", None)
        if g is not None:
            return g
        parent = getattr(interp, "parent", None)
        while parent is not None:
            g = getattr(parent, "graph", None)
            if g is not None:
                return g
            parent = getattr(parent, "parent", None)
    return None


def run_traced(fn: Any, inputs: Any) -> Any:
    """Trace `fn` on placeholders shaped like `inputs` into a fresh graph, then run the plan.

    run_traced(lambda x: x * 2, [np.ones(3)])  ->  Tensor([2., 2., 2.])   (eager == graph checks)
    """
    from . import nest  # noqa: PLC0415
    from .executor import plan_for  # noqa: PLC0415
    arrays = [x._value if isinstance(x, Tensor) else dispatch.to_array(x) for x in inputs]
    g = Graph(name="run_traced")
    with g.as_default():
        phs = [g.placeholder(dtypes.from_numpy(np.asarray(a).dtype) if np.asarray(a).dtype != object
                             else dtypes.string, np.shape(a)) for a in arrays]
        out = fn(*phs)
    flat = nest.flatten(out)
    values = plan_for(g, [t for t in flat if t is not None], phs)(arrays)
    it = iter(values)
    return nest.pack_sequence_as(out, [None if t is None else Tensor(next(it)) for t in flat])


from .graph_interpreter import GraphInterpreter  # noqa: E402  (it builds on Graph)
