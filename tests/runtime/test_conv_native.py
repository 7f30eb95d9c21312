"""Compiled conv/pool kernels (runtime/ops/conv_native.c) against the NumPy path they replace:
every op of the conv and pool families, on drawn geometry (strides, dilations, SAME/VALID/
EXPLICIT padding, odd sizes), float32 and float64."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from runtime import fusion_native
from runtime.ops import conv, conv_native, pool
from runtime.tensor import Tensor

needs_cc = pytest.mark.skipif(fusion_native.toolchain() is None, reason="no usable C compiler")
FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def numpy_only(fn):
    """fn() with the kernels on their NumPy path (as on a machine without a C compiler)."""
    saved = conv_native._LIBS
    conv_native._LIBS = {d: None for d in FLOATS}
    try:
        return fn()
    finally:
        conv_native._LIBS = saved


geometry = st.fixed_dictionaries({
    "n": st.integers(1, 3), "h": st.integers(1, 9), "w": st.integers(1, 9), "c": st.integers(1, 5),
    "o": st.integers(1, 4), "kh": st.integers(1, 4), "kw": st.integers(1, 4), "sh": st.integers(1, 3),
    "sw": st.integers(1, 3), "dh": st.integers(1, 2), "dw": st.integers(1, 2),
    "padding": st.sampled_from(["SAME", "VALID", "EXPLICIT"]), "pads": st.lists(st.integers(0, 3), min_size=4,
                                                                               max_size=4),
    "f32": st.booleans(), "seed": st.integers(0, 2**16)})


def _arrays(gm):
    rng = np.random.default_rng(gm["seed"])
    dt = np.float32 if gm["f32"] else np.float64
    x = rng.standard_normal((gm["n"], gm["h"], gm["w"], gm["c"])).astype(dt)
    w = rng.standard_normal((gm["kh"], gm["kw"], gm["c"], gm["o"])).astype(dt)
    strides = (1, gm["sh"], gm["sw"], 1)
    dil = (1, gm["dh"], gm["dw"], 1) if strides == (1, 1, 1, 1) else (1, 1, 1, 1)  # TF: no strides with dilations
    explicit = (0, 0, *gm["pads"], 0, 0) if gm["padding"] == "EXPLICIT" else ()
    return rng, x, w, strides, dil, explicit


def _close(ours, ref, dtype):
    tol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(np.asarray(ours), np.asarray(ref), rtol=tol, atol=tol)


@needs_cc
@settings(max_examples=40, deadline=None)
@given(geometry)
def test_conv_family_native_matches_numpy(gm):
    rng, x, w, strides, dil, explicit = _arrays(gm)
    try:
        g = conv.geometry(x.shape, w.shape[0], w.shape[1], strides, gm["padding"], explicit, dil)
    except Exception:  # noqa: BLE001 (a window larger than the padded input: both paths raise)
        return
    assert conv_native.im2col(np, x, g) is not None
    dy = rng.standard_normal((x.shape[0], g.ho, g.wo, w.shape[3])).astype(x.dtype)
    dyd = rng.standard_normal((x.shape[0], g.ho, g.wo, x.shape[3] * w.shape[3])).astype(x.dtype)
    a = dict(strides=strides, padding=gm["padding"], explicit_paddings=explicit, dilations=dil)
    sizes, fsizes = np.array(x.shape, np.int32), np.array(w.shape, np.int32)
    calls = [lambda: conv.conv2d(x, w, **a), lambda: conv.conv2d_backprop_input(sizes, w, dy, **a),
             lambda: conv.conv2d_backprop_filter(x, fsizes, dy, **a),
             lambda: conv.depthwise_conv2d_native(x, w, **a),
             lambda: conv.depthwise_conv2d_native_backprop_input(sizes, w, dyd, **a),
             lambda: conv.depthwise_conv2d_native_backprop_filter(x, fsizes, dyd, **a)]
    for call in calls:
        _close(call().numpy(), numpy_only(lambda: call().numpy()), x.dtype)


@needs_cc
@settings(max_examples=40, deadline=None)
@given(geometry)
def test_pool_family_native_matches_numpy(gm):
    rng, x, _, strides, _, explicit = _arrays(gm)
    a = dict(ksize=(1, gm["kh"], gm["kw"], 1), strides=strides, padding=gm["padding"], explicit_paddings=explicit)
    try:
        g = conv.geometry(x.shape, gm["kh"], gm["kw"], strides, gm["padding"], explicit)
    except Exception:  # noqa: BLE001
        return
    if not (g.ho and g.wo):
        return
    y = pool.max_pool(x, **a)
    dy = rng.standard_normal((x.shape[0], g.ho, g.wo, x.shape[3])).astype(x.dtype)
    ddx = rng.standard_normal(x.shape).astype(x.dtype)
    calls = [lambda: pool.max_pool(x, **a), lambda: pool.max_pool_grad(Tensor(x), y, Tensor(dy), **a),
             lambda: pool.max_pool_grad_grad(Tensor(x), y, Tensor(ddx), **a)]
    if gm["padding"] != "EXPLICIT":  # NOTE: TF's AvgPool has no explicit padding
        calls += [lambda: pool.avg_pool(x, **a),
                  lambda: pool.avg_pool_grad(np.array(x.shape, np.int32), Tensor(dy), **a)]
    for call in calls:
        _close(call().numpy(), numpy_only(lambda: call().numpy()), x.dtype)


@needs_cc
def test_max_pool_native_keeps_nan_and_first_maximum():
    x = np.array([[1, 3], [3, np.nan]], np.float32).reshape(1, 2, 2, 1)
    a = dict(ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID")
    assert np.isnan(pool.max_pool(x, **a).numpy()).all()
    x = np.array([[1, 3], [3, 2]], np.float32).reshape(1, 2, 2, 1)
    dx = pool.max_pool_grad(Tensor(x), pool.max_pool(x, **a), Tensor(np.ones((1, 1, 1, 1), np.float32)), **a)
    assert dx.numpy().reshape(-1).tolist() == [0, 1, 0, 0]


def test_other_dtypes_and_disabled_native_use_numpy():
    x = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    g = conv.geometry(x.shape, 2, 2, (1, 2, 2, 1), "VALID")
    assert conv_native.max_pool(np, x, g) is None      # int32: the NumPy path
    y = pool.max_pool(x, ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID").numpy()
    assert y.reshape(-1).tolist() == [5, 7, 13, 15]
    xf = x.astype(np.float32)
    assert numpy_only(lambda: conv_native.im2col(np, xf, g)) is None
    cols = numpy_only(lambda: conv.im2col(np, xf, g))
    assert cols.shape == (4, 4) and cols[0].tolist() == [0, 1, 4, 5]


@needs_cc
def test_tiles_on_threads_match_one_pass(monkeypatch):
    """Tiles of one image each, run on two threads, give what one whole-batch pass gives."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((5, 9, 8, 3)).astype(np.float32), rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    a = dict(strides=(1, 2, 1, 1), padding="SAME")
    dy = rng.standard_normal((5, 5, 8, 4)).astype(np.float32)
    p = dict(ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="SAME")
    runs = [lambda: conv.conv2d(x, w, **a), lambda: conv.conv2d_backprop_input(np.array(x.shape), w, dy, **a),
            lambda: conv.conv2d_backprop_filter(x, np.array(w.shape), dy, **a), lambda: pool.max_pool(x, **p),
            lambda: pool.max_pool_grad(Tensor(x), pool.max_pool(x, **p), Tensor(dy[:, :, :4, :3]), **p)]
    whole = [numpy_only(lambda: r().numpy()) for r in runs]
    monkeypatch.setattr(conv_native, "TILE_BYTES", 1)
    monkeypatch.setattr(conv_native, "MIN_THREADED_BYTES", 0)
    monkeypatch.setattr(conv_native, "THREADS", 2)
    for run, ref in zip(runs, whole):
        _close(run().numpy(), ref, np.float32)


def test_blas_matmul_small_and_serial_products_are_matmul():
    from runtime import blas  # noqa: PLC0415
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((7, 5)), rng.standard_normal((5, 3))
    np.testing.assert_allclose(blas.matmul(np, a, b), a @ b, rtol=1e-12)
    out = np.empty((7, 3))
    assert blas.serial_matmul(a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b, rtol=1e-12)
    big = rng.standard_normal((2, 300, 300)).astype(np.float32)
    np.testing.assert_allclose(blas.matmul(np, big, big), big @ big, rtol=1e-5)


@needs_cc
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("k,s,padding,shape", [(2, 2, "SAME", (2, 6, 8, 19)), (2, 2, "SAME", (1, 7, 5, 9)),
                                               (3, 3, "VALID", (2, 8, 7, 12)), (2, 3, "SAME", (1, 7, 8, 17)),
                                               (3, 2, "SAME", (1, 6, 6, 8))])
def test_disjoint_max_pool_grad_vectors_and_leftover_channels(dtype, k, s, padding, shape):
    """Windows that do not overlap take the one-pass vector kernel: whole vectors of channels plus
    the leftover ones, ties (first maximum wins) and NaN included, as the NumPy path does."""
    rng = np.random.default_rng(2)
    x = rng.integers(0, 3, shape).astype(dtype)          # small integers: many ties in each window
    x[0, 0, 0, :3] = np.nan
    a = dict(ksize=(1, k, k, 1), strides=(1, s, s, 1), padding=padding)
    y = pool.max_pool(x, **a)
    dy = rng.standard_normal(y.shape).astype(dtype)
    ours = pool.max_pool_grad(Tensor(x), y, Tensor(dy), **a).numpy()
    _close(ours, numpy_only(lambda: pool.max_pool_grad(Tensor(x), y, Tensor(dy), **a).numpy()), dtype)


AVG_CASES = [(2, 2, "SAME", (2, 6, 8, 19)), (2, 2, "SAME", (1, 7, 5, 9)), (3, 2, "SAME", (1, 7, 6, 17)),
             (3, 1, "VALID", (2, 6, 7, 12)), (3, 3, "SAME", (1, 8, 7, 8)),
             # whole vectors of channels: interior windows run with fixed tap offsets (edges as above)
             (2, 2, "SAME", (2, 28, 28, 16)), (3, 2, "SAME", (2, 9, 11, 16)), (3, 1, "VALID", (1, 7, 9, 32)),
             (2, 3, "VALID", (1, 8, 8, 16)), (3, 3, "SAME", (1, 10, 8, 24)), (5, 2, "SAME", (1, 4, 13, 16))]


@needs_cc
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("k,s,padding,shape", AVG_CASES)
def test_avg_pool_vectors_equal_numpy(dtype, k, s, padding, shape):
    """AvgPool and AvgPoolGrad in vectors of channels plus the leftover ones (exact tiling, partial
    windows at the edge, overlapping windows): the values of the NumPy path, to the bit where
    windows do not overlap (overlapping ones add a gradient's shares window by window, the NumPy
    path tap by tap: the same terms, rounded in another order)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape).astype(dtype)
    a = dict(ksize=(1, k, k, 1), strides=(1, s, s, 1), padding=padding)
    y = pool.avg_pool(x, **a).numpy()
    dy = rng.standard_normal(y.shape).astype(dtype)
    dy[0, 0, 0, :2] = -0.0
    dx = pool.avg_pool_grad(np.array(shape, np.int32), Tensor(dy), **a).numpy()
    np.testing.assert_array_equal(y, numpy_only(lambda: pool.avg_pool(x, **a).numpy()))
    ref = numpy_only(lambda: pool.avg_pool_grad(np.array(shape, np.int32), Tensor(dy), **a).numpy())
    if s >= k:
        np.testing.assert_array_equal(dx, ref)
    else:
        _close(dx, ref, dtype)
    if s == k and shape[1] % k == shape[2] % k == 0:      # windows tile the input: written once, no memset
        assert not np.signbit(dx[0, :k, :k, :2]).any()  # 0 + (-0.0): +0.0, as a zero-filled scatter-add gives


@pytest.mark.parametrize("k,s,padding,shape", AVG_CASES)
def test_avg_pool_and_gradient_match_tensorflow(oracle, k, s, padding, shape):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape).astype(np.float32)
    a = dict(ksize=(1, k, k, 1), strides=(1, s, s, 1), padding=padding)
    y = pool.avg_pool(x, **a).numpy()
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx = pool.avg_pool_grad(np.array(shape, np.int32), Tensor(dy), **a).numpy()
    np.testing.assert_allclose(y, oracle.nn.avg_pool2d(x, k, s, padding).numpy(), rtol=1e-6, atol=1e-6)
    theirs = oracle.raw_ops.AvgPoolGrad(orig_input_shape=shape, grad=dy, ksize=a["ksize"], strides=a["strides"],
                                        padding=padding)
    np.testing.assert_allclose(dx, theirs.numpy(), rtol=1e-6, atol=1e-6)
