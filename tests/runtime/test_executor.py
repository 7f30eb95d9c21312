"""Executor: pruning, feeds of any tensor, constant folding, CSE, fusion, errors named by node."""
from __future__ import annotations

import numpy as np
import pytest

import runtime.ops  # noqa: F401
from runtime import dispatch
from runtime.errors import InvalidArgumentError
from runtime.executor import plan_for
from runtime.fusion import FusedGroup
from runtime.graph import Graph
from runtime.ops import elementwise as e


def test_prune_fold_cse_and_feed_any_tensor():
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [None])
        c = e.add(dispatch.constant(2.0), dispatch.constant(3.0))     # folded
        a, b = e.multiply(x, c), e.multiply(x, c)                     # CSE
        y = e.add(a, b)
        e.exp(x)                                                      # pruned
    plan = plan_for(g, [y], [x])
    assert len(plan.kernels) <= 2
    assert plan([np.ones(2, np.float32)])[0].tolist() == [10.0, 10.0]
    fed = plan_for(g, [y], [x, c])([np.ones(2, np.float32), np.float32(1.0)])  # feed a non-placeholder
    assert fed[0].tolist() == [2.0, 2.0]


def test_fusion_is_exact_and_does_not_touch_inputs():
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [None])
        a, b = g.placeholder("float32", []), g.placeholder("float32", [])
        y = e.relu(x * a + b)
    plan = plan_for(g, [y], [x, a, b])
    assert [type(k) for k in plan.kernels] == [FusedGroup]
    xv = np.random.default_rng(0).standard_normal(1 << 20).astype(np.float32)
    keep = xv.copy()
    first = plan([xv, np.float32(1.5), np.float32(-0.25)])[0]
    second = plan([xv, np.float32(1.5), np.float32(-0.25)])[0]
    np.testing.assert_array_equal(first, np.maximum(xv * np.float32(1.5) + np.float32(-0.25), 0))
    assert first is not second and np.array_equal(first, second)  # a held result is never overwritten
    np.testing.assert_array_equal(xv, keep)
    small = plan([xv[:5], np.float32(1.5), np.float32(-0.25)])[0]
    np.testing.assert_array_equal(small, np.maximum(xv[:5] * np.float32(1.5) - 0.25, 0))


def test_missing_feed_and_kernel_errors_name_the_node():
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [None], name="x")
        y = e.add(x, g.placeholder("float32", [None], name="z"), name="sum")
    with pytest.raises(InvalidArgumentError, match="You must feed a value for placeholder tensor 'z'"):
        plan_for(g, [y], [x])
    with pytest.raises(InvalidArgumentError, match="node sum"):
        plan_for(g, [y], [x, y.op.inputs[1]])([np.ones(2, np.float32), np.ones(3, np.float32)])


def test_values_read_only_for_their_shape_are_not_computed():
    from runtime.graph_rules import gradients  # noqa: PLC0415
    from runtime.ops import pool, reduce  # noqa: PLC0415
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [2, 4, 4, 3])
        dyn = g.placeholder("float32", [None, 4, 4, 3])
        a = dict(ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID")
        dx, = gradients(reduce.reduce_sum(pool.avg_pool(x, **a)), [x])
        ddyn, = gradients(reduce.reduce_sum(pool.avg_pool(dyn, **a)), [dyn])
    xv = np.random.default_rng(1).standard_normal((2, 4, 4, 3)).astype(np.float32)
    plan = plan_for(g, [dx], [x])
    assert "AvgPool" not in [getattr(getattr(k, "op", None), "name", None) for k in plan.kernels]
    np.testing.assert_array_equal(plan([xv])[0], np.full(xv.shape, 0.25, np.float32))
    dynamic = plan_for(g, [ddyn], [dyn])        # an unknown static shape: the forward runs for its shape
    assert "AvgPool" in [getattr(getattr(k, "op", None), "name", None) for k in dynamic.kernels]
    np.testing.assert_array_equal(dynamic([xv])[0], np.full(xv.shape, 0.25, np.float32))
