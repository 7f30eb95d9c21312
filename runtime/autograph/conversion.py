"""`ag__.converted_call`: at call time, convert user functions; call library code and builtins as they are.

    ag__.converted_call(helper, (x,), None)     # helper is user code: converted (cached), then called
    ag__.converted_call(np.sum, (x,), None)     # library code: called unconverted
    ag__.converted_call(range, (n,), None)      # n a tensor: the `Range` op, so `for` can stage it
"""
from __future__ import annotations

import builtins
import functools
import inspect
import sys
import sysconfig
import types
from typing import Any, Callable

from .. import dispatch
from .operators import is_symbolic

# NOTE: library code is never converted: its control flow is already tensor-aware or Python-only.
SKIPPED_MODULES = ("runtime", "tfcompat", "upgrader", "numpy", "builtins", "functools", "itertools",
                   "collections", "inspect", "typing", "abc", "copy", "math", "operator", "re",
                   "contextlib", "dataclasses", "enum", "threading", "weakref", "tensorflow", "keras",
                   "scipy", "cupy", "pytest", "_pytest", "pluggy", "libcst")
_STDLIB = sysconfig.get_paths()["stdlib"]
DO_NOT_CONVERT = "__ag_do_not_convert__"


def do_not_convert(func: Callable | None = None) -> Any:
    """Decorator: AutoGraph calls `func` as it is (also as `do_not_convert()(func)`)."""
    if func is None:
        return do_not_convert
    try:
        setattr(func, DO_NOT_CONVERT, True)
        return func
    except (AttributeError, TypeError):
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return func(*args, **kwargs)
        setattr(wrapper, DO_NOT_CONVERT, True)
        return wrapper


def is_library(fn: Any) -> bool:
    """Code AutoGraph leaves alone: runtime/tfcompat, NumPy, the standard library and friends."""
    module = getattr(fn, "__module__", None) or ""
    if module.split(".")[0] in SKIPPED_MODULES:
        return True
    mod = sys.modules.get(module)
    path = getattr(mod, "__file__", None) or ""
    return path.startswith(_STDLIB) and "site-packages" not in path


def converted_call(f: Any, args: tuple, kwargs: dict | None) -> Any:
    """Call `f(*args, **kwargs)`, converting `f` first when it is convertible user code."""
    kwargs = kwargs or {}
    overload = BUILTIN_OVERLOADS.get(id(f))  # NOTE: builtins live forever, so ids cannot be reused
    if overload is not None:
        return overload(*args, **kwargs)
    target = _target(f)
    return target(*args, **kwargs) if target is not None else f(*args, **kwargs)


def _target(f: Any) -> Callable | None:
    """The converted callable for `f`, or None to call `f` unconverted."""
    from .transpiler import SourceUnavailable, convert_function  # noqa: PLC0415  (cycle)
    if getattr(f, DO_NOT_CONVERT, False):
        return None
    if isinstance(f, functools.partial):
        inner = _target(f.func)
        return None if inner is None else functools.partial(inner, *f.args, **f.keywords)
    if inspect.ismethod(f):
        inner = _target(f.__func__)
        return None if inner is None else types.MethodType(inner, f.__self__)
    fn = f
    if not isinstance(f, types.FunctionType):
        call = getattr(type(f), "__call__", None)
        if isinstance(f, type) or not isinstance(call, types.FunctionType):
            return None
        inner = _target(call)
        return None if inner is None else types.MethodType(inner, f)
    if not _convertible(fn):
        return None
    try:
        return convert_function(fn)
    except SourceUnavailable:
        return None


def _convertible(fn: types.FunctionType) -> bool:
    if getattr(fn, DO_NOT_CONVERT, False) or fn.__name__ == "<lambda>" or is_library(fn):
        return False
    return not (inspect.isgeneratorfunction(fn) or inspect.iscoroutinefunction(fn)
                or inspect.isasyncgenfunction(fn))


# -- builtins with tensor arguments ---------------------------------------------------------
def _range(*args: Any) -> Any:
    """`range(n)` on a tensor is `tf.range(n)`, so `for i in range(n)` can become a while_loop."""
    if any(dispatch.is_tensor(a) for a in args):
        from ..ops import composite_array  # noqa: PLC0415
        return composite_array.range_(*args)
    return range(*args)


def _len(obj: Any) -> Any:
    """`len(t)` on a graph tensor: its static first dimension, else a `Shape` read at run time."""
    if is_symbolic(obj):
        dims = obj.shape.as_list() if obj.shape.rank else None
        if not dims:
            raise ValueError(f"len requires a non-scalar tensor, got one with shape {obj.shape}")
        if dims[0] is not None:
            return dims[0]
        from ..ops import array  # noqa: PLC0415
        return array.shape(obj)[0]
    return len(obj)


BUILTIN_OVERLOADS: dict[int, Callable] = {id(builtins.range): _range, id(builtins.len): _len}
