"""Direct float32 convolution (runtime/ops/conv_direct.c): Conv2D and both backprops against a
float64 NumPy definition on drawn geometry (always runs), and against TensorFlow (oracle)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from runtime import fusion_native
from runtime.ops import conv, conv_direct

ON = fusion_native.toolchain() is not None and conv_direct._lib() is not None


def reference(x, w, strides, dilations, pads):
    """Conv2D by definition, float64: zero-pad, then one [N,Ho,Wo,C] x [C,O] product per filter tap."""
    (pt, pb), (pl, pr) = pads
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    kh, kw, _, o = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    ho = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    wo = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    y = np.zeros((x.shape[0], ho, wo, o))
    for i in range(kh):
        for j in range(kw):
            win = xp[:, i * dh:i * dh + (ho - 1) * sh + 1:sh, j * dw:j * dw + (wo - 1) * sw + 1:sw, :]
            y += win @ w[i, j].astype(np.float64)
    return y


geometries = st.fixed_dictionaries({
    "n": st.integers(1, 3), "h": st.integers(1, 12), "w": st.integers(1, 12), "c": st.integers(1, 20),
    "o": st.sampled_from([16, 32, 48, 64]), "kh": st.integers(1, 5), "kw": st.integers(1, 5),
    "s": st.integers(1, 3), "d": st.integers(1, 2), "padding": st.sampled_from(["SAME", "VALID", "EXPLICIT"]),
    "pads": st.lists(st.integers(0, 3), min_size=4, max_size=4), "seed": st.integers(0, 2**16)})


def _draw(gm):
    rng = np.random.default_rng(gm["seed"])
    x = rng.standard_normal((gm["n"], gm["h"], gm["w"], gm["c"])).astype(np.float32)
    w = rng.standard_normal((gm["kh"], gm["kw"], gm["c"], gm["o"])).astype(np.float32)
    s = (gm["s"], gm["s"]) if gm["d"] == 1 else (1, 1)            # TF: no strides with dilations
    explicit = (0, 0, *gm["pads"], 0, 0) if gm["padding"] == "EXPLICIT" else ()
    a = dict(strides=(1, *s, 1), padding=gm["padding"], explicit_paddings=explicit,
             dilations=(1, gm["d"], gm["d"], 1))
    g = conv.geometry(x.shape, gm["kh"], gm["kw"], a["strides"], gm["padding"], explicit, a["dilations"])
    return rng, x, w, a, g


def _close(ours, ref):
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5 * scale)


@settings(max_examples=60, deadline=None)
@given(geometries)
def test_conv2d_and_backprops_match_definition(gm):
    try:
        rng, x, w, a, g = _draw(gm)
    except Exception:  # noqa: BLE001 (a window larger than the padded input: every path raises)
        return
    if not (g.ho and g.wo):
        return
    pads = ((g.pt, g.pb), (g.pl, g.pr))
    strides, dil = a["strides"][1:3], a["dilations"][1:3]
    y = conv.conv2d(x, w, **a).numpy()
    assert y.dtype == np.float32
    _close(y, reference(x, w, strides, dil, pads))
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx = conv.conv2d_backprop_input(np.array(x.shape, np.int32), w, dy, **a).numpy()
    dw = conv.conv2d_backprop_filter(x, np.array(w.shape, np.int32), dy, **a).numpy()
    # the backprops are the adjoints of the definition: <dy, conv(u, w)> = <bpi(dy), u> and
    # <dy, conv(x, v)> = <bpf(dy), v> for any u, v; and they equal the float64 im2col path
    u, v = rng.standard_normal(x.shape), rng.standard_normal(w.shape)
    dy64 = dy.astype(np.float64)
    for terms, ref in ((dx * u, reference(u, w, strides, dil, pads)), (dw * v, reference(x, v, strides, dil, pads))):
        # NOTE: a sum with cancellation: the tolerance scales with the terms, not the result
        np.testing.assert_allclose(np.sum(terms), np.sum(dy64 * ref), rtol=0, atol=1e-5 * np.sum(np.abs(terms)))
    _close(dx, conv.conv2d_backprop_input(np.array(x.shape, np.int32), w.astype(np.float64), dy64, **a).numpy())
    _close(dw, conv.conv2d_backprop_filter(x.astype(np.float64), np.array(w.shape, np.int32), dy64, **a).numpy())


def test_direct_kernels_run_for_w11_shapes():
    """The shapes of the shared CNN benchmark take the direct path (where a compiler exists)."""
    if not ON:
        pytest.skip("no C compiler: the im2col path serves")
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((4, 14, 14, 16)).astype(np.float32), rng.standard_normal((5, 5, 16, 32))
    g = conv.geometry(x.shape, 5, 5, (1, 1, 1, 1), "SAME")
    w = w.astype(np.float32)
    y = conv_direct.forward(np, x, w, g)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    assert conv_direct.backprop_input(np, x.shape, w, dy, g) is not None
    assert conv_direct.backprop_filter(np, x, w.shape, dy, g) is not None
    _close(y, reference(x, w, (1, 1), (1, 1), ((2, 2), (2, 2))))
    # float64, or output channels that are not a multiple of 16, go the im2col way
    assert conv_direct.forward(np, x.astype(np.float64), w.astype(np.float64), g) is None
    assert conv_direct.forward(np, x, w[..., :12], g) is None


CASES = [((8, 28, 28, 1), (5, 5, 1, 16), 1, "SAME", 1), ((8, 14, 14, 16), (5, 5, 16, 32), 1, "SAME", 1),
         ((3, 13, 11, 7), (3, 4, 7, 32), 2, "VALID", 1), ((2, 12, 12, 16), (3, 3, 16, 16), 1, "SAME", 2)]


@pytest.mark.oracle
@pytest.mark.parametrize("xs,ws,s,padding,d", CASES)
def test_conv2d_and_gradients_equal_tensorflow(oracle, xs, ws, s, padding, d):
    import tfcompat as tf  # noqa: PLC0415
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)
    results = []
    for lib in (tf, oracle):
        xt, wt = lib.constant(x), lib.constant(w)
        with lib.GradientTape() as tape:
            tape.watch([xt, wt])
            y = lib.nn.conv2d(xt, wt, strides=s, padding=padding, dilations=d)
            loss = lib.reduce_sum(y * y)
        results.append([y.numpy(), *(g.numpy() for g in tape.gradient(loss, [xt, wt]))])
    for ours, theirs in zip(*results):
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        _close(ours, theirs)


@pytest.mark.parametrize("xs,ws,s,padding,d", CASES + [((2, 9, 7, 5), (5, 3, 5, 48), 1, "SAME", 1),
                                                       ((2, 10, 10, 3), (3, 3, 3, 16), 2, "SAME", 1)])
def test_vector_widths_agree_to_the_bit(xs, ws, s, padding, d):
    """Sixteen output channels run as one 16-float vector or as two 8-float halves (chosen per CPU):
    each output sums the same products in the same order, so both give the same bits, and both
    match the float64 definition (padding rows and columns skipped)."""
    if not ON:
        pytest.skip("no C compiler: the im2col path serves")
    import ctypes  # noqa: PLC0415
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)
    g = conv.geometry(xs, ws[0], ws[1], (1, s, s, 1), padding, (), (1, d, d, 1))
    flag = ctypes.c_int.in_dll(conv_direct._lib(), "halves")
    saved, results = flag.value, []
    try:
        for halves in (0, 1):
            flag.value = halves
            y = conv_direct.forward(np, x, w, g)
            dy = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
            dx = conv_direct.backprop_input(np, xs, w, dy, g) if s == 1 else None
            results.append((y, dx, conv_direct.backprop_filter(np, x, w.shape, dy, g)))
    finally:
        flag.value = saved
    for a, b in zip(*results):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)
    _close(results[0][0], reference(x, w, (s, s), (d, d), ((g.pt, g.pb), (g.pl, g.pr))))


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({
    "n": st.integers(1, 2), "h": st.integers(1, 10), "w": st.integers(1, 13), "c": st.sampled_from([16, 32]),
    "o": st.sampled_from([16, 32, 8]), "kh": st.integers(1, 5), "kw": st.integers(1, 5),
    "sh": st.integers(1, 3), "sw": st.integers(1, 3), "padding": st.sampled_from(["SAME", "VALID", "EXPLICIT"]),
    "pads": st.lists(st.integers(0, 3), min_size=4, max_size=4), "seed": st.integers(0, 2**16)}))
def test_strided_input_gradient_matches_float64(gm):
    """The input gradient of a strided convolution (conv2d_transpose, strided conv1d) runs direct, as
    stride phases (or, strided in W only, the W phases as channels of one convolution): it equals the
    float64 col2im path."""
    if not ON:
        pytest.skip("no C compiler: the im2col path serves")
    rng = np.random.default_rng(gm["seed"])
    xs, ws = (gm["n"], gm["h"], gm["w"], gm["c"]), (gm["kh"], gm["kw"], gm["c"], gm["o"])
    explicit = (0, 0, *gm["pads"], 0, 0) if gm["padding"] == "EXPLICIT" else ()
    strides = (1, gm["sh"], gm["sw"], 1)
    try:
        g = conv.geometry(xs, gm["kh"], gm["kw"], strides, gm["padding"], explicit)
    except Exception:  # noqa: BLE001 (a window larger than the padded input: every path raises)
        return
    if not (g.ho and g.wo):
        return
    w = rng.standard_normal(ws).astype(np.float32)
    dy = rng.standard_normal((gm["n"], g.ho, g.wo, gm["o"])).astype(np.float32)
    dx = conv_direct.backprop_input(np, xs, w, dy, g)
    assert dx is not None and dx.shape == xs
    ref = conv.conv2d_backprop_input(np.array(xs, np.int32), w.astype(np.float64), dy.astype(np.float64),
                                     strides=strides, padding=gm["padding"], explicit_paddings=explicit).numpy()
    _close(dx, ref)


def test_large_images_and_wide_padding_match_definition():
    """Output pixels are grouped by the taps that read the image (a few dozen groups whatever the
    image size); an image larger than the drawn ones, and explicit padding wider than the filter
    (outputs that read only padding), match the definition."""
    if not ON:
        pytest.skip("no C compiler: the im2col path serves")
    rng = np.random.default_rng(5)
    for xs, ws, s, padding, explicit in [((1, 90, 120, 3), (7, 7, 3, 16), 2, "SAME", ()),
                                         ((2, 5, 6, 16), (1, 2, 16, 16), 1, "EXPLICIT", (0, 0, 6, 5, 7, 9, 0, 0))]:
        x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)
        g = conv.geometry(xs, ws[0], ws[1], (1, s, s, 1), padding, explicit)
        y = conv_direct.forward(np, x, w, g)
        _close(y, reference(x, w, (s, s), (1, 1), ((g.pt, g.pb), (g.pl, g.pr))))
        dy = rng.standard_normal(y.shape).astype(np.float32)
        a = dict(strides=(1, s, s, 1), padding=padding, explicit_paddings=explicit)
        _close(conv_direct.backprop_filter(np, x, ws, dy, g),
               conv.conv2d_backprop_filter(x.astype(np.float64), np.array(ws, np.int32), dy.astype(np.float64), **a).numpy())
        if xs[3] % 16 == 0:
            _close(conv_direct.backprop_input(np, xs, w, dy, g),
                   conv.conv2d_backprop_input(np.array(xs, np.int32), w.astype(np.float64), dy.astype(np.float64),
                                              **a).numpy())
