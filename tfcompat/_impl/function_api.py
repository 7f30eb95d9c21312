"""`tf.function`, `tf.TensorSpec` and `tf.print`.

    @tf.function
    def f(x): return x + 1        # f(tf.constant(1.0)) traces once per dtype and shape
"""
from __future__ import annotations

from typing import Any

from runtime import function as fn_mod
from runtime.concrete import ConcreteFunction, TensorSpec
from runtime.function_print import tf_print

from .._export import export, export_value

export_value(TensorSpec, "TensorSpec")
export_value(ConcreteFunction, "types.experimental.ConcreteFunction", v1=())
export_value(fn_mod.Function, "types.experimental.PolymorphicFunction", "types.experimental.GenericFunction",
             v1=())


@export("function")
def function(func: Any = None, input_signature: Any = None, autograph: bool = True, jit_compile: Any = None,
             reduce_retracing: bool = False, experimental_implements: Any = None,
             experimental_autograph_options: Any = None, experimental_attributes: Any = None,
             experimental_relax_shapes: Any = None, experimental_compile: Any = None,
             experimental_follow_type_hints: Any = None) -> Any:
    """@tf.function: trace `func` into a graph per input signature and run the graph."""
    return fn_mod.function(func, input_signature=input_signature, autograph=autograph, jit_compile=jit_compile,
                           reduce_retracing=reduce_retracing, experimental_relax_shapes=experimental_relax_shapes,
                           experimental_compile=experimental_compile)


@export("print")
def print(*inputs: Any, **kwargs: Any) -> Any:  # noqa: A001  (TensorFlow's name)
    """tf.print("x:", x) -> writes `x: [1 2 3]` to stderr every time it runs (also in functions)."""
    return tf_print(*inputs, **kwargs)
