"""GradientTape semantics: watching, persistence, nesting, structures, jacobians, custom gradients."""
from __future__ import annotations

import numpy as np
import pytest

import runtime
from runtime.autodiff import GradientTape, custom_gradient
from runtime.ops import array, elementwise as e, linalg, reduce as r
from runtime.variables import Variable


def c(v, dtype=np.float32):
    return runtime.constant(np.asarray(v, dtype=dtype))


def test_linear_regression_gradients() -> None:
    m, b = Variable(5.0), Variable(0.0)
    x, y = c([1.0, 2.0, 3.0]), c([2.0, 4.0, 6.0])
    with GradientTape() as tape:
        loss = r.reduce_mean(e.square(m * x + b - y))
    dm, db = tape.gradient(loss, [m, b])
    pred = 5.0 * np.array([1, 2, 3.0])
    np.testing.assert_allclose(dm.numpy(), np.mean(2 * (pred - [2, 4, 6]) * [1, 2, 3]))
    np.testing.assert_allclose(db.numpy(), np.mean(2 * (pred - [2, 4, 6])))


def test_constants_need_watch_and_unconnected_is_none_or_zero() -> None:
    x, z = c(3.0), c(2.0)
    with GradientTape(persistent=True) as tape:
        y = x * x
        tape.watch(x)
        w = x * x + z
    assert tape.gradient(y, x) is None
    assert tape.gradient(w, x).numpy() == 6.0
    assert tape.gradient(w, z) is None
    assert tape.gradient(w, z, unconnected_gradients="zero").numpy() == 0.0


def test_non_persistent_tape_is_single_use() -> None:
    x = c(1.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to compute one set"):
        tape.gradient(y, x)


def test_nested_tapes_give_second_derivatives() -> None:
    x = c(2.0)
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        dy = inner.gradient(y, x)
    assert dy.numpy() == 12.0
    assert outer.gradient(dy, x).numpy() == 12.0


def test_watch_accessed_variables_false_and_stop_recording() -> None:
    v = Variable(3.0)
    with GradientTape(watch_accessed_variables=False) as tape:
        y = v * v
    assert tape.gradient(y, v) is None
    with GradientTape() as tape:
        with tape.stop_recording():
            y1 = v * v
        y = y1 + v * 2.0
    assert tape.gradient(y, v).numpy() == 2.0
    assert tape.watched_variables() == (v,)


def test_non_trainable_variables_are_not_watched() -> None:
    v = Variable(3.0, trainable=False)
    with GradientTape() as tape:
        y = v * v
    assert tape.gradient(y, v) is None


def test_stop_gradient() -> None:
    x = c(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * array.stop_gradient(x)
    assert tape.gradient(y, x).numpy() == 2.0


def test_structures_and_non_scalar_targets_are_summed() -> None:
    x = c([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = {"a": x * x, "b": [x * 3.0]}
    g = tape.gradient(y, {"x": x})
    np.testing.assert_allclose(g["x"].numpy(), [2.0 + 3.0, 4.0 + 3.0])


def test_broadcast_gradients_are_reduced_to_input_shape() -> None:
    a, b = c(np.ones((2, 3))), c([1.0, 2.0, 3.0])
    with GradientTape() as tape:
        tape.watch([a, b])
        y = r.reduce_sum(a * b)
    ga, gb = tape.gradient(y, [a, b])
    assert ga.shape == [2, 3] and gb.shape == [3]
    np.testing.assert_allclose(gb.numpy(), [2.0, 2.0, 2.0])


def test_output_gradients() -> None:
    x = c([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_allclose(tape.gradient(y, x, output_gradients=c([1.0, 10.0])).numpy(), [2.0, 40.0])


def test_jacobian_and_batch_jacobian() -> None:
    x = c([[1.0, 2.0], [3.0, 4.0]])
    w = c([[1.0, 0.5], [2.0, -1.0]])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = linalg.mat_mul(x, w)
    jac = tape.jacobian(y, x)
    assert jac.shape == [2, 2, 2, 2]
    np.testing.assert_allclose(jac.numpy()[0, :, 0, :], w.numpy().T)
    np.testing.assert_allclose(jac.numpy()[0, :, 1, :], 0.0)
    bj = tape.batch_jacobian(y, x)
    assert bj.shape == [2, 2, 2]
    np.testing.assert_allclose(bj.numpy()[1], w.numpy().T)


def test_custom_gradient() -> None:
    @custom_gradient
    def clip_grad(x):
        def grad(dy):
            return dy * 0.5
        return x * x, grad

    x = c(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = clip_grad(x)
    assert y.numpy() == 9.0
    assert tape.gradient(y, x).numpy() == 0.5


def test_integer_sources_get_no_gradient() -> None:
    x = runtime.constant(1)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x) is None
