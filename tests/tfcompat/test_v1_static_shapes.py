"""TF1 graphs keep TensorFlow's static shapes: shape tensors read as partial shapes, unknown
dimensions and unknown ranks accepted where TensorFlow accepts them.

Each case builds the same graph with tfcompat and with TensorFlow's compat.v1 (the oracle)
and compares the static shapes, then the values a session computes.
"""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat.compat.v1 as tf



def _graph_of(tf1, build):
    """(static shapes, session values) of `build(tf1) -> (fetches, feeds)` in a fresh graph."""
    with tf1.Graph().as_default():
        fetches, feeds = build(tf1)
        shapes = {k: None if t.shape.rank is None else t.shape.as_list() for k, t in fetches.items()}
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            values = sess.run(fetches, feeds)
    return shapes, values


def _same_as_tensorflow(oracle, build, rtol=1e-5) -> dict:
    ours_shapes, ours = _graph_of(tf, build)
    theirs_shapes, theirs = _graph_of(oracle.compat.v1, build)
    assert ours_shapes == theirs_shapes
    for k in theirs:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=rtol, atol=1e-6, err_msg=k)
    return ours_shapes


# -- random ops, dropout and select keep the shape their shape tensor describes --------------------
def _random_from_shape_tensors(tf1):
    x = tf1.placeholder(tf1.float32, [None, 6], name="x")
    batch = tf1.shape(x)[0]
    out = {
        "uniform": tf1.random_uniform(tf1.shape(x)),
        "normal_stack": tf1.random_normal(tf1.stack([batch, 2])),
        "truncated_concat": tf1.truncated_normal(tf1.concat([tf1.shape(x)[:1], [3]], 0)),
        "tail_slice": tf1.random_uniform(tf1.shape(x)[1:]),
        "cast": tf1.random_uniform(tf1.cast(tf1.shape(x), tf1.int64)),
        "fill_stack": tf1.fill(tf1.stack([batch, 4]), 1.0),
    }
    return {k: tf1.shape(v) for k, v in out.items()} | {"static": x}, {x: np.ones((5, 6), np.float32)}


def test_random_ops_read_partial_shapes_from_shape_tensors(oracle) -> None:
    shapes = _same_as_tensorflow(oracle, _random_from_shape_tensors)
    assert shapes["static"] == [None, 6]
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 6])
        assert tf.random_uniform(tf.shape(x)).shape.as_list() == [None, 6]
        assert tf.random_normal(tf.stack([tf.shape(x)[0], 2])).shape.as_list() == [None, 2]
        assert tf.random_uniform(tf.shape(x)[1:]).shape.as_list() == [6]
        assert tf.zeros(tf.concat([tf.shape(x)[:1], [7]], 0)).shape.as_list() == [None, 7]
        assert tf.random_uniform(tf.placeholder(tf.int32, [3])).shape.as_list() == [None, None, None]


def _dropout_then_dense(tf1):
    rng = np.random.default_rng(11)
    x = tf1.placeholder(tf1.float32, [None, 6])
    keep = tf1.placeholder(tf1.float32)  # unknown rank, fed a scalar
    training = tf1.placeholder(tf1.bool)
    dropped = tf1.nn.dropout(x, keep_prob=keep)
    w = tf1.get_variable("w", [6, 3], initializer=tf1.constant_initializer(0.5))
    logits = tf1.matmul(dropped, w)  # needs the last dimension statically
    picked = tf1.where(training, tf1.nn.dropout(x, rate=0.5), x)
    loss = tf1.nn.softmax_cross_entropy_with_logits_v2(labels=tf1.one_hot([0, 1], 3), logits=logits)
    return ({"dropped": dropped, "logits": logits, "loss": loss, "picked": picked},
            {x: rng.standard_normal((2, 6)).astype(np.float32), keep: 1.0, training: False})


def test_dropout_keeps_its_input_shape_and_feeds_a_dense_layer(oracle) -> None:
    shapes = _same_as_tensorflow(oracle, _dropout_then_dense)
    assert shapes["dropped"] == [None, 6] and shapes["logits"] == [None, 3] and shapes["loss"] == [2]  # the labels fix the batch


def test_layers_dropout_with_a_training_placeholder_keeps_the_shape() -> None:
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 6])
        training = tf.placeholder(tf.bool)  # unknown rank, as in most TF1 scripts
        y = tf.layers.dropout(x, rate=0.3, training=training)
        assert y.shape.as_list() == [None, 6]
        h = tf.layers.dense(y, 4)
        assert h.shape.as_list() == [None, 4]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            a = np.ones((3, 6), np.float32)
            np.testing.assert_array_equal(sess.run(y, {x: a, training: False}), a)
            kept = sess.run(y, {x: a, training: True})
            assert set(np.unique(kept)) <= {0.0, np.float32(1 / 0.7)}


# -- unknown rank -----------------------------------------------------------------------------------
def _xent_unknown_rank(tf1):
    rng = np.random.default_rng(11)
    logits = tf1.placeholder(tf1.float32)
    labels = tf1.placeholder(tf1.float32)
    ids = tf1.placeholder(tf1.int32)
    dense = tf1.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    sparse = tf1.nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=logits)
    grad = tf1.gradients(tf1.reduce_mean(dense) + tf1.reduce_mean(sparse), logits)[0]
    z = rng.standard_normal((2, 3, 4)).astype(np.float32)
    p = rng.dirichlet(np.ones(4), (2, 3)).astype(np.float32)
    return ({"dense": dense, "sparse": sparse, "grad": grad},
            {logits: z, labels: p, ids: rng.integers(0, 4, (2, 3)).astype(np.int32)})


def test_cross_entropy_on_logits_of_unknown_rank(oracle) -> None:
    shapes = _same_as_tensorflow(oracle, _xent_unknown_rank)
    assert shapes == {"dense": None, "sparse": None, "grad": None}


def _xent_float64_labels(tf1):
    rng = np.random.default_rng(11)
    logits = tf1.placeholder(tf1.float32, [None, None, 4])
    labels = tf1.placeholder(tf1.float64, [None, None, 4])
    loss = tf1.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    return ({"loss": loss}, {logits: rng.standard_normal((2, 3, 4)).astype(np.float32),
                             labels: rng.dirichlet(np.ones(4), (2, 3))})


def test_cross_entropy_casts_float64_labels_to_the_logits_dtype(oracle) -> None:
    assert _same_as_tensorflow(oracle, _xent_float64_labels) == {"loss": [None, None]}


@pytest.mark.parametrize("reduce", ["reduce_sum", "reduce_mean", "reduce_max"])
@pytest.mark.parametrize("axis", [0, 1, -1, (0, 2)])
def test_reduction_gradient_over_an_input_of_unknown_rank(oracle, reduce, axis) -> None:
    def build(tf1):
        rng = np.random.default_rng(11)
        x = tf1.placeholder(tf1.float32)
        y = getattr(tf1, reduce)(x * x, axis=axis)
        return {"grad": tf1.gradients(y, x)[0]}, {x: rng.standard_normal((2, 3, 4)).astype(np.float32)}
    _same_as_tensorflow(oracle, build)


# -- tensordot / dense over unknown dimensions --------------------------------------------------------
def _tensordot_unknown_dims(tf1):
    rng = np.random.default_rng(11)
    seq = tf1.placeholder(tf1.float32, [None, None, 5])
    w = tf1.constant(rng.standard_normal((5, 3)).astype(np.float32))
    wide = tf1.placeholder(tf1.float32, [None, 4])
    out = tf1.tensordot(seq, w, [[2], [0]])
    inner = tf1.tensordot(wide, tf1.ones([4, 2]), 1)
    return ({"out": out, "inner": inner},
            {seq: rng.standard_normal((2, 7, 5)).astype(np.float32), wide: np.ones((3, 4), np.float32)})


def test_tensordot_with_unknown_dimensions(oracle) -> None:
    assert _same_as_tensorflow(oracle, _tensordot_unknown_dims) == {"out": [None, None, 3], "inner": [None, 2]}


def test_layers_dense_on_a_sequence_of_unknown_length() -> None:
    with tf.Graph().as_default():
        seq = tf.placeholder(tf.float32, [None, None, 5])
        out = tf.layers.dense(seq, 3, kernel_initializer=tf.ones_initializer())
        assert out.shape.as_list() == [None, None, 3]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run(out, {seq: np.ones((2, 7, 5), np.float32)})
    np.testing.assert_array_equal(got, np.full((2, 7, 3), 5.0, np.float32))


# -- variable_scope re-entry ------------------------------------------------------------------------
def _scope_names(tf1):
    def block(x, reuse=False):
        with tf1.variable_scope("critic", reuse=reuse):
            for _ in range(2):
                with tf1.variable_scope(None, default_name="fc"):
                    x = x * tf1.get_variable("w", [], initializer=tf1.constant_initializer(2.0))
        return x
    x = tf1.placeholder(tf1.float32, [None])
    a, b = block(x), block(x + 1.0, reuse=True)
    with tf1.variable_scope("outer"):
        with tf1.variable_scope(None, default_name="fc"):
            pass
        with tf1.variable_scope(None, default_name="fc") as second:
            pass
    with tf1.variable_scope("outer"):
        with tf1.variable_scope(None, default_name="fc") as again:
            pass
    names = sorted(v.name for v in tf1.global_variables()) + [second.name, again.name]
    return {"a": a, "b": b, "names": tf1.constant(names)}, {x: np.array([1.0, 2.0], np.float32)}


def test_reentering_a_variable_scope_restarts_default_names(oracle) -> None:
    _, ours = _graph_of(tf, _scope_names)
    _, theirs = _graph_of(oracle.compat.v1, _scope_names)
    assert [n.decode() for n in ours["names"]] == [n.decode() for n in theirs["names"]] == [
        "critic/fc/w:0", "critic/fc_1/w:0", "outer/fc_1", "outer/fc"]
    np.testing.assert_array_equal(ours["b"], theirs["b"])


def test_gan_discriminator_called_twice_with_reuse() -> None:
    with tf.Graph().as_default():
        def discriminator(x, reuse=False):
            with tf.variable_scope("discriminator", reuse=reuse):
                return tf.layers.dense(tf.layers.dense(x, 4, activation=tf.nn.relu), 1)
        real = tf.placeholder(tf.float32, [None, 3])
        with tf.variable_scope("generator"):
            fake = tf.layers.dense(tf.layers.dense(tf.placeholder(tf.float32, [None, 2]), 4), 3)
        discriminator(real)
        discriminator(fake, reuse=True)
        assert sorted(v.name for v in tf.trainable_variables(scope="discriminator")) == [
            "discriminator/dense/bias:0", "discriminator/dense/kernel:0",
            "discriminator/dense_1/bias:0", "discriminator/dense_1/kernel:0"]


# -- gradients through ops whose shapes are known only at run time ---------------------------------
def _tile_by_batch(tf1):
    x = tf1.placeholder(tf1.float32, [None, 3])
    y = tf1.tile(tf1.expand_dims(x, 1), tf1.stack([1, tf1.shape(x)[0], 2]))
    grad = tf1.gradients(tf1.reduce_sum(y * y), x)[0]
    return {"y": y, "grad": grad}, {x: np.arange(6, dtype=np.float32).reshape(2, 3)}


def test_tile_gradient_with_multiples_known_at_run_time(oracle) -> None:
    assert _same_as_tensorflow(oracle, _tile_by_batch) == {"y": [None, None, 6], "grad": [None, 3]}


def _value_initialized_variables(tf1):
    with tf1.variable_scope("init"):
        vs = [tf1.get_variable("count", initializer=tf1.constant(2)),
              tf1.get_variable("table", initializer=[[0, 1], [2, 3]]),
              tf1.get_variable("scale", initializer=1.5),
              tf1.get_variable("double", initializer=np.zeros(3))]
    return {f"v{i}": tf1.identity(v) for i, v in enumerate(vs)}, {}


def test_get_variable_takes_the_dtype_of_a_value_initializer(oracle) -> None:
    _same_as_tensorflow(oracle, _value_initialized_variables)
    with tf.Graph().as_default():
        dts = [v.dtype for v in _value_initialized_variables(tf)[0].values()]
    assert dts == [tf.int32, tf.int32, tf.float32, tf.float64]
