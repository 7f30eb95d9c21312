"""Datasets that read graph tensors (TF1's feeding pattern): the values arrive when the iterator starts.

    x = tf.placeholder(tf.float32, [None, 784]);  n = tf.placeholder(tf.int64, [])
    it = tf.data.Dataset.from_tensor_slices(x).batch(n).make_initializable_iterator()
    sess.run(it.initializer, {x: images, n: 32})     # the placeholders are read here

A dataset keeps the graph tensors it reads as `captures`. The iterator's initializer
is a graph node whose inputs are those tensors; running it binds their values, and
the dataset's element streams read them (`resolve`) while they start and advance.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Iterator

import numpy as np

from runtime import backend, dispatch, nest
from runtime.errors import FailedPreconditionError
from runtime.shape import TensorShape

from . import structure as st


class _Bound(threading.local):
    values: dict | None = None


_bound = _Bound()


def is_symbolic(value: Any) -> bool:
    return bool(getattr(value, "_is_symbolic", False))


def symbolic_leaves(value: Any) -> tuple:
    """The graph tensors among a user value's leaves (tuples and dicts are structure)."""
    leaves = nest.flatten(value) if st.is_structure(value) else [value]
    return tuple(leaf for leaf in leaves if is_symbolic(leaf))


def merge(*groups: tuple) -> tuple:
    """Captures of several datasets, each tensor once, in order."""
    out: dict[int, Any] = {}
    for group in groups:
        for t in group:
            out.setdefault(id(t), t)
    return tuple(out.values())


@contextlib.contextmanager
def bound(captures: tuple, values: tuple) -> Iterator[None]:
    """Within: `resolve` reads each captured tensor as its value, and ops run eagerly."""
    saved = _bound.values
    _bound.values = {**(saved or {}), **{id(t): v for t, v in zip(captures, values)}}
    try:
        with dispatch.interpreting(dispatch.EAGER):  # NOTE: dataset functions compute eagerly, even in Session.run
            yield
    finally:
        _bound.values = saved


def resolve(value: Any) -> Any:
    """A graph tensor's bound value (NumPy); other values unchanged."""
    if not is_symbolic(value):
        return value
    values = _bound.values or {}
    if id(value) not in values:
        raise FailedPreconditionError(None, None, f"The dataset reads the graph tensor {value.name}, whose value "
                                      "is only known when the iterator starts: make the iterator with "
                                      "make_initializable_iterator() and run its initializer (feeding the "
                                      "placeholders it reads)")
    return np.asarray(backend.to_host(values[id(value)]))


def resolve_int(value: Any) -> int:
    return int(resolve(value))


def normalize(value: Any) -> Any:
    """`structure.normalize`, keeping graph tensors as they are."""
    if isinstance(value, dict):
        return type(value)((k, normalize(v)) for k, v in value.items())
    if isinstance(value, tuple):
        parts = [normalize(v) for v in value]
        return type(value)(*parts) if hasattr(value, "_fields") else tuple(parts)
    return value if is_symbolic(value) else st.to_array(value)


def spec_of(leaf: Any, sliced: bool) -> st.TensorSpec:
    """A component's spec from its static shape; `sliced` drops the leading dimension."""
    if not is_symbolic(leaf):
        s = st.spec_of(leaf)
        return st.TensorSpec(TensorShape(s.shape.as_list()[1:]), s.dtype) if sliced else s
    shape = leaf.shape
    if sliced and shape.rank is not None:
        if shape.rank == 0:
            raise ValueError(f"Unbatching a tensor is only supported for rank >= 1: {leaf.name} is a scalar")
        shape = TensorShape(shape.as_list()[1:])
    elif sliced:
        shape = TensorShape(None)
    return st.TensorSpec(shape, leaf.dtype)


def first_dim(leaves: list) -> int | None:
    """The common static leading dimension of the components, None when one is only known at run time."""
    dims = set()
    for leaf in leaves:
        d = leaf.shape[0] if is_symbolic(leaf) else len(leaf)
        if d is None:
            return None
        dims.add(d)
    if len(dims) > 1:
        raise ValueError(f"Dimensions {sorted(dims)} of the components differ: from_tensor_slices needs the "
                         "same first dimension on every component")
    return dims.pop()


def resolved(components: Any) -> Any:
    """The components with every graph tensor replaced by its bound value."""
    return st.map_leaves(resolve, components)
