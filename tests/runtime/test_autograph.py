"""AutoGraph on Python values and eager tensors: converted code must behave exactly like the original."""
from __future__ import annotations

import functools

import numpy as np
import pytest

import runtime.ops  # noqa: F401  (registers ops and tensor operators)
from runtime import autograph, dispatch
from runtime.tensor import Tensor

SCALE = 2


def t(v):
    return dispatch.constant(v)


def value(x):
    return x.numpy() if isinstance(x, Tensor) else x


def branches(x):
    if x > 10:
        y = x * SCALE
    elif x > 0:
        y = x + 1
    else:
        y = -x
    return y


def loops(n):
    total = 0
    while n > 0:
        n -= 1
        if n == 3:
            break
        if n % 2 == 0:
            continue
        total += n
    else:
        total = total - 100
    for i in range(4):
        if i == 2:
            continue
        total += i
    return total


def early_return(x):
    for i in range(5):
        if x < i:
            return i
        x = x - 1
    while x > 100:
        return -1
    return x


def collatz(n):
    count = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        count += 1
    return count


def accumulate(xs):
    total = 0
    for x in xs:
        if x > 0:
            total += x
    return total


@pytest.mark.parametrize("fn, args", [
    (branches, (20,)), (branches, (3,)), (branches, (-4,)),
    (loops, (10,)), (loops, (2,)), (loops, (0,)),
    (early_return, (0,)), (early_return, (9,)), (early_return, (200,)),
    (collatz, (27,)), (accumulate, ([1, -2, 3],)),
], ids=lambda a: getattr(a, "__name__", repr(a)))
def test_python_values_match_original(fn, args) -> None:
    assert autograph.convert(fn)(*args) == fn(*args)


@pytest.mark.parametrize("fn, arg", [(branches, 20), (branches, -4), (loops, 10), (collatz, 27),
                                     (early_return, 9), (accumulate, [1.0, -2.0, 3.0])])
def test_eager_tensors_match_original(fn, arg) -> None:
    got = autograph.convert(fn)(t(arg))
    np.testing.assert_array_equal(value(got), value(fn(t(arg))))


def test_for_over_eager_tensor_iterates_first_axis() -> None:
    def rows(m):
        out = []
        for row in m:
            out.append(row.numpy().sum())
        return out
    assert autograph.convert(rows)(t([[1, 2], [3, 4]])) == [3, 7]


def test_and_or_are_lazy() -> None:
    calls = []

    def side(v):
        calls.append(v)
        return v

    def f(a):
        return a > 0 and side(a) or side(-1)
    g = autograph.convert(f)
    assert g(0) == -1 and calls == [-1]
    calls.clear()
    assert g(5) == 5 and calls == [5]


def test_not_on_tensor_is_logical_not() -> None:
    def f(x):
        return not x
    out = autograph.convert(f)(t([True, False]))
    assert isinstance(out, Tensor) and out.numpy().tolist() == [False, True]
    assert autograph.convert(f)(0) is True


def test_if_expression() -> None:
    def f(x):
        return x if x > 0 else -x
    assert autograph.convert(f)(-3) == 3


def test_closures_and_globals_stay_live() -> None:
    global SCALE
    k = [1]

    def f(x):
        return x * SCALE + k[0]
    g = autograph.convert(f)
    k[0] = 10
    SCALE = 5
    try:
        assert g(2) == 20
    finally:
        SCALE = 2


def test_nonlocal_cells_are_shared() -> None:
    count = 0

    def bump():
        nonlocal count
        if count >= 0:
            count += 1
        return count
    g = autograph.convert(bump)
    g()
    g()
    assert count == 2


def test_called_user_functions_are_converted(monkeypatch) -> None:
    seen = []
    original = autograph.transpiler.convert_function

    def spy(fn, recursive=True):
        seen.append(fn.__name__)
        return original(fn, recursive)
    monkeypatch.setattr(autograph.transpiler, "convert_function", spy)

    def helper(v):
        if v > 0:
            v = v + 1
        return v

    @autograph.do_not_convert
    def opaque(v):
        return v

    def f(x):
        return helper(x) + opaque(x) + int(np.sum([x])) + (lambda v: v)(x) + functools.reduce(max, [x])
    assert autograph.convert(f)(1) == 2 + 1 + 1 + 1 + 1
    assert seen == ["helper"]


def test_methods_and_super() -> None:
    class Base:
        def scale(self, x):
            return x * 2

    class Child(Base):
        def __init__(self, bias):
            self.bias = bias

        def scale(self, x):
            if x > 0:
                x = super().scale(x)
            return x + self.bias

        def __call__(self, x):
            return self.scale(x)

    c = Child(1)
    assert autograph.convert(c.scale)(3) == 7
    assert autograph.converted_call(c, (3,), None) == 7
    assert "ag__.if_stmt" in autograph.to_code(c.scale)


def test_print_stays_python(capsys) -> None:
    def f(x):
        print("value", x)
        return x
    autograph.convert(f)(3)
    assert capsys.readouterr().out == "value 3\n"


def test_defaults_and_keywords() -> None:
    def f(x, *rest, scale=3, **extra):
        for r in rest:
            x += r
        return x * scale + extra.get("bias", 0)
    assert autograph.convert(f)(1, 2, 3, scale=2, bias=1) == f(1, 2, 3, scale=2, bias=1)


def test_undefined_read_on_python_path_is_unbound_error() -> None:
    def f(n):
        while n > 0:
            last = n
            n -= 1
        return last
    assert autograph.convert(f)(3) == 1
    with pytest.raises(NameError):  # same as Python: the loop never ran
        f(0)


def test_lambda_and_missing_source_are_left_alone() -> None:
    fn = eval("lambda x: x + 1")  # noqa: S307
    assert autograph.converted_call(fn, (1,), None) == 2
    with pytest.warns(UserWarning, match="could not transform"):
        assert autograph.convert(fn) is fn


def test_range_of_tensor_is_range_op() -> None:
    out = autograph.converted_call(range, (t(3),), None)
    assert isinstance(out, Tensor) and out.numpy().tolist() == [0, 1, 2]
    assert autograph.converted_call(range, (3,), None) == range(3)


def nested_break(n):
    out = []
    for i in range(n):
        for j in range(n):
            if j > i:
                break
            out.append((i, j))
        else:
            out.append("never")
    return out


def return_in_try(xs):
    try:
        for x in xs:
            if x == 0:
                raise ValueError("zero")
            if x < 0:
                return "neg"
    except ValueError as e:
        return str(e)
    return "ok"


def target_after_loop(n):
    i = 0
    while i < n:
        i += 1
    else:
        i = i * 10
    for q in range(2):
        pass
    else:
        i += q
    return i


@pytest.mark.parametrize("fn, args", [
    (nested_break, (3,)), (return_in_try, ([1, 0],)), (return_in_try, ([1, -1],)), (return_in_try, ([1],)),
    (target_after_loop, (3,)),
], ids=lambda a: getattr(a, "__name__", repr(a)))
def test_python_edge_cases_match_original(fn, args) -> None:
    assert autograph.convert(fn)(*args) == fn(*args)
