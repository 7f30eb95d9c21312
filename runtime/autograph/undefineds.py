"""Names first bound inside a staged loop: trace one iteration in a scratch graph to learn their type.

    while x > 0:        # x a graph tensor
        y = x           # 'y' is undefined before the loop ...
        x -= 1
    return y            # ... so it starts as zeros of y's dtype and shape after one iteration

As TensorFlow does; when the trial fails the error says why:
"'s' must be defined before the loop\nNote: AutoGraph tried to define it automatically, but ran into a ..."
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import dispatch, nest
from . import checks


def _unset(value: Any) -> bool:
    from .operators import Undefined, UndefinedReturnValue  # noqa: PLC0415  (cycle)
    return value is None or isinstance(value, (Undefined, UndefinedReturnValue))


def define_by_trial(body: Callable[[], None], get_state: Callable[[], tuple], set_state: Callable[[tuple], None],
                    init: tuple, names: tuple[str, ...]) -> tuple:
    """`init` with undefined entries replaced by zeros shaped like one iteration's result."""
    from ..graph import Graph, default_graph  # noqa: PLC0415  (only reached while building a graph)
    note, first = None, None
    scratch = Graph(outer=default_graph(), is_function=True, name="autograph_trial")
    try:
        with scratch.as_default():
            set_state(tuple(nest.map_structure(lambda v: _placeholder(scratch, v), v) if nest.is_nested(v)
                            else _placeholder(scratch, v) for v in init))
            body()
            first = get_state()
        init = tuple(_zeros_like(f) if _unset(v) else v for v, f in zip(init, first))
    except (UnboundLocalError, TypeError, ValueError, KeyError) as e:
        note = f"Note: AutoGraph tried to define it automatically, but ran into a {type(e).__name__}: {e}"
    finally:
        set_state(init)
    checks.loop_init(init, names, note)
    return init


def _placeholder(graph: Any, value: Any) -> Any:
    if isinstance(value, (int, float, bool, str, np.ndarray, np.generic)):
        t = dispatch.convert_to_tensor(value)
        return graph.placeholder(t.dtype, t.shape.as_list())
    return value


def _zeros_like(value: Any) -> Any:
    if nest.is_nested(value):
        return nest.map_structure(_zeros_like, value)
    if _unset(value):
        return value
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return type(value)(0)
    if dispatch.is_tensor(value):
        from ..ops import composite_array  # noqa: PLC0415
        dims = value.shape.as_list() if value.shape.rank is not None else []
        return composite_array.zeros([d or 0 for d in dims], value.dtype)
    raise TypeError(f"Found an unsupported type '{type(value).__name__}' while creating placeholder for "
                    f"{value}. Supported types include Tensor, int, float, bool, list, tuple or dict.")
