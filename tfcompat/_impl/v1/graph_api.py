"""Graph mode for TF1: the default graph, placeholders, scopes, collections, `group`.

    tf.disable_eager_execution()            # ops now go into tf.get_default_graph()
    x = tf.placeholder(tf.float32, [None, 3], name="x")      # <tf.Tensor 'x:0' shape=(?, 3)>
    with tf.control_dependencies([update]): train = tf.no_op()
"""
from __future__ import annotations

import contextlib
import sys
from typing import Any, Iterator

from runtime import backend, dispatch, dtypes, graph as graph_mod
from runtime.graph import Graph, Node
from runtime.graph_tensor import SymbolicTensor, pseudo_op
from runtime.variables import Variable
from runtime.shape import TensorShape

from ._api import shared_export, v1_export

shared_export("Graph")(Graph)


def _graph_tensor_hash(self: Any) -> int:
    """TensorFlow's rule: tensors of a v1 graph hash by identity (feed_dict keys); function tensors do not."""
    if self._node.graph.is_function:
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")
    return id(self)


SymbolicTensor.__hash__ = _graph_tensor_hash  # NOTE: until runtime.graph_tensor adopts TF's rule
shared_export("Operation")(Node)


class _DefaultGraph:
    """The process-wide default graph of v1 mode, kept at the bottom of the interpreter stack."""

    graph: Graph | None = None
    pushed: Any = None
    eager_disabled = False


def _global_graph() -> Graph:
    if _DefaultGraph.graph is None:
        _DefaultGraph.graph = Graph()
    return _DefaultGraph.graph


@shared_export("get_default_graph", v1=("get_default_graph",))
def get_default_graph() -> Graph:
    """The graph new ops go into: the innermost `as_default()` graph, else the global default graph."""
    g = graph_mod.default_graph()
    return g if g is not None else _global_graph()


def _install(graph: Graph) -> None:
    stack = dispatch._state.stack
    if _DefaultGraph.pushed is not None and _DefaultGraph.pushed in stack:
        stack.remove(_DefaultGraph.pushed)
    _DefaultGraph.pushed = graph.interpreter
    stack.insert(1, graph.interpreter)


@v1_export("disable_eager_execution")
def disable_eager_execution() -> None:
    """Switch to graph mode: ops build the default graph until `enable_eager_execution()`.

    NOTE: TF 1.x also had tensor equality and v2 shapes off; TF1 scripts (and `tfcompat run`)
    expect both, so graph mode turns them off too (`disable_v2_behavior` semantics).
    """
    _DefaultGraph.eager_disabled = True
    _install(_global_graph())
    disable_tensor_equality()
    disable_v2_tensorshape()


def _id_hash(self: Any) -> int:
    return id(self)


def _id_eq(self: Any, other: Any) -> bool:
    return self is other


def _id_ne(self: Any, other: Any) -> bool:
    return self is not other


_V2_EQUALITY = {c: (c.__eq__, c.__ne__, c.__hash__) for c in (SymbolicTensor, Variable)}
_V2_EQUALITY[SymbolicTensor] = _V2_EQUALITY[SymbolicTensor][:2] + (_graph_tensor_hash,)


@v1_export("disable_tensor_equality")
def disable_tensor_equality() -> None:
    """TF1's `==`: graph tensors and variables compare by identity and can be dict keys (`feed_dict`)."""
    for c in _V2_EQUALITY:
        c.__eq__, c.__ne__, c.__hash__ = _id_eq, _id_ne, _id_hash


@v1_export("enable_tensor_equality")
def enable_tensor_equality() -> None:
    for c, (eq, ne, h) in _V2_EQUALITY.items():
        c.__eq__, c.__ne__, c.__hash__ = eq, ne, h


_V2_SHAPE_STR = TensorShape.__str__


def _v1_shape_str(self: TensorShape) -> str:
    """TF1 prints unknown dimensions as `?`: `(?, 3)`."""
    dims = self.as_tuple()
    if dims is None:
        return "<unknown>"
    inner = ", ".join("?" if d is None else str(d) for d in dims)
    return f"({inner},)" if len(dims) == 1 else f"({inner})"


@v1_export("disable_v2_tensorshape")
def disable_v2_tensorshape() -> None:
    TensorShape.__str__ = _v1_shape_str


@v1_export("enable_v2_tensorshape")
def enable_v2_tensorshape() -> None:
    TensorShape.__str__ = _V2_SHAPE_STR


@v1_export("enable_eager_execution")
def enable_eager_execution(config: Any = None, device_policy: Any = None, execution_mode: Any = None) -> None:
    _DefaultGraph.eager_disabled = False
    enable_tensor_equality()
    enable_v2_tensorshape()
    stack = dispatch._state.stack
    if _DefaultGraph.pushed is not None and _DefaultGraph.pushed in stack:
        stack.remove(_DefaultGraph.pushed)
    _DefaultGraph.pushed = None


@v1_export("disable_v2_behavior")
def disable_v2_behavior() -> None:
    disable_eager_execution()


@v1_export("enable_v2_behavior")
def enable_v2_behavior() -> None:
    enable_eager_execution()


@v1_export("reset_default_graph")
def reset_default_graph() -> None:
    """A fresh global default graph (not allowed inside `with g.as_default()`)."""
    top = dispatch._state.stack[-1]
    if getattr(top, "graph", None) is not None and top is not _DefaultGraph.pushed:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you need a "
                             "cleared graph, exit the nesting and create a new graph.")
    _DefaultGraph.graph = Graph()
    if _DefaultGraph.eager_disabled:
        _install(_DefaultGraph.graph)


# -- placeholders ---------------------------------------------------------------------------
@v1_export("placeholder")
def placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> Any:
    """tf.placeholder(tf.float32, [None, 3]): a tensor whose value must be fed to `Session.run`."""
    if dispatch.executing_eagerly():
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    g = get_default_graph()
    t = g.placeholder(dtype, shape, name)
    caller = sys._getframe(1)  # NOTE: a missing feed names this line, as TF's error does
    g.__dict__.setdefault("defined_at", {})[t.op.name] = f'File "{caller.f_code.co_filename}", line {caller.f_lineno}'
    return t


def _with_default_shape(x: Any, shape: Any = None) -> Any:
    return None if shape is None or shape.rank is None else shape.as_tuple()


PLACEHOLDER_WITH_DEFAULT = pseudo_op("PlaceholderWithDefault", lambda x, shape=None: x, shape=_with_default_shape)


@v1_export("placeholder_with_default")
def placeholder_with_default(input: Any, shape: Any, name: str | None = None) -> Any:  # noqa: A002
    """A placeholder that outputs `input` when it is not fed."""
    x = dispatch.convert_to_tensor(input)
    shape = TensorShape(shape)
    if not shape.is_compatible_with(x.shape):
        raise ValueError(f"Shapes {x.shape} and {shape} are incompatible")
    return get_default_graph().create_op(PLACEHOLDER_WITH_DEFAULT, (x,), {"shape": shape},
                                         name or "PlaceholderWithDefault")


# -- scopes, dependencies, grouping ---------------------------------------------------------
@v1_export("name_scope")
@contextlib.contextmanager
def name_scope(name: Any, default_name: str | None = None, values: Any = None) -> Iterator[str]:
    """`with tf.name_scope("layer") as scope:` prefixes op names (`layer/MatMul`)."""
    name = default_name if name is None else name
    if dispatch.executing_eagerly():
        yield (name + "/") if name else ""
        return
    with get_default_graph().name_scope(name) as scope:
        yield scope


@shared_export("control_dependencies")
def control_dependencies(control_inputs: Any) -> Any:
    """Ops created in the block run after `control_inputs` (no-op when eager)."""
    if dispatch.executing_eagerly():
        return contextlib.nullcontext()
    return get_default_graph().control_dependencies(control_inputs)


@shared_export("no_op")
def no_op(name: str | None = None) -> Any:
    if dispatch.executing_eagerly():
        return None
    g = get_default_graph()
    return g.create_node(graph_mod.NO_OP, (), {}, name or "NoOp", [], [])


@shared_export("group")
def group(*inputs: Any, **kwargs: Any) -> Any:
    """An op that runs all `inputs` (ops, tensors, or nested lists of them)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unknown keyword arguments: {list(kwargs)}")
    if dispatch.executing_eagerly():
        return None
    g = get_default_graph()
    deps = []
    for x in _flatten(inputs):
        el = g.as_graph_element(x)
        deps.append(el if isinstance(el, Node) else el.op)
    with g.control_dependencies(deps):
        return no_op(name=name or "group_deps")


def _flatten(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [y for v in x for y in _flatten(v)]
    if isinstance(x, dict):
        return [y for k in sorted(x) for y in _flatten(x[k])]
    return [] if x is None else [x]


@shared_export("device")
def device(device_name: Any) -> Any:
    """Eager: ops and new tensors inside run on that device; in a graph the device is recorded (`op.device`)."""
    if dispatch.executing_eagerly():
        return backend.device_scope(device_name)
    return get_default_graph().device(device_name if isinstance(device_name, str) else "")


# -- collections ----------------------------------------------------------------------------
class GraphKeys:
    """Standard collection names (TF1's `tf.GraphKeys`)."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    LOSSES = "losses"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    TRAIN_OP = "train_op"
    GLOBAL_STEP = "global_step"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    VARIABLES = "variables"


v1_export("GraphKeys")(GraphKeys)


@v1_export("add_to_collection")
def add_to_collection(name: str, value: Any) -> None:
    get_default_graph().add_to_collection(name, value)


@v1_export("add_to_collections")
def add_to_collections(names: Any, value: Any) -> None:
    get_default_graph().add_to_collections(names, value)


@v1_export("get_collection")
def get_collection(key: str, scope: str | None = None) -> list:
    """Items of collection `key` (those whose name matches `scope` from the start, when given)."""
    return get_default_graph().get_collection(key, scope)


@v1_export("get_collection_ref")
def get_collection_ref(key: str) -> list:
    return get_default_graph().get_collection_ref(key)


@v1_export("get_seed")
def get_seed(op_seed: Any) -> tuple:
    """(graph seed, op seed) as TF derives them: an op seed alone uses the default graph seed 87654321."""
    from runtime.ops.random import python_seeds  # noqa: PLC0415
    with get_default_graph().as_default():
        return python_seeds(op_seed)


@v1_export("set_random_seed", "random.set_random_seed")
def set_random_seed(seed: int) -> None:
    """Graph-level seed: random ops and initializers of the default graph become repeatable."""
    get_default_graph().seed = None if seed is None else int(seed)


_ = dtypes
