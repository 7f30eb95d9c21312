"""The input gradient of a convolution strided in W only (strided conv1d) runs its W phases as the
channels of one direct convolution, and each phase's 16-channel vectors read only that phase's filter
taps (the combined filter's zeros are never multiplied): values against the float64 definition on
drawn geometry, non-finite out_backprop against the definition, and conv1d against TensorFlow."""
from __future__ import annotations

import ctypes

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from runtime import fusion_native
from runtime.ops import conv, conv_direct

ON = fusion_native.toolchain() is not None and conv_direct._lib() is not None


def _reference(sizes, w, dy, strides, padding, explicit):
    """dConv2D/dinput in float64 (the col2im path: one GEMM, then a strided add per filter tap)."""
    return conv.conv2d_backprop_input(np.array(sizes, np.int32), w.astype(np.float64), dy.astype(np.float64),
                                      strides=strides, padding=padding, explicit_paddings=explicit).numpy()


def _both_widths(sizes, w, dy, g):
    """backprop_input with 16 channels as one vector and as two halves (the CPU picks one): same bits."""
    flag = ctypes.c_int.in_dll(conv_direct._lib(), "halves")
    saved, out = flag.value, []
    try:
        for halves in (0, 1):
            flag.value = halves
            out.append(conv_direct.backprop_input(np, sizes, w, dy, g))
    finally:
        flag.value = saved
    assert out[0] is not None and out[0].shape == tuple(sizes)
    np.testing.assert_array_equal(out[0], out[1])
    return out[0]


@settings(max_examples=80, deadline=None)
@given(st.fixed_dictionaries({
    "n": st.integers(1, 3), "h": st.integers(1, 4), "u": st.integers(1, 9), "c": st.sampled_from([16, 32, 48]),
    "o": st.sampled_from([1, 8, 16, 32, 40]), "kh": st.integers(1, 3), "kw": st.integers(1, 7),
    "sw": st.integers(2, 4), "padding": st.sampled_from(["SAME", "VALID", "EXPLICIT"]),
    "pads": st.lists(st.integers(0, 4), min_size=4, max_size=4), "seed": st.integers(0, 2**16)}))
def test_w_phases_match_float64(gm):
    if not ON:
        pytest.skip("no C compiler: the im2col path serves")
    sizes = (gm["n"], gm["h"], gm["u"] * gm["sw"], gm["c"])          # W a multiple of the stride
    strides = (1, 1, gm["sw"], 1)
    explicit = (0, 0, *gm["pads"], 0, 0) if gm["padding"] == "EXPLICIT" else ()
    try:
        g = conv.geometry(sizes, gm["kh"], gm["kw"], strides, gm["padding"], explicit)
    except Exception:  # noqa: BLE001 (a window larger than the padded input: every path raises)
        return
    if not (g.ho and g.wo):
        return
    rng = np.random.default_rng(gm["seed"])
    w = rng.standard_normal((gm["kh"], gm["kw"], gm["c"], gm["o"])).astype(np.float32)
    dy = rng.standard_normal((gm["n"], g.ho, g.wo, gm["o"])).astype(np.float32)
    ref = _reference(sizes, w, dy, strides, gm["padding"], explicit)
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(_both_widths(sizes, w, dy, g), ref, rtol=1e-5, atol=1e-5 * scale)


@pytest.mark.parametrize("kw,sw,padding", [(5, 2, "SAME"), (5, 2, "VALID"), (4, 3, "SAME"), (2, 3, "VALID"),
                                           (7, 2, "SAME")])
def test_non_finite_out_backprop_reaches_only_its_inputs(kw, sw, padding):
    """An inf in out_backprop makes inf exactly the inputs its window covers (NaN where +inf meets
    -inf): the other phases' taps are not multiplied, so inf * 0 never turns a phase into NaN."""
    if not ON:
        pytest.skip("no C compiler: the im2col path serves")
    rng = np.random.default_rng(kw * 10 + sw)
    sizes, strides = (2, 1, 12 * sw, 16), (1, 1, sw, 1)
    g = conv.geometry(sizes, 1, kw, strides, padding)
    w = rng.standard_normal((1, kw, 16, 32)).astype(np.float32)
    dy = rng.standard_normal((2, 1, g.wo, 32)).astype(np.float32)
    dy[0, 0, g.wo // 2, 3], dy[1, 0, 0, 0], dy[1, 0, g.wo - 1, 5] = np.inf, -np.inf, np.nan
    with np.errstate(invalid="ignore"):
        ref = _reference(sizes, w, dy, strides, padding, ())
    ours = _both_widths(sizes, w, dy, g)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(ref))
    finite = np.isfinite(ref)
    assert finite.sum() > ref.size // 2
    np.testing.assert_allclose(ours[finite], ref[finite], rtol=1e-5, atol=1e-4)


@pytest.mark.oracle
@pytest.mark.parametrize("length,c,o,k,stride,padding", [(400, 16, 32, 5, 2, "SAME"), (37 * 2, 32, 16, 4, 2, "VALID"),
                                                         (33, 16, 8, 3, 3, "SAME"), (60, 48, 32, 6, 4, "SAME")])
def test_strided_conv1d_gradients_equal_tensorflow(oracle, length, c, o, k, stride, padding):
    import tfcompat as tf  # noqa: PLC0415
    rng = np.random.default_rng(length + k)
    x = rng.standard_normal((3, length, c)).astype(np.float32)
    w = (rng.standard_normal((k, c, o)) * 0.2).astype(np.float32)
    results = []
    for lib in (tf, oracle):
        xt, wt = lib.constant(x), lib.constant(w)

        @lib.function
        def grads(xt, wt, lib=lib):
            with lib.GradientTape() as tape:
                tape.watch([xt, wt])
                y = lib.nn.conv1d(xt, wt, stride, padding)
                loss = lib.reduce_sum(y * y)
            return [y, *tape.gradient(loss, [xt, wt])]
        results.append([t.numpy() for t in grads(xt, wt)])
    for ours, theirs in zip(*results):
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        scale = max(1.0, float(np.abs(theirs).max()))
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5 * scale)
