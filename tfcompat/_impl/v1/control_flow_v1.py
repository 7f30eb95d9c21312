"""TF1's `tf.cond`, `tf.while_loop`, `tf.case` (+ v1 names of `map_fn`/`foldl`/`foldr`/`scan`).

    tf.cond(x > 0, lambda: [x], lambda: [-x])             # TF1 unpacks a 1-element result (strict=False)
    tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i])  # -> a tensor, not [tensor] (return_same_structure=False)
    tf.map_fn(lambda t: t * t, elems)                      # the v2 function (same signature in TF1)

All run on `runtime.control_flow` (If/While nodes holding traced branch graphs); only
TF1's argument names and result-packing rules live here.
"""
from __future__ import annotations

from typing import Any, Callable

from runtime import control_flow, dispatch, nest

from ._api import alias, pick, v1_export


def _unpack_if_singleton(res: Any) -> Any:
    if isinstance(res, (list, tuple)) and len(res) == 1:
        return res[0]
    return res


def _as_tensor_fn(fn: Callable) -> Callable:
    """A branch returning an Operation yields a tensor that runs it (TF1 uses the pivot for ops)."""
    def run() -> Any:
        out = fn()
        return nest.map_structure(_op_to_tensor, out) if out is not None else out
    return run


def _op_to_tensor(v: Any) -> Any:
    from runtime.graph import Node  # noqa: PLC0415
    if isinstance(v, Node):
        from runtime.ops import array  # noqa: PLC0415
        from .graph_api import control_dependencies  # noqa: PLC0415
        with control_dependencies([v]):
            return array.identity(dispatch.convert_to_tensor(True))
    return v


@v1_export("cond")
def cond(pred: Any, true_fn: Callable | None = None, false_fn: Callable | None = None, strict: bool = False,
         name: str | None = None, fn1: Callable | None = None, fn2: Callable | None = None) -> Any:
    """true_fn() if pred else false_fn(); a 1-element list/tuple result is unpacked unless strict."""
    true_fn = pick("cond", true_fn, fn1, "true_fn", "fn1")
    false_fn = pick("cond", false_fn, fn2, "false_fn", "fn2")
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, bool) and not dispatch.executing_eagerly():
        raise TypeError("'pred' must not be a Python bool.")
    res = control_flow.cond(pred, _as_tensor_fn(true_fn), _as_tensor_fn(false_fn), name)
    return res if strict else _unpack_if_singleton(res)


@v1_export("while_loop")
def while_loop(cond: Callable, body: Callable, loop_vars: Any, shape_invariants: Any = None,
               parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
               name: str | None = None, maximum_iterations: Any = None, return_same_structure: bool = False) -> Any:
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`; a 1-element result is unpacked."""
    res = control_flow.while_loop(cond, body, loop_vars, shape_invariants, parallel_iterations, back_prop,
                                  swap_memory, maximum_iterations, name)
    if isinstance(loop_vars, tuple) and isinstance(res, list):
        res = type(loop_vars)(*res) if hasattr(loop_vars, "_fields") else tuple(res)
    return res if return_same_structure else _unpack_if_singleton(res)


@v1_export("case")
def case(pred_fn_pairs: Any, default: Callable | None = None, exclusive: bool = False, strict: bool = False,
         name: str = "case") -> Any:
    """The fn of the first true predicate, else `default`; a 1-element result is unpacked unless strict."""
    if default is None and not pred_fn_pairs:
        raise ValueError("pred_fn_pairs must not be empty when no default is given")
    res = control_flow.case(pred_fn_pairs, default, exclusive, strict, name)
    return res if strict else _unpack_if_singleton(res)


# NOTE: map_fn/foldl/foldr/scan have the same signature in TF1; the v2 functions (functional_ops) serve both
for _n in ("map_fn", "foldl", "foldr", "scan"):
    alias(_n, _n)
