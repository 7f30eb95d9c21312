"""Cholesky, solves and band parts: gradients (Cholesky's through a symmetric parametrisation, as it
reads one triangle) and values against TensorFlow."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
from runtime.ops import linalg_solve as ls
from tests.runtime.gradcheck import check_grads

RNG = np.random.default_rng(3)


def _spd(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@pytest.mark.parametrize("batch", [(), (2,)])
def test_cholesky_gradient_of_a_symmetric_input(batch) -> None:
    def chol_of_sym(a):
        return ls.cholesky((a + tf.linalg.matrix_transpose(a)) * 0.5)
    check_grads(chol_of_sym, [_spd(3, batch)], order=2)


def _everything(t, a, b):
    A, B = t.Variable(a), t.Variable(b)
    with t.GradientTape() as tape:
        chol = t.linalg.cholesky(A)
        outs = [chol, t.linalg.solve(A, B), t.linalg.solve(A, B, adjoint=True),
                t.linalg.triangular_solve(chol, B), t.linalg.triangular_solve(A, B, lower=False, adjoint=True),
                t.linalg.cholesky_solve(chol, B), t.linalg.band_part(A, 1, 0), t.linalg.matrix_transpose(B)]
        loss = sum(t.reduce_sum(o * o) * (k + 1) for k, o in enumerate(outs))
    return [o.numpy() for o in outs] + [g.numpy() for g in tape.gradient(loss, [A, B])]


def test_values_and_gradients_match_tensorflow(oracle) -> None:
    a, b = _spd(3, (2,)), RNG.standard_normal((2, 3, 2))
    for ours, theirs in zip(_everything(tf, a, b), _everything(oracle, a, b)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


def test_tf1_spellings_and_errors() -> None:
    import tfcompat.compat.v1 as v1
    assert v1.cholesky is v1.linalg.cholesky and v1.matrix_solve is v1.linalg.solve
    assert v1.matrix_triangular_solve is v1.linalg.triangular_solve and v1.matrix_band_part is v1.linalg.band_part
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cholesky decomposition was not successful"):
        tf.linalg.cholesky(tf.constant([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tf.linalg.solve(tf.zeros([2, 2]), tf.ones([2, 1]))
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="must be square"):
            tf.linalg.cholesky(tf.zeros([2, 3]))


def test_cross_product_matches_tensorflow(oracle) -> None:
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))

    def run(t):
        A = t.Variable(a)
        with t.GradientTape() as tape:
            c = t.linalg.cross(A, t.constant(b))
            loss = t.reduce_sum(c * c)
        return c.numpy(), tape.gradient(loss, A).numpy()
    for ours, theirs in zip(run(tf), run(oracle)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9)
