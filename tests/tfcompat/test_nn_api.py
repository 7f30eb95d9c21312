"""tf.nn against real TensorFlow 2.21 (the `oracle`): values and gradients of conv/pool on
hypothesis-drawn geometry, activations, cross-entropies, normalisation, sampled losses."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import tfcompat as tf

F32 = dict(rtol=2e-4, atol=2e-4)


def _grads(mod, fn, *arrays):
    """(value, d sum(value * cot) / d each array) computed by `mod` (tfcompat or TensorFlow)."""
    xs = [mod.constant(a) for a in arrays]
    with mod.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = fn(mod, *xs)
        cot = mod.constant(np.cos(np.arange(int(np.prod(y.shape))).reshape(y.shape)).astype(np.float32))
        s = mod.reduce_sum(y * cot)
    return [y.numpy()] + [mod.convert_to_tensor(g).numpy() for g in tape.gradient(s, xs)]  # IndexedSlices


def _same(oracle, fn, *arrays, tol=F32):
    for ours, theirs in zip(_grads(tf, fn, *arrays), _grads(oracle, fn, *arrays)):
        np.testing.assert_allclose(ours, theirs, **tol)


conv_geometry = st.fixed_dictionaries({
    "h": st.integers(4, 9), "w": st.integers(4, 9), "c": st.integers(1, 3), "o": st.integers(1, 4),
    "k": st.tuples(st.integers(1, 3), st.integers(1, 3)), "s": st.integers(1, 3),
    "padding": st.sampled_from(["SAME", "VALID", "EXPLICIT"]), "d": st.sampled_from([1, 2]),
    "seed": st.integers(0, 2**16)})


def _conv_args(g):
    rng = np.random.default_rng(g["seed"])
    x = rng.standard_normal((2, g["h"], g["w"], g["c"])).astype(np.float32)
    w = rng.standard_normal((*g["k"], g["c"], g["o"])).astype(np.float32)
    s = 1 if g["d"] > 1 else g["s"]  # NOTE: TF's CPU kernels reject strides > 1 with dilations > 1
    pad = [[0, 0], [1, 0], [0, 2], [0, 0]] if g["padding"] == "EXPLICIT" else g["padding"]
    return x, w, s, pad


@settings(max_examples=20, deadline=None)
@given(conv_geometry)
def test_conv2d_value_and_gradients_match_tf(oracle, g):
    x, w, s, pad = _conv_args(g)
    d = 1 if g["padding"] == "EXPLICIT" else g["d"]  # NOTE: TF's CPU backprop rejects dilated EXPLICIT
    assume(g["padding"] != "VALID" or min(g["h"], g["w"]) >= (max(g["k"]) - 1) * d + 1)  # TF: odd shapes
    _same(oracle, lambda m, a, b: m.nn.conv2d(a, b, s, pad, dilations=d), x, w)


@settings(max_examples=12, deadline=None)
@given(conv_geometry)
def test_depthwise_and_transpose_match_tf(oracle, g):
    x, w, s, pad = _conv_args(g)
    pad = "SAME" if pad == "EXPLICIT" else pad
    try:
        _same(oracle, lambda m, a, b: m.nn.depthwise_conv2d(a, b, [1, s, s, 1], pad, dilations=[g["d"]] * 2), x, w)
    except oracle.errors.AbortedError:  # NOTE: TF's oneDNN kernel rejects some valid dilated geometries
        assume(False)
    if g["d"] == 1:
        y = oracle.nn.conv2d(x, w, s, pad).numpy()
        _same(oracle, lambda m, a, b: m.nn.conv2d_transpose(a, b, list(x.shape), s, pad), y, w)


@settings(max_examples=20, deadline=None)
@given(conv_geometry, st.sampled_from(["max", "avg"]))
def test_pools_value_and_gradients_match_tf(oracle, g, kind):
    x, _, _, _ = _conv_args(g)
    pad = "SAME" if g["padding"] == "EXPLICIT" else g["padding"]
    fn = (lambda m: m.nn.max_pool2d) if kind == "max" else (lambda m: m.nn.avg_pool2d)
    _same(oracle, lambda m, a: fn(m)(a, list(g["k"]), g["s"], pad), x)
    _same(oracle, lambda m, a: getattr(m.nn, f"{kind}_pool1d")(a[:, 0], g["k"][0], g["s"], pad), x)


def test_nchw_and_conv1d_match_tf(oracle):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 6, 5)).astype(np.float32), rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    nhwc = oracle.nn.conv2d(np.transpose(x, (0, 2, 3, 1)), w, 2, "SAME").numpy()
    np.testing.assert_allclose(tf.nn.conv2d(x, w, 2, "SAME", data_format="NCHW").numpy(),
                               np.transpose(nhwc, (0, 3, 1, 2)), **F32)
    x1, w1 = rng.standard_normal((2, 9, 3)).astype(np.float32), rng.standard_normal((3, 3, 4)).astype(np.float32)
    _same(oracle, lambda m, a, b: m.nn.conv1d(a, b, 2, "SAME"), x1, w1)
    _same(oracle, lambda m, a: m.nn.max_pool(a, 3, 2, "SAME"), x1)


ACTIVATIONS = ["relu", "relu6", "elu", "selu", "softplus", "softsign", "leaky_relu", "gelu", "gelu_approx",
               "softmax", "log_softmax", "softmax_axis0", "l2_loss"]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_match_tf(oracle, name):
    x = (np.random.default_rng(1).standard_normal((3, 5)) * 4).astype(np.float32)
    table = {"gelu_approx": lambda m, a: m.nn.gelu(a, approximate=True),
             "softmax_axis0": lambda m, a: m.nn.softmax(a, axis=0),
             "l2_loss": lambda m, a: m.reshape(m.nn.l2_loss(a), [1])}
    _same(oracle, table.get(name, lambda m, a: getattr(m.nn, name)(a)), x)


def test_cross_entropies_match_tf(oracle):
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((4, 3, 5)).astype(np.float32) * 3
    p = rng.uniform(size=(4, 3, 5)).astype(np.float32)
    p /= p.sum(-1, keepdims=True)
    _same(oracle, lambda m, z, y: m.nn.softmax_cross_entropy_with_logits(y, z), logits, p)
    _same(oracle, lambda m, z, y: m.nn.softmax_cross_entropy_with_logits(y, z, axis=1), logits, p)
    ids = rng.integers(0, 5, (4, 3))
    _same(oracle, lambda m, z: m.nn.sparse_softmax_cross_entropy_with_logits(ids, z), logits)
    z01 = (rng.uniform(size=(4, 5)) > 0.5).astype(np.float32)
    _same(oracle, lambda m, z, y: m.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z), logits[:, 0], z01)
    _same(oracle, lambda m, z, y: m.nn.weighted_cross_entropy_with_logits(y, z, 2.5), logits[:, 0], z01)


def test_second_order_softmax_xent_matches_tf(oracle):
    z = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[[0, 2, 3]]

    def hess_diag(m):
        x = m.constant(z)
        with m.GradientTape() as outer:
            outer.watch(x)
            with m.GradientTape() as inner:
                inner.watch(x)
                loss = m.reduce_sum(m.nn.softmax_cross_entropy_with_logits(y, x) ** 2)
            g = inner.gradient(loss, x)
            total = m.reduce_sum(g * g)
        return outer.gradient(total, x).numpy()
    np.testing.assert_allclose(hess_diag(tf), hess_diag(oracle), **F32)


def test_bias_add_moments_batch_norm_embedding_match_tf(oracle):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    _same(oracle, lambda m, a, c: m.nn.bias_add(a, c), x, b)
    _same(oracle, lambda m, a, c: m.nn.bias_add(a, c[:3], data_format="NCHW"), x, b)
    _same(oracle, lambda m, a: m.stack(m.nn.moments(a, [0, 1, 2])), x)
    _same(oracle, lambda m, a, c: m.nn.batch_normalization(a, m.reduce_mean(a, [0, 1, 2]), c * c, c, c + 1, 1e-3),
          x, b)
    table = rng.standard_normal((6, 3)).astype(np.float32)
    ids = np.array([[5, 0], [2, 2]])
    _same(oracle, lambda m, t: m.nn.embedding_lookup(t, ids), table)
    _same(oracle, lambda m, t: m.nn.embedding_lookup([t[:3], t[3:]], ids), table)
    _same(oracle, lambda m, t: m.nn.embedding_lookup(t, ids, max_norm=1.0), table)


@pytest.mark.parametrize("remove_hits", [False, True])
def test_sampled_losses_match_tf_given_the_samples(oracle, remove_hits):
    rng = np.random.default_rng(5)
    w, bias = rng.standard_normal((20, 4)).astype(np.float32), rng.standard_normal(20).astype(np.float32)
    inputs = rng.standard_normal((3, 4)).astype(np.float32)
    labels = np.array([[1, 7], [3, 2], [0, 9]], np.int64)
    sampled = (np.array([7, 4, 0, 11], np.int64), rng.uniform(0.1, 1, (3, 2)).astype(np.float32),
               rng.uniform(0.1, 1, 4).astype(np.float32))
    for loss in ("nce_loss", "sampled_softmax_loss"):
        _same(oracle, lambda m, a, c, i: getattr(m.nn, loss)(a, c, labels, i, 4, 20, num_true=2,
                                                             sampled_values=sampled,
                                                             remove_accidental_hits=remove_hits), w, bias, inputs)


def test_dropout_statistics_and_errors(oracle):
    x = tf.ones([200, 100])
    y = tf.nn.dropout(x, rate=0.3, seed=1).numpy()
    assert np.allclose(np.unique(y), [0.0, 1 / 0.7])
    assert abs((y == 0).mean() - 0.3) < 0.02 and abs(y.mean() - 1) < 0.03
    cols = tf.nn.dropout(x, 0.5, noise_shape=[1, 100]).numpy()
    assert (cols == cols[:1]).all()
    theirs = oracle.nn.dropout(oracle.ones([200, 100]), rate=0.3).numpy()
    assert abs((theirs == 0).mean() - (y == 0).mean()) < 0.03
    with pytest.raises(ValueError, match="rate"):
        tf.nn.dropout(x, rate=1.0)
