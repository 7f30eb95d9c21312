"""tf.math trig/segment/xlogy/cumulative_logsumexp, roll, repeat, meshgrid, searchsorted, unravel_index vs TF."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf

X = np.array([[0.3, -0.5, 0.8], [0.1, 0.6, -0.2]], np.float32)
CASES = [
    ("math.asin", (X,), {}), ("math.acos", (X,), {}), ("math.atan", (X,), {}), ("math.sinh", (X,), {}),
    ("math.cosh", (X,), {}), ("math.asinh", (X,), {}), ("math.acosh", (X + 1.5,), {}), ("math.atanh", (X,), {}),
    ("math.xlogy", (np.array([0.0, 2.0, 3.0], np.float32), np.array([0.0, 0.5, 4.0], np.float32)), {}),
    ("math.segment_sum", (X, np.array([0, 0], np.int32)), {}),
    ("math.segment_mean", (np.arange(12.0, dtype=np.float32).reshape(4, 3), np.array([0, 0, 2, 2])), {}),
    ("math.segment_max", (np.arange(12.0, dtype=np.float32).reshape(4, 3), np.array([0, 1, 1, 3])), {}),
    ("math.unsorted_segment_sum", (X, np.array([2, 0], np.int32), 3), {}),
    ("math.cumulative_logsumexp", (X,), {"axis": 1}),
    ("math.cumulative_logsumexp", (X,), {"axis": 1, "exclusive": True, "reverse": True}),
    ("roll", (np.arange(10).reshape(2, 5), [1, -2], [0, 1]), {}),
    ("repeat", (np.array([[1, 2], [3, 4]]), [1, 3]), {"axis": 0}),
    ("repeat", (np.array([[1, 2], [3, 4]]), 2), {}),
    ("searchsorted", (np.array([[1.0, 3.0, 5.0]], np.float32), np.array([[3.0, 0.0, 6.0]], np.float32)),
     {"side": "right"}),
    ("unravel_index", (np.array([1, 5, 7], np.int32), np.array([3, 3], np.int32)), {}),
]


def _get(mod, path):
    for p in path.split("."):
        mod = getattr(mod, p)
    return mod


@pytest.mark.parametrize("path,args,kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_tensorflow(oracle, path, args, kwargs):
    ours = _get(tf, path)(*args, **kwargs)
    theirs = _get(oracle, path)(*args, **kwargs)
    assert ours.dtype.name == theirs.dtype.name
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_meshgrid_both_indexings(oracle):
    for indexing in ("xy", "ij"):
        ours = tf.meshgrid([1, 2, 3], [4, 5], [6, 7], indexing=indexing)
        theirs = oracle.meshgrid([1, 2, 3], [4, 5], [6, 7], indexing=indexing)
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("path,args", [
    ("math.segment_max", (np.array([[1.0, 5.0], [3.0, 5.0], [2.0, 0.0]]), np.array([0, 0, 1]))),
    ("math.segment_mean", (np.array([[1.0, 5.0], [3.0, 5.0], [2.0, 0.0]]), np.array([0, 0, 1]))),
    ("math.xlogy", (np.array([0.0, 2.0]), np.array([3.0, 4.0]))),
    ("math.cumulative_logsumexp", (np.array([0.5, -1.0, 2.0]),)),
])
def test_gradients_match_tensorflow(oracle, path, args):
    def grads(mod):
        xs = [mod.constant(a) for a in args if a.dtype.kind == "f"]
        with mod.GradientTape() as t:
            t.watch(xs)
            y = _get(mod, path)(*xs, *[a for a in args if a.dtype.kind != "f"])
            y = mod.reduce_sum(y * y)
        return [g.numpy() for g in t.gradient(y, xs)]
    for a, b in zip(grads(tf), grads(oracle)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_roll_and_repeat_inside_function():
    @tf.function
    def f(x):
        return tf.roll(x, 1, 0), tf.repeat(x, 2)
    a, b = f(tf.constant([1, 2, 3]))
    assert a.numpy().tolist() == [3, 1, 2] and b.numpy().tolist() == [1, 1, 2, 2, 3, 3]


def test_segment_ids_must_be_sorted():
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment ids are not increasing"):
        tf.math.segment_sum([1.0, 2.0], [1, 0])
