"""Gradient functions told which inputs are wanted (`grad_wanted` ops: Conv2D, DepthwiseConv2dNative,
MatMul) compute only those: a first layer's input gradient, on data nobody watches, is never run
eagerly, and every gradient that is wanted keeps its value (first and second order)."""
from __future__ import annotations

import numpy as np
import pytest

import runtime
from runtime import dispatch
from runtime.autodiff import GradientTape
from runtime.ops import conv, elementwise as e, linalg, reduce as r

RNG = np.random.default_rng(11)


def c(v):
    return runtime.constant(np.asarray(v, np.float32))


@pytest.fixture
def executed(monkeypatch):
    """The names of the ops run eagerly while the test runs."""
    names: list = []
    orig = dispatch.EagerInterpreter.process

    def process(self, op, inputs, attrs, name):
        names.append(op.name)
        return orig(self, op, inputs, attrs, name)
    monkeypatch.setattr(dispatch.EagerInterpreter, "process", process)
    return names


CONVS = [(conv.conv2d, "Conv2DBackpropInput", "Conv2DBackpropFilter", (2, 7, 6, 3), (3, 2, 3, 4),
          dict(strides=(1, 2, 1, 1), padding="SAME")),
         (conv.conv2d, "Conv2DBackpropInput", "Conv2DBackpropFilter", (1, 5, 5, 16), (5, 5, 16, 16),
          dict(strides=(1, 1, 1, 1), padding="VALID")),
         (conv.depthwise_conv2d_native, "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter",
          (2, 6, 5, 3), (3, 3, 3, 2), dict(strides=(1, 1, 1, 1), padding="EXPLICIT",
                                           explicit_paddings=(0, 0, 1, 2, 0, 1, 0, 0)))]


@pytest.mark.parametrize("fn,bi,bf,xs,ws,attrs", CONVS)
def test_conv_input_gradient_runs_only_when_wanted(executed, fn, bi, bf, xs, ws, attrs):
    x, w = c(RNG.standard_normal(xs)), c(RNG.standard_normal(ws))
    with GradientTape() as full:
        full.watch([x, w])
        loss = r.reduce_sum(e.square(fn(x, w, **attrs)))
    dx, dw = full.gradient(loss, [x, w])
    assert bi in executed and bf in executed
    for watch, want in (([w], (None, dw)), ([x], (dx, None))):
        executed.clear()
        with GradientTape() as tape:
            tape.watch(watch)
            loss = r.reduce_sum(e.square(fn(x, w, **attrs)))
        got = tape.gradient(loss, [x, w])
        assert (bi in executed) == (want[0] is not None) and (bf in executed) == (want[1] is not None)
        for g, ref in zip(got, want):
            assert (g is None) == (ref is None)
            if ref is not None:
                np.testing.assert_array_equal(g.numpy(), ref.numpy())


@pytest.mark.parametrize("ta,tb", [(False, False), (False, True), (True, False), (True, True)])
def test_matmul_gradients_each_alone_equal_numpy(executed, ta, tb):
    a0, b0, g0 = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 5)), RNG.standard_normal((3, 5))
    a, b = c(a0.T if ta else a0), c(b0.T if tb else b0)
    da_ref, db_ref = g0 @ b0.T, a0.T @ g0              # of a0 @ b0, transposed back where an operand was
    da_ref, db_ref = (da_ref.T if ta else da_ref), (db_ref.T if tb else db_ref)
    for watch in ([a], [b], [a, b]):
        executed.clear()
        with GradientTape() as tape:
            tape.watch(watch)
            y = linalg.mat_mul(a, b, transpose_a=ta, transpose_b=tb)
        got = tape.gradient(y, [a, b], output_gradients=c(g0))
        assert executed.count("MatMul") == 1 + len(watch)
        for g, ref, t in zip(got, (da_ref, db_ref), (a, b)):
            if any(t is s for s in watch):
                np.testing.assert_allclose(g.numpy(), ref, rtol=1e-5, atol=1e-5)
            else:
                assert g is None


def test_second_order_through_an_unwatched_input_gradient():
    """An outer tape differentiates the inner tape's filter gradient with respect to x, which the
    inner tape does not watch: it comes from the filter gradient's own gradient, not the skipped one."""
    x, w = c(RNG.standard_normal((1, 6, 6, 2))), c(RNG.standard_normal((3, 3, 2, 3)))
    a = dict(strides=(1, 1, 1, 1), padding="SAME")
    results = []
    for inner_watch in ([w], [x, w]):
        with GradientTape() as outer:
            outer.watch(x)
            with GradientTape() as inner:
                inner.watch(inner_watch)
                loss = r.reduce_sum(e.square(conv.conv2d(x, w, **a)))
            dw = inner.gradient(loss, w)
            z = r.reduce_sum(dw * dw)
        results.append(outer.gradient(z, x).numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-5)
    assert np.abs(results[0]).max() > 0
