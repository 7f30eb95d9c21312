"""`tf.function`: trace a Python function into a graph once per input signature, then run plans.

    @function
    def f(x):                # traced with a symbolic x (Python side effects run only now)
        return x + 1
    f(scalar); f(vector)     # two concrete functions, cached by dtype and shape
    f(other_scalar)          # cached: one call op, one straight-line plan

A call is one op (`PartitionedCall`, or `StatefulPartitionedCall` when the function
assigns variables or prints), so a tape records one entry whose gradient runs the
traced backward of the function, and a graph being traced gets one call node.
"""
from __future__ import annotations

import functools
import inspect
import logging
import weakref
from collections import deque
from typing import Any, Callable

from . import dispatch, nest
from .concrete import ConcreteFunction, TensorSpec
from .graph import Graph
from .tensor import Tensor

_RUN_EAGERLY = [False]
_WARN_THRESHOLD, _WARN_HISTORY = 5, 10

__all__ = ["Function", "function", "TensorSpec", "ConcreteFunction", "run_functions_eagerly",
           "functions_run_eagerly"]


def run_functions_eagerly(run_eagerly: bool) -> None:
    """`tf.config.run_functions_eagerly(True)`: call the Python functions themselves (for debugging)."""
    _RUN_EAGERLY[0] = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return _RUN_EAGERLY[0]


class Function:
    """A polymorphic traced function (`tf.function`'s result): one ConcreteFunction per signature."""

    def __init__(self, python_function: Callable, input_signature: Any = None, autograph: bool = True,
                 jit_compile: Any = None, reduce_retracing: bool = False, name: str | None = None,
                 experimental_attributes: Any = None) -> None:
        self._python_function = python_function
        self._input_signature = None if input_signature is None else tuple(input_signature)
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._reduce_retracing = reduce_retracing
        self._name = name or getattr(python_function, "__name__", "function")
        self._cache: dict[Any, ConcreteFunction] = {}
        self._tracing_count = 0
        self._created_variables = False
        self._history: deque = deque(maxlen=_WARN_HISTORY)
        self._converted: Callable | None = None
        self._instances: Any = weakref.WeakKeyDictionary()
        try:
            self._params = list(inspect.signature(python_function).parameters)
        except (TypeError, ValueError):
            self._params = []
        functools.update_wrapper(self, python_function, updated=())

    # -- Python protocol ---------------------------------------------------------------------
    def __get__(self, instance: Any, owner: Any = None) -> Any:
        """Methods: one Function (and one cache) per instance, as TensorFlow keeps them."""
        if instance is None:
            return self
        try:
            bound = self._instances.get(instance)
        except TypeError:
            bound = None
        if bound is None:
            bound = Function(self._python_function.__get__(instance, owner), self._input_signature,
                             self._autograph, self._jit_compile, self._reduce_retracing, self._name)
            try:
                self._instances[instance] = bound
            except TypeError:
                pass
        return bound

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _RUN_EAGERLY[0]:
            return self._python_function(*args, **kwargs)
        if not kwargs and self._input_signature is None:
            key = []
            for a in args:
                if type(a) is not Tensor:
                    break
                v = a._value
                key.append(v.dtype)
                key.append(v.shape)
            else:
                cf = self._cache.get(tuple(key))
                if cf is not None:
                    self._history.append(False)
                    return cf._call_flat(args)
        return self._call_slow(args, kwargs)

    def _call_slow(self, args: tuple, kwargs: dict) -> Any:
        cf, flat = self._lookup(args, kwargs, trace=True)
        return cf._call_flat(flat)

    # -- tracing -----------------------------------------------------------------------------
    def _lookup(self, args: tuple, kwargs: dict, trace: bool) -> tuple[ConcreteFunction, list]:
        if self._input_signature is not None:
            flat = _bind_signature(self._input_signature, args, kwargs, self._python_function)
            args, kwargs = self._input_signature, {}
            key, specs = ("input_signature",), nest.flatten(self._input_signature)
        else:
            args, kwargs = _numpy_as_tensors(args), _numpy_as_tensors(kwargs)
            key, specs, flat = _signature_key((args, kwargs))
        cf = self._cache.get(key)
        if cf is None and self._reduce_retracing:
            cf = self._find_compatible(specs)
        if cf is None:
            traced = True
            if self._reduce_retracing and self._cache:
                specs = self._relaxed(specs)
            cf = self._trace(args, kwargs, specs)
            self._cache[key] = cf
            if all(type(a) is Tensor for a in args) and not kwargs and self._input_signature is None:
                self._cache[tuple(x for a in args for x in (a._value.dtype, a._value.shape))] = cf
        else:
            traced = False
        self._history.append(traced)
        if traced:
            self._maybe_warn()
        return cf, flat

    def _find_compatible(self, specs: list) -> ConcreteFunction | None:
        for cf in self._cache.values():
            if len(cf.arg_specs) == len(specs) and all(a.is_compatible_with(b) for a, b in zip(cf.arg_specs, specs)):
                return cf
        return None

    def _relaxed(self, specs: list) -> list:
        for cf in reversed(list(self._cache.values())):
            if len(cf.arg_specs) == len(specs) and all(a.dtype == b.dtype and a.shape.rank == b.shape.rank
                                                       for a, b in zip(cf.arg_specs, specs)):
                return [TensorSpec([x if x == y else None for x, y in zip(a.shape, b.shape)]
                                   if b.shape.rank is not None else None, b.dtype, b.name)
                        for a, b in zip(cf.arg_specs, specs)]
        return specs

    def _maybe_warn(self) -> None:
        n = sum(self._history)
        if n >= _WARN_THRESHOLD:
            logging.getLogger("tensorflow").warning(
                "%d out of the last %d calls to %s triggered tf.function retracing. Tracing is expensive and the "
                "excessive number of tracings could be due to (1) creating @tf.function repeatedly in a loop, (2) "
                "passing tensors with different shapes, (3) passing Python objects instead of tensors. For (1), "
                "please define your @tf.function outside of the loop. For (2), @tf.function has "
                "reduce_retracing=True option that can avoid unnecessary retracing. For (3), please refer to "
                "https://www.tensorflow.org/guide/function#controlling_retracing and "
                "https://www.tensorflow.org/api_docs/python/tf/function for  more details.",
                n, len(self._history), self._python_function)

    def _python_target(self) -> Callable:
        if self._converted is None:
            self._converted = self._python_function
            if self._autograph:
                try:
                    from .autograph import convert  # noqa: PLC0415  (built by the AutoGraph engineer)
                except ImportError:
                    convert = None
                if convert is not None:
                    self._converted = convert(self._python_function)
        return self._converted

    def _trace(self, args: tuple, kwargs: dict, specs: list) -> ConcreteFunction:
        self._tracing_count += 1
        first = not self._created_variables and self._tracing_count == 1
        cf = self._trace_once(args, kwargs, specs, allow_variables=first)
        if first and cf.created_variables:
            self._created_variables = True
            cf = self._trace_once(args, kwargs, specs, allow_variables=False)  # NOTE: as TF: a 2nd trace
        return cf

    def _trace_once(self, args: tuple, kwargs: dict, specs: list, allow_variables: bool) -> ConcreteFunction:
        graph = Graph(is_function=True, name=self._name)
        graph.allow_variables = allow_variables
        graph.created_variables = []
        it = iter(specs)
        names = iter(self._params + [f"args_{i}" for i in range(len(specs))])
        placeholders = []

        def symbolic(x: Any) -> Any:
            if hasattr(x, "_composite_components"):
                return type(x)._from_components([symbolic(c) for c in x._composite_components()])
            if dispatch.is_tensor(x) or isinstance(x, TensorSpec):
                spec = next(it)
                ph = graph.placeholder(spec.dtype, spec.shape, name=spec.name or _arg_name(names))
                placeholders.append(ph)
                return ph
            return x
        fn = self._python_target()
        with graph.as_default():
            sym_args = nest.map_structure(symbolic, args) if args else args
            sym_kwargs = nest.map_structure(symbolic, kwargs) if kwargs else kwargs
            out = fn(*sym_args, **sym_kwargs)
            out = nest.map_structure(lambda v: _as_output(graph, v), out) if out is not None else None
        return ConcreteFunction(graph, placeholders, out, self._name, list(specs), (args, kwargs))

    # -- TensorFlow's methods ----------------------------------------------------------------
    def get_concrete_function(self, *args: Any, **kwargs: Any) -> ConcreteFunction:
        if not args and not kwargs and self._input_signature is None:
            if self._cache:
                return next(iter(self._cache.values()))
            raise ValueError("No input_signature and no arguments: call get_concrete_function with example "
                             "arguments or tf.TensorSpecs, or give the function an input_signature.")
        return self._lookup(args, kwargs, trace=True)[0]

    def experimental_get_tracing_count(self) -> int:
        return self._tracing_count

    @property
    def input_signature(self) -> Any:
        return self._input_signature

    @property
    def python_function(self) -> Callable:
        return self._python_function

    @property
    def function_spec(self) -> Any:
        return self._input_signature

    def __repr__(self) -> str:
        return f"<tfcompat.function {self._name}>"


def function(func: Callable | None = None, input_signature: Any = None, autograph: bool = True,
             jit_compile: Any = None, reduce_retracing: bool = False, experimental_implements: Any = None,
             experimental_autograph_options: Any = None, experimental_attributes: Any = None,
             experimental_relax_shapes: Any = None, experimental_compile: Any = None,
             experimental_follow_type_hints: Any = None) -> Any:
    """`tf.function` as a decorator, with or without arguments."""
    relax = reduce_retracing or bool(experimental_relax_shapes)

    def wrap(f: Callable) -> Function:
        return Function(f, input_signature, autograph, jit_compile if jit_compile is not None else
                        experimental_compile, relax)
    return wrap if func is None else wrap(func)


# -- helpers --------------------------------------------------------------------------------
def _arg_name(names: Any) -> str:
    return next(names, "args")


def _as_output(graph: Graph, v: Any) -> Any:
    if hasattr(v, "_handle"):
        return v.value()
    if isinstance(v, Tensor):
        return graph.capture(v)
    if v is None or getattr(v, "_is_symbolic", False) or not _tensorlike(v):
        return v
    return dispatch.convert_to_tensor(v)


def _tensorlike(v: Any) -> bool:
    import numpy as np  # noqa: PLC0415
    return isinstance(v, np.ndarray)


def _numpy_as_tensors(structure: Any) -> Any:
    """NumPy arrays are arguments like tensors (keyed by dtype and shape), as TensorFlow treats them."""
    import numpy as np  # noqa: PLC0415
    if not any(isinstance(v, np.ndarray) for v in nest.flatten(structure)):
        return structure
    return nest.map_structure(lambda v: Tensor(v) if isinstance(v, np.ndarray) else v, structure)


def _flatten_up_to(signature: Any, value: Any) -> list:
    """`value`'s parts matching each TensorSpec in `signature`; a list under a spec is one value."""
    if isinstance(signature, TensorSpec):
        return [value]
    if isinstance(signature, dict):
        if not isinstance(value, dict) or set(value) != set(signature):
            raise ValueError(f"structure of {value!r} does not match {signature!r}")
        return [x for k in sorted(signature) for x in _flatten_up_to(signature[k], value[k])]
    if isinstance(signature, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(signature):
            raise ValueError(f"structure of {value!r} does not match {signature!r}")
        return [x for s, v in zip(signature, value) for x in _flatten_up_to(s, v)]
    return [value]


def _signature_key(structure: Any) -> tuple[Any, list, list]:
    """Cache key: structure, dtype+shape per tensor, Python values, variables by identity."""
    specs: list = []
    flat: list = []
    parts: list = []

    def walk(x: Any) -> None:
        t = type(x)
        if t is Tensor:
            v = x._value
            specs.append(TensorSpec(v.shape, x.dtype))
            flat.append(x)
            parts.append((v.dtype, v.shape))
        elif getattr(x, "_is_symbolic", False):
            specs.append(TensorSpec(x.shape, x.dtype))
            flat.append(x)
            parts.append(("sym", x.dtype, x.shape.as_tuple()))
        elif isinstance(x, TensorSpec):
            specs.append(x)
            parts.append(("spec", x.dtype, x.shape.as_tuple()))
        elif hasattr(x, "_handle"):
            parts.append(("var", id(x)))
        elif hasattr(x, "_composite_components"):  # a SparseTensor: traced as its component tensors
            parts.append((t, "composite"))
            for c in x._composite_components():
                walk(c)
        elif isinstance(x, (list, tuple)):
            parts.append((t, len(x)))
            for c in x:
                walk(c)
        elif isinstance(x, dict):
            parts.append((t, tuple(sorted(map(str, x)))))
            for k in sorted(x, key=str):
                walk(x[k])
        else:
            try:
                hash(x)
                parts.append((t, x))
            except TypeError:
                parts.append(("id", id(x)))
    walk(structure)
    return tuple(parts), specs, flat


def _bind_signature(signature: tuple, args: tuple, kwargs: dict, fn: Callable) -> tuple:
    """Arguments converted to the signature's dtypes; incompatible inputs fail as TensorFlow does."""
    if kwargs:
        try:
            params = list(inspect.signature(fn).parameters)
            args = tuple(args) + tuple(kwargs[p] for p in params[len(args):len(signature)] if p in kwargs)
        except (TypeError, ValueError, KeyError):
            pass
    flat_sig = nest.flatten(signature)
    try:
        if len(args) != len(signature):
            raise ValueError("wrong number of arguments")
        flat_args = _flatten_up_to(tuple(signature), tuple(args))
        converted = []
        for spec, a in zip(flat_sig, flat_args):
            t = dispatch.convert_to_tensor(a, dtype=spec.dtype) if not hasattr(a, "_handle") else a
            if not spec.shape.is_compatible_with(t.shape):
                raise ValueError("incompatible shape")
            converted.append(t)
    except (ValueError, TypeError) as e:
        raise TypeError(f"Binding inputs to tf.function failed due to `{e}`. Received args: {args} and kwargs: "
                        f"{kwargs} for signature: {signature}.\nPython inputs incompatible with "
                        f"input_signature:\n  inputs: (\n    {', '.join(map(repr, args))})\n  input_signature: "
                        f"(\n    {', '.join(map(repr, flat_sig))}).") from None
    return converted
