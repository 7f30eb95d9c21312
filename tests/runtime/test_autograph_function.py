"""AutoGraph end to end: tensor-dependent control flow under `tf.function` equals eager (and TensorFlow)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("runtime.control_flow", reason="runtime.control_flow (cond/while_loop) not built yet")
import tfcompat  # noqa: E402


class Cell:
    """A tiny tanh RNN cell, written here as the seed's DynamicRNN expects one."""

    def __init__(self, tf, units: int = 4, features: int = 3) -> None:
        rng = np.random.default_rng(0)
        self.tf, self.units = tf, units
        self.w = tf.constant((rng.standard_normal((features, units)) * 0.3).astype(np.float32))
        self.u = tf.constant((rng.standard_normal((units, units)) * 0.3).astype(np.float32))

    def zero_state(self, batch, dtype):
        return self.tf.zeros([batch, self.units], dtype)

    def __call__(self, x, state):
        h = self.tf.tanh(self.tf.matmul(x, self.w) + self.tf.matmul(state, self.u))
        return h, h


def programs(tf):
    """The same Python source, bound to tfcompat or to TensorFlow."""
    def collatz(n):
        count = tf.constant(0)
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            count += 1
        return count

    def accumulate(xs):
        total = tf.constant(0.0)
        for x in xs:
            if x > 0:
                total += x
        return total

    def piecewise(x):
        if x > 10.0:
            y = x / 10.0
        elif x > 0.0:
            y = x * 2.0
        else:
            y = -x
        return y

    def break_continue(n):
        total = tf.constant(0)
        i = tf.constant(0)
        while i < n:
            i += 1
            if i % 3 == 0:
                continue
            if i > 10:
                break
            total += i
        return total

    def early_return(x):
        if x > 0.0:
            return x * 2.0
        return -x

    def nested_return(x):
        if x > 0.0:
            if x > 5.0:
                return x
            return x * 2.0
        return -x

    def return_in_else(x):
        if x > 0.0:
            y = x
        else:
            return -x
        return y * 3.0

    def static_loop_return(x):
        for i in range(5):
            x = x * 2.0
            if i == 2:
                return x
        return -x

    def while_return(n):
        i = tf.constant(0)
        while i < n:
            i += 2
            return i * 10
        return -i

    def range_sum(n):
        s = tf.constant(0)
        for i in tf.range(n):
            if i % 2 == 1:
                s += i
        return s

    def python_range_of_tensor(n):
        s = tf.constant(0)
        for i in range(n):
            s += i * i
        return s

    def logical(x):
        return (x > 0 and x < 10) or not x > -5

    cell = Cell(tf)

    def dynamic_rnn(input_data):
        input_data = tf.transpose(input_data, [1, 0, 2])
        outputs = tf.TensorArray(tf.float32, input_data.shape[0])
        state = cell.zero_state(input_data.shape[1], dtype=tf.float32)
        for i in tf.range(input_data.shape[0]):
            output, state = cell(input_data[i], state)
            outputs = outputs.write(i, output)
        return tf.transpose(outputs.stack(), [1, 0, 2]), state

    return {f.__name__: f for f in (collatz, accumulate, piecewise, break_continue, early_return, nested_return,
                                    return_in_else, static_loop_return, while_return, range_sum,
                                    python_range_of_tensor, logical, dynamic_rnn)}


RNN_INPUT = np.random.default_rng(1).standard_normal((2, 5, 3)).astype(np.float32)
CASES = [
    ("collatz", [27]), ("collatz", [1]), ("accumulate", [np.array([1.0, -2.0, 3.5], np.float32)]),
    ("piecewise", [np.float32(20.0)]), ("piecewise", [np.float32(3.0)]), ("piecewise", [np.float32(-4.0)]),
    ("break_continue", [20]), ("break_continue", [4]), ("early_return", [np.float32(3.0)]),
    ("early_return", [np.float32(-3.0)]), ("nested_return", [np.float32(7.0)]),
    ("nested_return", [np.float32(2.0)]), ("nested_return", [np.float32(-1.0)]),
    ("return_in_else", [np.float32(2.0)]), ("return_in_else", [np.float32(-2.0)]),
    ("static_loop_return", [np.float32(1.5)]), ("while_return", [5]), ("range_sum", [7]), ("python_range_of_tensor", [5]),
    ("logical", [5]), ("logical", [12]), ("logical", [-7]), ("dynamic_rnn", [RNN_INPUT]),
]


def _numpy(structure):
    if isinstance(structure, (tuple, list)):
        return [_numpy(s) for s in structure]
    return np.asarray(structure)


def _assert_close(actual, expected, **tol) -> None:
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _assert_close(a, e, **tol)
        return
    np.testing.assert_allclose(actual, expected, **tol)


def _run(tf, name, args, traced):
    fn = programs(tf)[name]
    tensors = [tf.constant(a) for a in args]
    return _numpy((tf.function(fn) if traced else fn)(*tensors))


@pytest.mark.parametrize("name, args", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_traced_equals_eager(name, args) -> None:
    eager, traced = _run(tfcompat, name, args, False), _run(tfcompat, name, args, True)
    _assert_close(traced, eager, rtol=1e-6, atol=1e-6)


@pytest.mark.oracle
@pytest.mark.parametrize("name, args", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_traced_equals_tensorflow(oracle, name, args) -> None:
    _assert_close(_run(tfcompat, name, args, True), _run(oracle, name, args, True), rtol=1e-5, atol=1e-6)


def test_one_trace_for_tensor_dependent_control_flow(capsys) -> None:
    def f(n):
        print("tracing")
        count = tfcompat.constant(0)
        while n > 1:
            n = n // 2
            count += 1
        return count
    g = tfcompat.function(f)
    assert [int(g(tfcompat.constant(v))) for v in (1, 8, 1000)] == [0, 3, 9]
    assert capsys.readouterr().out == "tracing\n"  # print is a trace-time side effect


def test_undefined_in_else_branch_is_tensorflow_error() -> None:
    def f(x):
        if x > 0:
            y = x
        return y
    with pytest.raises(ValueError, match="'y' must also be initialized in the else branch"):
        tfcompat.function(f)(tfcompat.constant(1))


def test_loop_dtype_change_is_tensorflow_error() -> None:
    def f(x):
        y = tfcompat.constant(1.0)
        while x > 0:
            y = tfcompat.constant(1)
            x -= 1
        return y
    with pytest.raises(TypeError, match="'y' has dtype float32 before the loop, but dtype int32 after one iteration"):
        tfcompat.function(f)(tfcompat.constant(3))


def test_to_code_of_tf_function() -> None:
    def f(x):
        if x > 0:
            x = -x
        return x
    assert "ag__.if_stmt(x > 0" in tfcompat.autograph.to_code(tfcompat.function(f))


def test_return_folds_through_elif_chain() -> None:
    """What follows the chain moves into its last `else`; TensorFlow 2.21 folds one level only and rejects it."""
    def f(x):
        if x > 10.0:
            return x / 10.0
        elif x > 0.0:
            return x * 2.0
        elif x > -5.0:
            y = x - 1.0
            return y
        return -x
    g = tfcompat.function(f)
    for v, want in [(20.0, 2.0), (3.0, 6.0), (-2.0, -3.0), (-9.0, 9.0)]:
        x = tfcompat.constant(np.float32(v))
        assert float(g(x)) == float(f(x)) == want
    assert g.experimental_get_tracing_count() == 1


def test_zero_iteration_loop_with_return_runs_the_rest() -> None:
    """The return flag stays False, so the code after the loop runs (TensorFlow asserts one iteration here)."""
    def f(n):
        i = tfcompat.constant(0)
        while i < n:
            i += 2
            return i * 10
        return -i - 1
    assert int(tfcompat.function(f)(tfcompat.constant(0))) == int(f(tfcompat.constant(0))) == -1


@pytest.mark.parametrize("oracle_too", [False, pytest.param(True, marks=pytest.mark.oracle)])
def test_undefined_in_returning_branch_is_tensorflow_error(request, oracle_too) -> None:
    tf = request.getfixturevalue("oracle") if oracle_too else tfcompat

    def f(x):
        if x > 0.0:
            if x > 5.0:
                return x
            y = x * 2.0
        else:
            y = -x
        return y + 1.0
    with pytest.raises(ValueError, match="'y' must also be initialized in the main branch"):
        tf.function(f)(tf.constant(2.0))
