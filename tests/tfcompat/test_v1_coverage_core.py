"""TF1 names added for real code: v1 cond/while_loop/case packing, tf.metrics, ExponentialMovingAverage,
tf.diag/in_top_k, tf.python.* paths, tf.estimator's error. Expected values recorded from TF 2.21 compat.v1
with v2 behaviour off (oracle/run_as_tf.py v1)."""
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


def test_cond_unpacks_singletons_unless_strict_and_accepts_fn1_fn2(g) -> None:
    x = tf.placeholder(tf.float32, [], name="x")
    v = tf.Variable(1.0, name="v")
    y1 = tf.cond(x > 0, lambda: [x * 2], lambda: [-x])
    y2 = tf.cond(x > 0, lambda: [x * 2], lambda: [-x], strict=True)
    y3 = tf.cond(x > 0, fn1=lambda: (x, x + 1), fn2=lambda: (x - 1, x))
    up = tf.cond(x > 0, lambda: tf.assign_add(v, 1.0), lambda: tf.assign_sub(v, 1.0))  # ops as branches
    assert not isinstance(y1, list) and isinstance(y2, list) and isinstance(y3, tuple)
    grad = tf.gradients(tf.cond(x > 0, lambda: x * 2, lambda: -x), x)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run([y1, y2, y3], {x: 3.0}) == [6.0, [6.0], (3.0, 4.0)]
        assert s.run([y1, y3], {x: -2.0}) == [2.0, (-3.0, -2.0)]
        assert s.run(grad, {x: -2.0}) == [-1.0]
        s.run(up, {x: 3.0})
        assert s.run(v) == 2.0
    with pytest.raises(TypeError, match="'pred' must not be a Python bool"):
        tf.cond(True, lambda: x, lambda: x)
    with pytest.raises(ValueError, match="Cannot specify both 'true_fn' and 'fn1'"):
        tf.cond(x > 0, lambda: x, lambda: x, fn1=lambda: x)


def test_while_loop_case_map_fn_packing(g) -> None:
    i = tf.constant(0)
    x = tf.placeholder(tf.float32, [])
    r = tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i])
    r2 = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + tf.cast(i, tf.float32)), (i, x))
    r3 = tf.while_loop(lambda i: i < 10, lambda i: [i + 1], [i], return_same_structure=True)
    assert not isinstance(r, list) and isinstance(r2, tuple) and isinstance(r3, list)
    c = tf.case([(x < 0, lambda: tf.constant(-1.0)), (x > 5, lambda: tf.constant(5.0))],
                default=lambda: tf.constant(0.0))
    m = tf.map_fn(lambda t: t * t, tf.constant([1.0, 2.0, 3.0]))
    fr = tf.foldr(lambda a, t: a * 10 + t, tf.constant([1, 2, 3]))
    with tf.Session() as s:
        assert s.run([r, r2, r3], {x: 1.0}) == [10, (5, 11.0), [10]]
        assert [s.run(c, {x: v}) for v in (-3.0, 7.0, 1.0)] == [-1.0, 5.0, 0.0]
        assert s.run(m).tolist() == [1.0, 4.0, 9.0] and s.run(fr) == 321


def test_streaming_metrics_match_tensorflow(g) -> None:
    labels = tf.placeholder(tf.int64, [None])
    preds = tf.placeholder(tf.int64, [None])
    scores = tf.placeholder(tf.float32, [None])
    pairs = [tf.metrics.accuracy(labels, preds),
             tf.metrics.accuracy(labels, preds, weights=tf.constant([1., 2., 0., 1.]), name="wacc"),
             tf.metrics.mean(tf.cast(preds, tf.float32)), tf.metrics.mean_squared_error(labels, preds),
             tf.metrics.root_mean_squared_error(labels, preds), tf.metrics.mean_absolute_error(labels, preds),
             tf.metrics.precision(labels, preds), tf.metrics.recall(labels, preds),
             tf.metrics.true_positives(labels, preds), tf.metrics.auc(labels, scores),
             tf.metrics.auc(labels, scores, curve="PR", num_thresholds=50),
             tf.metrics.auc(labels, scores, summation_method="minoring")]
    names = {v.name for v in tf.local_variables()}
    assert {"accuracy/total:0", "wacc/count:0", "precision/true_positives/count:0",
            "recall/false_negatives/count:0", "auc_1/true_positives:0"} <= names
    assert not tf.trainable_variables() and len(tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)) == len(names)
    assert pairs[0][0].name == "accuracy/value:0" and pairs[6][1].name == "precision/update_op:0"
    values, updates = [p[0] for p in pairs], [p[1] for p in pairs]
    with tf.Session() as s:
        s.run(tf.local_variables_initializer())
        assert s.run(values[:4]) == [0.0] * 4
        first = s.run(updates, {labels: [1, 0, 1, 1], preds: [1, 1, 0, 1], scores: [0.9, 0.6, 0.3, 0.8]})
        np.testing.assert_allclose(first, [0.5, 0.5, 0.75, 0.5, 0.70711, 0.5, 0.66667, 0.66667, 2.0, 0.66667,
                                           0.90278, 0.66667], atol=1e-4)
        s.run(updates, {labels: [0, 0, 1, 0], preds: [0, 1, 1, 0], scores: [0.1, 0.7, 0.75, 0.2]})
        np.testing.assert_allclose(s.run(values), [0.625, 0.5, 0.625, 0.375, 0.61237, 0.375, 0.6, 0.75, 3.0,
                                                   0.875, 0.90833, 0.875], atol=1e-4)


def test_exponential_moving_average_matches_tensorflow(g) -> None:
    gs = tf.Variable(0, trainable=False, name="global_step")
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.get_variable("b", initializer=tf.constant(3.0))
    x = tf.placeholder(tf.float32, [])
    m = tf.reduce_mean(w * x, name="m")
    ema = tf.train.ExponentialMovingAverage(0.9, num_updates=gs)
    with tf.control_dependencies([tf.assign_add(w, [1.0, 1.0]), tf.assign_add(gs, 1)]):
        up = ema.apply([w, b, m])
    ema2 = tf.train.ExponentialMovingAverage(0.5, zero_debias=True, name="zd")
    up2 = ema2.apply([m])
    assert ema.average(w).name == "w/ExponentialMovingAverage:0" and ema.average_name(gs) == \
        "global_step/ExponentialMovingAverage"
    assert sorted((k, v.name) for k, v in ema.variables_to_restore().items()) == [
        ("b/ExponentialMovingAverage", "b:0"), ("global_step", "global_step:0"),
        ("m/ExponentialMovingAverage", "m/ExponentialMovingAverage:0"), ("m/zd", "m/zd:0"),
        ("m/zd/biased", "m/zd/biased:0"), ("m/zd/local_step", "m/zd/local_step:0"),
        ("w/ExponentialMovingAverage", "w:0")]
    assert [v.name for v in tf.moving_average_variables()] == ["w:0", "b:0"]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        assert s.run(ema.average(w)).tolist() == [1.0, 2.0]
        for xv in (1.0, 2.0, 3.0):
            s.run([up, up2], {x: xv})
        got = s.run([ema.average(w), ema.average(m), ema2.average(m)])
        np.testing.assert_allclose(got[0], [3.6014, 4.6014], atol=1e-4)
        np.testing.assert_allclose(got[1:], [8.51748, 7.64286], atol=1e-4)


def test_tf1_diag_and_in_top_k_order(g) -> None:
    d = tf.diag(tf.constant([[1., 2.], [3., 4.]]))
    p = tf.constant([[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]])
    k = tf.nn.in_top_k(p, tf.constant([1, 1]), 1)
    k2 = tf.math.in_top_k(predictions=p, targets=tf.constant([1, 1]), k=2)
    assert d.shape.as_list() == [2, 2, 2, 2]
    with tf.Session() as s:
        dv, kv, k2v = s.run([d, k, k2])
    assert dv[1, 1, 1, 1] == 4.0 and dv[0, 1, 0, 1] == 2.0 and dv.sum() == 10.0
    assert kv.tolist() == [True, False] and k2v.tolist() == [True, False]


def test_python_paths_contrib_eager_and_estimator_error() -> None:
    assert tf.python.platform.gfile.Exists("/") and tf.python.framework.ops.Graph is tf.Graph
    assert tf.python.framework.ops.convert_to_tensor is tf.convert_to_tensor
    assert tf.python.keras.models.Model is tf.keras.models.Model
    assert tf.python.ops.array_ops.identity is tf.identity and tf.python.util is not None
    assert tf.python.framework.tensor_shape.scalar().as_list() == []
    assert tf.contrib.eager.GradientTape is tf.GradientTape and tf.keras.__version__.startswith("2.")
    with pytest.raises(AttributeError, match="tf.python.ops.array_ops.no_such_fn"):
        tf.python.ops.array_ops.no_such_fn
    with pytest.raises(AttributeError, match=r"tf\.estimator\.BoostedTreesClassifier is not provided by tfcompat"):
        tf.estimator.BoostedTreesClassifier


def test_sparse_to_dense_and_read_file(g, tmp_path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"\x00abc")
    a = tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], [5, 6])
    b = tf.sparse_to_dense([1, 3], [5], 1.0, default_value=-1.0)
    c = tf.sparse_to_dense(2, [4], 7)
    f = tf.read_file(str(path))
    with tf.Session() as s:
        av, bv, cv, fv = s.run([a, b, c, f])
        assert av.tolist() == [[0, 5], [0, 0], [6, 0]] and bv.tolist() == [-1.0, 1.0, -1.0, 1.0, -1.0]
        assert cv.tolist() == [0, 0, 7, 0] and np.asarray(fv).item() == b"\x00abc"
        with pytest.raises(tf.errors.NotFoundError):
            s.run(tf.read_file(str(tmp_path / "missing")))
