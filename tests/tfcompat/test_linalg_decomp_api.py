"""tf.linalg.eigh/eigvalsh/qr/svd (and TF1's self_adjoint_eig, qr, svd): values, static shapes, errors,
and gradients against TensorFlow. Signs of eigen- and singular vectors are not unique (TensorFlow's
Eigen and NumPy's LAPACK may differ), so comparisons and differentiated losses are sign-invariant."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
import tfcompat.compat.v1 as v1

RNG = np.random.default_rng(21)


def _sym(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a + np.swapaxes(a, -1, -2)


def _aligned(x, ref):
    """Columns of x flipped to the sign of ref's columns (eigen/singular vectors are unique up to sign)."""
    signs = np.sign(np.sum(x * ref, axis=-2, keepdims=True))
    return x * signs


def test_eigh_of_a_known_matrix() -> None:
    e, v = tf.linalg.eigh(tf.constant([[2.0, 1.0], [1.0, 2.0]]))
    np.testing.assert_allclose(e.numpy(), [1.0, 3.0], rtol=1e-6)
    np.testing.assert_allclose(np.abs(v.numpy()), np.full((2, 2), np.sqrt(0.5)), rtol=1e-6)
    np.testing.assert_allclose(tf.linalg.eigvalsh([[2.0, 1.0], [1.0, 2.0]]).numpy(), [1.0, 3.0], rtol=1e-6)
    assert e.dtype == tf.float32 and v.shape == (2, 2)


def test_eigh_reads_the_lower_triangle_only() -> None:
    a = RNG.standard_normal((3, 3))
    e, v = tf.linalg.eigh(a)
    s = np.tril(a) + np.tril(a, -1).T
    np.testing.assert_allclose(e.numpy(), np.linalg.eigvalsh(s), rtol=1e-10)
    np.testing.assert_allclose(v.numpy() @ np.diag(e.numpy()) @ v.numpy().T, s, atol=1e-10)


def test_qr_and_svd_reconstruct_their_input() -> None:
    a = RNG.standard_normal((2, 5, 3))
    q, r = tf.linalg.qr(a)
    assert q.shape == (2, 5, 3) and r.shape == (2, 3, 3)
    np.testing.assert_allclose(q.numpy() @ r.numpy(), a, atol=1e-12)
    np.testing.assert_allclose(np.tril(r.numpy(), -1), 0.0)
    assert tf.linalg.qr(a, full_matrices=True).q.shape == (2, 5, 5)
    s, u, v = tf.linalg.svd(a)
    assert (s.shape, u.shape, v.shape) == ((2, 3), (2, 5, 3), (2, 3, 3))
    np.testing.assert_allclose(u.numpy() * s.numpy()[:, None, :] @ np.swapaxes(v.numpy(), -1, -2), a, atol=1e-12)
    np.testing.assert_allclose(tf.linalg.svd(a, compute_uv=False).numpy(), s.numpy(), rtol=1e-12)
    full = tf.linalg.svd(a, full_matrices=True)
    assert (full[1].shape, full[2].shape) == ((2, 5, 5), (2, 3, 3))


def test_tf1_names_are_the_same_functions() -> None:
    assert v1.self_adjoint_eig is v1.linalg.eigh is tf.linalg.eigh
    assert v1.self_adjoint_eigvals is tf.linalg.eigvalsh
    assert v1.qr is tf.linalg.qr and v1.svd is tf.linalg.svd
    assert not hasattr(tf, "qr") and not hasattr(tf, "svd") and not hasattr(tf, "self_adjoint_eig")


def test_graph_static_shapes_and_names() -> None:
    with tf.Graph().as_default():
        p = v1.placeholder(tf.float32, [None, 4, 3])
        q, r = tf.linalg.qr(p, full_matrices=True)
        assert q.shape.as_list() == [None, 4, 4] and r.shape.as_list() == [None, 4, 3]
        s, u, v = tf.linalg.svd(p)
        assert [t.shape.as_list() for t in (s, u, v)] == [[None, 3], [None, 4, 3], [None, 3, 3]]
        e, w = tf.linalg.eigh(v1.placeholder(tf.float32, [None, 3, None]), name="eig")
        assert e.shape.as_list() == [None, 3] and w.shape.as_list() == [None, 3, 3]
        assert (e.name, w.name) == ("eig:0", "eig:1")
        a = _sym(3).astype(np.float32)
        x = v1.placeholder(tf.float32, [3, 3])
        with v1.Session() as sess:
            got = sess.run(tf.linalg.eigvalsh(x), {x: a})
        np.testing.assert_allclose(got, np.linalg.eigvalsh(a), rtol=1e-5)


def test_errors_are_tensorflows() -> None:
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input matrix must be square"):
        tf.linalg.eigh(tf.zeros([2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank >= 2, got 1"):
        tf.linalg.qr(tf.zeros([3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'T' of int32"):
        tf.linalg.svd(tf.zeros([2, 2], tf.int32))
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
            tf.linalg.eigh(tf.zeros([2, 3]))
        with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
            tf.linalg.svd(tf.zeros([3]))


def _losses(t, a_sym, a_deep, a_wide, w):
    """Forward values and gradients of sign-invariant losses over every decomposition."""
    xs = [t.Variable(a_sym), t.Variable(a_deep), t.Variable(a_wide)]
    with t.GradientTape() as tape:
        e, v = t.linalg.eigh(xs[0])
        parts = [e, v * v, t.linalg.eigvalsh(xs[0])]
        for x in xs[1:]:
            q, r = t.linalg.qr(x)
            s, u, vv = t.linalg.svd(x)
            parts += [q * q, r * r, s, u * u, vv * vv, t.linalg.svd(x, compute_uv=False)]
        wide_full = t.linalg.svd(xs[2], full_matrices=True)
        parts += [wide_full[0], wide_full[1] * wide_full[1]]
        loss = sum(t.reduce_sum(p * w[: p.shape[-1]]) for p in parts)
    return [p.numpy() for p in parts] + [g.numpy() for g in tape.gradient(loss, xs)]


def test_values_and_gradients_match_tensorflow(oracle) -> None:
    a_sym, a_deep, a_wide = _sym(4, (2,)), RNG.standard_normal((2, 5, 3)), RNG.standard_normal((3, 4))
    w = RNG.standard_normal(5)
    for ours, theirs in zip(_losses(tf, a_sym, a_deep, a_wide, w), _losses(oracle, a_sym, a_deep, a_wide, w)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)


def test_vectors_match_tensorflow_up_to_sign(oracle) -> None:
    a = RNG.standard_normal((4, 3)).astype(np.float32)
    s, u, v = tf.linalg.svd(a)
    ts, tu, tv = oracle.linalg.svd(a)
    np.testing.assert_allclose(s.numpy(), ts.numpy(), rtol=1e-5)
    np.testing.assert_allclose(_aligned(u.numpy(), tu.numpy()), tu.numpy(), atol=1e-5)
    np.testing.assert_allclose(_aligned(v.numpy(), tv.numpy()), tv.numpy(), atol=1e-5)
    sym = _sym(3).astype(np.float32)
    e, w = tf.linalg.eigh(sym)
    te, tw = oracle.linalg.eigh(sym)
    np.testing.assert_allclose(e.numpy(), te.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_aligned(w.numpy(), tw.numpy()), tw.numpy(), atol=1e-5)
    q, r = tf.linalg.qr(a)
    tq, tr = oracle.linalg.qr(a)
    np.testing.assert_allclose(_aligned(q.numpy(), tq.numpy()), tq.numpy(), atol=1e-5)
    np.testing.assert_allclose(np.abs(r.numpy()), np.abs(tr.numpy()), atol=1e-5)
