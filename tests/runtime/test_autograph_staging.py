"""AutoGraph's staged paths, with a small symbolic-tensor double and a recording `control_flow`.

The double behaves like a graph tensor for AutoGraph's purposes (`_is_symbolic`, no
`bool()`), and the recorder runs `cond` (tracing both branches) and `while_loop` in
Python, so these tests check which staged construct was chosen and the checks
AutoGraph makes, independently of the graph engine. End-to-end runs under
`tf.function` are in test_autograph_function.py.
"""
from __future__ import annotations

import operator
from types import SimpleNamespace

import numpy as np
import pytest

import runtime.ops  # noqa: F401
from runtime import autograph, dtypes
from runtime.autograph import operators as ag_operators
from runtime.shape import TensorShape
from runtime.tensor import Tensor


def _raw(v):
    return v.v if isinstance(v, Sym) else np.asarray(v) if isinstance(v, Tensor) else v


class Sym:
    """A stand-in graph tensor holding its would-be value."""

    _is_symbolic = True
    __array_priority__ = 200

    def __init__(self, v):
        self.v = np.asarray(v)
        if not isinstance(v, (np.ndarray, np.generic)) and self.v.dtype.kind in "if":  # TF's int32/float32
            self.v = self.v.astype(np.int32 if self.v.dtype.kind == "i" else np.float32)

    dtype = property(lambda self: dtypes.from_numpy(self.v.dtype))
    shape = property(lambda self: TensorShape(self.v.shape))
    _value = property(lambda self: self.v)  # NOTE: lets real ops (logical_not) evaluate it eagerly

    def __bool__(self):
        raise TypeError("Using a symbolic `tf.Tensor` as a Python `bool` is not allowed.")

    def __getitem__(self, i):
        return Sym(self.v[int(_raw(i))])

    def __neg__(self):
        return Sym(-self.v)


def _binary(fn):
    def method(self, other):
        return Sym(fn(self.v, _raw(other)))

    def reflected(self, other):
        return Sym(fn(_raw(other), self.v))
    return method, reflected


_CMP = (operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne)  # no reflection
for _name, _fn in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("floordiv", operator.floordiv), ("mod", operator.mod), ("lt", operator.lt),
                   ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge), ("eq", operator.eq),
                   ("ne", operator.ne)]:
    _m, _r = _binary(_fn)
    setattr(Sym, f"__{_name}__", _m)
    if _fn not in _CMP:
        setattr(Sym, f"__r{_name}__", _r)


def _sym(v):
    return v if isinstance(v, Sym) or v is None or not isinstance(v, (Tensor, int, float, bool)) else Sym(_raw(v))


@pytest.fixture
def staged(monkeypatch):
    calls = []

    def cond(pred, true_fn, false_fn):
        calls.append("cond")
        a, b = true_fn(), false_fn()  # NOTE: a graph traces both branches
        pick = a if bool(_raw(pred)) else b
        return tuple(_sym(v) for v in pick) if isinstance(pick, tuple) else _sym(pick)

    def while_loop(cond_fn, body_fn, loop_vars, **kwargs):
        calls.append("while_loop")
        loop_vars = tuple(_sym(v) for v in loop_vars)
        while bool(_raw(cond_fn(*loop_vars))):
            loop_vars = tuple(_sym(v) for v in body_fn(*loop_vars))
        return loop_vars

    fake = SimpleNamespace(cond=cond, while_loop=while_loop)
    monkeypatch.setattr(ag_operators, "control_flow", lambda: fake)
    monkeypatch.setattr("runtime.autograph.loops.control_flow", lambda: fake)
    return calls


def run(fn, *args):
    return autograph.convert(fn)(*args)


def test_if_on_symbolic_is_cond(staged) -> None:
    def f(x):
        if x > 0:
            y = x * 2
        else:
            y = -x
        return y
    assert int(run(f, Sym(3)).v) == 6 and int(run(f, Sym(-3)).v) == 3
    assert staged == ["cond", "cond"]
    assert run(f, 3) == 6 and staged == ["cond", "cond"]  # Python condition: plain Python


def test_collatz_is_one_while_loop(staged) -> None:
    def f(n):
        count = 0
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            count += 1
        return count
    assert int(run(f, Sym(27)).v) == 111
    assert staged[0] == "while_loop"


def test_break_continue_return_staged(staged) -> None:
    def f(n):
        total = 0
        while n > 0:
            n -= 1
            if n == 3:
                break
            if n % 2 == 0:
                continue
            total += n
        return total

    def g(xs):
        for x in xs:
            if x > 2:
                return x
        return -1
    assert int(run(f, Sym(10)).v) == 9 + 7 + 5
    assert run(g, [1, 5, 7]) == 5 and run(g, [1, 2]) == -1
    # NOTE: as in TensorFlow 2.21, a staged loop cannot carry an undefined return value
    with pytest.raises(NotImplementedError, match="a return statement cannot be placed inside this TensorFlow loop"):
        run(g, Sym([1, 5, 7]))


def test_for_over_symbolic_vector_is_indexed_while_loop(staged) -> None:
    def f(xs):
        total = 0
        for x in xs:
            if x > 0:
                total += x
        return total
    assert int(run(f, Sym([1, -2, 3])).v) == 4
    assert staged[0] == "while_loop"


def test_lazy_and_on_symbolic_is_cond(staged) -> None:
    def f(x):
        return x > 0 and x < 5
    assert bool(run(f, Sym(3)).v) is True and bool(run(f, Sym(7)).v) is False
    assert staged == ["cond", "cond"]


@pytest.mark.parametrize("body, message, error", [
    ("if x > 0:\n        y = 1\n    return y", "'y' must also be initialized in the else branch", ValueError),
    ("if x > 0:\n        pass\n    else:\n        y = 1\n    return y",
     "'y' must also be initialized in the main branch", ValueError),
    ("if x > 0:\n        return x", "the else branch must also have a return statement.", ValueError),
    ("y = None\n    if x > 0:\n        y = x\n    return y", "'y' is None at the end of the else branch.",
     ValueError),
    ("if x > 0:\n        y = x * 1.5\n    else:\n        y = x\n    return y",
     "'y' has dtype float64 in the main branch, but dtype int64 in the else branch", TypeError),
    ("y = 1.0\n    while x > 0:\n        y = x\n        x -= 1\n    return y",
     "'y' has dtype float32 before the loop, but dtype int64 after one iteration", TypeError),
    ("y = 1\n    while x > 0:\n        y = None\n        x -= 1\n    return y",
     "'y' is None at the end of the iteration.", ValueError),
    ("while x > 0:\n        y = 's'\n        x -= 1\n    return y",
     "'y' must be defined before the loop\nNote: AutoGraph tried to define it automatically, but ran "
     "into a TypeError: Found an unsupported type 'str' while creating placeholder for s.", ValueError),
])
def test_staging_errors_use_tensorflow_wording(staged, tmp_path, body, message, error) -> None:
    path = tmp_path / "case_mod.py"
    path.write_text(f"def f(x):\n    {body}\n")
    import importlib.util
    spec = importlib.util.spec_from_file_location("case_mod", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(error) as info:
        run(module.f, Sym(np.int64(3)))
    assert str(info.value).startswith(message)


def test_shape_change_in_loop_is_reported(staged) -> None:
    def f(x, n):
        while n > 0:
            x = x + x[0:1] if False else Sym(np.concatenate([x.v, x.v]))
            n -= 1
        return x
    with pytest.raises(ValueError, match=r"'x' has shape \(1,\) before the loop, but shape \(2,\) after one "
                                         r"iteration. Use tf.autograph.experimental.set_loop_options"):
        run(f, Sym([1.0]), Sym(2))


def test_undefined_loop_var_defined_by_trial(staged) -> None:
    def f(n):
        while n > 0:
            last = n
            n -= 1
        return last
    assert int(run(f, Sym(3)).v) == 1
