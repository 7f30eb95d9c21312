"""TF1 feeding patterns: datasets over placeholders with initializable and reinitializable
iterators, structured feed keys (an RNN state fed whole), and feed-key errors.

Differential: the same graph built with TensorFlow's compat.v1 must give the same values.
"""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat.compat.v1 as tf

X = np.arange(30, dtype=np.float32).reshape(10, 3)
Y = np.arange(10, dtype=np.int64)


def _epochs(tf1):
    """Two epochs of a placeholder-fed pipeline, restarted with other data and batch size."""
    with tf1.Graph().as_default():
        xs = tf1.placeholder(tf1.float32, [None, 3])
        ys = tf1.placeholder(tf1.int64, [None])
        batch = tf1.placeholder(tf1.int64, [])
        ds = tf1.data.Dataset.from_tensor_slices((xs, ys)).map(lambda x, y: (x * 2.0, y + 1)).batch(batch)
        it = tf1.data.make_initializable_iterator(ds)
        x, y = it.get_next()
        shapes = (x.shape.as_list(), y.shape.as_list())
        total = tf1.reduce_sum(x)
        runs = []
        with tf1.Session() as sess:
            for data, n in (((X, Y), 4), ((X[:3], Y[:3]), 2)):
                sess.run(it.initializer, {xs: data[0], ys: data[1], batch: n})
                epoch = []
                while True:
                    try:
                        epoch.append(sess.run([total, y]))
                    except tf1.errors.OutOfRangeError:
                        break
                runs.append(epoch)
    return shapes, runs


def test_dataset_over_placeholders_with_an_initializable_iterator(oracle) -> None:
    ours_shapes, ours = _epochs(tf)
    theirs_shapes, theirs = _epochs(oracle.compat.v1)
    assert ours_shapes == theirs_shapes == ([None, 3], [None])
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        assert [float(t) for t, _ in a] == [float(t) for t, _ in b]
        assert [y.tolist() for _, y in a] == [y.tolist() for _, y in b]


def test_reading_the_iterator_before_its_initializer_ran_says_what_to_do() -> None:
    with tf.Graph().as_default():
        xs = tf.placeholder(tf.float32, [None, 3])
        it = tf.data.Dataset.from_tensor_slices(xs).make_initializable_iterator()
        nxt = it.get_next()
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError, match="initializer"):
                sess.run(nxt)
            with pytest.raises(tf.errors.InvalidArgumentError, match="must feed a value for placeholder"):
                sess.run(it.initializer)


def _reinitializable(tf1):
    with tf1.Graph().as_default():
        train = tf1.data.Dataset.from_tensor_slices((X, Y)).batch(4)
        test = tf1.data.Dataset.from_tensor_slices((X[:3], Y[:3])).batch(4)
        it = tf1.data.Iterator.from_structure(tf1.data.get_output_types(train), tf1.data.get_output_shapes(train))
        x, y = it.get_next()
        inits = [it.make_initializer(train), it.make_initializer(test)]
        w = tf1.Variable(2.0)
        out = tf1.reduce_sum(x * w)
        sums = []
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            for init in inits + inits[:1]:
                sess.run(init)
                try:
                    while True:
                        sums.append(float(sess.run(out)))
                except tf1.errors.OutOfRangeError:
                    sums.append("end")
        return x.shape.as_list(), sums


def test_reinitializable_iterator_switches_datasets(oracle) -> None:
    assert _reinitializable(tf) == _reinitializable(oracle.compat.v1)


def _one_shot_over_graph_constant(tf1):
    with tf1.Graph().as_default():
        c = tf1.constant(X)
        nxt = tf1.data.Dataset.from_tensor_slices(c).map(lambda v: v + 1.0).batch(4).make_one_shot_iterator().get_next()
        with tf1.Session() as sess:
            return [sess.run(nxt).tolist() for _ in range(3)]


def test_one_shot_iterator_over_a_graph_constant(oracle) -> None:
    assert _one_shot_over_graph_constant(tf) == _one_shot_over_graph_constant(oracle.compat.v1)


def _rnn_state_fed_whole(tf1):
    with tf1.Graph().as_default():
        x = tf1.placeholder(tf1.float32, [None, 4, 3])
        c, h = tf1.placeholder(tf1.float32, [None, 2]), tf1.placeholder(tf1.float32, [None, 2])
        state = (c, h)  # the structure TF1 scripts feed: a tuple (or LSTMStateTuple) of placeholders
        w = tf1.constant(np.linspace(-1, 1, 10, dtype=np.float32).reshape(5, 2))
        new_c = tf1.tanh(tf1.matmul(tf1.concat([x[:, -1], c], 1), w)) + h
        a, b = tf1.placeholder(tf1.float32), tf1.placeholder(tf1.float32)
        with tf1.Session() as sess:
            z = (np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32))
            first = sess.run(new_c, {x: np.ones((2, 4, 3)), state: z})
            second = sess.run(new_c, {x: np.ones((2, 4, 3)), state: (first, first)})
            summed = sess.run(a + b, {(a, b): (1.0, 2.0)})
        return first.tolist(), second.tolist(), float(summed)


def test_structured_feed_keys_are_fed_leaf_by_leaf(oracle) -> None:
    ours, theirs = _rnn_state_fed_whole(tf), _rnn_state_fed_whole(oracle.compat.v1)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_lstm_state_tuple_fed_back_into_dynamic_rnn() -> None:
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 5, 3])
        cell = tf.nn.rnn_cell.LSTMCell(4)
        state_in = tf.nn.rnn_cell.LSTMStateTuple(tf.placeholder(tf.float32, [None, 4]),
                                                 tf.placeholder(tf.float32, [None, 4]))
        out, state = tf.nn.dynamic_rnn(cell, x, initial_state=state_in)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            s0 = sess.run(cell.zero_state(2, tf.float32))
            _, s1 = sess.run([out, state], {x: np.ones((2, 5, 3)), state_in: s0})
            _, s2 = sess.run([out, state], {x: np.ones((2, 5, 3)), state_in: s1})
    assert type(s1).__name__ == "LSTMStateTuple" and s2.h.shape == (2, 4)
    assert not np.allclose(s1.c, s2.c)


def test_a_feed_key_naming_no_tensor_is_a_type_error(oracle) -> None:
    def err(tf1):
        with tf1.Graph().as_default():
            a = tf1.placeholder(tf1.float32)
            with tf1.Session() as sess:
                with pytest.raises(Exception) as info:
                    sess.run(a, {"nope:0": 1.0})
        return info.type.__name__
    assert err(tf) == err(oracle.compat.v1) == "TypeError"
