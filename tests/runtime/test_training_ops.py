"""Fused optimizer ops (`runtime/ops/training.py`): TensorFlow's math, bit for bit, and copy-on-write.

Each op runs against a NumPy reference written as TensorFlow's kernel (one operation at a
time, in float32), for several steps; then the aliasing rules: a tensor read before an
update keeps its value (eager and traced), a view or a read-only array is never written,
and an array nothing else holds is updated in place.
"""
from __future__ import annotations

import numpy as np
import pytest

from runtime import dispatch
from runtime.function import function
from runtime.ops import training as T
from runtime.variables import Variable

F = np.float32
RNG = np.random.default_rng(0)


def _var(shape=(5, 3), fill=None):
    return Variable(RNG.standard_normal(shape).astype(F) if fill is None else np.full(shape, fill, F))


def _grads(n, shape=(5, 3)):
    return [RNG.standard_normal(shape).astype(F) for _ in range(n)]


def test_gradient_descent_matches_reference():
    v = _var()
    want = v.numpy()
    for g in _grads(3):
        T.apply(T.resource_apply_gradient_descent, v, F(0.1), g)
        want = want - g * F(0.1)
        np.testing.assert_array_equal(v.numpy(), want)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_reference(nesterov):
    v, acc = _var(), _var(fill=0)
    w, a = v.numpy(), acc.numpy()
    lr, mom = F(0.05), F(0.9)
    for g in _grads(4):
        T.apply(T.resource_apply_momentum, v, acc, lr, g, mom, use_nesterov=nesterov)
        a = a * mom + g
        w = w - (g * lr + a * mom * lr) if nesterov else w - a * lr
        np.testing.assert_array_equal(acc.numpy(), a)
        np.testing.assert_array_equal(v.numpy(), w)


@pytest.mark.parametrize("nesterov", [False, True])
def test_keras_momentum_matches_reference(nesterov):
    v, acc = _var(), _var(fill=0)
    w, a = v.numpy(), acc.numpy()
    lr, mom = F(0.05), F(0.9)
    for g in _grads(4):
        T.apply(T.resource_apply_keras_momentum, v, acc, lr, g, mom, use_nesterov=nesterov)
        a = a * mom - g * lr
        w = w + (a * mom - g * lr) if nesterov else w + a
        np.testing.assert_array_equal(v.numpy(), w)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("scalar_dtype", [np.float32, np.float64])
def test_adam_matches_reference(nesterov, scalar_dtype):
    v, m, s = _var(), _var(fill=0), _var(fill=0)
    w, mm, ss = v.numpy(), m.numpy(), s.numpy()
    b1, b2, eps, lr = scalar_dtype(0.9), scalar_dtype(0.999), scalar_dtype(1e-7), F(0.01)
    for t, g in enumerate(_grads(4), start=1):
        b1p, b2p = F(0.9) ** t, F(0.999) ** t
        T.apply(T.resource_apply_adam, v, m, s, b1p, b2p, lr, b1, b2, eps, g, use_nesterov=nesterov)
        alpha = F(lr * np.sqrt(F(1) - b2p) / (F(1) - b1p))
        c1, c2 = F(1 - b1), F(1 - b2)   # in the scalars' dtype, then float32
        mm = mm + (g - mm) * c1
        ss = ss + (np.square(g) - ss) * c2
        num = (g * c1 + mm * F(b1)) * alpha if nesterov else mm * alpha
        w = w - num / (np.sqrt(ss) + F(eps))
        np.testing.assert_array_equal(m.numpy(), mm)
        np.testing.assert_array_equal(s.numpy(), ss)
        np.testing.assert_array_equal(v.numpy(), w)


def test_rmsprop_matches_reference():
    v, ms, mom = _var(), _var(fill=1), _var(fill=0)
    w, a, b = v.numpy(), ms.numpy(), mom.numpy()
    lr, rho, mc, eps = F(0.01), F(0.9), F(0.5), F(1e-10)
    for g in _grads(4):
        T.apply(T.resource_apply_rms_prop, v, ms, mom, lr, rho, mc, eps, g)
        a = a + (np.square(g) - a) * (F(1) - rho)
        b = b * mc + (g * lr) / np.sqrt(a + eps)
        w = w - b
        np.testing.assert_array_equal(v.numpy(), w)
        np.testing.assert_array_equal(ms.numpy(), a)


def test_adagrad_v2_matches_reference():
    v, acc = _var(), _var(fill=0.1)
    w, a = v.numpy(), acc.numpy()
    for g in _grads(3):
        T.apply(T.resource_apply_adagrad_v2, v, acc, F(0.1), F(1e-7), g)
        a = a + np.square(g)
        w = w - g * F(0.1) / (np.sqrt(a) + F(1e-7))
        np.testing.assert_array_equal(v.numpy(), w)


# -- copy-on-write ----------------------------------------------------------------------------
def _sgd(v, g=None):
    T.apply(T.resource_apply_gradient_descent, v, F(1), np.ones(v.shape.as_list(), F) if g is None else g)


def test_unaliased_array_is_updated_in_place():
    v = _var(fill=3)
    _sgd(v)                      # the first update copies (the initial value is still held)
    before = id(v._handle.value)
    _sgd(v)
    assert id(v._handle.value) == before
    np.testing.assert_array_equal(v.numpy(), np.full((5, 3), 1, F))


def test_read_before_update_keeps_its_value_eager():
    v = _var(fill=3)
    _sgd(v)
    snap = v.read_value()
    _sgd(v)
    np.testing.assert_array_equal(snap.numpy(), np.full((5, 3), 2, F))
    np.testing.assert_array_equal(v.numpy(), np.full((5, 3), 1, F))


def test_numpy_views_and_buffers_are_never_written():
    v = _var(fill=3)
    _sgd(v)
    view = np.asarray(v)[1:]     # __array__ gives the buffer; a view of it is alive
    _sgd(v)
    np.testing.assert_array_equal(view, np.full((4, 3), 2, F))


def test_view_or_read_only_values_are_not_written():
    base = np.full((6, 3), 5, F)
    v = Variable(np.zeros((5, 3), F))
    v.assign(base[1:])           # the handle now holds a view of `base`
    _sgd(v)
    np.testing.assert_array_equal(base, np.full((6, 3), 5, F))
    ro = np.full((5, 3), 5, F)
    ro.flags.writeable = False
    v._handle.value = ro
    del ro
    _sgd(v)
    assert v._handle.value.flags.writeable


def test_read_before_update_keeps_its_value_in_function():
    v = _var(fill=3)

    @function
    def step():
        before = v.read_value()
        _sgd(v)
        return before, v.read_value()
    for k in range(3):
        before, after = step()
        np.testing.assert_array_equal(before.numpy(), np.full((5, 3), 3 - k, F))
        np.testing.assert_array_equal(after.numpy(), np.full((5, 3), 2 - k, F))


def test_gradient_sharing_a_variables_buffer_is_not_clobbered():
    v = _var(fill=3)
    _sgd(v)
    g = v.read_value()           # the gradient is the variable's own array
    T.apply(T.resource_apply_gradient_descent, v, F(0.5), g)
    np.testing.assert_array_equal(g.numpy(), np.full((5, 3), 2, F))
    np.testing.assert_array_equal(v.numpy(), np.full((5, 3), 1, F))


def test_adam_slots_are_updated_in_place_and_snapshots_hold():
    v, m, s = _var(), _var(fill=0), _var(fill=0)
    args = (F(0.9), F(0.999), F(0.01), F(0.9), F(0.999), F(1e-7))
    g = np.ones((5, 3), F)
    T.apply(T.resource_apply_adam, v, m, s, *args, g)
    ids = [id(x._handle.value) for x in (v, m, s)]
    T.apply(T.resource_apply_adam, v, m, s, *args, g)
    assert [id(x._handle.value) for x in (v, m, s)] == ids
    m_snap = dispatch.convert_to_tensor(m)
    T.apply(T.resource_apply_adam, v, m, s, *args, g)
    assert not np.array_equal(m_snap.numpy(), m.numpy())
    assert id(m._handle.value) != id(m_snap._value)


@pytest.mark.parametrize("shape", [(), (1,)])
def test_scalar_variables(shape):
    v, m, s, acc, ms, mom = (_var(shape, fill=f) for f in (2, 0, 0, 0.1, 1, 0))
    g = np.full(shape, 0.5, F)
    T.apply(T.resource_apply_adam, v, m, s, F(0.9), F(0.999), F(0.1), F(0.9), F(0.999), F(1e-7), g)
    T.apply(T.resource_apply_momentum, v, acc, F(0.1), g, F(0.9), use_nesterov=True)
    T.apply(T.resource_apply_keras_momentum, v, mom, F(0.1), g, F(0.9), use_nesterov=True)
    T.apply(T.resource_apply_rms_prop, v, ms, mom, F(0.1), F(0.9), F(0.5), F(1e-7), g)
    T.apply(T.resource_apply_adagrad_v2, v, acc, F(0.1), F(1e-7), g)
    T.apply(T.resource_apply_gradient_descent, v, F(0.1), g)
    assert v.numpy().shape == shape and np.isfinite(v.numpy()).all()
