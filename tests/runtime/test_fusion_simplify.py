"""Plan simplification: `x * ones` and `x / ones` read x (no pass over memory), and `x + x` fuses
with x's producer (its value used twice by one step), always with the exact values of the unsimplified ops."""
from __future__ import annotations

import numpy as np
import pytest

import runtime.ops  # noqa: F401
from runtime import backend, dispatch
from runtime.executor import plan_for
from runtime.fusion import FusedGroup
from runtime.graph import Graph
from runtime.ops import elementwise as e

SPECIALS = np.array([np.nan, -0.0, 0.0, np.inf, -np.inf, 1e-45, -3.5, 3e38], np.float32)


def _names(plan) -> list:
    return [getattr(getattr(k, "op", None), "name", None) if not isinstance(k, FusedGroup) else repr(k)
            for k in plan.kernels]


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(backend.to_host(a)).view(np.uint32)


def _run(plan, feeds: list) -> list:
    """The plan's results in host memory (a device backend returns device arrays)."""
    return [backend.to_host(v) for v in plan(feeds)]


@pytest.mark.parametrize("form", ["ones*x", "x*ones", "x/ones", "x*scalar_one", "x*ones_row"])
def test_multiply_by_ones_reads_x_exactly(form):
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [2, 8])
        ones = {"ones*x": np.ones((2, 8), np.float32), "x*ones": np.ones((2, 8), np.float32),
                "x/ones": np.ones((2, 8), np.float32), "x*scalar_one": np.float32(1.0),
                "x*ones_row": np.ones((1, 8), np.float32)}[form]
        c = dispatch.constant(ones)
        y = {"ones*x": lambda: c * x, "x/ones": lambda: e.real_div(x, c)}.get(form, lambda: x * c)()
        z = y + x                       # something after it, so the alias is used as an input too
    plan = plan_for(g, [y, z], [x])
    assert "Mul" not in _names(plan) and "RealDiv" not in _names(plan)
    xv = np.concatenate([SPECIALS, -SPECIALS]).reshape(2, 8)
    with np.errstate(all="ignore"):
        yv, zv = _run(plan, [xv])
    assert yv.shape == xv.shape and yv.dtype == np.float32
    np.testing.assert_array_equal(_bits(yv), _bits(xv * ones))
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(_bits(zv), _bits(xv * ones + xv))


@pytest.mark.parametrize("case", ["broadcasts_x", "not_all_ones", "ones_over_x", "unknown_dim", "int_ones"])
def test_products_that_are_not_x_stay(case):
    g = Graph()
    with g.as_default():
        if case == "broadcasts_x":        # [8] * ones[3, 8] is [3, 8]: not x
            x, xv = g.placeholder("float32", [8]), SPECIALS
            c = np.ones((3, 8), np.float32)
        elif case == "unknown_dim":       # x [?, 8] fed with one row * ones[3, 8]: [3, 8]
            x, xv = g.placeholder("float32", [None, 8]), SPECIALS.reshape(1, 8)
            c = np.ones((3, 8), np.float32)
        elif case == "int_ones":          # an int32 x times int32 ones stays int32 x (aliased): checked by value
            x, xv = g.placeholder("int32", [4]), np.array([-3, 0, 7, 2**31 - 1], np.int32)
            c = np.ones(4, np.int32)
        else:
            x, xv = g.placeholder("float32", [8]), SPECIALS
            c = np.ones(8, np.float32)
            if case == "not_all_ones":
                c[5] = 2.0
        const = dispatch.constant(c)
        y = e.real_div(const, x) if case == "ones_over_x" else x * const
    plan = plan_for(g, [y], [x])
    with np.errstate(all="ignore"):
        want = c / xv if case == "ones_over_x" else xv * c
        got = _run(plan, [xv])[0]
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    if case != "int_ones":
        assert any(n in ("Mul", "RealDiv") for n in _names(plan))


@pytest.mark.parametrize("n", [8, 1 << 16, (1 << 20) + 3])
def test_x_plus_x_fuses_with_its_producer(n):
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [None])
        a = g.placeholder("float32", [])
        t = e.relu(x * a)
        y = e.subtract(t + t, x)        # t read twice by one step, then used again
    plan = plan_for(g, [y], [x, a])
    assert [type(k) for k in plan.kernels] == [FusedGroup]
    rng = np.random.default_rng(0)
    xv = rng.standard_normal(n).astype(np.float32)
    xv[:len(SPECIALS)] = SPECIALS
    av = np.float32(-1.75)
    tv = np.maximum(xv * av, np.float32(0))
    with np.errstate(all="ignore"):
        got = _run(plan, [xv, av])[0]
        np.testing.assert_array_equal(_bits(got), _bits(tv + tv - xv))


def test_gradient_of_sum_of_squares_has_no_multiply_by_ones():
    from runtime.graph_rules import gradients  # noqa: PLC0415
    from runtime.ops import reduce  # noqa: PLC0415
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [4, 6])
        y = e.exp(x)
        dx, = gradients(reduce.reduce_sum(y * y), [x])
    plan = plan_for(g, [dx], [x])
    xv = np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32)
    yv = np.exp(xv)
    np.testing.assert_allclose(_run(plan, [xv])[0], 2 * yv * yv, rtol=1e-6)
    assert sum(n == "Mul" for n in _names(plan)) <= 1       # the chain rule's y' * g, not ones * y
