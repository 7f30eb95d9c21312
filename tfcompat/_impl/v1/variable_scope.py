"""`tf.variable_scope` and `tf.get_variable`: named, shareable variables.

    with tf.variable_scope("net"):             w = tf.get_variable("w", [3, 2])   # creates net/w
    with tf.variable_scope("net", reuse=True): w2 = tf.get_variable("w")          # the same variable
    with tf.variable_scope("auto", reuse=tf.AUTO_REUSE): ...                      # get or create
"""
from __future__ import annotations

import contextlib
import enum
from typing import Any, Iterator

from runtime import dispatch, dtypes

from ._api import v1_export
from .graph_api import get_default_graph
from .initializers_v1 import GlorotUniform, Zeros
from .variables_v1 import VariableV1


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE
v1_export("AUTO_REUSE")(AUTO_REUSE)


class VariableScope:
    """A variable scope: its name, reuse mode and defaults for `get_variable`."""

    def __init__(self, reuse: Any, name: str = "", initializer: Any = None, regularizer: Any = None,
                 caching_device: Any = None, partitioner: Any = None, custom_getter: Any = None,
                 name_scope: str = "", dtype: Any = dtypes.float32, use_resource: Any = None,
                 constraint: Any = None) -> None:
        self._name, self._reuse = name, reuse
        self._initializer, self._regularizer, self._dtype = initializer, regularizer, dtypes.as_dtype(dtype)
        self._name_scope, self._custom_getter, self._constraint = name_scope, custom_getter, constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    regularizer = property(lambda self: self._regularizer)
    dtype = property(lambda self: self._dtype)
    custom_getter = property(lambda self: self._custom_getter)
    caching_device = property(lambda self: None)
    partitioner = property(lambda self: None)
    use_resource = property(lambda self: True)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self) -> None:
        """Later `get_variable` calls in this scope return existing variables."""
        self._reuse = True

    def set_initializer(self, initializer: Any) -> None:
        self._initializer = initializer

    def set_regularizer(self, regularizer: Any) -> None:
        self._regularizer = regularizer

    def set_dtype(self, dtype: Any) -> None:
        self._dtype = dtypes.as_dtype(dtype)

    def set_custom_getter(self, custom_getter: Any) -> None:
        self._custom_getter = custom_getter

    def get_variable(self, var_store: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        return get_variable(name, *args, **kwargs)

    def global_variables(self) -> list:
        return get_default_graph().get_collection("variables", self._name)

    def trainable_variables(self) -> list:
        return get_default_graph().get_collection("trainable_variables", self._name)

    def __repr__(self) -> str:
        return f"<VariableScope {self._name!r} reuse={self._reuse}>"


v1_export("VariableScope")(VariableScope)


class _Store:
    """Per-graph state: the scope stack, variables by full name, scope-name counts."""

    def __init__(self) -> None:
        self.stack = [VariableScope(False)]
        self.vars: dict[str, Any] = {}
        self.counts: dict[str, int] = {}


def _store() -> _Store:
    g = get_default_graph()
    store = getattr(g, "_v1_var_store", None)
    if store is None:
        store = g._v1_var_store = _Store()
    return store


@v1_export("get_variable_scope")
def get_variable_scope() -> VariableScope:
    return _store().stack[-1]


@v1_export("variable_scope")
@contextlib.contextmanager
def variable_scope(name_or_scope: Any, default_name: str | None = None, values: Any = None, initializer: Any = None,
                   regularizer: Any = None, caching_device: Any = None, partitioner: Any = None,
                   custom_getter: Any = None, reuse: Any = None, dtype: Any = None, use_resource: Any = None,
                   constraint: Any = None, auxiliary_name_scope: bool = True) -> Iterator[VariableScope]:
    """Open a variable scope (and a matching name scope); reuse is inherited from the enclosing scope."""
    if name_or_scope is None and default_name is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if reuse is False:
        reuse = None
    store = _store()
    parent = store.stack[-1]
    prefix = parent.name + "/" if parent.name else ""
    g = get_default_graph()
    if isinstance(name_or_scope, VariableScope):
        full, ns_name = name_or_scope.name, name_or_scope.original_name_scope
        base = name_or_scope
    else:
        if name_or_scope is None:
            short, n = default_name, 0
            while store.counts.get(prefix + short, 0) > 0:
                n += 1
                short = f"{default_name}_{n}"
        else:
            short = str(name_or_scope)
        full, ns_name, base = prefix + short, short, parent
    store.counts[full] = store.counts.get(full, 0) + 1
    saved_counts = dict(store.counts) if isinstance(name_or_scope, VariableScope) else None
    new_reuse = True if parent.reuse is True or (reuse is True) else (AUTO_REUSE if reuse is AUTO_REUSE or (
        reuse is None and parent.reuse is AUTO_REUSE) else (reuse or False))
    if isinstance(name_or_scope, VariableScope) and reuse is None:
        new_reuse = name_or_scope.reuse or parent.reuse
    ns_ctx: Any = contextlib.nullcontext(None)
    if auxiliary_name_scope and not dispatch.executing_eagerly():
        if isinstance(name_or_scope, VariableScope) and ns_name:
            ns_ctx = g.name_scope(ns_name if ns_name.endswith("/") else ns_name + "/")
        else:
            ns_ctx = g.name_scope(ns_name)
    with ns_ctx as ns:
        scope = VariableScope(
            new_reuse, full, initializer if initializer is not None else base.initializer,
            regularizer if regularizer is not None else base.regularizer,
            custom_getter=custom_getter if custom_getter is not None else base.custom_getter,
            name_scope=ns if ns is not None else (ns_name + "/" if ns_name else ""),
            dtype=dtype if dtype is not None else base.dtype,
            constraint=constraint if constraint is not None else base.constraint)
        store.stack.append(scope)
        try:
            yield scope
        finally:
            store.stack.pop()
            _close_subscopes(store, full, saved_counts)


def _close_subscopes(store: _Store, full: str, saved: dict | None) -> None:
    """As TF1 on leaving a scope: default names inside it count from zero again on re-entry
    (a VariableScope object restores the counts it was entered with)."""
    if saved is not None:
        store.counts = saved
        return
    inner = full + "/"
    for key in store.counts:
        if key.startswith(inner):
            store.counts[key] = 0


v1_export("variable_op_scope")(variable_scope)


@v1_export("get_variable")
def get_variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None, regularizer: Any = None,
                 trainable: Any = None, collections: Any = None, caching_device: Any = None, partitioner: Any = None,
                 validate_shape: bool = True, use_resource: Any = None, custom_getter: Any = None,
                 constraint: Any = None, synchronization: Any = None, aggregation: Any = None) -> Any:
    """The variable `<scope>/name`: created (reuse False), fetched (reuse True) or either (AUTO_REUSE)."""
    scope = get_variable_scope()
    getter = custom_getter or scope.custom_getter
    kwargs = dict(shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer, trainable=trainable,
                  collections=collections, validate_shape=validate_shape, constraint=constraint)
    full = scope.name + "/" + name if scope.name else name
    if getter is not None:
        return getter(_true_getter, full, **kwargs)
    return _true_getter(full, **kwargs)


def _true_getter(full: str, shape: Any = None, dtype: Any = None, initializer: Any = None, regularizer: Any = None,
                 trainable: Any = None, collections: Any = None, validate_shape: bool = True,
                 constraint: Any = None, **_: Any) -> Any:
    store, scope = _store(), get_variable_scope()
    reuse = scope.reuse
    found = store.vars.get(full)
    if found is not None:
        if reuse is False:
            raise ValueError(f"Variable {full} already exists, disallowed. Did you mean to set reuse=True or "
                             "reuse=tf.AUTO_REUSE in VarScope?")
        if shape is not None and not found.shape.is_compatible_with(_shape(shape)):
            raise ValueError(f"Trying to share variable {full}, but specified shape {_shape(shape)} and found "
                             f"shape {found.shape}.")
        if dtype is not None and dtypes.as_dtype(dtype) is not found.dtype:
            raise ValueError(f"Trying to share variable {full}, but specified dtype {dtypes.as_dtype(dtype).name} "
                             f"and found dtype {found.dtype.name}.")
        return found
    if reuse is True:
        raise ValueError(f"Variable {full} does not exist, or was not created with tf.get_variable(). Did you "
                         "mean to set reuse=tf.AUTO_REUSE in VarScope?")
    from_value = initializer is not None and (dispatch.is_tensor(initializer) or not callable(initializer))
    if dtype is None and from_value:  # NOTE: as TF: a tensor or value initializer gives its own dtype
        dtype = dispatch.convert_to_tensor(initializer).dtype if dispatch.is_tensor(initializer) else \
            dtypes.as_dtype(dtypes.dtype_of_value(initializer))
    dtype = dtypes.as_dtype(dtype) if dtype is not None else scope.dtype
    initializer = initializer if initializer is not None else scope.initializer
    if initializer is None:
        if dtype.is_floating:
            initializer = GlorotUniform()
        elif dtype.is_integer or dtype.is_bool or dtype is dtypes.string:
            initializer = Zeros()
        else:
            raise ValueError(f"An initializer for variable {full} of {dtype.name} is required")
    g = get_default_graph()
    with g.name_scope(full + "/Initializer/") if not dispatch.executing_eagerly() else contextlib.nullcontext():
        if callable(initializer) and not dispatch.is_tensor(initializer):
            if shape is None:
                raise ValueError(f"The shape of variable {full} must be specified (or pass a tensor initializer)")
            init_value = _call_initializer(initializer, _shape(shape), dtype)
        else:
            init_value = dispatch.convert_to_tensor(initializer, dtype=dtype)
    with g.name_scope("") if not dispatch.executing_eagerly() else contextlib.nullcontext():
        v = VariableV1(init_value, trainable=True if trainable is None else trainable, collections=collections,
                       validate_shape=validate_shape, name=full, dtype=dtype, constraint=constraint)
    store.vars[full] = v
    regularizer = regularizer if regularizer is not None else scope.regularizer
    if regularizer is not None:
        with g.name_scope(full + "/Regularizer/"):
            loss = regularizer(v)
        if loss is not None:
            g.add_to_collection("regularization_losses", loss)
    return v


def _call_initializer(initializer: Any, shape: list, dtype: dtypes.DType) -> Any:
    try:
        return initializer(shape, dtype=dtype, partition_info=None)
    except TypeError:
        return initializer(shape, dtype=dtype)


def _shape(shape: Any) -> list:
    if hasattr(shape, "as_list"):
        return shape.as_list()
    if isinstance(shape, int):
        return [shape]
    return [int(d) if d is not None and not hasattr(d, "value") else (d.value if hasattr(d, "value") else None)
            for d in shape]


@v1_export("get_local_variable")
def get_local_variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None, **kwargs: Any) -> Any:
    kwargs["collections"] = ["local_variables"]
    kwargs.setdefault("trainable", False)
    return get_variable(name, shape, dtype, initializer, **kwargs)
