"""`GraphInterpreter`: the interpreter that adds each op to a graph instead of running it.

    with graph.as_default():        # pushes GraphInterpreter(graph)
        y = x * 2                   # -> graph.create_op(Mul, ...)

It also decides what variables do in graphs: functions create them once from values
computable now (TF2 lifts them out); v1 graphs defer their values to an initializer.
"""
from __future__ import annotations

from typing import Any

from . import dispatch
from .dispatch import Interpreter
from .errors import InvalidArgumentError
from .graph import Graph
from .graph_tensor import SymbolicTensor


class GraphInterpreter(Interpreter):
    """Adds each op to a graph instead of running it."""

    is_eager = False

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def process(self, op: Any, inputs: tuple, attrs: dict, name: str | None) -> Any:
        g = self.graph
        ins = tuple(t if type(t) is SymbolicTensor and t.graph is g else g.capture(t) for t in inputs)
        return g.create_op(op, ins, attrs, name)

    def constant(self, array: Any, name: str | None = None) -> Any:
        return self.graph.constant(array, name)

    def variable_name(self, name: str) -> str:
        g = self.graph
        if g.is_function:  # NOTE: TF2 lifts variables out of functions: eager naming
            if not getattr(g, "allow_variables", True):
                raise ValueError("tf.function only supports singleton tf.Variables created on the first call. "
                                 "Make sure the tf.Variable is only created once or created outside tf.function. "
                                 "See https://www.tensorflow.org/guide/function#creating_tfvariables for more "
                                 "information.")
            if getattr(g, "created_variables", None) is not None:
                g.created_variables.append(name)
            return super().variable_name(name)
        return self.graph.unique_name(name) + ":0"

    def init_variable(self, variable: Any, initial: Any) -> None:
        """Functions create variables once, from values computable now; v1 graphs defer to an initializer."""
        g = self.graph
        if not getattr(initial, "_is_symbolic", False):
            variable._value.value = initial._value
            return
        if g.is_function:
            from .executor import evaluate  # noqa: PLC0415
            try:
                variable._value.value = evaluate(initial)
            except InvalidArgumentError as e:
                raise ValueError("A tf.Variable created inside a tf.function must have an initial value "
                                 "that does not depend on the function's inputs (use a constant, or create "
                                 f"it outside): {e}") from None
            return
        from .variables import assign_variable_op  # noqa: PLC0415
        base = variable.name.split(":")[0]
        with g.name_scope(base + "/"):
            init = g.create_op(assign_variable_op, (g.capture(variable), initial), {}, "Assign")
        variable._graph_state = init
        g.add_to_collection("variables", variable)
        if variable.trainable:
            g.add_to_collection("trainable_variables", variable)

    def after_assign(self, variable: Any, result: Any, read_value: bool) -> Any:
        if not read_value:
            return result
        from .variables import read_variable_op  # noqa: PLC0415
        with self.graph.control_dependencies([result]):
            return dispatch.execute(read_variable_op, (variable,))


__all__ = ["GraphInterpreter", "Graph"]
