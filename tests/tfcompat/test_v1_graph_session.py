"""TF1 behaviour: sessions, feeds, variables, scopes, optimizers; optimizer math checked against TensorFlow."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat.compat.v1 as tf


@pytest.fixture
def g():
    graph = tf.Graph()
    with graph.as_default():
        tf.disable_tensor_equality()
        try:
            yield graph
        finally:
            tf.enable_tensor_equality()


def test_feeds_fetch_structures_and_errors(g) -> None:
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.identity(x * 2.0, name="y")
    with tf.Session() as sess:
        out = sess.run({"a": [y], "b": (y,)}, feed_dict={"x:0": [[1, 2]]})
        assert out["a"][0].tolist() == [[2, 4]] and isinstance(out["b"], tuple)
        assert sess.run("y:0", {x: np.ones((1, 2))}).tolist() == [[2, 2]]
        assert sess.run(y, {y: np.zeros((3, 2))}).shape == (3, 2)  # any tensor can be fed
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2,\) for Tensor 'x:0'"):
            sess.run(y, {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value for placeholder tensor 'x'"):
            sess.run(y)


def test_variables_live_in_sessions(g) -> None:
    v = tf.Variable(3.0, name="v")
    inc = tf.assign_add(v, 1.0)
    with tf.Session() as s1:
        with pytest.raises(tf.errors.FailedPreconditionError, match="v"):
            s1.run(v)
        s1.run(tf.global_variables_initializer())
        s1.run(inc)
        assert s1.run(v) == 4.0
        with tf.Session() as s2:
            s2.run(v.initializer)
            assert s2.run(v) == 3.0
        assert s1.run(v) == 4.0


def test_variable_scope_reuse(g) -> None:
    with tf.variable_scope("s"):
        a = tf.get_variable("w", [2], initializer=tf.constant_initializer(1.5))
    with tf.variable_scope("s", reuse=True):
        assert tf.get_variable("w", [2]) is a
    with pytest.raises(ValueError, match="already exists"):
        with tf.variable_scope("s"):
            tf.get_variable("w", [2])
    with tf.variable_scope("t", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("u", [1]) is tf.get_variable("u", [1])
    assert [v.name for v in tf.global_variables()] == ["s/w:0", "t/u:0"]


def test_group_control_dependencies_and_eval(g) -> None:
    v = tf.Variable(0.0)
    with tf.control_dependencies([tf.assign_add(v, 1.0)]):
        op = tf.no_op()
    sess = tf.InteractiveSession()
    tf.global_variables_initializer().run()
    op.run()
    tf.group(op, op).run()
    assert v.eval() == 2.0
    sess.close()


def _train(tf_mod, make_opt, steps=5):
    graph = tf_mod.Graph()
    with graph.as_default():
        w = tf_mod.Variable(np.array([1.0, -2.0], dtype=np.float32))
        loss = tf_mod.reduce_sum(w * w * w * 0.1 + w)
        step = tf_mod.train.get_or_create_global_step()
        train = make_opt(tf_mod).minimize(loss, global_step=step)
        with tf_mod.Session() as sess:
            sess.run(tf_mod.global_variables_initializer())
            for _ in range(steps):
                sess.run(train)
            return sess.run(w), sess.run(step)


OPTIMIZERS = {
    "sgd": lambda t: t.train.GradientDescentOptimizer(0.1),
    "momentum": lambda t: t.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda t: t.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adam": lambda t: t.train.AdamOptimizer(0.1),
    "adagrad": lambda t: t.train.AdagradOptimizer(0.1),
    "rmsprop": lambda t: t.train.RMSPropOptimizer(0.1),
    "rmsprop_centered": lambda t: t.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
    "adadelta": lambda t: t.train.AdadeltaOptimizer(1.0),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_matches_tensorflow(oracle, name) -> None:
    want_w, want_step = _train(oracle.compat.v1, OPTIMIZERS[name])
    got_w, got_step = _train(tf, OPTIMIZERS[name])
    np.testing.assert_allclose(got_w, want_w, rtol=1e-5, atol=1e-6)
    assert got_step == want_step == 5


def test_learning_rate_schedules_match_tensorflow(oracle) -> None:
    def values(t):
        graph = t.Graph()
        with graph.as_default():
            s = t.train.get_or_create_global_step()
            lrs = [t.train.exponential_decay(0.1, s, 10, 0.5, staircase=True), t.train.polynomial_decay(0.1, s, 20),
                   t.train.piecewise_constant(s, [5, 10], [1.0, 0.5, 0.1]), t.train.cosine_decay(0.1, s, 20),
                   t.train.inverse_time_decay(0.1, s, 10, 0.5), t.train.natural_exp_decay(0.1, s, 10, 0.5),
                   t.train.polynomial_decay(0.1, s, 5, cycle=True)]
            with t.Session() as sess:
                sess.run(t.global_variables_initializer())
                sess.run(t.assign(s, 12))
                return [float(v) for v in sess.run(lrs)]
    np.testing.assert_allclose(values(tf), values(oracle.compat.v1), rtol=1e-5)


def test_v1_op_spellings(oracle) -> None:
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    ours = tf.reduce_sum(x, reduction_indices=[1], keep_dims=True)
    theirs = oracle.compat.v1.reduce_sum(x, reduction_indices=[1], keep_dims=True)
    np.testing.assert_allclose(np.asarray(ours), theirs.numpy())
    assert int(np.asarray(tf.argmax(x, dimension=1))[0]) == 2
    assert np.asarray(tf.concat(1, [x, x])).shape == (2, 6)


def test_contrib_unknown_names_are_named() -> None:
    with pytest.raises(AttributeError, match=r"tf\.contrib\.foo is not provided"):
        tf.contrib.foo  # noqa: B018
