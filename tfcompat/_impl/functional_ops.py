"""Higher-order functions over the leading axis: `tf.map_fn`, `tf.scan`, `tf.foldl`, `tf.foldr`, `tf.vectorized_map`.

    tf.map_fn(lambda x: x * x, tf.constant([1, 2, 3]))              # [1, 4, 9]
    tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3]))               # [1, 3, 6]
    tf.foldl(lambda a, x: a + x, tf.constant([1, 2, 3]), initializer=0)   # 6

Eagerly (and in graphs when the leading size is known, up to `_UNROLL` elements) the
loop is unrolled into ordinary ops, so gradients are the ops' own. Otherwise the loop
is a `While` over `TensorArray`s (TensorFlow's lowering), differentiated by `WhileGrad`.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from runtime import control_flow_while, dispatch, dtypes, nest
from runtime.ops import array, gather as ga
from runtime.tensor_array_api import TensorArray

from .._export import export

_UNROLL = 256


def _flat_elems(elems: Any) -> tuple[list, Any]:
    flat = [dispatch.convert_to_tensor(x) for x in nest.flatten(elems)]
    if not flat:
        raise ValueError("elems must be a Tensor or (possibly nested) sequence of Tensors. Got []")
    for x in flat:
        if x.shape.rank == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    n = flat[0].shape.as_list()[0]
    for x in flat[1:]:
        m = x.shape.as_list()[0]
        if n is not None and m is not None and m != n:
            raise ValueError(f"Tensors in elems must have the same first dimension: {n} vs. {m}")
        n = n if n is not None else m
    return flat, n


def _unrolled(flat: list, n: Any) -> bool:
    return n is not None and (dispatch.executing_eagerly() or n <= _UNROLL)


def _rows(flat: list, n: int, reverse: bool = False) -> list:
    cols = [array.unstack(x, num=n) if n else [] for x in flat]
    rows = [[c[i] for c in cols] for i in range(n)]
    return rows[::-1] if reverse else rows


def _spec_dtypes(signature: Any, like: Any) -> list:
    """The flat output dtypes from `fn_output_signature` (dtypes, TensorSpecs) or `like`'s tensors."""
    if signature is None:
        return [x.dtype for x in nest.flatten(like)]
    return [dtypes.as_dtype(getattr(s, "dtype", s)) for s in nest.flatten(signature)]


def _stack_outputs(outs: list, structure: Any, signature: Any, n: int) -> Any:
    if not outs:  # NOTE: zero elements: empty outputs of the signature's dtypes
        sig = structure if signature is None else signature
        empties = [dispatch.constant(np.zeros((0,), d.as_numpy_dtype)) for d in _spec_dtypes(signature, structure)]
        return nest.pack_sequence_as(sig, empties)
    flat = [nest.flatten(o) for o in outs]
    return nest.pack_sequence_as(outs[0], [array.stack([f[k] for f in flat]) for k in range(len(flat[0]))])


def _check_dtypes(out: Any, signature: Any) -> Any:
    if signature is None:
        return out
    flat = [dispatch.convert_to_tensor(o) for o in nest.flatten(out)]
    want = _spec_dtypes(signature, out)
    if len(want) != len(flat):
        raise ValueError(f"The two structures don't have the same nested structure: fn returned {out} but "
                         f"fn_output_signature is {signature}")
    for got, w in zip(flat, want):
        if got.dtype != w:
            raise TypeError(f"fn returned a {got.dtype.name} tensor where fn_output_signature says {w.name}")
    return out


def _while_over(flat: list, structure: Any, step: Callable, carry: list, out_dtypes: list | None,
                reverse: bool = False) -> tuple[list, list]:
    """A While loop over the leading axis: `carry, outs = step(carry, element)` each iteration."""
    n = array.shape(flat[0])[0]
    outs = [TensorArray(d, size=n) for d in (out_dtypes or [])]
    k, m = len(carry), len(outs)

    def body(i: Any, *state: Any) -> tuple:
        j = n - 1 - i if reverse else i
        elem = nest.pack_sequence_as(structure, [ga.gather(x, j, axis=0) for x in flat])
        new_carry, new_outs = step(list(state[:k]), elem)
        tas = [ta.write(j, o) for ta, o in zip(state[k:], new_outs)]
        return (i + 1, *new_carry, *tas)

    result = control_flow_while.while_loop(lambda i, *_: i < n, body, [dispatch.constant(0), *carry, *outs])
    return list(result[1:1 + k]), [ta.stack() for ta in result[1 + k:1 + k + m]]


@export("map_fn", v1=())
def map_fn(fn: Callable, elems: Any, dtype: Any = None, parallel_iterations: Any = None, back_prop: bool = True,
           swap_memory: bool = False, infer_shape: bool = True, name: str | None = None,
           fn_output_signature: Any = None) -> Any:
    """Stack `fn(elem)` over the leading axis of `elems` (a tensor or nested structure of tensors)."""
    if not callable(fn):
        raise TypeError(f"The provided function {fn.__name__ if hasattr(fn, '__name__') else fn} is not callable."
                        "fn must be callable.")
    signature = fn_output_signature if fn_output_signature is not None else dtype
    flat, n = _flat_elems(elems)
    if _unrolled(flat, n):
        outs = [_check_dtypes(fn(nest.pack_sequence_as(elems, row)), signature) for row in _rows(flat, n)]
        return _stack_outputs(outs, elems, signature, n)
    want = _spec_dtypes(signature, elems)
    probe: list = []

    def step(carry: list, elem: Any) -> tuple:
        out = _check_dtypes(fn(elem), signature)
        probe.append(out)
        return carry, [dispatch.convert_to_tensor(o) for o in nest.flatten(out)]
    _, stacked = _while_over(flat, elems, step, [], want)
    return nest.pack_sequence_as(probe[0], stacked)


def _scan_like(fn: Callable, elems: Any, initializer: Any, reverse: bool, keep_all: bool) -> Any:
    flat, n = _flat_elems(elems)
    if initializer is None and n == 0:
        raise ValueError("elems must have at least one element when no initializer is given")
    if _unrolled(flat, n):
        rows = _rows(flat, n, reverse)
        if initializer is None:
            acc, rows = nest.pack_sequence_as(elems, rows[0]), rows[1:]
        else:
            acc = nest.map_structure(dispatch.convert_to_tensor, initializer)
        outs = [acc] if initializer is None else []
        for row in rows:
            acc = fn(acc, nest.pack_sequence_as(elems, row))
            outs.append(acc)
        if not keep_all:
            return acc
        outs = outs[::-1] if reverse else outs
        return _stack_outputs(outs, initializer if initializer is not None else elems, None, n)
    if initializer is None:  # NOTE: the first element seeds the accumulator; loop over the rest
        first = [x[-1] if reverse else x[0] for x in flat]
        rest = [x[:-1] if reverse else x[1:] for x in flat]
        init_struct = nest.pack_sequence_as(elems, first)
    else:
        rest, init_struct = flat, nest.map_structure(dispatch.convert_to_tensor, initializer)
    init_flat = nest.flatten(init_struct)

    def step(carry: list, elem: Any) -> tuple:
        acc = nest.flatten(fn(nest.pack_sequence_as(init_struct, carry), elem))
        acc = [dispatch.convert_to_tensor(a) for a in acc]
        return acc, (acc if keep_all else [])
    final, stacked = _while_over(rest, elems, step, init_flat, [x.dtype for x in init_flat] if keep_all else None,
                                 reverse)
    if not keep_all:
        return nest.pack_sequence_as(init_struct, final)
    if initializer is None:
        parts = [[array.expand_dims(f, axis=0), s] for f, s in zip(first, stacked)]
        stacked = [array.concat(*(p[::-1] if reverse else p), axis=0) for p in parts]
    return nest.pack_sequence_as(init_struct, stacked)


@export("scan", v1=())
def scan(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10, back_prop: bool = True,
         swap_memory: bool = False, infer_shape: bool = True, reverse: bool = False, name: str | None = None) -> Any:
    """Every accumulator of `acc = fn(acc, elem)` over the leading axis, stacked."""
    return _scan_like(fn, elems, initializer, bool(reverse), keep_all=True)


@export("foldl", v1=())
def foldl(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10, back_prop: bool = True,
          swap_memory: bool = False, name: str | None = None) -> Any:
    """The last accumulator of `acc = fn(acc, elem)`, left to right."""
    return _scan_like(fn, elems, initializer, False, keep_all=False)


@export("foldr", v1=())
def foldr(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10, back_prop: bool = True,
          swap_memory: bool = False, name: str | None = None) -> Any:
    """The last accumulator of `acc = fn(acc, elem)`, right to left."""
    return _scan_like(fn, elems, initializer, True, keep_all=False)


@export("vectorized_map")
def vectorized_map(fn: Callable, elems: Any, fallback_to_while_loop: bool = True, warn: bool = True) -> Any:
    """`fn` applied to each element along the leading axis (here a loop, as TF's fallback)."""
    return map_fn(fn, elems)
