"""TF1 variables: values come from initializers run in a Session; `tf.assign*` ops; variable lists.

    v = tf.Variable(5.0, name="weight")          # 'weight:0', uninitialised until
    sess.run(tf.global_variables_initializer())  # runs every variable's initializer op
    sess.run(tf.assign_add(v, 1.0))              # -> 6.0
"""
from __future__ import annotations

import contextlib
from typing import Any

from runtime import dispatch
from runtime.variables import Variable as ResourceVariable

from ._api import v1_export
from .graph_api import get_default_graph, group, no_op


class VariableV1(ResourceVariable):
    """`tf.compat.v1.Variable`: a resource variable with TF1's constructor and graph attributes."""

    __slots__ = ("_collections",)

    def __init__(self, initial_value: Any = None, trainable: Any = None, collections: Any = None,
                 validate_shape: bool = True, caching_device: Any = None, name: str | None = None,
                 variable_def: Any = None, dtype: Any = None, expected_shape: Any = None, import_scope: Any = None,
                 constraint: Any = None, use_resource: Any = None, synchronization: Any = None,
                 aggregation: Any = None, shape: Any = None) -> None:
        g = None if dispatch.executing_eagerly() else get_default_graph()
        # NOTE: like TF's init_scope, a variable's initializer ignores enclosing control dependencies
        with g.control_dependencies(None) if g is not None else contextlib.nullcontext():
            super().__init__(initial_value, trainable=trainable, validate_shape=validate_shape, name=name,
                             dtype=dtype, constraint=constraint, shape=shape if validate_shape else None)
        self._collections = collections
        if g is not None:
            g.add_to_collection("_v1_all_variables", self)
            if collections is not None:
                _move_collections(g, self, list(collections))

    # -- graph attributes --------------------------------------------------------------------
    @property
    def initializer(self) -> Any:
        """The op that assigns the initial value (run it in a Session)."""
        return self._graph_state

    @property
    def op(self) -> Any:
        """The VarHandleOp node (`v.op.name` is the variable's name without ':0', as in TF)."""
        if self._graph_state is None:
            return None
        return self._graph_state.graph.capture(self).op

    @property
    def graph(self) -> Any:
        return self._graph_state.graph if self._graph_state is not None else None

    def initialized_value(self) -> Any:
        with get_default_graph().control_dependencies([self.initializer]):
            return self.value()

    def eval(self, session: Any = None) -> Any:
        if self._graph_state is None:
            return self.numpy()
        from .session import _session_for  # noqa: PLC0415
        return _session_for(session, "evaluate variable").run(self)

    def load(self, value: Any, session: Any = None) -> None:
        from .session import _session_for  # noqa: PLC0415
        _session_for(session, "load variable").run(self.assign(value))

    def _as_graph_element(self) -> Any:
        return self.value()

    def to_proto(self, export_scope: Any = None) -> Any:
        raise NotImplementedError("Variable.to_proto: tfcompat does not write VariableDef protos")


def _move_collections(g: Any, v: Any, collections: list) -> None:
    for key in ("variables", "trainable_variables"):
        items = g.collections.get(key, [])
        if key not in collections and any(x is v for x in items):
            g.collections[key] = [x for x in items if x is not v]
    for key in collections:
        if not any(x is v for x in g.collections.get(key, [])):
            g.add_to_collection(key, v)


v1_export("Variable", "VariableV1")(VariableV1)


# -- variable lists and initializers --------------------------------------------------------
@v1_export("global_variables", "all_variables")
def global_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection("variables", scope)


@v1_export("trainable_variables")
def trainable_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection("trainable_variables", scope)


@v1_export("local_variables")
def local_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection("local_variables", scope)


@v1_export("model_variables")
def model_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection("model_variables", scope)


@v1_export("moving_average_variables")
def moving_average_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection("moving_average_variables", scope)


@v1_export("variables_initializer", "initializers.variables")
def variables_initializer(var_list: Any, name: str = "init") -> Any:
    """One op running the initializers of `var_list` (a no-op for an empty list)."""
    inits = [v._graph_state for v in var_list if getattr(v, "_graph_state", None) is not None]
    return group(*inits, name=name) if inits else no_op(name=name)


@v1_export("global_variables_initializer", "initializers.global_variables")
def global_variables_initializer() -> Any:
    """tf.global_variables_initializer(): an op that initializes every global variable."""
    return variables_initializer(global_variables())


@v1_export("initialize_all_variables")
def initialize_all_variables() -> Any:
    return global_variables_initializer()


@v1_export("local_variables_initializer", "initializers.local_variables")
def local_variables_initializer() -> Any:
    return variables_initializer(local_variables(), name="init_1")


@v1_export("initialize_local_variables")
def initialize_local_variables() -> Any:
    return local_variables_initializer()


@v1_export("is_variable_initialized")
def is_variable_initialized(variable: Any) -> Any:
    return get_default_graph().create_op(_IS_INIT, (get_default_graph().capture(variable),), {}, "IsVariableInitialized")


def _is_init_kernel(h: Any) -> Any:
    import numpy as np  # noqa: PLC0415
    return np.bool_(h.value is not None)


from runtime.graph_tensor import pseudo_op as _pseudo  # noqa: E402
from runtime import dtypes as _dtypes  # noqa: E402

_IS_INIT = _pseudo("VarIsInitializedOp", _is_init_kernel, shape=lambda h: (), dtype=lambda h: _dtypes.bool_,
                   stateful=True)


@v1_export("report_uninitialized_variables")
def report_uninitialized_variables(var_list: Any = None, name: str = "report_uninitialized_variables") -> Any:
    raise NotImplementedError("tf.report_uninitialized_variables is not provided by tfcompat; use "
                              "tf.is_variable_initialized(v) per variable")


# -- assignment ops ---------------------------------------------------------------------------
def _assign(method: str, ref: Any, value: Any, name: str | None) -> Any:
    if not hasattr(ref, "_handle"):
        raise TypeError(f"tf.{method} needs a tf.Variable as `ref`, got {type(ref).__name__}")
    return getattr(ref, method)(value, name=name)


@v1_export("assign")
def assign(ref: Any, value: Any, validate_shape: Any = None, use_locking: Any = None, name: str | None = None) -> Any:
    """tf.assign(v, x): an op setting v to x; its output is v's new value."""
    return _assign("assign", ref, value, name)


@v1_export("assign_add")
def assign_add(ref: Any, value: Any, use_locking: Any = None, name: str | None = None) -> Any:
    return _assign("assign_add", ref, value, name)



if not hasattr(ResourceVariable, "eval"):  # NOTE: TF2's tf.Variable keeps eval()/load() for tf.compat.v1 sessions
    ResourceVariable.eval = VariableV1.eval
    ResourceVariable.load = VariableV1.load

@v1_export("assign_sub")
def assign_sub(ref: Any, value: Any, use_locking: Any = None, name: str | None = None) -> Any:
    return _assign("assign_sub", ref, value, name)
