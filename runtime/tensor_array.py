"""`TensorArray`: a list of tensors carried as one value (a `TList` in a variant tensor).

    ta = TensorArray(tf.float32, size=3)
    ta = ta.write(0, x).write(1, y)      # functional: each write gives a new flow value
    ta.stack()                           # TensorListStack -> shape (3, *x.shape)

Each method is one op on the flow, so a TensorArray works eagerly, in function graphs
and as a `while_loop` variable, and every op has a gradient (lists of gradients add
elementwise; a missing entry means zeros).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import backend, dispatch, dtypes
from .errors import InvalidArgumentError
from .ops.registry import OpDef
from .shape import TensorShape


class TList:
    """An immutable list of arrays (None = not written / zero gradient); `+` adds elementwise."""

    __slots__ = ("items",)

    def __init__(self, items: Any) -> None:
        self.items = tuple(items)

    def __add__(self, other: "TList") -> "TList":
        n = max(len(self.items), len(other.items))
        a = self.items + (None,) * (n - len(self.items))
        b = other.items + (None,) * (n - len(other.items))
        return TList(x if y is None else y if x is None else x + y for x, y in zip(a, b))

    def __repr__(self) -> str:
        return f"TList({len(self.items)})"


def _box(items: Any) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = TList(items)
    return out


def _items(flow: Any) -> tuple:
    return flow[()].items if isinstance(flow, np.ndarray) else flow.items


def _zeros_for_list(flow: Any) -> np.ndarray:
    return _box([None] * len(_items(flow)))


def _op(name: str, kernel: Callable, dtype: Callable, shape: Callable | None = None,
        grad: Callable | None = None) -> OpDef:
    return OpDef(name, lambda xp: kernel, dtype=dtype, shape=shape, grad=grad, differentiable=grad is not None)


_variant = lambda *d, **a: dtypes.variant  # noqa: E731
_elem = lambda *d, element_dtype, **a: element_dtype  # noqa: E731


def _check(i: int, n: int, what: str) -> int:
    if not 0 <= i < n:
        verb = "read from" if what == "read" else "write to"
        raise InvalidArgumentError(None, None, f"Tried to {verb} index {i} but array size is: {n}")
    return i


def _reserve(size: Any, element_dtype: Any, dynamic: bool) -> np.ndarray:
    return _box([None] * int(size))


def _set(flow: Any, i: Any, value: Any, element_dtype: Any, dynamic: bool) -> np.ndarray:
    items, i = list(_items(flow)), int(i)
    if i >= len(items):
        if not dynamic:
            raise InvalidArgumentError(None, None, f"Tried to write to index {i} but array is not resizeable and "
                                       f"size is: {len(items)}")
        items += [None] * (i + 1 - len(items))
    items[i] = value
    return _box(items)


def _get(flow: Any, i: Any, element_dtype: Any, element_shape: Any = None) -> Any:
    items = _items(flow)
    v = items[_check(int(i), len(items), "read")]
    if v is None:
        if element_shape is None or None in element_shape:
            raise InvalidArgumentError(None, None, f"Could not read index {int(i)} twice because it was cleared "
                                       "after a previous read or was never written (write it first).")
        return np.zeros(element_shape, element_dtype.as_numpy_dtype)  # NOTE: placed by the caller
    return v


def _stack(flow: Any, element_dtype: Any, element_shape: Any = None) -> Any:
    items = _items(flow)
    known = next((v for v in items if v is not None), None)
    if known is None:
        shape = tuple(element_shape or ())
        return np.zeros((len(items),) + shape, element_dtype.as_numpy_dtype)
    xp = backend.xp_for(known)
    return xp.stack([xp.zeros_like(known) if v is None else v for v in items])


def _like_items(flow: Any, like: Any) -> list:
    """Gradient list entries with zeros where missing, shaped like `like`'s slices."""
    items = _items(flow)
    return [backend.xp_for(like).zeros(like.shape[1:], like.dtype) if v is None else v for v in items]


SET = _op("TensorListSetItem", _set, _variant, lambda *s, **a: (),
          grad=lambda g, y, flow, i, v, **a: (_clear(g, i), None, _get_like(g, i, v)))
GET = _op("TensorListGetItem", _get, _elem, lambda f, i, element_dtype, element_shape=None: element_shape,
          grad=lambda g, y, flow, i, **a: (_put(flow, i, g), None))
RESERVE = _op("TensorListReserve", _reserve, _variant, lambda *s, **a: ())
STACK = _op("TensorListStack", _stack, _elem, lambda f, element_dtype, element_shape=None: None,
            grad=lambda g, y, flow, **a: (_from(g),))
FROM = _op("TensorListFromTensor", lambda x: _box(list(x)), _variant, lambda *s, **a: (),
           grad=lambda g, y, x: (_stack_like(g, x),))
LENGTH = _op("TensorListLength", lambda flow: np.int32(len(_items(flow))), lambda *d: dtypes.int32,
             lambda *s: ())
GATHER = _op("TensorListGather", lambda flow, idx, element_dtype, element_shape=None: _stack(
    _box([_items(flow)[int(i)] for i in _host(idx)]), element_dtype, element_shape), _elem,
    lambda f, i, **a: None, grad=lambda g, y, flow, idx, **a: (_scatter_into(flow, idx, g), None))
SCATTER = _op("TensorListScatterIntoExistingList", lambda flow, idx, v, dynamic: _scatter_kernel(flow, idx, v, dynamic),
              _variant, lambda *s, **a: (), grad=lambda g, y, flow, idx, v, **a: (_clear(g, idx), None,
                                                                                 _gather_like(g, idx, v)))
CONCAT = _op("TensorListConcat", lambda flow, element_dtype: _concat([v for v in _items(flow) if v is not None])
             if any(v is not None for v in _items(flow)) else np.zeros((0,), element_dtype.as_numpy_dtype), _elem,
             lambda f, **a: None, grad=lambda g, y, flow, **a: (_split_like(g, flow),))

# -- gradient helpers (each an op, so gradients trace into graphs) ----------------------------
_CLEAR = _op("TensorListClearItems", lambda g, idx: _box(
    [None if k in set(int(i) for i in _host(idx)) else v for k, v in enumerate(_items(g))]), _variant,
    lambda *s: ())
_GET_LIKE = _op("TensorListGetItemLike", lambda g, i, like: _items(g)[int(i)] if _items(g)[int(i)] is not None
                else backend.xp_for(like).zeros_like(like), lambda g, i, like: like, lambda g, i, like: like)
_PUT = _op("TensorListPutItem", lambda flow, i, g: _box([g if k == int(i) else None for k in range(len(_items(flow)))]),
           _variant, lambda *s: ())
_STACK_LIKE = _op("TensorListStackLike", lambda g, like: backend.xp_for(like).stack(_like_items(g, like))
                  if len(_items(g)) else backend.xp_for(like).zeros_like(like), lambda g, like: like,
                  lambda g, like: like)
_SCATTER_INTO = _op("TensorListScatterGrad", lambda flow, idx, g: _box(_scatter_items(len(_items(flow)), idx, g)),
                    _variant, lambda *s: ())
_GATHER_LIKE = _op("TensorListGatherLike", lambda g, idx, like: backend.xp_for(like).stack(
    [_items(g)[int(i)] if _items(g)[int(i)] is not None else backend.xp_for(like).zeros(like.shape[1:], like.dtype)
     for i in _host(idx)]), lambda g, i, like: like, lambda g, i, like: like)
_SPLIT_LIKE = _op("TensorListSplitLike", lambda g, flow: _box(backend.xp_for(g).split(g, np.cumsum(
    [0 if v is None else len(v) for v in _items(flow)])[:-1].tolist())), _variant, lambda *s: ())


def _host(idx: Any) -> Any:
    """Index values read on the host (TensorList indices are host memory in TensorFlow)."""
    return np.reshape(backend.to_host(idx), -1)


def _concat(values: list) -> Any:
    return backend.xp_for(values[0]).concatenate(values)


def _scatter_items(n: int, idx: Any, values: Any) -> list:
    items: list = [None] * n
    for k, i in enumerate(_host(idx)):
        items[int(i)] = values[k]
    return items


def _scatter_kernel(flow: Any, idx: Any, v: Any, dynamic: bool) -> np.ndarray:
    items, idx = list(_items(flow)), _host(idx)
    top = int(np.max(idx)) + 1 if np.size(idx) else 0
    if top > len(items):
        if not dynamic:
            raise InvalidArgumentError(None, None, f"Tried to write to index {top - 1} but array is not resizeable "
                                       f"and size is: {len(items)}")
        items += [None] * (top - len(items))
    for k, i in enumerate(idx):
        items[int(i)] = v[k]
    return _box(items)


def _clear(g: Any, i: Any) -> Any:
    return dispatch.call(_CLEAR, (g, i), {}, None)


def _get_like(g: Any, i: Any, v: Any) -> Any:
    return dispatch.call(_GET_LIKE, (g, i, v), {}, None)


def _put(flow: Any, i: Any, g: Any) -> Any:
    return dispatch.call(_PUT, (flow, i, g), {}, None)


def _from(g: Any) -> Any:
    return dispatch.call(FROM, (g,), {}, None)


def _stack_like(g: Any, x: Any) -> Any:
    return dispatch.call(_STACK_LIKE, (g, x), {}, None)


def _scatter_into(flow: Any, idx: Any, g: Any) -> Any:
    return dispatch.call(_SCATTER_INTO, (flow, idx, g), {}, None)


def _gather_like(g: Any, idx: Any, v: Any) -> Any:
    return dispatch.call(_GATHER_LIKE, (g, idx, v), {}, None)


def _split_like(g: Any, flow: Any) -> Any:
    return dispatch.call(_SPLIT_LIKE, (g, flow), {}, None)


def _int(x: Any) -> Any:
    return dispatch.convert_to_tensor(x, dtype=dtypes.int32) if not dispatch.is_tensor(x) else x


from .tensor_array_api import TensorArray  # noqa: E402,F401  (the Python class lives next door)
