"""`tf.Module`: a named container whose variables and submodules are found by walking attributes.

    class Dense(tf.Module):
        def __init__(self):
            super().__init__(name="dense")
            self.w = tf.Variable(tf.ones([3, 2]))
    Dense().trainable_variables  ->  (<tf.Variable 'w:0' ...>,)
"""
from __future__ import annotations

import contextlib
import functools
import re
from typing import Any, Callable, Iterator

from runtime import dispatch, nest
from runtime.variables import Variable

from .._export import export

_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-/>]*$")
_IGNORED = frozenset(("_self_unconditional_checkpoint_dependencies", "_self_unconditional_dependency_names"))


def camel_to_snake(name: str) -> str:
    """'MyModule' -> 'my_module' (TensorFlow's default module name)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class _ModuleScope:
    """The module's name scope (`m.name_scope.name == 'm/'`); entering it prefixes new names."""

    def __init__(self, name: str) -> None:
        self.name = name + "/"
        self._scope = name
        self._stack: list[Any] = []

    def __enter__(self) -> str:
        import tfcompat as tf  # noqa: PLC0415  (tf.name_scope belongs to the graph half)
        scope = getattr(tf, "name_scope", None)
        cm = scope(self._scope) if scope is not None else _plain_scope(self._scope)
        self._stack.append(cm)
        return cm.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        return self._stack.pop().__exit__(*exc)


@contextlib.contextmanager
def _plain_scope(name: str) -> Iterator[str]:
    scope = dispatch._state.scope
    scope.append(name)
    try:
        yield "/".join(scope) + "/"
    finally:
        scope.pop()


def _is_variable(obj: Any) -> bool:
    return isinstance(obj, Variable)


def _is_trainable(obj: Any) -> bool:
    return isinstance(obj, Variable) and obj.trainable


def _is_module(obj: Any) -> bool:
    return isinstance(obj, Module)


@export("Module")
class Module:
    """`tf.Module(name=None)`: base class for variable containers (`variables`, `submodules`)."""

    _TF_MODULE_IGNORED_PROPERTIES = _IGNORED

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not _VALID_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid module name. Module names must be valid Python "
                             "identifiers (e.g. a valid class name).")
        self._name = name
        self._name_scope = _ModuleScope(name)

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self) -> _ModuleScope:
        return self._name_scope

    @property
    def variables(self) -> tuple:
        """Every `tf.Variable` owned by this module and its submodules (own attributes first)."""
        return tuple(self._flatten(predicate=_is_variable, expand_composites=True))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(self._flatten(predicate=_is_trainable, expand_composites=True))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and not v.trainable,
                                   expand_composites=True))

    @property
    def submodules(self) -> tuple:
        """Every `tf.Module` reachable through attributes, breadth of each module first."""
        return tuple(self._flatten(predicate=_is_module))

    def _flatten(self, recursive: bool = True, predicate: Callable[[Any], bool] | None = None,
                 attribute_traversal_key: Callable | None = None, with_path: bool = False,
                 expand_composites: bool = False) -> Iterator[Any]:
        """Leaves of the attribute tree that satisfy `predicate`, as TensorFlow orders them."""
        if predicate is None:
            predicate = lambda _: True  # noqa: E731
        return _flatten_module(self, recursive, predicate, attribute_traversal_key,
                               self._TF_MODULE_IGNORED_PROPERTIES, with_path, (), {id(self)}, [])

    @classmethod
    def with_name_scope(cls, method: Callable) -> Callable:
        """Decorator: run `method` inside the module's name scope."""
        @functools.wraps(method)
        def method_with_name_scope(self: "Module", *args: Any, **kwargs: Any) -> Any:
            with self.name_scope:
                return method(self, *args, **kwargs)
        return method_with_name_scope

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"


def _flatten_module(module: Any, recursive: bool, predicate: Callable, key: Callable | None,
                    ignored: frozenset, with_path: bool, path: tuple, seen: set,
                    stack: list) -> Iterator[Any]:
    """Own attributes (sorted by name) first, then each submodule found, depth first."""
    if id(module) in stack:
        recursive = False
    submodules = []
    attrs = vars(module)
    for name in sorted(attrs, key=key):
        if name in ignored:
            continue
        for leaf_path, leaf in _leaves(attrs[name], (name,)):
            if not with_path:
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
            if predicate(leaf):
                yield (path + leaf_path, leaf) if with_path else leaf
            if recursive and _is_module(leaf):
                submodules.append((path + leaf_path, leaf))
    stack.append(id(module))
    for sub_path, sub in submodules:
        yield from _flatten_module(sub, recursive, predicate, key, ignored, with_path, sub_path, seen, stack)
    stack.pop()


def _leaves(value: Any, path: tuple) -> Iterator[tuple]:
    if isinstance(value, dict):
        for k in nest._sorted_keys(value):
            yield from _leaves(value[k], path + (k,))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _leaves(v, path + (i,))
    else:
        yield path, value
