"""`tf.py_function`, `tf.numpy_function`, `tf.timestamp` and TF2's `tf.gradients`.

    tf.py_function(lambda x: x * 2, [t], Tout=tf.float32)     # eager: called now; in graphs: at run time
    tf.numpy_function(np.sort, [t], Tout=tf.int32)            # func gets NumPy arrays
    tf.timestamp()                                            # float64 seconds, stateful

In graphs both are a stateful op (`EagerPyFunc` / `PyFunc`) whose kernel calls the
Python function each time the op runs; results are converted to `Tout`.
"""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from runtime import backend, dispatch, dtypes, graph_rules
from runtime.autodiff import UnconnectedGradients
from runtime.errors import InvalidArgumentError
from runtime.ops.registry import OpDef
from runtime.tensor import Tensor

from .._export import export


def _kernel(xp: Any) -> Callable:
    def kernel(*arrays: Any, func: Callable, tout: tuple, tensors: bool) -> tuple:
        with dispatch.interpreting(dispatch.EAGER):  # NOTE: func runs eagerly even while a graph executes
            host = [np.asarray(backend.to_host(a)) for a in arrays]  # NOTE: Python runs on the host
            out = func(*[Tensor(a) for a in host] if tensors else host)
        outs = list(out) if isinstance(out, (list, tuple)) else ([] if out is None else [out])
        if len(outs) != len(tout):
            raise ValueError(f"The Python function returned {len(outs)} values but Tout lists {len(tout)} dtypes")
        converted = tuple(_convert(o, d, i) for i, (o, d) in enumerate(zip(outs, tout)))
        return converted if xp is np else tuple(backend.to_device(o) for o in converted)
    return kernel


def _convert(value: Any, dtype: dtypes.DType, i: int) -> np.ndarray:
    """A returned value as `dtype`; tensors and arrays must already have it (as TF checks)."""
    if dispatch.is_tensor(value) or isinstance(value, np.ndarray):
        got = value.dtype if dispatch.is_tensor(value) else dtypes.from_numpy(value.dtype)
        if got != dtype:
            raise InvalidArgumentError(None, None, f"{i}-th value returned by the Python function is {got.name}, "
                                                   f"but Tout expects {dtype.name}; cast it in the function")
        return np.asarray(value.numpy() if dispatch.is_tensor(value) else value)
    return np.asarray(dispatch.to_array(value, dtype))


def _pyfunc_op(name: str) -> OpDef:
    return OpDef(name, _kernel, shape=lambda *s, tout, **a: tuple(None for _ in tout),
                 dtype=lambda *d, tout, **a: tuple(tout), num_outputs=lambda *xs, tout, **a: len(tout),
                 stateful=True, differentiable=False)


EAGER_PY_FUNC, PY_FUNC = _pyfunc_op("EagerPyFunc"), _pyfunc_op("PyFunc")


def _call(op: OpDef, func: Any, inp: Any, Tout: Any, tensors: bool, name: str | None) -> Any:  # noqa: N803
    if func is None:
        raise ValueError("tf.py_function/numpy_function needs `func` (decorator use is not provided by tfcompat)")
    single = not isinstance(Tout, (list, tuple))
    tout = tuple(dtypes.as_dtype(d) for d in ([] if Tout is None else [Tout] if single else Tout))
    inputs = tuple(dispatch.convert_to_tensor(x) for x in (inp or []))
    out = dispatch.execute(op, inputs, {"func": func, "tout": tout, "tensors": tensors}, name or op.name)
    if Tout is None:
        return None
    return out[0] if single else list(out)


@export("py_function")
def py_function(func: Any = None, inp: Any = None, Tout: Any = None, name: str | None = None) -> Any:  # noqa: N803
    """Call `func` on eager tensors (now, or when the graph runs); outputs converted to `Tout`."""
    return _call(EAGER_PY_FUNC, func, inp, Tout, True, name)


@export("numpy_function")
def numpy_function(func: Any = None, inp: Any = None, Tout: Any = None, stateful: bool = True,  # noqa: N803
                   name: str | None = None) -> Any:
    """Call `func` on NumPy arrays (now, or when the graph runs); outputs converted to `Tout`."""
    return _call(PY_FUNC, func, inp, Tout, False, name)


TIMESTAMP = OpDef("Timestamp", lambda xp: lambda: np.array(time.time(), np.float64), shape=lambda: (),
                  dtype=lambda: dtypes.float64, stateful=True, differentiable=False)


@export("timestamp")
def timestamp(name: str | None = None) -> Any:
    """Seconds since the epoch as a float64 scalar, read each time the op runs."""
    return dispatch.execute(TIMESTAMP, (), {}, name or "Timestamp")


@export("gradients", v1=())
def gradients(ys: Any, xs: Any, grad_ys: Any = None, name: str = "gradients", gate_gradients: bool = False,
              aggregation_method: Any = None, stop_gradients: Any = None,
              unconnected_gradients: Any = UnconnectedGradients.NONE) -> list:
    """Symbolic d(sum ys)/dx for each x (inside tf.function or a graph; use tf.GradientTape when eager)."""
    if dispatch.executing_eagerly():
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. Use tf.GradientTape "
                           "instead.")
    return graph_rules.gradients(ys, xs, grad_ys, stop_gradients, unconnected_gradients)
