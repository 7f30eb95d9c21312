"""`tf.autograph`: `to_code`, `to_graph`, `experimental.do_not_convert`, `set_verbosity`, `trace`.

    tf.autograph.to_code(f)   ->   "def tf__f(x):\n    ...ag__.if_stmt(x > 0, ...)\n"
"""
from __future__ import annotations

import enum
import logging
import sys
from typing import Any, Callable

from runtime import autograph

from .._export import export

_LOG = logging.getLogger("tfcompat.autograph")
_verbosity = {"level": 0, "stdout": False}


@export("autograph.to_code", v1=())
def to_code(entity: Any, recursive: bool = True, experimental_optional_features: Any = None) -> str:
    """tf.autograph.to_code(f) -> the source of f after conversion, as a string."""
    return autograph.to_code(entity, recursive=recursive)


@export("autograph.to_graph", v1=())
def to_graph(entity: Any, recursive: bool = True, experimental_optional_features: Any = None) -> Any:
    """tf.autograph.to_graph(f) -> f converted: tensor-dependent control flow builds graph ops."""
    return autograph.convert(entity, recursive=recursive)


@export(v1=("autograph.to_code",))
def to_code_v1(entity: Any, recursive: bool = True, arg_values: Any = None, arg_types: Any = None,
               indentation: str = "  ", experimental_optional_features: Any = None) -> str:
    """tf.compat.v1.autograph.to_code(f) -> the converted source (argument values/types are not needed)."""
    return autograph.to_code(entity, recursive=recursive)


@export(v1=("autograph.to_graph",))
def to_graph_v1(entity: Any, recursive: bool = True, arg_values: Any = None, arg_types: Any = None,
                experimental_optional_features: Any = None) -> Any:
    """tf.compat.v1.autograph.to_graph(f) -> f converted."""
    return autograph.convert(entity, recursive=recursive)


@export("autograph.experimental.do_not_convert")
def do_not_convert(func: Callable | None = None) -> Any:
    """@tf.autograph.experimental.do_not_convert: AutoGraph calls the function as written."""
    return autograph.do_not_convert(func)


@export("autograph.set_verbosity")
def set_verbosity(level: int, alsologtostdout: bool = False) -> None:
    """tf.autograph.set_verbosity(3): how much AutoGraph logs (0 = nothing)."""
    _verbosity.update(level=int(level), stdout=bool(alsologtostdout))
    _LOG.setLevel(logging.DEBUG if level > 0 else logging.WARNING)


@export("autograph.trace")
def trace(*args: Any) -> None:
    """tf.autograph.trace(x, y): print the arguments when the code runs (at trace time in a graph)."""
    print(*args)
    if _verbosity["stdout"]:
        sys.stdout.flush()


_UNSET = object()


@export("autograph.experimental.set_loop_options")
def set_loop_options(parallel_iterations: Any = _UNSET, swap_memory: Any = _UNSET,
                     maximum_iterations: Any = _UNSET, shape_invariants: Any = _UNSET) -> None:
    """Loop hints (TensorFlow reads them statically); outside converted loops this does nothing."""


@export("autograph.experimental.Feature")
class Feature(enum.Enum):
    """Optional AutoGraph conversions (accepted for compatibility; all are on or not applicable)."""

    ALL = "ALL"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    ASSERT_STATEMENTS = "ASSERT_STATEMENTS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"
