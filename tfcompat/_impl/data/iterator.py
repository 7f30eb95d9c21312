"""Iterators over datasets: `iter(ds)` (TF2) and the TF1 one-shot / initializable iterators.

    it = tf.compat.v1.data.make_one_shot_iterator(ds)
    it.get_next()        # eager: the next element as tensors; OutOfRangeError at the end
    it.next_arrays()     # the same element as NumPy arrays: the hook graph mode builds on

Graph mode: the v1 layer registers `set_graph_hooks(get_next=..., initializer=...)`;
`get_next()` outside eager execution then returns whatever that hook builds (a node
that calls `iterator.next_arrays()` when the session runs it), and `initializer`
returns the hook's op that calls `iterator.initialize()`.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator as PyIterator

from runtime import dispatch, dtypes, nest
from runtime.errors import FailedPreconditionError, OutOfRangeError
from runtime.shape import TensorShape

from ..._export import export
from . import graph_inputs as gi
from . import structure as st

_HOOKS: dict[str, Callable[..., Any] | None] = {"get_next": None, "initializer": None}


def set_graph_hooks(get_next: Callable[["Iterator", str | None], Any] | None = None,
                    initializer: Callable[["Iterator"], Any] | None = None) -> None:
    """Let the v1 graph layer turn `get_next()` / `initializer` into graph nodes."""
    _HOOKS["get_next"], _HOOKS["initializer"] = get_next, initializer


@export("data.Iterator")
class Iterator:
    """A position in a dataset. Iterating it yields tensors; `next_arrays` yields NumPy arrays."""

    def __init__(self, dataset: Any, initializable: bool = False) -> None:
        self._dataset = dataset
        self._values: tuple = ()  # the values of the graph tensors the dataset reads, bound at start
        lazy = initializable or bool(dataset._captures)  # NOTE: a one-shot iterator over graph tensors starts
        self._stream: PyIterator[Any] | None = None if lazy else dataset._elements()  # at its first get_next
        self._initializable = initializable

    # -- the core: one element as arrays -----------------------------------------------------
    @staticmethod
    def from_structure(output_types: Any, output_shapes: Any = None, shared_name: str | None = None,
                       output_classes: Any = None) -> "Iterator":
        """TF1: an iterator over no dataset yet; `make_initializer(ds)` gives the op that starts it on ds."""
        if output_shapes is None:
            output_shapes = st.map_leaves(lambda t: None, output_types)
        spec = st.map_leaves(lambda t, s: st.TensorSpec(TensorShape(s), dtypes.as_dtype(t)), output_types,
                             output_shapes)
        return Iterator(_NoDataset(spec), initializable=True)

    def make_initializer(self, dataset: Any, name: str | None = None) -> Any:
        """The op (graph) or object with `run()` (eager) that restarts this iterator on `dataset`."""
        theirs = st.map_leaves(lambda s: s.dtype, dataset.element_spec)
        ours = st.map_leaves(lambda s: s.dtype, self.element_spec)
        if nest.flatten(theirs) != nest.flatten(ours):
            raise TypeError(f"Expected output types {ours} but got dataset with output types {theirs}.")
        hook = _HOOKS["initializer"]
        if hook is not None and not dispatch.executing_eagerly():
            return hook(self, dataset)
        return _EagerInitializer(self, dataset)

    def initialize(self, values: tuple = (), dataset: Any = None) -> None:
        """(Re)start at the dataset's first element: what running `iterator.initializer` does.
        `values`: those of the graph tensors the dataset reads (`dataset._captures`), in order;
        `dataset`: the one to iterate from now on (`make_initializer`)."""
        if dataset is not None:
            self._dataset = dataset
        self._values = tuple(values)
        with gi.bound(self._dataset._captures, self._values):
            self._stream = self._dataset._elements()

    def next_arrays(self) -> Any:
        """The next element as nested NumPy arrays; OutOfRangeError at the end (as Session.run raises it)."""
        if self._stream is None:
            raise FailedPreconditionError(None, None, "GetNext() failed because the iterator has not been "
                                                      "initialized. Ensure that you have run the initializer "
                                                      "operation for this iterator before getting the next element.")
        try:
            with gi.bound(self._dataset._captures, self._values):
                return next(self._stream)
        except StopIteration:
            self._stream = iter(())
            raise OutOfRangeError(None, None, "End of sequence") from None

    # -- TF2 ---------------------------------------------------------------------------------
    def __iter__(self) -> "Iterator":
        return self

    def __next__(self) -> Any:
        try:
            return st.to_tensors(self.next_arrays())
        except OutOfRangeError:
            raise StopIteration from None

    def get_next_as_optional(self) -> Any:
        raise NotImplementedError("Iterator.get_next_as_optional is not provided by tfcompat; "
                                  "catch tf.errors.OutOfRangeError from get_next() instead")

    @property
    def element_spec(self) -> Any:
        return self._dataset.element_spec

    # -- TF1 ---------------------------------------------------------------------------------
    def get_next(self, name: str | None = None) -> Any:
        """Eager: the next element as tensors (OutOfRangeError at the end); graph: the hook's node."""
        if not dispatch.executing_eagerly():
            hook = _HOOKS["get_next"]
            if hook is None:
                raise RuntimeError("Iterator.get_next() in a graph needs the v1 graph layer "
                                   "(tfcompat.compat.v1 registers it with set_graph_hooks)")
            return hook(self, name)
        return st.to_tensors(self.next_arrays())

    @property
    def initializer(self) -> Any:
        if not self._initializable:
            raise ValueError("Iterator does not have an initializer (it was made by make_one_shot_iterator; "
                             "use make_initializable_iterator for one)")
        hook = _HOOKS["initializer"]
        if hook is not None and not dispatch.executing_eagerly():
            return hook(self)
        return _EagerInitializer(self)

    @property
    def output_types(self) -> Any:
        return self._dataset.output_types

    @property
    def output_shapes(self) -> Any:
        return self._dataset.output_shapes

    @property
    def output_classes(self) -> Any:
        return self._dataset.output_classes


class _EagerInitializer:
    """`iterator.initializer` outside a graph: `run()` restarts the iterator."""

    def __init__(self, iterator: Iterator, dataset: Any = None) -> None:
        self._iterator, self._dataset = iterator, dataset

    def run(self, feed_dict: Any = None, session: Any = None) -> None:
        self._iterator.initialize(dataset=self._dataset)


class _NoDataset:
    """What a `from_structure` iterator iterates before an initializer gives it a dataset."""

    _captures: tuple = ()

    def __init__(self, spec: Any) -> None:
        self.element_spec = spec

    def _elements(self) -> Any:
        raise FailedPreconditionError(None, None, "GetNext() failed because the iterator has not been "
                                                  "initialized: run an initializer from make_initializer(dataset)")

    output_types = property(lambda self: st.map_leaves(lambda s: s.dtype, self.element_spec))
    output_shapes = property(lambda self: st.map_leaves(lambda s: s.shape, self.element_spec))


@export(v1=("data.make_one_shot_iterator",))
def make_one_shot_iterator(dataset: Any) -> Iterator:
    """TF1: an iterator that starts at the first element and cannot be restarted."""
    return dataset.make_one_shot_iterator()


@export(v1=("data.make_initializable_iterator",))
def make_initializable_iterator(dataset: Any, shared_name: str | None = None) -> Iterator:
    """TF1: an iterator that must be started (and can be restarted) by running its `initializer`."""
    return dataset.make_initializable_iterator(shared_name)


@export(v1=("data.get_output_types",))
def get_output_types(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_types


@export(v1=("data.get_output_shapes",))
def get_output_shapes(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_shapes


@export("data.experimental.cardinality")
def cardinality(dataset: Any) -> Any:
    return dataset.cardinality()
