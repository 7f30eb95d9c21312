"""`tf.data.Dataset`: a recipe for a stream of elements, run eagerly when iterated.

    ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [4., 5., 6.])).shuffle(3).batch(2)
    for x, y in ds: ...            # tensors, structure preserved
    list(ds.as_numpy_iterator())   # NumPy values

A dataset holds `_elements`, a callable starting a fresh stream of nested NumPy
arrays; transformations wrap it (see `transforms`). Each iteration starts over.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator

import numpy as np

from runtime import dispatch, dtypes
from runtime.shape import TensorShape

from ..._export import export, export_value
from . import graph_inputs as gi
from . import structure as st
from . import transforms as tr

INFINITE, UNKNOWN = -1, -2
AUTOTUNE = export_value(-1, "data.AUTOTUNE", "data.experimental.AUTOTUNE", v1=(
    "data.AUTOTUNE", "data.experimental.AUTOTUNE", "data.INFINITE_CARDINALITY", "data.experimental.INFINITE_CARDINALITY"))
export_value(INFINITE, "data.INFINITE_CARDINALITY", "data.experimental.INFINITE_CARDINALITY", v1=())
export_value(UNKNOWN, "data.UNKNOWN_CARDINALITY", "data.experimental.UNKNOWN_CARDINALITY")


def _shift(spec: Any, batch: int | None) -> Any:
    """Specs with a batch dimension added (batch given) or removed (None)."""
    def one(s: st.TensorSpec) -> st.TensorSpec:
        dims = s.shape.as_list() if s.shape.rank is not None else None
        if dims is None:
            return s
        return st.TensorSpec(TensorShape([batch] + dims if batch != "drop" else dims[1:]), s.dtype)
    return st.map_leaves(one, spec)


def _generator_spec(signature: Any, types: Any, shapes: Any) -> Any:
    """from_generator's element_spec, from its arguments alone (the generator is not run)."""
    if signature is not None:
        return st.map_leaves(lambda s: st.TensorSpec(TensorShape(s.shape), dtypes.as_dtype(s.dtype)), signature)
    def leaf(t: Any, shape: Any) -> st.TensorSpec:
        return st.TensorSpec(TensorShape(shape), dtypes.as_dtype(t))

    def up_to(t: Any, shape: Any) -> Any:  # NOTE: shapes nest like types down to each shape
        if isinstance(t, dict):
            return type(t)((k, up_to(v, None if shape is None else shape[k])) for k, v in t.items())
        if isinstance(t, tuple):
            parts = [up_to(v, None if shape is None else shape[i]) for i, v in enumerate(t)]
            return type(t)(*parts) if hasattr(t, "_fields") else tuple(parts)
        return leaf(t, shape)
    return up_to(types, shapes)


def _positive(n: int) -> int:
    if n <= 0:
        raise ValueError(f"batch_size must be greater than zero, got {n}")
    return n


def _stop(n: int) -> int | None:
    return None if n < 0 else n


def _skipped(source: Callable[[], Iterator[Any]], n: int) -> Iterator[Any]:
    return itertools.islice(source(), n, None) if n >= 0 else iter(())


@export("data.Dataset")
class Dataset:
    """A dataset; build one with the static constructors, not directly."""

    def __init__(self, elements: Callable[[], Iterator[Any]], cardinality: int = UNKNOWN,
                 spec: Callable[[], Any] | None = None, captures: tuple = ()) -> None:
        self._elements = elements
        self._captures = captures  # graph tensors the elements read (see graph_inputs)
        self._cardinality = cardinality
        self._spec_fn = spec
        self._spec: Any = None

    # -- sources -----------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors: Any, name: str | None = None) -> "Dataset":
        if gi.symbolic_leaves(tensors):
            return Dataset._from_graph_tensors(tensors, sliced=True)
        components = st.normalize(tensors)
        leaves = st.flat(components)
        if any(leaf.ndim == 0 for leaf in leaves):
            raise ValueError("Unbatching a tensor is only supported for rank >= 1 (from_tensor_slices "
                             "needs a leading dimension on every component)")
        sizes = {len(leaf) for leaf in leaves}
        if len(sizes) > 1:
            raise ValueError(f"Dimensions {sorted(sizes)} of the components differ: from_tensor_slices "
                             "needs the same first dimension on every component")
        spec = _shift(st.element_spec(components), "drop")
        return Dataset(lambda: tr.slices(components), sizes.pop(), lambda: spec)

    @staticmethod
    def from_tensors(tensors: Any, name: str | None = None) -> "Dataset":
        if gi.symbolic_leaves(tensors):
            return Dataset._from_graph_tensors(tensors, sliced=False)
        element = st.normalize(tensors)
        return Dataset(lambda: iter([element]), 1, lambda: st.element_spec(element))

    @staticmethod
    def _from_graph_tensors(tensors: Any, sliced: bool) -> "Dataset":
        """A source reading graph tensors (placeholders...): their values come when the iterator starts."""
        components = gi.normalize(tensors)
        leaves = st.flat(components)
        spec = st.pack(components, [gi.spec_of(leaf, sliced) for leaf in leaves])
        if not sliced:
            return Dataset(lambda: iter([gi.resolved(components)]), 1, lambda: spec, gi.symbolic_leaves(components))
        size = gi.first_dim(leaves)
        return Dataset(lambda: tr.slices(gi.resolved(components)), UNKNOWN if size is None else size,
                       lambda: spec, gi.symbolic_leaves(components))

    @staticmethod
    def list_files(file_pattern: Any, shuffle: bool | None = None, seed: int | None = None,
                   name: str | None = None) -> "Dataset":
        """The files matching glob pattern(s), shuffled unless `shuffle=False` (then sorted)."""
        from .readers import list_files  # noqa: PLC0415  (readers imports this module)
        return list_files(file_pattern, shuffle, seed)

    @staticmethod
    def range(*args: Any, **kwargs: Any) -> "Dataset":
        """range(stop) / range(start, stop[, step], dtype=tf.int64): like Python's range."""
        dtype = dtypes.as_dtype(kwargs.pop("dtype", dtypes.int64))
        kwargs.pop("name", None)
        r = range(*[int(a) for a in args])
        npd = dtype.as_numpy_dtype
        return Dataset(lambda: (np.array(i, npd) for i in r), len(r),
                       lambda: st.TensorSpec(TensorShape([]), dtype))

    @staticmethod
    def from_generator(generator: Callable, output_types: Any = None, output_shapes: Any = None,
                       args: Any = None, output_signature: Any = None, name: str | None = None) -> "Dataset":
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is None and output_types is None:
            raise TypeError("The `output_signature` argument must be set (or the deprecated `output_types`).")
        types = st.map_leaves(lambda s: s.dtype, output_signature) if output_signature is not None \
            else output_types
        call_args = tuple(st.to_tensors(st.normalize(a)) for a in (args or ()))

        def convert(value: Any, dtype: Any) -> np.ndarray:
            return np.asarray(dispatch.to_array(np.asarray(value) if isinstance(value, list) else value,
                                                dtypes.as_dtype(dtype)))

        def elements() -> Iterator[Any]:
            for value in generator(*call_args):
                if isinstance(types, (tuple, dict)):
                    value = tuple(value) if isinstance(types, tuple) and isinstance(value, list) else value
                    yield st.map_leaves(convert, value, types)
                else:
                    yield convert(value, types)
        return Dataset(elements, UNKNOWN, lambda: _generator_spec(output_signature, output_types, output_shapes))

    @staticmethod
    def zip(*args: Any, datasets: Any = None, name: str | None = None) -> "Dataset":
        template = datasets if datasets is not None else (args[0] if len(args) == 1 else args)
        parts = st.flat(template) if isinstance(template, (tuple, dict)) else [template]
        cards = [d._cardinality for d in parts]
        known = [c for c in cards if c >= 0]
        card = min(known) if known else (UNKNOWN if UNKNOWN in cards else INFINITE)
        return Dataset(lambda: tr.zip_sources([d._elements for d in parts], template), card,
                       lambda: st.pack(template, [d.element_spec for d in parts]),
                       gi.merge(*(d._captures for d in parts)))

    # -- transformations ---------------------------------------------------------------------
    def _derive(self, elements: Callable[[], Iterator[Any]], cardinality: int | None = None,
                spec: Callable[[], Any] | None = None, *reads: Any) -> "Dataset":
        """A dataset downstream of this one; `reads`: graph tensors among the transformation's arguments."""
        return Dataset(elements, self._cardinality if cardinality is None else cardinality,
                       spec if spec is not None else (lambda: self.element_spec),
                       gi.merge(self._captures, gi.symbolic_leaves(reads)))

    def map(self, map_func: Callable, num_parallel_calls: Any = None, deterministic: Any = None,
            synchronous: Any = None, use_unbounded_threadpool: bool = False, name: str | None = None) -> "Dataset":
        source, traced = self._elements, tr.Traced(map_func, lambda: self.element_spec)
        return self._derive(lambda: tr.map_elements(source, traced), self._cardinality, traced.output_spec)

    def filter(self, predicate: Callable, name: str | None = None) -> "Dataset":
        return self._derive(lambda: tr.filter_elements(self._elements, predicate), UNKNOWN)

    def flat_map(self, map_func: Callable, name: str | None = None) -> "Dataset":
        return self._derive(lambda: tr.flat_map(self._elements, map_func), UNKNOWN, lambda: None)

    def interleave(self, map_func: Callable, cycle_length: int | None = None, block_length: int | None = None,
                   num_parallel_calls: Any = None, deterministic: Any = None, name: str | None = None) -> "Dataset":
        cycle = 8 if cycle_length in (None, AUTOTUNE) else int(cycle_length)
        return self._derive(lambda: tr.interleave(self._elements, map_func, cycle, int(block_length or 1)),
                            UNKNOWN, lambda: None)

    def batch(self, batch_size: int, drop_remainder: bool = False, num_parallel_calls: Any = None,
              deterministic: Any = None, name: str | None = None) -> "Dataset":
        if gi.is_symbolic(batch_size):  # NOTE: a graph tensor (a placeholder): read when the iterator starts
            return self._derive(lambda: tr.batch(self._elements, _positive(gi.resolve_int(batch_size)),
                                                 bool(drop_remainder)), UNKNOWN,
                                lambda: _shift(self.element_spec, None), batch_size)
        n, card = _positive(int(batch_size)), self._cardinality
        new = card if card < 0 else (card // n if drop_remainder else -(-card // n))
        return self._derive(lambda: tr.batch(self._elements, n, bool(drop_remainder)), new,
                            lambda: _shift(self.element_spec, n if drop_remainder else None))

    def padded_batch(self, batch_size: int, padded_shapes: Any = None, padding_values: Any = None,
                     drop_remainder: bool = False, name: str | None = None) -> "Dataset":
        n, card = int(batch_size), self._cardinality
        new = card if card < 0 else (card // n if drop_remainder else -(-card // n))
        def spec() -> Any:
            shapes = st.flat(padded_shapes) if padded_shapes is not None else None
            leaves = st.flat(self.element_spec)
            out = []
            for i, s in enumerate(leaves):
                dims = [None] * (s.shape.rank or 0) if shapes is None else \
                    [None if d is None or int(d) < 0 else int(d) for d in TensorShape(shapes[i]).as_list()]
                out.append(st.TensorSpec(TensorShape([n if drop_remainder else None] + dims), s.dtype))
            return st.pack(self.element_spec, out)
        return self._derive(lambda: tr.padded_batch(self._elements, n, padded_shapes, padding_values,
                                                    bool(drop_remainder)), new, spec)

    def unbatch(self, name: str | None = None) -> "Dataset":
        return self._derive(lambda: tr.unbatch(self._elements), UNKNOWN, lambda: _shift(self.element_spec, "drop"))

    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration: bool | None = None,
                name: str | None = None) -> "Dataset":
        size = 0 if gi.is_symbolic(buffer_size) else int(buffer_size)  # NOTE: 0: a graph tensor, read at start
        if size <= 0 and size != AUTOTUNE and not gi.is_symbolic(buffer_size):
            raise ValueError(f"buffer_size must be greater than zero, got {size}")
        base = np.random.SeedSequence(seed).entropy if seed is not None else None
        epoch = itertools.count()
        reshuffle = reshuffle_each_iteration is None or bool(reshuffle_each_iteration)

        def elements() -> Iterator[Any]:
            k = next(epoch) if reshuffle else 0
            rng = np.random.default_rng(None if base is None else [int(base), k])
            n = gi.resolve_int(buffer_size) if gi.is_symbolic(buffer_size) else size
            return tr.shuffle(self._elements, n if n > 0 else 1024, rng)
        return self._derive(elements, None, None, buffer_size)

    def repeat(self, count: int | None = None, name: str | None = None) -> "Dataset":
        if gi.is_symbolic(count):
            return self._derive(lambda: tr.repeat(self._elements, gi.resolve_int(count)), UNKNOWN, None, count)
        n = -1 if count is None else int(count)
        card = self._cardinality
        new = INFINITE if n < 0 and card != 0 else (card * n if card >= 0 else (0 if n == 0 else card))
        return self._derive(lambda: tr.repeat(self._elements, n), new)

    def take(self, count: int, name: str | None = None) -> "Dataset":
        if gi.is_symbolic(count):
            return self._derive(lambda: itertools.islice(self._elements(), _stop(gi.resolve_int(count))),
                                UNKNOWN, None, count)
        n, card = int(count), self._cardinality
        new = card if n < 0 else (min(n, card) if card >= 0 else (n if card == INFINITE else UNKNOWN))
        return self._derive(lambda: itertools.islice(self._elements(), None if n < 0 else n), new)

    def skip(self, count: int, name: str | None = None) -> "Dataset":
        if gi.is_symbolic(count):
            return self._derive(lambda: _skipped(self._elements, gi.resolve_int(count)), UNKNOWN, None, count)
        n, card = int(count), self._cardinality
        new = (0 if n < 0 else max(card - n, 0)) if card >= 0 else card
        return self._derive(lambda: itertools.islice(self._elements(), n, None) if n >= 0 else iter(()), new)

    def prefetch(self, buffer_size: int, name: str | None = None) -> "Dataset":
        return self._derive(self._elements)

    def cache(self, filename: str = "", name: str | None = None) -> "Dataset":
        """Cache elements in memory after the first complete pass (`filename` is accepted, not used)."""
        cached: list[Any] = []
        done = [False]

        def elements() -> Iterator[Any]:
            if done[0]:
                yield from cached
                return
            fresh = []
            for element in self._elements():
                fresh.append(element)
                yield element
            cached[:], done[0] = fresh, True
        return self._derive(elements)

    def enumerate(self, start: int = 0, name: str | None = None) -> "Dataset":
        return self._derive(lambda: tr.enumerate_elements(self._elements, int(start)), None,
                            lambda: (st.TensorSpec(TensorShape([]), dtypes.int64), self.element_spec))

    def concatenate(self, dataset: "Dataset", name: str | None = None) -> "Dataset":
        a, b = self._cardinality, dataset._cardinality
        card = a + b if a >= 0 and b >= 0 else (INFINITE if INFINITE in (a, b) else UNKNOWN)
        return self._derive(lambda: itertools.chain(self._elements(), dataset._elements()), card,
                            lambda: st.map_leaves(lambda x, y: x.most_specific_common_supertype(y),
                                                  self.element_spec, dataset.element_spec))

    def apply(self, transformation_func: Callable[["Dataset"], "Dataset"]) -> "Dataset":
        return transformation_func(self)

    def options(self) -> Any:
        return getattr(self, "_options", None)

    def with_options(self, options: Any, name: str | None = None) -> "Dataset":
        out = self._derive(self._elements)
        out._options = options
        return out

    # -- consuming ---------------------------------------------------------------------------
    def reduce(self, initial_state: Any, reduce_func: Callable, name: str | None = None) -> Any:
        state = st.normalize(initial_state)
        for element in self._elements():
            state = st.normalize_result(reduce_func(st.to_tensors(state), st.to_tensors(element)))
        return st.to_tensors(state)

    @property
    def element_spec(self) -> Any:
        if self._spec is None:
            if self._spec_fn is not None:
                self._spec = self._spec_fn()
            if self._spec is None:  # NOTE: no tracing here: run the pipeline to its first element to learn the types
                first = next(iter(self._elements()), None)
                if first is None:
                    return st.TensorSpec(TensorShape(None), dtypes.float32)
                self._spec = st.element_spec(first)
        return self._spec

    def cardinality(self) -> Any:
        return dispatch.constant(np.int64(self._cardinality))

    def __len__(self) -> int:
        if self._cardinality == INFINITE:
            raise TypeError("The dataset is infinite.")
        if self._cardinality == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    def __iter__(self) -> Any:
        from .iterator import Iterator  # noqa: PLC0415  (iterator imports this module)
        return Iterator(self)

    def as_numpy_iterator(self) -> Iterator[Any]:
        return (st.to_numpy(e) for e in self._elements())

    def __repr__(self) -> str:
        return f"<Dataset element_spec={self.element_spec!r}>"

    # -- TF1 methods -------------------------------------------------------------------------
    def make_one_shot_iterator(self) -> Any:
        from .iterator import Iterator  # noqa: PLC0415
        return Iterator(self)

    def make_initializable_iterator(self, shared_name: str | None = None) -> Any:
        from .iterator import Iterator  # noqa: PLC0415
        return Iterator(self, initializable=True)

    @property
    def output_types(self) -> Any:
        return st.map_leaves(lambda s: s.dtype, self.element_spec)

    @property
    def output_shapes(self) -> Any:
        return st.map_leaves(lambda s: s.shape, self.element_spec)

    @property
    def output_classes(self) -> Any:
        from runtime.tensor import Tensor  # noqa: PLC0415
        return st.map_leaves(lambda s: Tensor, self.element_spec)


@export("data.TextLineDataset")
class TextLineDataset(Dataset):
    """Lines of text files (without the newline) as scalar string tensors."""

    def __init__(self, filenames: Any, compression_type: str | None = None, buffer_size: int | None = None,
                 num_parallel_reads: int | None = None, name: str | None = None) -> None:
        names = [f.decode() if isinstance(f, bytes) else str(f) for f in
                 np.asarray(st.to_array(filenames) if not isinstance(filenames, str) else filenames,
                            dtype=object).reshape(-1).tolist()]
        kind = (compression_type or "").upper() or None
        super().__init__(lambda: tr.text_lines(names, kind), UNKNOWN,
                         lambda: st.TensorSpec(TensorShape([]), dtypes.string))
