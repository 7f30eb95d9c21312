"""Building a TF1 graph rejects what TensorFlow rejects, with TensorFlow's error class, and the
message names the node as the user named it; what TensorFlow accepts is accepted.
"""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat.compat.v1 as tf

BAD_GRAPHS = {
    "reshape_6_to_8": lambda tf1: tf1.reshape(tf1.zeros([2, 3]), [4, 2]),
    "reshape_minus_one": lambda tf1: tf1.reshape(tf1.zeros([2, 3]), [4, -1]),
    "reshape_partial": lambda tf1: tf1.reshape(tf1.placeholder(tf1.float32, [None, 3]), [2, 2]),
    "concat_dims": lambda tf1: tf1.concat([tf1.zeros([2, 3]), tf1.zeros([2, 4])], 0),
    "concat_ranks": lambda tf1: tf1.concat([tf1.zeros([2, 3]), tf1.zeros([3])], 0),
    "matmul_rank_1": lambda tf1: tf1.matmul(tf1.ones([3]), tf1.ones([3]), name="mm"),
    "float_plus_int": lambda tf1: tf1.placeholder(tf1.float32) + tf1.placeholder(tf1.int32),
    "float_times_double": lambda tf1: tf1.placeholder(tf1.float32) * tf1.placeholder(tf1.float64),
    "sigmoid_xent_double_labels": lambda tf1: tf1.nn.sigmoid_cross_entropy_with_logits(
        labels=tf1.placeholder(tf1.float64, [None, 3]), logits=tf1.placeholder(tf1.float32, [None, 3])),
}


def _error(tf1, build):
    with tf1.Graph().as_default():
        with pytest.raises(Exception) as info:
            build(tf1)
    return info.value


@pytest.mark.parametrize("case", sorted(BAD_GRAPHS))
def test_graph_building_error_class_matches_tensorflow(oracle, case) -> None:
    ours, theirs = _error(tf, BAD_GRAPHS[case]), _error(oracle.compat.v1, BAD_GRAPHS[case])
    assert type(ours).__name__ == type(theirs).__name__, (str(ours), str(theirs))
    def head(e):  # the message up to the node text (ours adds the fix in parentheses)
        return str(e).split(" for '{{node")[0].split(" (cast one operand")[0].rstrip(".")
    assert head(ours) == head(theirs)


def test_errors_name_the_node_as_the_user_named_it() -> None:
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"^Shape must be rank 2 but is rank 1 for '\{\{node mm\}\}"):
            tf.matmul(tf.ones([3]), tf.ones([3]), name="mm")
        with pytest.raises(ValueError, match=r"Cannot reshape a tensor with 6 elements to shape \[4,2\] \(8 elements\)"
                                             r" for '\{\{node r\}\}"):
            tf.reshape(tf.zeros([2, 3]), [4, 2], name="r")


ACCEPTED = {
    "concat_unknown_batch": lambda tf1: tf1.concat([tf1.zeros([2, 3]), tf1.placeholder(tf1.float32, [None, 3])], 0),
    "reshape_unknown_batch": lambda tf1: tf1.reshape(tf1.placeholder(tf1.float32, [None, 3]), [-1, 2]),
    "reshape_known_rows": lambda tf1: tf1.reshape(tf1.placeholder(tf1.float32, [None, 3]), [5, -1]),
    "split_dynamic_axis": lambda tf1: tf1.split(tf1.reshape(tf1.placeholder(tf1.float32, [None, 4, 6]), [-1, 6]),
                                                4, 0)[1],
    "split_static_axis": lambda tf1: tf1.split(tf1.placeholder(tf1.float32, [None, 4, 6]), 3, 2)[2],
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_graphs_tensorflow_accepts_get_its_static_shape(oracle, case) -> None:
    def shape(tf1):
        with tf1.Graph().as_default():
            t = ACCEPTED[case](tf1)
            return t.shape.as_list(), t.name
    assert shape(tf) == shape(oracle.compat.v1)


def test_split_into_equal_parts_of_a_dimension_known_at_run_time() -> None:
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 28, 28])
        rows = tf.split(tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, 28]), 28, 0)
        grad = tf.gradients(tf.reduce_sum(rows[3] * 2.0), x)[0]
        with tf.Session() as sess:
            data = np.arange(2 * 28 * 28, dtype=np.float32).reshape(2, 28, 28)
            got, g = sess.run([rows[3], grad], {x: data})
            np.testing.assert_array_equal(got, data[:, 3, :])
            assert g.sum() == 2 * 2 * 28 and np.all(g[:, 3, :] == 2.0)
            with pytest.raises(tf.errors.InvalidArgumentError, match="evenly divide"):
                sess.run(tf.split(tf.reshape(x, [-1, 28]), 5, 0)[0], {x: data})


def test_sampled_losses_with_a_batch_known_only_at_run_time() -> None:
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        emb = tf.Variable(tf.random_uniform([50, 8], -1.0, 1.0))
        w, b = tf.Variable(tf.truncated_normal([50, 8], stddev=0.1)), tf.Variable(tf.zeros([50]))
        words, labels = tf.placeholder(tf.int32, [None]), tf.placeholder(tf.int32, [None, 1])
        inputs = tf.nn.embedding_lookup(emb, words)
        nce = tf.reduce_mean(tf.nn.nce_loss(weights=w, biases=b, labels=labels, inputs=inputs, num_sampled=5,
                                            num_classes=50))
        sampled = tf.nn.sampled_softmax_loss(weights=w, biases=b, labels=labels, inputs=inputs, num_sampled=5,
                                             num_classes=50)
        assert sampled.shape.as_list() == [None]
        step = tf.train.GradientDescentOptimizer(0.5).minimize(nce + tf.reduce_mean(sampled))
        feed = {words: np.arange(6), labels: np.arange(6).reshape(6, 1)}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(nce, feed)
            for _ in range(30):
                sess.run(step, feed)
            assert sess.run(sampled, feed).shape == (6,)
            assert sess.run(nce, feed) < first
