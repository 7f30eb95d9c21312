"""The plan pass that fuses Conv2D -> BiasAdd -> Relu (-> MaxPool) and MaxPoolGrad -> ReluGrad
(runtime/fusion_conv.py): fused where nothing else reads the intermediates, the same values as
the unfused chain (NumPy reference, always), and TensorFlow's values (oracle)."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
from runtime import fusion_conv

RNG = np.random.default_rng(4)
X = RNG.standard_normal((4, 12, 12, 3)).astype(np.float32)
K1 = (RNG.standard_normal((3, 3, 3, 16)) * 0.3).astype(np.float32)
C1 = (RNG.standard_normal(16) * 0.1).astype(np.float32)
K2 = (RNG.standard_normal((3, 3, 16, 32)) * 0.2).astype(np.float32)
C2 = (RNG.standard_normal(32) * 0.1).astype(np.float32)


@pytest.fixture
def fused_ops(monkeypatch):
    """The op types of the steps each fused plan keeps, one list per plan built."""
    seen: list = []
    real = fusion_conv.fuse

    def spy(steps, fetched):
        out = real(steps, fetched)
        seen.append([fusion_conv._op_name(s) for s in out])
        return out
    monkeypatch.setattr(fusion_conv, "fuse", spy)
    return seen


def _step(lib, x, params, also=False):
    k1, c1, k2, c2 = params
    with lib.GradientTape() as tape:
        tape.watch(params)
        h = lib.nn.relu(lib.nn.bias_add(lib.nn.conv2d(x, k1, 1, "SAME"), c1))
        h = lib.nn.max_pool2d(h, 2, 2, "SAME")
        pre = lib.nn.conv2d(h, k2, 1, "SAME")
        h = lib.nn.relu(lib.nn.bias_add(pre, c2))
        h = lib.nn.max_pool2d(h, 2, 2, "VALID")
        loss = lib.reduce_sum(h * h)
    grads = tape.gradient(loss, params)
    return (loss, *grads, pre) if also else (loss, *grads)


def _ours(x, ps):
    return _step(tf, x, ps)


def _ours_also(x, ps):
    return _step(tf, x, ps, also=True)


def _run(lib, fn, params, dtype=np.float32):
    ps = [lib.constant(p.astype(dtype)) for p in params]
    return [t.numpy() for t in lib.function(fn)(lib.constant(X.astype(dtype)), ps)]


def test_cnn_chains_fuse_and_give_the_unfused_values(fused_ops, monkeypatch):
    params = (K1, C1, K2, C2)
    fused = _run(tf, _ours, params)
    ops = fused_ops[-1]
    assert "BiasAdd" not in ops and "MaxPoolGrad" not in ops and "MaxPool" not in ops and ops.count("Relu") == 0
    assert ops.count("Conv2D") == 2 and "BiasAddGrad" not in ops
    # the first layer's gradient is made inside its filter gradient (no input gradient reads it)
    assert ops.count("ReluGrad") == 1 and ops.count("Conv2DBackpropFilter") == 2
    monkeypatch.setattr(fusion_conv, "fuse", lambda steps, fetched: steps)
    plain = _run(tf, _ours, params)
    for i, (a, b) in enumerate(zip(fused, plain)):
        if i in (2, 4):   # NOTE: bias gradients: one float64 sum over windows, vs the chain's float32 sum
            np.testing.assert_allclose(a, b, rtol=2e-6)
        else:
            np.testing.assert_array_equal(a, b)


def test_a_fetched_intermediate_is_not_fused_away(fused_ops):
    """The second conv's raw output is also returned, so that chain keeps its three steps."""
    out = _run(tf, _ours_also, (K1, C1, K2, C2))
    ops = fused_ops[-1]
    assert ops.count("BiasAdd") == 1 and ops.count("Relu") == 1 and ops.count("MaxPool") == 1
    assert out[-1].shape == (4, 6, 6, 32)


def test_float64_chain_falls_back_to_its_own_kernels(fused_ops):
    """No direct float64 kernel: the fused step calls the chain's kernels (same values as eager)."""
    params = (K1, C1, K2, C2)
    traced = _run(tf, _ours, params, np.float64)
    assert "BiasAdd" not in fused_ops[-1] and "MaxPoolGrad" not in fused_ops[-1]
    eager = [t.numpy() for t in _step(tf, tf.constant(X.astype(np.float64)),
                                      [tf.constant(p.astype(np.float64)) for p in params])]
    for a, b in zip(traced, eager):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_fused_step_equals_numpy_reference():
    """The first layer by definition in NumPy: relu(conv + bias), pooled, loss and dloss/dbias."""
    fn = tf.function(_layer_ours)
    loss, dc = (t.numpy() for t in fn(tf.constant(X), tf.constant(K1), tf.constant(C1)))
    xp = np.pad(X.astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
    y = sum(xp[:, i:i + 12, j:j + 12, :] @ K1[i, j].astype(np.float64) for i in range(3) for j in range(3)) + C1
    r = np.maximum(y, 0)
    pooled = r.reshape(4, 6, 2, 6, 2, 16).max(axis=(2, 4))
    np.testing.assert_allclose(loss, np.sum(pooled), rtol=1e-5)
    win = r.reshape(4, 6, 2, 6, 2, 16).transpose(0, 1, 3, 5, 2, 4).reshape(4, 6, 6, 16, 4)
    first = np.argmax(win, axis=-1)                  # the gradient goes to each window's first maximum
    hit = (np.take_along_axis(win, first[..., None], -1)[..., 0] > 0)
    np.testing.assert_allclose(dc, hit.sum(axis=(0, 1, 2)), rtol=1e-6)


def _layer_ours(x, k, c):
    return _layer(tf, x, k, c)


def _layer(lib, x, k, c):
    with lib.GradientTape() as tape:
        tape.watch(c)
        h = lib.nn.max_pool2d(lib.nn.relu(lib.nn.bias_add(lib.nn.conv2d(x, k, 1, "SAME"), c)), 2, 2, "SAME")
        loss = lib.reduce_sum(h)
    return loss, tape.gradient(loss, c)


@pytest.mark.oracle
def test_fused_training_step_equals_tensorflow(oracle):
    params = (K1, C1, K2, C2)
    ours = _run(tf, _ours, params)
    theirs = _run(oracle, lambda x, ps: _step(oracle, x, ps), params)   # noqa: E731
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4 * max(1.0, float(np.abs(b).max())))


def _pooled_layer(x, k, c, ksize, stride, padding):
    return tf.nn.max_pool2d(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k, 1, "SAME"), c)), ksize, stride, padding)


@pytest.mark.parametrize("ksize,stride,padding", [(2, 2, "SAME"), (3, 2, "SAME"), (3, 3, "VALID"), (2, 1, "VALID")])
def test_pool_fused_into_the_convolution_equals_the_chain(fused_ops, monkeypatch, ksize, stride, padding):
    """Odd sizes, overlapping and padded windows, a NaN: the in-cache pool gives the MaxPool op's values."""
    x = RNG.standard_normal((3, 11, 9, 3)).astype(np.float32)
    x[0, 4, 4, 0] = np.nan

    def layer(x, k, c):
        return _pooled_layer(x, k, c, ksize, stride, padding)
    args = (tf.constant(x), tf.constant(K1), tf.constant(C1))
    fused = tf.function(layer)(*args).numpy()
    assert "MaxPool" not in fused_ops[-1]
    monkeypatch.setattr(fusion_conv, "fuse", lambda steps, fetched: steps)
    np.testing.assert_array_equal(fused, tf.function(layer)(*args).numpy())
    assert np.isnan(fused).any()


@pytest.fixture
def plan_steps(monkeypatch):
    """The (op type, inputs, outputs) of each fused plan's steps, one list per plan built."""
    seen: list = []
    real = fusion_conv.fuse

    def spy(steps, fetched):
        out = real(steps, fetched)
        seen.append([(fusion_conv._op_name(s), list(s[2]), list(s[3])) for s in out])
        return out
    monkeypatch.setattr(fusion_conv, "fuse", spy)
    return seen


def _bits(a):
    return np.ascontiguousarray(a).view(np.uint32 if a.dtype == np.float32 else np.uint64)


@pytest.mark.parametrize("ksize,stride,padding,scale", [(2, 2, "SAME", 1.0), (3, 3, "SAME", 1.0),
                                                        (2, 3, "VALID", 1.0), (2, 2, "SAME", -1.0),
                                                        (3, 2, "SAME", 1.0)])
def test_relu_output_read_only_by_its_pool_gradient_is_not_stored(plan_steps, monkeypatch, ksize, stride,
                                                                  padding, scale):
    """The forward step hands the pool's gradient a one-byte-per-value workspace instead of the relu
    output: same bits as the unfused chain, with odd sizes, windows in the padding or leaving inputs
    uncovered, ties at zero (scale -1: most windows all zero), a NaN input and gradients of both signs
    (ReluGrad's -0 and NaN kept)."""
    x = (RNG.standard_normal((3, 11, 9, 3)) * scale).astype(np.float32)
    x[0, 4, 4, 0] = np.nan
    k, c = K1 * abs(scale), C1 - (scale < 0)

    def layer(x, k, c):
        with tf.GradientTape() as tape:
            tape.watch([k, c])
            h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k, 1, "SAME"), c)), ksize, stride, padding)
            loss = tf.reduce_sum(h * tf.sin(h * 7.0))     # gradients of both signs, NaN where h is
        return [loss, *tape.gradient(loss, [k, c])]
    args = (tf.constant(x), tf.constant(k), tf.constant(c))
    fused = [t.numpy() for t in tf.function(layer)(*args)]
    steps = [s for plan in plan_steps for s in plan]
    fwd = [s for s in steps if s[0] == "Conv2D" and len(s[1]) == 3]
    assert len(fwd) == 1 and fwd[0][2][0].endswith("_ws") == (stride >= ksize)   # disjoint windows only
    # the pool's gradient step, here merged into the filter gradient (nothing else reads the layer gradient)
    assert any(s[0] == "Conv2DBackpropFilter" and fwd[0][2][0] in s[1] for s in steps) == (stride >= ksize)
    assert any(s[0] in ("ReluGrad", "MaxPoolGrad", "BiasAddGrad") for s in steps) == (stride < ksize)
    monkeypatch.setattr(fusion_conv, "fuse", lambda steps, fetched: steps)
    plain = [t.numpy() for t in tf.function(layer)(*args)]
    np.testing.assert_array_equal(_bits(fused[0]), _bits(plain[0]))
    np.testing.assert_array_equal(_bits(fused[1]), _bits(plain[1]))
    np.testing.assert_allclose(fused[2], plain[2], rtol=2e-6, atol=1e-6)   # the bias gradient: float64 sum


def test_fused_bias_gradient_is_the_float64_sum_of_the_gradient():
    """The bias gradient computed with the pool's gradient is the float64 sum of that gradient (one
    term per window), rounded once: within an ulp of the exact sum of the unfused chain's values."""
    from runtime.ops import conv, conv_direct, pool  # noqa: PLC0415
    if conv_direct._lib() is None:
        pytest.skip("no C compiler: the unfused kernels serve")
    x = RNG.standard_normal((8, 12, 12, 3)).astype(np.float32)
    g = conv.geometry(x.shape, 3, 3, (1, 1, 1, 1), "SAME")
    pg = pool._geo((8, 12, 12, 32), ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="SAME")
    ws, pooled = conv_direct.forward(np, x, np.tile(K1, (1, 1, 1, 2)), g, bias=np.tile(C1, 2), relu=True,
                                     pool=pg, workspace=True)
    dp = (RNG.standard_normal(pooled.shape) * 100).astype(np.float32)
    dx, db = conv_direct.pool_relu_grad(ws, dp, bias=True)
    np.testing.assert_array_equal(dx, conv_direct.pool_relu_grad(ws, dp))
    np.testing.assert_array_max_ulp(db, dx.astype(np.float64).sum(axis=(0, 1, 2)).astype(np.float32), maxulp=1)


def test_workspace_gradient_matches_numpy_reference():
    """ReluGrad(MaxPoolGrad(h, ., dp), h) from the workspace against a NumPy definition: the gradient
    goes to each 2x2 window's first maximum, times (h > 0) there; zero elsewhere."""
    from runtime.ops import conv, conv_direct, pool  # noqa: PLC0415
    if conv_direct._lib() is None:
        pytest.skip("no C compiler: the unfused kernels serve")
    x = RNG.standard_normal((2, 10, 10, 3)).astype(np.float32)
    w = RNG.standard_normal((3, 3, 3, 32)).astype(np.float32)
    b = RNG.standard_normal(32).astype(np.float32)
    g = conv.geometry(x.shape, 3, 3, (1, 1, 1, 1), "SAME")
    pg = pool._geo((2, 10, 10, 32), ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID")
    h, pooled = conv_direct.forward(np, x, w, g, bias=b, relu=True, pool=pg)
    ws, pooled2 = conv_direct.forward(np, x, w, g, bias=b, relu=True, pool=pg, workspace=True)
    np.testing.assert_array_equal(pooled, pooled2)
    dp = RNG.standard_normal(pooled.shape).astype(np.float32)
    dx = conv_direct.pool_relu_grad(ws, dp)
    win = h.reshape(2, 5, 2, 5, 2, 32).transpose(0, 1, 3, 5, 2, 4).reshape(2, 5, 5, 32, 4)
    first = np.argmax(win, axis=-1)
    ref = (np.arange(4) == first[..., None]) * (np.take_along_axis(win, first[..., None], -1) > 0) * dp[..., None]
    ref = ref.reshape(2, 5, 5, 32, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(h.shape)
    np.testing.assert_array_equal(dx, ref.astype(np.float32))


def test_an_elementwise_gradient_into_the_pool_keeps_the_fused_steps_apart(monkeypatch):
    """Dropout-like scaling after the pool: the pool gradient's input comes from an elementwise op,
    which elementwise fusion must not merge into the fused pool-gradient step."""
    mask = (RNG.random((4, 6, 6, 16)) > 0.5).astype(np.float32) * 2

    def layer(x, k, c):
        with tf.GradientTape() as tape:
            tape.watch([k, c])
            h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k, 1, "SAME"), c)), 2, 2, "SAME")
            loss = tf.reduce_sum(tf.square(h * mask))
        return [loss, *tape.gradient(loss, [k, c])]
    args = (tf.constant(X), tf.constant(K1), tf.constant(C1))
    fused = [t.numpy() for t in tf.function(layer)(*args)]
    monkeypatch.setattr(fusion_conv, "fuse", lambda steps, fetched: steps)
    plain = [t.numpy() for t in tf.function(layer)(*args)]
    for a, b in zip(fused[:2], plain[:2]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(fused[2], plain[2], rtol=2e-6)   # the bias gradient: float64 sum
