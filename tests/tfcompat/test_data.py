"""tf.data: pipelines compared element by element with TensorFlow's, plus v1 iterators."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
import tfcompat.compat.v1 as v1
from runtime.errors import FailedPreconditionError, OutOfRangeError
from tfcompat._impl.data.iterator import set_graph_hooks

PIPELINES = {
    "slices_batch": lambda t: t.data.Dataset.from_tensor_slices(np.arange(10)).batch(3),
    "drop_remainder": lambda t: t.data.Dataset.from_tensor_slices(np.arange(10)).batch(3, drop_remainder=True),
    "tuple_map": lambda t: t.data.Dataset.from_tensor_slices((np.arange(4), np.arange(4.0) / 2)).map(
        lambda x, y: (x * 2, y + 1.0), num_parallel_calls=t.data.AUTOTUNE),
    "dict": lambda t: t.data.Dataset.from_tensor_slices({"a": [1, 2], "b": [[1.0, 2.0], [3.0, 4.0]]}).batch(2),
    "range_filter": lambda t: t.data.Dataset.range(10).filter(lambda x: x % 3 == 0),
    "range_args": lambda t: t.data.Dataset.range(2, 11, 3),
    "repeat_take_skip": lambda t: t.data.Dataset.range(3).repeat(3).skip(2).take(5),
    "repeat_infinite_take": lambda t: t.data.Dataset.range(2).repeat().take(5),
    "zip_enumerate": lambda t: t.data.Dataset.zip((t.data.Dataset.range(3), t.data.Dataset.range(5, 9))).enumerate(),
    "concatenate": lambda t: t.data.Dataset.range(2).concatenate(t.data.Dataset.range(5, 7)),
    "flat_map": lambda t: t.data.Dataset.range(3).flat_map(lambda x: t.data.Dataset.from_tensors(x).repeat(2)),
    "interleave": lambda t: t.data.Dataset.range(1, 4).interleave(
        lambda x: t.data.Dataset.from_tensors(x).repeat(x), cycle_length=2, block_length=1),
    "unbatch": lambda t: t.data.Dataset.from_tensor_slices(np.arange(6).reshape(3, 2)).batch(2).unbatch(),
    "padded_batch": lambda t: t.data.Dataset.range(1, 5).map(lambda x: t.fill([x], x)).padded_batch(2),
    "from_tensors": lambda t: t.data.Dataset.from_tensors(([1, 2], "s")).repeat(2),
    "cache_prefetch": lambda t: t.data.Dataset.range(4).cache().prefetch(2).batch(2),
    "strings": lambda t: t.data.Dataset.from_tensor_slices(["a", "bc"]),
}


def _elements(ds) -> list:
    return [repr(e) for e in ds.as_numpy_iterator()]


@pytest.mark.oracle
@pytest.mark.parametrize("case", sorted(PIPELINES))
def test_pipeline_matches_tensorflow(oracle, case) -> None:
    if case == "padded_batch" and not hasattr(tf, "fill"):
        pytest.skip("tf.fill is not provided yet")
    ours, theirs = PIPELINES[case](tf), PIPELINES[case](oracle)
    assert _elements(ours) == _elements(theirs)
    assert int(ours.cardinality()) == int(theirs.cardinality())
    assert repr(ours.element_spec) == repr(theirs.element_spec)


def test_iteration_yields_tensors_with_structure() -> None:
    ds = tf.data.Dataset.from_tensor_slices(({"x": [1.0, 2.0]}, [3, 4]))
    (features, label), = list(ds.take(1))
    assert isinstance(features["x"], tf.Tensor) and features["x"].dtype == tf.float32
    assert int(label) == 3 and len(ds) == 2


def test_shuffle_is_seeded_and_reshuffles() -> None:
    ds = tf.data.Dataset.range(50).shuffle(50, seed=3)
    first, second = list(ds.as_numpy_iterator()), list(ds.as_numpy_iterator())
    assert sorted(first) == list(range(50)) and first != second and first != list(range(50))
    again = tf.data.Dataset.range(50).shuffle(50, seed=3)
    assert list(again.as_numpy_iterator()) == first
    fixed = tf.data.Dataset.range(20).shuffle(5, seed=1, reshuffle_each_iteration=False)
    assert list(fixed.as_numpy_iterator()) == list(fixed.as_numpy_iterator())


def test_reduce_generator_and_text_lines(tmp_path) -> None:
    assert int(tf.data.Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x)) == 10
    gen = tf.data.Dataset.from_generator(lambda: iter([[1, 2], [3, 4]]), output_types=tf.int32)
    assert [a.tolist() for a in gen.as_numpy_iterator()] == [[1, 2], [3, 4]]
    (tmp_path / "a.txt").write_bytes(b"one\r\ntwo\n\nthree")
    lines = tf.data.TextLineDataset(str(tmp_path / "a.txt"))
    assert list(lines.as_numpy_iterator()) == [b"one", b"two", b"", b"three"]
    assert lines.element_spec.dtype == tf.string


def test_cardinality_and_len_errors() -> None:
    assert int(tf.data.Dataset.range(3).repeat().cardinality()) == tf.data.INFINITE_CARDINALITY
    assert int(tf.data.Dataset.range(3).filter(lambda x: x > 0).cardinality()) == tf.data.UNKNOWN_CARDINALITY
    with pytest.raises(TypeError, match="infinite"):
        len(tf.data.Dataset.range(3).repeat())


def test_v1_one_shot_iterator_ends_with_out_of_range() -> None:
    it = v1.data.make_one_shot_iterator(tf.data.Dataset.range(2))
    assert [int(it.get_next()), int(it.get_next())] == [0, 1]
    with pytest.raises(OutOfRangeError, match="End of sequence"):
        it.get_next()
    with pytest.raises(ValueError, match="does not have an initializer"):
        it.initializer  # noqa: B018


def test_v1_initializable_iterator_restarts() -> None:
    ds = v1.data.Dataset.from_tensor_slices([5, 6])
    it = ds.make_initializable_iterator()
    with pytest.raises(FailedPreconditionError, match="not been initialized"):
        it.next_arrays()
    it.initializer.run()
    assert it.next_arrays() == 5 and it.next_arrays() == 6
    with pytest.raises(OutOfRangeError):
        it.next_arrays()
    it.initialize()
    assert int(it.get_next()) == 5
    assert it.output_types == tf.int32 and it.output_shapes.as_list() == []


def test_graph_hook_is_used_outside_eager(monkeypatch) -> None:
    from runtime import dispatch  # noqa: PLC0415
    from tfcompat._impl.data import iterator  # noqa: PLC0415
    calls = []
    saved = dict(iterator._HOOKS)  # NOTE: the v1 layer's hooks, restored for the tests that follow
    set_graph_hooks(get_next=lambda it, name: calls.append(name) or "node", initializer=lambda it: "init-op")
    try:
        monkeypatch.setattr(dispatch, "executing_eagerly", lambda: False)
        it = tf.data.Dataset.range(2).make_initializable_iterator()
        assert it.get_next(name="next") == "node" and calls == ["next"] and it.initializer == "init-op"
    finally:
        set_graph_hooks(**saved)
