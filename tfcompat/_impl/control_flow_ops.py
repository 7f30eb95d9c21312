"""`tf.cond`, `tf.while_loop`, `tf.case`, `tf.switch_case` and `tf.TensorArray`.

    tf.cond(x > 0, lambda: x, lambda: -x)      # Python when eager; an If node in a function
"""
from __future__ import annotations

from typing import Any, Callable

from runtime import control_flow
from runtime.tensor_array import TensorArray

from .._export import export, export_value

export_value(TensorArray, "TensorArray")


@export("cond", v1=())
def cond(pred: Any, true_fn: Callable | None = None, false_fn: Callable | None = None, name: str | None = None) -> Any:
    """tf.cond(pred, true_fn, false_fn) -> true_fn() if pred else false_fn()."""
    return control_flow.cond(pred, true_fn, false_fn, name)


@export("while_loop", v1=())
def while_loop(cond: Callable, body: Callable, loop_vars: Any, shape_invariants: Any = None,
               parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
               maximum_iterations: Any = None, name: str | None = None) -> Any:
    """tf.while_loop(lambda i: i < 10, lambda i: (i + 1,), [0]) -> [10]."""
    return control_flow.while_loop(cond, body, loop_vars, shape_invariants, parallel_iterations, back_prop,
                                   swap_memory, maximum_iterations, name)


@export("case", v1=())
def case(pred_fn_pairs: Any, default: Callable | None = None, exclusive: bool = False, strict: bool = False,
         name: str = "case") -> Any:
    """tf.case([(x < 0, f1), (x > 5, f2)], default=f3) -> the fn of the first true predicate."""
    return control_flow.case(pred_fn_pairs, default, exclusive, strict, name)


@export("switch_case")
def switch_case(branch_index: Any, branch_fns: Any, default: Callable | None = None,
                name: str = "switch_case") -> Any:
    """tf.switch_case(i, [f0, f1, f2]) -> branch_fns[i](); out of range -> default (the last branch)."""
    return control_flow.switch_case(branch_index, branch_fns, default, name)
