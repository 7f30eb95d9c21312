"""`tf.debugging`: assertions and numerics checks, with TensorFlow's messages.

    tf.debugging.assert_equal(x, y)        # eager: raises InvalidArgumentError now
    tf.Assert(x > 0, [x])                  # in a graph: a stateful `Assert` op that fails when run
    tf.debugging.check_numerics(t, "t")    # t, or InvalidArgumentError "t : Tensor had NaN values"
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from runtime import backend, dispatch
from runtime.errors import InvalidArgumentError
from runtime.ops import extra_math as xm
from runtime.ops.registry import OpDef

from .._export import export


def _raise(text: str) -> None:
    raise InvalidArgumentError(None, None, text)


def _assert_kernel(xp: Any) -> Callable:
    def kernel(*arrays: Any, check: Callable) -> None:
        check(*[np.asarray(backend.to_host(a)) for a in arrays])  # NOTE: checked on the host
    return kernel


ASSERT = OpDef("Assert", _assert_kernel, num_outputs=0, stateful=True, differentiable=False)


def _run(check: Callable, tensors: list, name: str | None) -> Any:
    """Eagerly: check now (a Python error, as TF's eager asserts); in graphs: an `Assert` op."""
    if all(not getattr(t, "_is_symbolic", False) for t in tensors) and dispatch.executing_eagerly():
        check(*[np.asarray(t.numpy()) for t in tensors])
        return None
    return dispatch.execute(ASSERT, tuple(tensors), {"check": check}, name or "Assert")


def _fmt(a: np.ndarray) -> str:
    return str(a)


def _binary(x: Any, y: Any, symbol: str, ufunc: Callable, message: Any, summarize: Any, name: Any) -> Any:
    x, y = dispatch.convert_to_tensor(x), dispatch.convert_to_tensor(y)
    if x.dtype != y.dtype:
        y = dispatch.convert_to_tensor(y, dtype=x.dtype)
    n = 3 if summarize is None else int(summarize)

    def check(a: np.ndarray, b: np.ndarray) -> None:
        try:
            ok = ufunc(a, b)
        except ValueError:
            _raise(f"Incompatible shapes: {list(a.shape)} vs. {list(b.shape)}")
        if bool(np.all(ok)):
            return
        a_b, b_b = np.broadcast_arrays(a, b)
        bad = np.argwhere(~np.broadcast_to(ok, a_b.shape))[:n]
        lines = [str(message)] if message else []
        lines.append(f"Condition x {symbol} y did not hold.")
        if a_b.ndim:  # NOTE: TF lists the failing positions only for non-scalars
            lines += [f"Indices of first {len(bad)} different values:", _fmt(bad), "Corresponding x values:",
                      _fmt(a_b[tuple(bad.T)]), "Corresponding y values:", _fmt(b_b[tuple(bad.T)])]
        lines += [f"First {min(n, a.size)} elements of x:", _fmt(a.reshape(-1)[:n]),
                  f"First {min(n, b.size)} elements of y:", _fmt(b.reshape(-1)[:n])]
        _raise("\n".join(lines))
    return _run(check, [x, y], name)


@export("debugging.assert_equal", "assert_equal", v1=())
def assert_equal(x: Any, y: Any, message: Any = None, summarize: Any = None, name: Any = None) -> Any:
    """Fails unless x == y elementwise (broadcasting)."""
    return _binary(x, y, "==", np.equal, message, summarize, name)


@export("debugging.assert_less", "assert_less", v1=())
def assert_less(x: Any, y: Any, message: Any = None, summarize: Any = None, name: Any = None) -> Any:
    """Fails unless x < y elementwise."""
    return _binary(x, y, "<", np.less, message, summarize, name)


@export("debugging.assert_greater", "assert_greater", v1=())
def assert_greater(x: Any, y: Any, message: Any = None, summarize: Any = None, name: Any = None) -> Any:
    """Fails unless x > y elementwise."""
    return _binary(x, y, ">", np.greater, message, summarize, name)


@export("debugging.assert_near", v1=())
def assert_near(x: Any, y: Any, rtol: Any = None, atol: Any = None, message: Any = None, summarize: Any = None,
                name: Any = None) -> Any:
    """Fails unless |x - y| <= atol + rtol * |y| elementwise (default tolerances: 10 * dtype eps)."""
    x = dispatch.convert_to_tensor(x)
    y = dispatch.convert_to_tensor(y, dtype=x.dtype)
    eps = float(np.finfo(x.dtype.as_numpy_dtype).eps) if x.dtype.is_floating else 0.0
    rt = 10 * eps if rtol is None else float(rtol)
    at = 10 * eps if atol is None else float(atol)

    def check(a: np.ndarray, b: np.ndarray) -> None:
        if bool(np.all(np.abs(a - b) <= at + rt * np.abs(b))):
            return
        lines = [str(message)] if message else []
        lines += [f"x and y not equal to tolerance rtol = {rt}, atol = {at}", f"x (shape={a.shape} dtype="
                  f"{x.dtype.name}) = ", _fmt(a), f"y (shape={b.shape} dtype={y.dtype.name}) = ", _fmt(b)]
        _raise("\n".join(lines))
    return _run(check, [x, y], name)


@export("debugging.assert_rank", "assert_rank", v1=())
def assert_rank(x: Any, rank: Any, message: Any = None, name: Any = None) -> Any:
    """Fails (ValueError, statically) unless x has rank `rank`."""
    x = dispatch.convert_to_tensor(x)
    want = int(np.asarray(rank.numpy() if dispatch.is_tensor(rank) else rank))
    if x.shape.rank is not None and x.shape.rank != want:
        prefix = f"{message}.  " if message else ""
        raise ValueError(f"{prefix}Tensor {'' if dispatch.executing_eagerly() else x.name} must have rank {want}.  "
                         f"Received rank {x.shape.rank}, shape {tuple(x.shape.as_list())}")
    if x.shape.rank is None:
        return _run(lambda a: None if a.ndim == want else _raise(f"{message or ''} Tensor must have rank {want}. "
                                                                  f"Received rank {a.ndim}"), [x], name)
    return None


@export("debugging.assert_shapes", v1=())
def assert_shapes(shapes: Any, data: Any = None, summarize: Any = None, message: Any = None, name: Any = None) -> Any:
    """Check static shapes against specs such as `[(x, ("N", "D")), (y, ("N",))]`; symbols must agree."""
    items = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    sizes: dict = {}
    for tensor, spec in items:
        t = dispatch.convert_to_tensor(tensor)
        dims = t.shape.as_list() if t.shape.rank is not None else None
        spec = tuple(spec) if isinstance(spec, (list, tuple)) else (spec,)
        if dims is None:
            continue
        if len(spec) != len(dims) and "..." not in spec and "*" not in spec:
            raise ValueError(f"{message + '.  ' if message else ''}Specified by tensor {_desc(t)} rank {len(spec)}"
                             f".  Tensor {_desc(t)} must have rank {len(spec)}.  Received rank {len(dims)}, shape "
                             f"{tuple(dims)}")
        for i, (sym, d) in enumerate(zip(spec, dims)):
            if d is None or sym in ("...", "*"):
                continue
            if isinstance(sym, int):
                if sym != d:
                    raise ValueError(f"Tensor {_desc(t)} dimension {i} must have size {sym}.  Received size {d}, "
                                     f"shape {tuple(dims)}")
                continue
            if sym in sizes and sizes[sym][0] != d:
                owner, j = sizes[sym][1], sizes[sym][2]
                raise ValueError(f"{message + '.  ' if message else ''}Specified by tensor {_desc(owner)} dimension "
                                 f"{j}.  Tensor {_desc(t)} dimension {i} must have size {sizes[sym][0]}.  Received "
                                 f"size {d}, shape {tuple(dims)}")
            sizes.setdefault(sym, (d, t, i))
    return None


def _desc(t: Any) -> str:
    return f"shape={tuple(t.shape.as_list())} dtype={t.dtype.name}" if dispatch.executing_eagerly() else t.name


@export("debugging.check_numerics", v1=("debugging.check_numerics", "check_numerics"))
def check_numerics(tensor: Any, message: Any, name: Any = None) -> Any:
    """`tensor` unchanged, or InvalidArgumentError when it has NaN or Inf values."""
    return xm.check_numerics(dispatch.convert_to_tensor(tensor), message=str(message), name=name)


@export("debugging.assert_all_finite", v1=())
def assert_all_finite(x: Any, message: Any, name: Any = None) -> Any:
    """`x` unchanged, or InvalidArgumentError when it has NaN or Inf values."""
    return check_numerics(x, message, name=name)


def _data_text(a: np.ndarray) -> str:
    if a.dtype.kind in "OSU":
        return " ".join(repr(bytes(v) if isinstance(v, bytes) else str(v).encode()) for v in a.reshape(-1))
    return ", ".join(str(v) for v in a.reshape(-1).tolist()) if a.ndim else str(a.item())


@export("debugging.Assert", "Assert")
def Assert(condition: Any, data: Any, summarize: Any = None, name: Any = None) -> Any:  # noqa: N802
    """Fails with `data` summarized when `condition` is false; in graphs a stateful `Assert` op."""
    shown = str(condition)
    tensors = [dispatch.convert_to_tensor(condition)] + [dispatch.convert_to_tensor(d) for d in data]

    def check(c: np.ndarray, *values: np.ndarray) -> None:
        if not bool(np.all(c)):
            _raise(f"Expected '{shown}' to be true. Summarized data: " + "\n".join(_data_text(v) for v in values))
    return _run(check, tensors, name)
