"""`tf.config` switches for functions: `run_functions_eagerly` (debugging) and its query.

    tf.config.run_functions_eagerly(True)   # @tf.function bodies now run as plain Python
"""
from __future__ import annotations

from runtime import function as fn_mod

from .._export import export


@export("config.run_functions_eagerly", v1=("config.run_functions_eagerly",))
def run_functions_eagerly(run_eagerly: bool) -> None:
    """tf.config.run_functions_eagerly(True): tf.functions call their Python code, eagerly."""
    fn_mod.run_functions_eagerly(run_eagerly)


@export("config.experimental_run_functions_eagerly", v1=("config.experimental_run_functions_eagerly",))
def experimental_run_functions_eagerly(run_eagerly: bool) -> None:
    """Deprecated spelling of tf.config.run_functions_eagerly."""
    fn_mod.run_functions_eagerly(run_eagerly)


@export("config.functions_run_eagerly", v1=("config.functions_run_eagerly",))
def functions_run_eagerly() -> bool:
    """True after tf.config.run_functions_eagerly(True)."""
    return fn_mod.functions_run_eagerly()


@export("config.experimental_functions_run_eagerly", v1=("config.experimental_functions_run_eagerly",))
def experimental_functions_run_eagerly() -> bool:
    return fn_mod.functions_run_eagerly()
