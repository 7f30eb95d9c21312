"""Differential tests against real TensorFlow 2.21 (the `oracle` fixture): forward values and gradients
of the main math, array and linalg ops on hypothesis-drawn shapes, dtypes and values."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import tfcompat

SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
FLOATS = st.sampled_from([np.float32, np.float64])


def _shape(min_rank=1, max_rank=3):
    return st.lists(st.integers(1, 4), min_size=min_rank, max_size=max_rank).map(tuple)


@st.composite
def arrays(draw, shape=None, dtype=None, low=-3.0, high=3.0):
    shape = draw(_shape()) if shape is None else shape
    dtype = draw(FLOATS) if dtype is None else dtype
    seed = draw(st.integers(0, 2**16))
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def _run(tf, fn, xs, grad):
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        for t, x in zip(ts, xs):
            if x.dtype.kind == "f":
                tape.watch(t)
        out = fn(tf, *ts)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        loss = None
        if grad:
            for k, o in enumerate(outs):
                if o.dtype.is_floating:
                    w = tf.constant(np.linspace(-1.0, 1.0, max(int(np.prod(o.shape)), 1)).reshape(o.shape)
                                    .astype(o.dtype.as_numpy_dtype) + k)
                    loss = tf.reduce_sum(o * w) if loss is None else loss + tf.reduce_sum(o * w)
    grads = tape.gradient(loss, [t for t, x in zip(ts, xs) if x.dtype.kind == "f"]) if loss is not None else []
    return [np.asarray(o) for o in outs], [None if g is None else np.asarray(tf.convert_to_tensor(g)) for g in grads]


def check(oracle, fn, *xs, grad=True):
    want, want_g = _run(oracle, fn, xs, grad)
    got, got_g = _run(tfcompat, fn, xs, grad)
    for w, g in zip(want, got):
        assert g.dtype == w.dtype, f"dtype {g.dtype} vs TF {w.dtype}"
        assert g.shape == w.shape, f"shape {g.shape} vs TF {w.shape}"
        tol = 1e-4 if w.dtype in (np.float32,) else 1e-9
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)
    for w, g in zip(want_g, got_g):
        assert (w is None) == (g is None), f"gradient is None in {'TF' if w is None else 'tfcompat'} only"
        if w is not None:
            np.testing.assert_allclose(g, w, rtol=1e-3 if w.dtype == np.float32 else 1e-7, atol=1e-4)


UNARY = ["abs", "negative", "square", "sin", "cos", "tanh", "sigmoid", "exp", "floor", "sign", "erf", "round",
         "expm1", "ceil"]
POSITIVE = ["sqrt", "log", "rsqrt", "reciprocal", "log1p"]


@pytest.mark.parametrize("name", UNARY + POSITIVE)
@SETTINGS
@given(data=st.data())
def test_unary(oracle, name, data):
    x = data.draw(arrays(low=0.2 if name in POSITIVE else -3.0))
    check(oracle, lambda tf, a: getattr(tf.math, name)(a), x)


BINARY = ["add", "subtract", "multiply", "maximum", "minimum", "squared_difference", "divide", "pow",
          "floormod", "atan2", "divide_no_nan"]


@pytest.mark.parametrize("name", BINARY)
@SETTINGS
@given(data=st.data())
def test_binary_broadcasting(oracle, name, data):
    shape = data.draw(_shape())
    other = shape[data.draw(st.integers(0, len(shape))):]
    dtype = data.draw(FLOATS)
    low = 0.5 if name in ("pow", "floormod", "divide") else -3.0
    x, y = data.draw(arrays(shape, dtype, low)), data.draw(arrays(other, dtype, low))
    check(oracle, lambda tf, a, b: getattr(tf.math, name)(a, b), x, y)


REDUCE = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_logsumexp",
          "reduce_std", "reduce_variance"]


@pytest.mark.parametrize("name", REDUCE)
@SETTINGS
@given(data=st.data())
def test_reductions(oracle, name, data):
    x = data.draw(arrays())
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    keepdims = data.draw(st.booleans())
    check(oracle, lambda tf, a: getattr(tf.math, name)(a, axis=axis, keepdims=keepdims), x)


@SETTINGS
@given(data=st.data())
def test_scans_and_args(oracle, data):
    x = data.draw(arrays())
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    ex, rev = data.draw(st.booleans()), data.draw(st.booleans())
    check(oracle, lambda tf, a: tf.math.cumsum(a, axis=axis, exclusive=ex, reverse=rev), x)
    check(oracle, lambda tf, a: tf.math.cumprod(a, axis=axis, exclusive=ex, reverse=rev), x)
    check(oracle, lambda tf, a: (tf.math.argmax(a, axis), tf.math.argmin(a, axis, output_type=tf.int32)), x)


@SETTINGS
@given(data=st.data())
def test_layout_ops(oracle, data):
    x = data.draw(arrays())
    perm = tuple(data.draw(st.permutations(range(x.ndim))))
    check(oracle, lambda tf, a: tf.transpose(a, perm), x)
    check(oracle, lambda tf, a: tf.reverse(a, [0]), x)
    check(oracle, lambda tf, a: tf.tile(a, [2] + [1] * (x.ndim - 1)), x)
    pads = [[data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))] for _ in range(x.ndim)]
    check(oracle, lambda tf, a: tf.pad(a, pads, constant_values=1.5), x)
    mode = data.draw(st.sampled_from(["REFLECT", "SYMMETRIC"]))
    small = [[min(p, d - 1), min(q, d - 1)] for (p, q), d in zip(pads, x.shape)]
    check(oracle, lambda tf, a: tf.pad(a, small, mode=mode), x)
    check(oracle, lambda tf, a: tf.concat([a, a * 2.0], axis=-1), x)
    check(oracle, lambda tf, a: tf.split(a, [1, x.shape[0] - 1] if x.shape[0] > 1 else 1, axis=0), x)
    check(oracle, lambda tf, a: tf.unstack(tf.stack([a, a + 1.0], axis=1), axis=1), x)
    check(oracle, lambda tf, a: tf.slice(a, [0] * x.ndim, [-1] + [1] * (x.ndim - 1)), x)
    check(oracle, lambda tf, a: tf.expand_dims(tf.squeeze(tf.expand_dims(a, 0), [0]), -1), x)


@SETTINGS
@given(data=st.data())
def test_gather_scatter_and_masks(oracle, data):
    x = data.draw(arrays())
    axis = data.draw(st.integers(0, x.ndim - 1))
    idx = np.asarray(data.draw(st.lists(st.integers(0, x.shape[axis] - 1), min_size=1, max_size=5)), np.int32)
    check(oracle, lambda tf, a: tf.gather(a, idx, axis=axis), x)
    nd = np.stack([idx % x.shape[0]], axis=-1)
    check(oracle, lambda tf, a: tf.gather_nd(a, nd), x)
    check(oracle, lambda tf, a: tf.scatter_nd(nd, tf.gather_nd(a, nd), x.shape), x)
    check(oracle, lambda tf, a: tf.boolean_mask(a, a[..., 0] > 0) if x.ndim > 1 else tf.boolean_mask(a, a > 0), x)
    check(oracle, lambda tf, a: tf.where(a > 0, a, a * 0.5), x)
    check(oracle, lambda tf, a: (tf.math.top_k(a, k=1).values, tf.sort(a, direction="DESCENDING"),
                                 tf.argsort(a)), x)
    check(oracle, lambda tf, a: tf.one_hot(idx, 4, on_value=2.0, off_value=-1.0, axis=0), x, grad=False)


@SETTINGS
@given(data=st.data())
def test_linalg_and_clipping(oracle, data):
    n = data.draw(st.integers(1, 4))
    dtype = data.draw(FLOATS)
    a = data.draw(arrays((2, n, n), dtype)) + 4 * np.eye(n, dtype=dtype)
    b = data.draw(arrays((n, 3), dtype))
    check(oracle, lambda tf, m: (tf.linalg.inv(m), tf.linalg.det(m), tf.linalg.trace(m),
                                 tf.linalg.diag_part(m)), a)
    check(oracle, lambda tf, m, v: (tf.matmul(m, v), tf.einsum("bij,jk->bik", m, v),
                                    tf.tensordot(m, v, axes=1), tf.matmul(m, m, transpose_b=True)), a, b)
    ord_ = data.draw(st.sampled_from(["euclidean", 1, np.inf, 3]))
    check(oracle, lambda tf, v: (tf.norm(v, ord=ord_), tf.norm(v, ord=ord_, axis=1, keepdims=True)), b)
    check(oracle, lambda tf, v: (tf.clip_by_value(v, -0.5, 0.7), tf.clip_by_norm(v, 1.0),
                                 tf.math.l2_normalize(v, axis=0), *tf.clip_by_global_norm([v, v * 2.0], 2.0)[0]), b)
