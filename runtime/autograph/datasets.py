"""`for x in dataset` in a graph: a `while_loop` that pulls the elements when the graph runs, not when it is traced.

    for x, y in ds:             token = AnonymousIteratorV3(ds)         # a fresh pass, at every call
        s += x          ->      while has_next and <break/return test>:
                                    has_next, x, y = IteratorGetNextAsOptional(token)
                                    s = cond(has_next, <body>, lambda: s)
                                DeleteIterator(token, has_next)

TensorFlow stages the same loop as `scan` + `take_while` + `reduce` over the dataset
(its `_tf_ag_dataset_for_stmt`); both pull the elements at run time, so a shuffled or
generator-backed dataset gives new elements at every call. An iterator (`iter(ds)`)
made outside the function continues from where it is, as TensorFlow's
`_tf_iterator_for_stmt` does. Elements carry the dataset's `element_spec` (dtype and
static shape). As in TensorFlow, names the loop carries must be defined before it.

Datasets are recognised by their protocol (`element_spec` plus `_elements()`, which starts
a pass of nested NumPy arrays); iterators by `element_spec` plus `next_arrays()`.
"""
from __future__ import annotations

import itertools
import threading
from typing import Any, Callable

import numpy as np

from .. import backend, dispatch, dtypes, nest
from ..errors import OutOfRangeError
from ..graph_tensor import pseudo_op
from . import checks
from .loops import iterates, staged_while
from .operators import control_flow


def is_dataset(value: Any) -> bool:
    return hasattr(type(value), "element_spec") and callable(getattr(value, "_elements", None))


def is_iterator(value: Any) -> bool:
    return hasattr(type(value), "element_spec") and callable(getattr(value, "next_arrays", None))


class _Passes:
    """The passes over one dataset (or one iterator) that a graph's runs have started, by token."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.open: dict[int, Any] = {}
        self._tokens = itertools.count(1)
        self._lock = threading.Lock()

    def start(self) -> np.ndarray:
        with self._lock:
            token = next(self._tokens)
            self.open[token] = self.source._elements() if is_dataset(self.source) else None
        return np.array(token, np.int64)

    def next(self, token: Any) -> Any:
        """The next element's flat arrays, or None at the end of the pass."""
        with dispatch.interpreting(dispatch.EAGER):  # NOTE: dataset functions compute eagerly
            return self._next(token)

    def _next(self, token: Any) -> Any:
        stream = self.open.get(int(token))
        if stream is None:  # NOTE: an iterator keeps its own position across passes
            try:
                return nest.flatten(self.source.next_arrays())
            except OutOfRangeError:
                return None
        element = next(stream, None)
        return None if element is None else nest.flatten(element)

    def close(self, token: Any) -> None:
        self.open.pop(int(token), None)


def _leaf_specs(spec: Any) -> list[tuple[dtypes.DType, tuple | None]]:
    return [(dtypes.as_dtype(s.dtype), None if s.shape.rank is None else s.shape.as_tuple())
            for s in nest.flatten(spec)]


def _get_next_op(leaves: list[tuple[dtypes.DType, tuple | None]]) -> Any:
    def kernel(token: Any, passes: _Passes) -> tuple:
        flat = passes.next(token)
        if flat is None:  # NOTE: the loop's `cond` ignores these; they only need the right type
            return (np.bool_(False),) + tuple(
                backend.to_device(np.zeros([d or 0 for d in (s or ())],
                                           d_.as_numpy_dtype if d_ != dtypes.string else object))
                for d_, s in leaves)
        return (np.bool_(True),) + tuple(  # NOTE: the input pipeline feeds the device (strings stay host)
            backend.to_device(a if d_ == dtypes.string or a.dtype == d_.as_numpy_dtype
                              else a.astype(d_.as_numpy_dtype))
            for a, (d_, _) in zip((np.asarray(backend.to_host(v)) for v in flat), leaves))

    return pseudo_op("IteratorGetNextAsOptional", kernel, num_outputs=1 + len(leaves), stateful=True,
                     shape=lambda *_, **__: ((),) + tuple(s for _, s in leaves),
                     dtype=lambda *_, **__: (dtypes.bool_,) + tuple(d for d, _ in leaves))


_START = pseudo_op("AnonymousIteratorV3", lambda passes: passes.start(), stateful=True,
                   shape=lambda **_: (), dtype=lambda **_: dtypes.int64)
_DELETE = pseudo_op("DeleteIterator", lambda token, after, passes: passes.close(token), num_outputs=0,
                    stateful=True)


@iterates(lambda value: (is_dataset(value) or is_iterator(value)) and not dispatch.executing_eagerly())
def _dataset_for(source: Any, extra_test: Callable[[], Any] | None, body: Callable[[Any], None],
                 get_state: Callable[[], tuple], set_state: Callable[[tuple], None],
                 symbol_names: tuple[str, ...], opts: dict) -> None:
    """Stage `for element in source` as a `while_loop` over `IteratorGetNextAsOptional`."""
    from ..graph import default_graph  # noqa: PLC0415  (only reached while building a graph)
    checks.loop_init(get_state(), symbol_names)
    with dispatch.interpreting(dispatch.EAGER):  # NOTE: a spec may need the first element, computed eagerly
        spec = source.element_spec
    graph = default_graph()
    passes = _Passes(source)
    get_next = _get_next_op(_leaf_specs(spec))
    token = graph.create_op(_START, (), {"passes": passes}, "AnonymousIteratorV3")
    has_next: Any = dispatch.convert_to_tensor(True)
    names = ("<internal has_next>",) + tuple(symbol_names)

    def aug_get_state() -> tuple:
        return (has_next,) + tuple(get_state())

    def aug_set_state(loop_vars: tuple) -> None:
        nonlocal has_next
        has_next, *rest = loop_vars
        set_state(tuple(rest))

    def aug_body() -> None:
        nonlocal has_next
        inner = default_graph()  # NOTE: the loop body's graph: the token comes in as a captured input
        found, *flat = inner.create_op(get_next, (inner.capture(token),), {"passes": passes},
                                       "IteratorGetNextAsOptional")
        before = checks.as_outputs(tuple(get_state()))

        def main_path() -> tuple:
            body(nest.pack_sequence_as(spec, flat))
            after = tuple(get_state())
            checks.loop_vars(before, after, tuple(symbol_names), {})
            return (found,) + checks.as_outputs(after)

        # NOTE: `found` rides along so that neither branch is empty when the loop carries nothing else
        has_next, *outs = control_flow().cond(found, main_path, lambda: (found,) + before)
        set_state(tuple(outs))

    def aug_test() -> Any:
        if extra_test is None:
            return has_next
        return control_flow().cond(has_next, lambda: dispatch.convert_to_tensor(extra_test()),
                                   lambda: dispatch.convert_to_tensor(False))

    staged_while(aug_test, aug_body, aug_get_state, aug_set_state, names, opts)
    graph.create_op(_DELETE, (token, graph.capture(has_next)), {"passes": passes}, "DeleteIterator")

