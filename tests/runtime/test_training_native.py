"""Adam's one-pass C update (runtime/ops/training_native.py): bit-identical to the NumPy chain it
replaces (in place or not, float32/float64), and Keras Adam steps equal TensorFlow's (oracle)."""
from __future__ import annotations

import numpy as np
import pytest

from runtime import fusion_native
from runtime.ops import training_native

needs_cc = pytest.mark.skipif(fusion_native.toolchain() is None, reason="no usable C compiler")


def _chain(w0, m0, v0, g, alpha, c1, c2, eps):
    """The NumPy kernel's operations, in its order (runtime/ops/training.py)."""
    m = m0 + (g - m0) * c1
    v = v0 + (g * g - v0) * c2
    return w0 - (m * alpha) / (np.sqrt(v) + eps), m, v


@needs_cc
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 7, 512, 513, 5000])
@pytest.mark.parametrize("in_place", [False, True])
def test_native_adam_is_the_numpy_chain_bit_for_bit(dtype, n, in_place):
    rng = np.random.default_rng(n)
    w0, m0, g = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    v0 = np.abs(rng.standard_normal(n)).astype(dtype)
    g[0] = 0                                          # v can be 0: the epsilon keeps the division finite
    v0[0] = 0
    scalars = [dtype(s) for s in (1e-3, 0.1, 0.001, 1e-7)]
    want = _chain(w0, m0, v0, g, *scalars)
    outs = (w0, m0, v0) if in_place else tuple(np.empty_like(w0) for _ in range(3))
    assert training_native.adam(w0, m0, v0, g, *scalars, *outs)
    for got, ref in zip(outs, want):
        np.testing.assert_array_equal(got, ref)


def test_unsupported_inputs_are_left_to_numpy():
    a = np.zeros(4, np.float16)
    assert not training_native.adam(a, a, a, a, 1.0, 0.1, 0.1, 1e-7, a.copy(), a.copy(), a.copy())
    b = np.zeros((4, 4), np.float32)[:, :2]           # not contiguous
    assert not training_native.adam(b, b, b, b, 1.0, 0.1, 0.1, 1e-7, b, b, b)


@pytest.mark.oracle
def test_keras_adam_steps_equal_tensorflow(oracle):
    import tfcompat as tf  # noqa: PLC0415
    rng = np.random.default_rng(3)
    w, grads = rng.standard_normal((30, 20)).astype(np.float32), rng.standard_normal((3, 30, 20)).astype(np.float32)
    results = []
    for lib in (tf, oracle):
        v = lib.Variable(w)
        opt = lib.keras.optimizers.Adam(learning_rate=0.01)
        for g in grads:
            opt.apply_gradients([(lib.constant(g), v)])
        results.append(v.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6, atol=1e-7)
