"""`for x in dataset` inside `tf.function`: a staged loop pulling elements at run time, equal to eager and TensorFlow."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat

XS = np.arange(10, dtype=np.float32)
WS = (np.arange(10, dtype=np.float32) % 3 - 1.0).astype(np.float32)


def programs(tf):
    """The same source bound to tfcompat or TensorFlow; each returns (fn, args)."""
    ds = tf.data.Dataset.from_tensor_slices((XS, WS)).batch(3)

    def weighted_sum():
        s = tf.constant(0.0)
        count = tf.constant(0)
        for x, w in ds:
            s += tf.reduce_sum(x * w)
            count += 1
        return s, count

    def break_early(limit):
        s = tf.constant(0.0)
        for x, _ in ds:
            if s > limit:
                break
            s += tf.reduce_sum(x)
        return s

    def continue_and_batch_shape():
        s = tf.constant(0.0)
        rows = tf.constant(0)
        for x, w in ds:
            rows += tf.shape(x)[0]
            if tf.reduce_sum(w) < 0.0:
                continue
            s += tf.reduce_max(x)
        return s, rows

    def mapped_range():
        total = tf.constant(0, tf.int64)
        for i in tf.data.Dataset.range(1, 6).map(lambda v: v * v):
            total += i
        return total

    v = tf.Variable(0.0)

    def side_effects_only():
        for x, _ in ds:
            v.assign_add(tf.reduce_sum(x))
        return v.read_value()

    return {"weighted_sum": (weighted_sum, ()), "break_early": (break_early, (np.float32(10.0),)),
            "continue_and_batch_shape": (continue_and_batch_shape, ()), "mapped_range": (mapped_range, ()),
            "side_effects_only": (side_effects_only, ())}


def _run(tf, name, traced):
    fn, args = programs(tf)[name]
    out = (tf.function(fn) if traced else fn)(*[tf.constant(a) for a in args])
    return [np.asarray(o) for o in out] if isinstance(out, (tuple, list)) else [np.asarray(out)]


NAMES = ["weighted_sum", "break_early", "continue_and_batch_shape", "mapped_range", "side_effects_only"]


@pytest.mark.parametrize("name", NAMES)
def test_dataset_loop_traced_equals_eager(name) -> None:
    for a, b in zip(_run(tfcompat, name, True), _run(tfcompat, name, False)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.oracle
@pytest.mark.parametrize("name", NAMES)
def test_dataset_loop_traced_equals_tensorflow(oracle, name) -> None:
    mine, theirs = _run(tfcompat, name, True), _run(oracle, name, True)
    for a, b in zip(mine, theirs):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_dataset_loop_is_one_staged_loop_reading_elements_at_run_time() -> None:
    data = [1.0, 2.0]

    def gen():
        yield from list(data)  # NOTE: read when the pass starts, so changes show at the next call
    ds = tfcompat.data.Dataset.from_generator(gen, output_signature=tfcompat.TensorSpec([], tfcompat.float32))

    @tfcompat.function
    def total():
        s = tfcompat.constant(0.0)
        for x in ds:
            s += x
        return s
    assert float(total()) == 3.0
    data.append(4.0)
    assert float(total()) == 7.0
    data[:] = []
    assert float(total()) == 0.0
    assert total.experimental_get_tracing_count() == 1
    graph_ops = {n.op.name for n in total.get_concrete_function().graph.nodes}
    assert {"AnonymousIteratorV3", "While", "DeleteIterator"} <= graph_ops


def test_shuffled_dataset_reshuffles_at_every_call() -> None:
    ds = tfcompat.data.Dataset.range(50).shuffle(50, seed=1)

    @tfcompat.function
    def first():
        out = tfcompat.constant(-1, tfcompat.int64)
        for x in ds:
            if out < 0:
                out = x
        return out
    firsts = {int(first()) for _ in range(6)}
    assert len(firsts) > 1 and first.experimental_get_tracing_count() == 1


def test_iterator_made_outside_continues_across_calls() -> None:
    it = iter(tfcompat.data.Dataset.range(5))

    @tfcompat.function
    def take_two():
        s = tfcompat.constant(0, tfcompat.int64)
        n = tfcompat.constant(0)
        for x in it:
            s += x
            n += 1
            if n >= 2:
                break
        return s
    assert [int(take_two()) for _ in range(4)] == [0 + 1, 2 + 3, 4, 0]


@pytest.mark.parametrize("oracle_too", [False, pytest.param(True, marks=pytest.mark.oracle)])
def test_undefined_before_dataset_loop_is_tensorflow_error(request, oracle_too) -> None:
    tf = request.getfixturevalue("oracle") if oracle_too else tfcompat
    ds = tf.data.Dataset.range(3)

    def last():
        for x in ds:
            y = x
        return y
    with pytest.raises(ValueError, match="'y' must be defined before the loop"):
        tf.function(last)()
