"""Graph IR: TensorFlow's names, scopes, control deps, collections, symbolic errors, golden text."""
from __future__ import annotations

import numpy as np
import pytest

import runtime.ops  # noqa: F401  (registers ops)
from runtime import dispatch
from runtime.executor import plan_for
from runtime.graph import Graph
from runtime.graph_rules import gradients
from runtime.ops import elementwise as e, linalg, reduce as r
from runtime.variables import Variable
from tests.conftest import FIXTURES


def _build() -> tuple:
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [None, 3], name="x")
        w = dispatch.constant(np.ones((3, 2), np.float32))
        y = linalg.mat_mul(x, w)
        y2 = linalg.mat_mul(x, w)
        with g.name_scope("outer"), g.name_scope("inner"):
            s = r.reduce_sum(y + y2)
    return g, x, y, y2, s


def test_unique_names_and_scopes():
    g, x, y, y2, s = _build()
    assert (y.name, y2.name, s.op.name) == ("MatMul:0", "MatMul_1:0", "outer/inner/Sum")
    assert g.unique_name("matmul") == "matmul_2"  # case-insensitive, as TensorFlow


def test_names_match_tensorflow(oracle):
    tf = oracle
    gr = tf.Graph()
    with gr.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3])
        a = tf.matmul(x, tf.ones([3, 2]))
        b = tf.matmul(x, tf.ones([3, 2]))
        with tf.name_scope("outer"), tf.name_scope("inner"):
            s = tf.reduce_sum(a)
    _, _, y, y2, ours = _build()
    assert (a.name, b.name, s.op.name) == (y.name, y2.name, ours.op.name)


def test_static_shapes_and_symbolic_errors():
    g, x, y, _, s = _build()
    assert y.shape.as_list() == [None, 2] and s.shape.as_list() == []
    with pytest.raises(TypeError, match="symbolic `tf.Tensor` as a Python `bool`"):
        bool(y)
    with pytest.raises(TypeError, match="len is not well defined"):
        len(y)
    y.set_shape([4, 2])
    assert y.shape.as_list() == [4, 2]
    with pytest.raises(ValueError):
        y.set_shape([3, 2])


def test_control_dependencies_device_collections():
    g = Graph()
    with g.as_default():
        a = dispatch.constant(1.0)
        with g.control_dependencies([a]), g.device("/cpu:0"):
            b = e.add(a, a)
    assert b.op.control_inputs == (a.op,) and b.device == "/cpu:0"
    g.add_to_collection("losses", b)
    assert g.get_collection("losses") == [b] and g.get_collection("losses", scope="Add") == [b]


def test_variables_are_read_at_run_time_and_gradients():
    v = Variable(np.float32(2.0))
    g = Graph()
    with g.as_default():
        x = g.placeholder("float32", [3], name="x")
        y = r.reduce_sum(x * v)
        gx, gv = gradients(y, [x, v])
    plan = plan_for(g, [y, gx, gv], [x])
    out = plan([np.arange(3, dtype=np.float32)])
    assert float(out[0]) == 6.0 and out[1].tolist() == [2.0, 2.0, 2.0] and float(out[2]) == 3.0
    v.assign(3.0)
    assert float(plan([np.arange(3, dtype=np.float32)])[0]) == 9.0


def test_golden_graph_text(update_goldens):
    g, *_ = _build()
    path = FIXTURES / "trace" / "matmul_scopes.txt"
    if update_goldens or not path.exists():
        path.write_text(str(g))
    assert str(g) == path.read_text()
