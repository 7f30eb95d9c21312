"""v1 dataset iterators in graph mode: `get_next()` is a node that pulls the next element when run.

    it = dataset.make_initializable_iterator();  x, y = it.get_next()
    sess.run(it.initializer);  sess.run(x)        # ... OutOfRangeError at the end
"""
from __future__ import annotations

from typing import Any

from runtime import dtypes, nest
from runtime.graph_tensor import pseudo_op

from ..data import iterator as data_iterator
from .graph_api import get_default_graph


def _spec_leaves(spec: Any) -> list:
    return nest.flatten(spec)


def _get_next(it: Any, name: str | None) -> Any:
    spec = it.element_spec
    leaves = _spec_leaves(spec)
    d = [dtypes.as_dtype(s.dtype) for s in leaves]
    shapes = [None if s.shape.rank is None else s.shape.as_tuple() for s in leaves]
    n = len(leaves)

    def kernel(*values: Any, iterator: Any = None) -> Any:
        if values and iterator._stream is None:  # a one-shot iterator over graph tensors starts here
            iterator.initialize(values)
        flat = [v for v in nest.flatten(iterator.next_arrays())]
        return flat[0] if n == 1 else tuple(flat)

    op = pseudo_op("IteratorGetNext", kernel, num_outputs=n, stateful=True, host_output=True,  # as TF: on the CPU
                   shape=lambda *_, **__: shapes[0] if n == 1 else tuple(shapes),
                   dtype=lambda *_, **__: d[0] if n == 1 else tuple(d))
    reads = () if it._initializable else it._dataset._captures
    out = get_default_graph().create_op(op, reads, {"iterator": it}, name or "IteratorGetNext")
    outs = [out] if n == 1 else list(out)
    return nest.pack_sequence_as(spec, outs)


def _initializer(it: Any, dataset: Any = None) -> Any:
    """The MakeIterator node: its inputs are the graph tensors the dataset reads (fed when it runs)."""
    dataset = dataset if dataset is not None else it._dataset
    op = pseudo_op("MakeIterator", lambda *values, iterator=None, dataset=None: iterator.initialize(values, dataset),
                   num_outputs=0, stateful=True)
    return get_default_graph().create_op(op, dataset._captures, {"iterator": it, "dataset": dataset}, "MakeIterator")


data_iterator.set_graph_hooks(get_next=_get_next, initializer=_initializer)
