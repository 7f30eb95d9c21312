"""Conv2D / DepthwiseConv2dNative / MaxPool / AvgPool against loop-based NumPy references,
and their gradient ops (to second order) by finite differences, on hypothesis-drawn geometry."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from runtime.ops import conv, pool
from runtime.tensor import Tensor

from .gradcheck import check_grads


def _pads(size, k, s, d, padding):
    keff = (k - 1) * d + 1
    if padding == "VALID":
        return (size - keff) // s + 1, 0
    out = -(-size // s)
    return out, max((out - 1) * s + keff - size, 0) // 2


def naive_conv(x, w, s, d, padding, depthwise=False):
    """Direct definition: one dot product per output pixel."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    ho, pt = _pads(h, kh, s[0], d[0], padding)
    wo, pl = _pads(wd, kw, s[1], d[1], padding)
    oc = c * w.shape[3] if depthwise else w.shape[3]
    out = np.zeros((n, ho, wo, oc))
    for i in range(ho):
        for j in range(wo):
            acc = np.zeros((n, oc))
            for a in range(kh):
                for b in range(kw):
                    r, q = i * s[0] + a * d[0] - pt, j * s[1] + b * d[1] - pl
                    if 0 <= r < h and 0 <= q < wd:
                        px = x[:, r, q, :]
                        acc += (px[:, :, None] * w[a, b][None]).reshape(n, -1) if depthwise else px @ w[a, b]
            out[:, i, j] = acc
    return out


def naive_pool(x, k, s, padding, kind):
    n, h, wd, c = x.shape
    ho, pt = _pads(h, k[0], s[0], 1, padding)
    wo, pl = _pads(wd, k[1], s[1], 1, padding)
    out = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            r0, q0 = i * s[0] - pt, j * s[1] - pl
            win = x[:, max(r0, 0):r0 + k[0], max(q0, 0):q0 + k[1], :]
            out[:, i, j] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return out


geometry = st.fixed_dictionaries({
    "h": st.integers(3, 7), "w": st.integers(3, 7), "c": st.integers(1, 3), "o": st.integers(1, 3),
    "kh": st.integers(1, 3), "kw": st.integers(1, 3), "sh": st.integers(1, 3), "sw": st.integers(1, 3),
    "padding": st.sampled_from(["SAME", "VALID"]), "dil": st.booleans(), "seed": st.integers(0, 2**16)})


def _draw(gm):
    rng = np.random.default_rng(gm["seed"])
    d = (2, 2) if gm["dil"] else (1, 1)
    s = (1, 1) if gm["dil"] else (gm["sh"], gm["sw"])
    x = rng.standard_normal((2, gm["h"] + 2 * gm["dil"], gm["w"] + 2 * gm["dil"], gm["c"]))
    w = rng.standard_normal((gm["kh"], gm["kw"], gm["c"], gm["o"]))
    attrs = dict(strides=(1, *s, 1), padding=gm["padding"], dilations=(1, *d, 1))
    return x, w, s, d, attrs


@settings(max_examples=25, deadline=None)
@given(geometry)
def test_conv2d_and_depthwise_match_direct_definition(gm):
    x, w, s, d, attrs = _draw(gm)
    np.testing.assert_allclose(conv.conv2d(x, w, **attrs).numpy(), naive_conv(x, w, s, d, gm["padding"]),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(conv.depthwise_conv2d_native(x, w, **attrs).numpy(),
                               naive_conv(x, w, s, d, gm["padding"], depthwise=True), rtol=1e-10, atol=1e-10)


@settings(max_examples=6, deadline=None)
@given(geometry)
def test_conv_gradients_to_second_order(gm):
    x, w, _, _, attrs = _draw(gm)
    check_grads(lambda a, b: conv.conv2d(a, b, **attrs), (x, w), order=2)
    check_grads(lambda a, b: conv.depthwise_conv2d_native(a, b, **attrs), (x, w), order=2)


@settings(max_examples=25, deadline=None)
@given(geometry)
def test_pools_match_direct_definition(gm):
    x, _, _, _, _ = _draw(gm)
    k, s = (gm["kh"], gm["kw"]), (gm["sh"], gm["sw"])
    attrs = dict(ksize=(1, *k, 1), strides=(1, *s, 1), padding=gm["padding"])
    np.testing.assert_allclose(pool.max_pool(x, **attrs).numpy(), naive_pool(x, k, s, gm["padding"], "max"))
    np.testing.assert_allclose(pool.avg_pool(x, **attrs).numpy(), naive_pool(x, k, s, gm["padding"], "avg"),
                               rtol=1e-12)


@settings(max_examples=6, deadline=None)
@given(geometry)
def test_pool_gradients_to_second_order(gm):
    x, _, _, _, _ = _draw(gm)
    attrs = dict(ksize=(1, gm["kh"], gm["kw"], 1), strides=(1, gm["sh"], gm["sw"], 1), padding=gm["padding"])
    check_grads(lambda a: pool.max_pool(a, **attrs), (x,), order=2)
    check_grads(lambda a: pool.avg_pool(a, **attrs), (x,), order=2)


def test_max_pool_grad_goes_to_first_maximum():
    x = np.zeros((1, 2, 2, 1), np.float32)
    y = pool.max_pool(x, ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID")
    dx = pool.max_pool_grad(Tensor(x), y, Tensor(np.ones((1, 1, 1, 1), np.float32)),
                            ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID")
    assert dx.numpy().reshape(-1).tolist() == [1, 0, 0, 0]


def test_conv2d_keeps_float32_and_reports_bad_depth():
    x, w = np.ones((1, 4, 4, 3), np.float32), np.ones((2, 2, 3, 5), np.float32)
    assert conv.conv2d(x, w, strides=(1, 1, 1, 1), padding="VALID").dtype.name == "float32"
    import pytest  # noqa: PLC0415
    from runtime.errors import InvalidArgumentError  # noqa: PLC0415
    with pytest.raises(InvalidArgumentError, match="depth"):
        conv.conv2d(x, np.ones((2, 2, 2, 5), np.float32), strides=(1, 1, 1, 1), padding="VALID")
