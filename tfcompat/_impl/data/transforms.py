"""The element streams behind each transformation, as plain generator functions.

    list(batch(lambda: iter(arrays), 2, drop_remainder=False))  ->  stacked pairs, then the rest

Each takes `source`, a zero-argument callable that starts a fresh upstream iterator
(so `repeat` and reshuffling start the upstream again), and yields elements (nested
NumPy arrays, see `structure`).
"""
from __future__ import annotations

import itertools
import warnings
from typing import Any, Callable, Iterator

import numpy as np

from runtime.errors import InvalidArgumentError

from . import structure as st

Source = Callable[[], Iterator[Any]]


def slices(components: Any) -> Iterator[Any]:
    leaves = st.flat(components)
    n = len(leaves[0]) if leaves[0].ndim else 0
    for i in range(n):
        yield st.pack(components, [leaf[i, ...] for leaf in leaves])


def repeat(source: Source, count: int) -> Iterator[Any]:
    epochs = itertools.count() if count < 0 else range(count)
    for _ in epochs:
        produced = False
        for element in source():
            produced = True
            yield element
        if not produced:  # NOTE: repeating an empty dataset ends instead of spinning forever
            return


def shuffle(source: Source, buffer_size: int, rng: np.random.Generator) -> Iterator[Any]:
    """TF's algorithm: fill a buffer, emit a random slot and refill it from upstream."""
    buffer: list[Any] = []
    upstream = source()
    for element in upstream:
        buffer.append(element)
        if len(buffer) >= buffer_size:
            break
    for element in upstream:
        i = int(rng.integers(len(buffer)))
        yield buffer[i]
        buffer[i] = element
    while buffer:
        i = int(rng.integers(len(buffer)))
        buffer[i], buffer[-1] = buffer[-1], buffer[i]
        yield buffer.pop()


def _stack(items: list, what: str) -> np.ndarray:
    shapes = {a.shape for a in items}
    if len(shapes) > 1:
        raise InvalidArgumentError(None, None, f"Cannot batch tensors with different shapes in {what}: "
                                               f"{sorted(shapes)}. Use padded_batch (or ragged batching) instead.")
    return np.stack(items)


def batch(source: Source, batch_size: int, drop_remainder: bool) -> Iterator[Any]:
    upstream = source()
    while True:
        chunk = list(itertools.islice(upstream, batch_size))
        if not chunk or (drop_remainder and len(chunk) < batch_size):
            return
        columns = zip(*[st.flat(e) for e in chunk])
        yield st.pack(chunk[0], [_stack(list(c), f"component {i}") for i, c in enumerate(columns)])


def padded_batch(source: Source, batch_size: int, padded_shapes: Any, padding_values: Any,
                 drop_remainder: bool) -> Iterator[Any]:
    upstream = source()
    while True:
        chunk = list(itertools.islice(upstream, batch_size))
        if not chunk or (drop_remainder and len(chunk) < batch_size):
            return
        first = st.flat(chunk[0])
        shapes = st.flat(padded_shapes) if padded_shapes is not None else [None] * len(first)
        pads = st.flat(padding_values) if padding_values is not None else [None] * len(first)
        out = []
        for i, column in enumerate(zip(*[st.flat(e) for e in chunk])):
            longest = np.max([a.shape for a in column], axis=0) if column[0].ndim else ()
            want = [longest[d] if s is None or s == -1 else int(s) for d, s in
                    enumerate(shapes[i] if shapes[i] is not None else [None] * column[0].ndim)]
            pad = pads[i] if pads[i] is not None else (b"" if column[0].dtype == object else 0)
            result = np.full((len(column), *want), pad, dtype=column[0].dtype)
            for j, a in enumerate(column):
                if any(n > w for n, w in zip(a.shape, want)):
                    raise InvalidArgumentError(None, None, f"Attempted to pad to a smaller size than the input "
                                                           f"element: {a.shape} into {tuple(want)}")
                result[(j, *[slice(0, n) for n in a.shape])] = a
            out.append(result)
        yield st.pack(chunk[0], out)


def unbatch(source: Source) -> Iterator[Any]:
    for element in source():
        yield from slices(element)


class Traced:
    """A dataset function traced once, from the input element spec, into a graph (as tf.data does).

    Python side effects in `fn` run once, at trace time; each element then runs the graph.
    """

    def __init__(self, fn: Callable, input_spec: Callable[[], Any]) -> None:
        self._fn, self._input_spec, self._cf = fn, input_spec, None

    def concrete(self) -> Any:
        if self._cf is None:
            from runtime import function as fn_mod  # noqa: PLC0415  (runtime.function imports the API)
            from runtime.concrete import TensorSpec  # noqa: PLC0415
            spec = self._input_spec()
            sig = st.restore_none(st.map_leaves(lambda s: TensorSpec(s.shape, s.dtype), spec))
            is_lambda = getattr(self._fn, "__name__", "") == "<lambda>"
            traced = fn_mod.function(self._fn, autograph=not is_lambda)
            spread = isinstance(spec, tuple) and not hasattr(spec, "_fields")
            try:
                self._cf = traced.get_concrete_function(*sig) if spread else traced.get_concrete_function(sig)
            except NotImplementedError as e:  # NOTE: an op tfcompat can only run on known values
                warnings.warn(f"tf.data could not trace {getattr(self._fn, '__name__', 'the function')} into a "
                              f"graph ({e}); it runs eagerly, once per element", stacklevel=4)
                self._cf = self._fn
        return self._cf

    def __call__(self, *args: Any) -> Any:
        return self.concrete()(*args)

    def output_spec(self) -> Any:
        cf = self.concrete()
        if cf is self._fn:
            return None
        out = cf.structured_outputs
        out = tuple(out) if isinstance(out, list) else out
        return st.map_leaves(lambda t: st.NONE if t is None else st.TensorSpec(t.shape, t.dtype), out)


def map_elements(source: Source, fn: Callable) -> Iterator[Any]:
    for element in source():
        yield st.normalize_result(st.call(fn, element))


def filter_elements(source: Source, predicate: Callable) -> Iterator[Any]:
    for element in source():
        keep = np.asarray(st.to_array(st.call(predicate, element)))
        if keep.shape != () or keep.dtype != np.bool_:
            raise ValueError(f"Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, "
                             f"but its return type was {keep.dtype} with shape {keep.shape}.")
        if keep:
            yield element


def flat_map(source: Source, fn: Callable) -> Iterator[Any]:
    for element in source():
        inner = st.call(fn, element)
        if not hasattr(inner, "_elements"):
            raise TypeError(f"`map_func` of flat_map must return a `Dataset` object; got {type(inner).__name__}")
        yield from inner._elements()


def interleave(source: Source, fn: Callable, cycle_length: int, block_length: int) -> Iterator[Any]:
    upstream = source()
    active: list[Iterator[Any]] = []
    exhausted = False
    while True:
        while not exhausted and len(active) < cycle_length:
            nxt = next(upstream, None)
            if nxt is None:
                exhausted = True
            else:
                active.append(st.call(fn, nxt)._elements())
        if not active:
            return
        for it in list(active):
            for _ in range(block_length):
                element = next(it, None)
                if element is None:
                    active.remove(it)
                    break
                yield element


def enumerate_elements(source: Source, start: int) -> Iterator[Any]:
    for i, element in enumerate(source(), start):
        yield (np.array(i, np.int64), element)


def zip_sources(sources: list[Source], template: Any) -> Iterator[Any]:
    for parts in zip(*[s() for s in sources]):
        yield st.pack(template, list(parts))


def text_lines(filenames: list[str], compression_type: str | None) -> Iterator[Any]:
    import gzip  # noqa: PLC0415
    import zlib  # noqa: PLC0415
    for name in filenames:
        if compression_type == "GZIP":
            with gzip.open(name, "rb") as f:
                data = f.read()
        else:
            with open(name, "rb") as f:
                data = f.read()
            if compression_type == "ZLIB":
                data = zlib.decompress(data)
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for line in lines:
            yield np.array(line[:-1] if line.endswith(b"\r") else line, dtype=object)
