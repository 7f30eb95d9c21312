"""tf.SparseTensor and tf.sparse.{to_dense, from_dense, reorder, sparse_dense_matmul} with their TF1 names,
sparse placeholders fed and fetched in v1 sessions: NumPy expectations that always run, and the same
programs against TensorFlow where it is installed."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
import tfcompat.compat.v1 as v1

RNG = np.random.default_rng(8)
IDX, VALS, SHAPE = [[0, 1], [2, 0]], [5.0, 6.0], [3, 2]


def _dense(indices, values, shape):
    out = np.zeros(shape)
    for i, v in zip(indices, values):
        out[tuple(i)] = v
    return out


def test_sparse_tensor_holds_three_tensors() -> None:
    sp = tf.SparseTensor(IDX, VALS, SHAPE)
    assert sp.indices.dtype == tf.int64 and sp.dense_shape.dtype == tf.int64 and sp.dtype == tf.float32
    assert sp.shape == (3, 2) and sp.get_shape().as_list() == [3, 2]
    assert tf.sparse.SparseTensor is tf.SparseTensor and tf.is_tensor(sp) and not isinstance(sp, tf.Tensor)
    assert repr(sp).startswith("SparseTensor(indices=") and "dense_shape=" in str(sp)
    np.testing.assert_array_equal(sp.with_values(sp.values * 2).values.numpy(), [10.0, 12.0])
    np.testing.assert_array_equal(tf.sparse.to_dense(sp).numpy(), _dense(IDX, VALS, SHAPE))
    np.testing.assert_array_equal(tf.sparse.to_dense(sp, default_value=-1.0).numpy(),
                                  np.where(_dense(IDX, VALS, SHAPE) == 0, -1.0, _dense(IDX, VALS, SHAPE)))
    np.testing.assert_array_equal((sp * tf.constant([[1.0], [2.0], [3.0]])).values.numpy(), [5.0, 18.0])
    np.testing.assert_array_equal((sp / 2.0).values.numpy(), [2.5, 3.0])


def test_from_dense_and_reorder() -> None:
    sp = tf.sparse.from_dense([[0.0, 2.0], [3.0, 0.0]])
    np.testing.assert_array_equal(sp.indices.numpy(), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(sp.values.numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(sp.dense_shape.numpy(), [2, 2])
    words = tf.sparse.from_dense(tf.constant([[b"a", b""], [b"", b"b"]]))
    assert words.values.numpy().tolist() == [b"a", b"b"]
    messy = tf.SparseTensor([[2, 0], [0, 1], [1, 1]], [6.0, 5.0, 7.0], [3, 2])
    tidy = tf.sparse.reorder(messy)
    np.testing.assert_array_equal(tidy.indices.numpy(), [[0, 1], [1, 1], [2, 0]])
    np.testing.assert_array_equal(tidy.values.numpy(), [5.0, 7.0, 6.0])
    np.testing.assert_array_equal(tf.sparse.to_dense(messy, validate_indices=False).numpy(),
                                  tf.sparse.to_dense(tidy).numpy())


@pytest.mark.parametrize("adjoint_a,adjoint_b", [(False, False), (True, False), (False, True), (True, True)])
def test_sparse_dense_matmul_is_the_dense_product(adjoint_a, adjoint_b) -> None:
    a = _dense(IDX, VALS, SHAPE)
    b = RNG.standard_normal((3, 4) if adjoint_a else (2, 4))
    b = b.T if adjoint_b else b
    got = tf.sparse.sparse_dense_matmul(tf.SparseTensor(IDX, np.array(VALS), SHAPE), b, adjoint_a, adjoint_b)
    np.testing.assert_allclose(got.numpy(), (a.T if adjoint_a else a) @ (b.T if adjoint_b else b), rtol=1e-12)
    dense_first = tf.sparse.sparse_dense_matmul(np.ones((4, 3)), tf.SparseTensor(IDX, np.array(VALS), SHAPE))
    np.testing.assert_allclose(dense_first.numpy(), np.ones((4, 3)) @ a)


def test_tf1_names() -> None:
    assert v1.sparse_tensor_to_dense is tf.sparse.to_dense is v1.sparse.to_dense
    assert v1.sparse_tensor_dense_matmul is v1.sparse.matmul is tf.sparse.sparse_dense_matmul
    assert v1.sparse_reorder is tf.sparse.reorder and v1.SparseTensor is tf.SparseTensor
    assert v1.SparseTensorValue._fields == ("indices", "values", "dense_shape")
    assert not hasattr(tf, "sparse_placeholder") and not hasattr(tf, "SparseTensorValue")


def test_errors_are_tensorflows() -> None:
    err = tf.errors.InvalidArgumentError
    with pytest.raises(err, match=r"(?s)indices\[1\] = \[0,1\] is out of order.*tf.sparse.reorder"):
        tf.sparse.to_dense(tf.SparseTensor([[2, 0], [0, 1]], VALS, SHAPE))
    with pytest.raises(err, match="is out of order"):  # TF1's sparse_to_dense runs the same op
        v1.sparse_to_dense([[2, 1], [0, 0]], [3, 2], [5, 6])
    with pytest.raises(err, match=r"indices\[1\] = \[0,1\] is repeated"):
        tf.sparse.to_dense(tf.SparseTensor([[0, 1], [0, 1]], VALS, SHAPE))
    with pytest.raises(err, match=r"indices\[0\] = \[5,1\] is out of bounds: need 0 <= index < \[3,2\]"):
        tf.sparse.to_dense(tf.SparseTensor([[5, 1]], [1.0], SHAPE))
    with pytest.raises(err, match=r"m \(5\) from index\[0,0\] out of bounds \(>=3\)"):
        tf.sparse.sparse_dense_matmul(tf.SparseTensor([[5, 1]], [1.0], SHAPE), tf.ones([2, 2]))
    with pytest.raises(err, match="inner dimension does not match: 2 vs. 3"):
        tf.sparse.sparse_dense_matmul(tf.SparseTensor(IDX, VALS, SHAPE), tf.ones([3, 2]))
    with pytest.raises(err, match="expected to be a float tensor but is a double tensor"):
        tf.sparse.sparse_dense_matmul(tf.SparseTensor(IDX, VALS, SHAPE), tf.ones([2, 2], tf.float64))
    with pytest.raises(TypeError, match="Input must be a SparseTensor"):
        tf.sparse.to_dense(tf.ones([2]))
    with pytest.raises(ValueError, match="unsupported type"):
        tf.convert_to_tensor(tf.SparseTensor(IDX, VALS, SHAPE))
    with pytest.raises(ValueError, match="Dimensions 1 and 2 are not compatible"):
        tf.SparseTensor([[0, 1]], [1.0, 2.0], SHAPE)
    with pytest.raises(ValueError, match=r"must have rank 2"):
        tf.SparseTensor([0, 1], [1.0], SHAPE)


def test_gradients_reach_the_values_and_the_dense_operand() -> None:
    values, b = tf.Variable([5.0, 6.0]), tf.Variable(np.arange(4.0, dtype=np.float32).reshape(2, 2))
    with tf.GradientTape() as tape:
        sp = tf.sparse.reorder(tf.SparseTensor([[2, 0], [0, 1]], values, SHAPE))
        loss = tf.reduce_sum(tf.sparse.to_dense(sp) ** 2) + tf.reduce_sum(tf.sparse.sparse_dense_matmul(sp, b))
    gv, gb = tape.gradient(loss, [values, b])
    # d/dv: 2v + row sums of b at the column each value sits in (v0 at (2,0) -> b[0], v1 at (0,1) -> b[1])
    np.testing.assert_allclose(gv.numpy(), [10.0 + 1.0, 12.0 + 5.0])
    np.testing.assert_allclose(gb.numpy(), [[5.0, 5.0], [6.0, 6.0]])


def test_v1_sparse_placeholder_fed_and_fetched() -> None:
    with tf.Graph().as_default():
        sp = v1.sparse_placeholder(tf.float32)
        assert sp.shape.rank is None and sp.indices.shape.as_list() == [None, None]
        named = v1.sparse_placeholder(tf.float32, shape=[3, 2], name="sp2")
        assert named.shape == (3, 2) and named.indices.name == "sp2/indices:0" and named.dense_shape.name == \
            "sp2/shape:0"
        assert v1.sparse_placeholder(tf.float32, shape=[None, 2]).shape.as_list() == [None, 2]
        w = v1.Variable(tf.ones([2, 3]))
        dense = v1.sparse_tensor_to_dense(sp)
        prod = v1.sparse_tensor_dense_matmul(named, w)
        assert prod.shape.as_list() == [None, 3]
        const = tf.SparseTensor([[0, 1]], [4.0], [2, 2])
        grads = v1.gradients(v1.reduce_sum(prod * prod), [named.values, w])
        value = v1.SparseTensorValue(IDX, VALS, SHAPE)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(dense, {sp: value}), _dense(IDX, VALS, SHAPE))
            np.testing.assert_array_equal(sess.run(dense, {sp: ([[0, 1]], [5.0], [3, 2])}), _dense([[0, 1]], [5], SHAPE))
            got = sess.run(const)
            assert type(got).__name__ == "SparseTensorValue" and got.dense_shape.tolist() == [2, 2]
            assert got.indices.dtype == np.int64 and const.eval().values.tolist() == [4.0]
            both = sess.run({"sp": const, "dense": dense}, {sp: value})
            assert both["sp"].values.tolist() == [4.0] and both["dense"].shape == (3, 2)
            gv, gw = sess.run(grads, {named: value})
        np.testing.assert_allclose(gv, [30.0, 36.0])
        np.testing.assert_allclose(gw, [[72.0] * 3, [50.0] * 3])


def _program(t, indices, values, shape, b):
    vals, dense_b = t.Variable(values), t.Variable(b)
    with t.GradientTape() as tape:
        sp = t.sparse.reorder(t.SparseTensor(indices, vals, shape))
        outs = [t.sparse.to_dense(sp), t.sparse.sparse_dense_matmul(sp, dense_b),
                t.sparse.sparse_dense_matmul(sp, dense_b, adjoint_a=True, adjoint_b=True)[:, :2],
                t.sparse.to_dense(t.sparse.from_dense(t.sparse.to_dense(sp) * 2.0), default_value=1.0),
                t.sparse.to_dense(sp * t.constant(np.arange(shape[1], dtype=np.float64)))]
        loss = sum(t.reduce_sum(o * o) * (k + 1) for k, o in enumerate(outs))
    return [o.numpy() for o in outs] + [sp.indices.numpy()] + [g.numpy() for g in tape.gradient(loss, [vals, dense_b])]


def test_matches_tensorflow(oracle) -> None:
    shape = [5, 4]
    flat = RNG.choice(20, size=7, replace=False)
    indices = np.stack(np.unravel_index(flat, shape), axis=1)      # not in row-major order: reorder fixes that
    values, b = RNG.standard_normal(7), RNG.standard_normal((4, 5))
    for ours, theirs in zip(_program(tf, indices, values, shape, b), _program(oracle, indices, values, shape, b)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def _chars(words):
    """Words as a [n, 1, max_len] character SparseTensorValue (the usual way TF1 code feeds edit_distance)."""
    indices = [[i, 0, j] for i, w in enumerate(words) for j in range(len(w))]
    return v1.SparseTensorValue(indices, [c for w in words for c in w], [len(words), 1, max(map(len, words))])


def test_edit_distance_recorded() -> None:
    bear = tf.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 0, 2], [0, 0, 3]], list("bear"), [1, 1, 4])
    beers = tf.SparseTensor([[0, 0, i] for i in range(5)], list("beers"), [1, 1, 5])
    assert tf.edit_distance(bear, beers, normalize=False).numpy().tolist() == [[2.0]]
    np.testing.assert_allclose(tf.edit_distance(bear, beers).numpy(), [[0.4]])
    h = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [1, 2, 3], [3, 2])
    t = tf.SparseTensor([[0, 0], [1, 0], [1, 1]], [1, 5, 6], [2, 3])
    assert tf.edit_distance(h, t).numpy().tolist() == [1.0, 1.0, np.inf]     # empty truth: inf
    assert tf.edit_distance(h, t, normalize=False).numpy().tolist() == [1.0, 2.0, 1.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"matching ranks, but their shapes are: \[3\] and \[2\]"):
        tf.edit_distance(h, tf.SparseTensor([[0, 0, 1]], [1], [1, 1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a float tensor but is a int32 tensor"):
        tf.edit_distance(tf.SparseTensor([[0, 1]], [1.0], [1, 2]), tf.SparseTensor([[0, 1]], [1], [1, 2]))
    with pytest.raises(TypeError, match="Hypothesis must be a SparseTensor"):
        tf.edit_distance(tf.ones([2, 2]), t)


def test_edit_distance_in_a_v1_session_with_string_placeholders() -> None:
    with tf.Graph().as_default():
        typed = v1.sparse_placeholder(tf.string)
        reference = v1.sparse_placeholder(tf.string)
        nearest = v1.argmin(v1.edit_distance(typed, reference, normalize=True), 0)
        with v1.Session() as sess:
            candidates = ["main st", "elm ln", "abbey ave"]
            got = [sess.run(nearest, {typed: _chars([w] * 3), reference: _chars(candidates)})
                   for w in ("elm lm", "abgey ave", "main")]
    assert [candidates[int(i[0])] for i in got] == ["elm ln", "abbey ave", "main st"]


def test_edit_distance_matches_tensorflow(oracle) -> None:
    words = ["".join(RNG.choice(list("abc"), size=RNG.integers(0, 6))) for _ in range(12)]
    hyp, truth = _chars(words[:6] + ["x"]), _chars(words[6:] + ["", "y"])
    for normalize in (True, False):
        ours = tf.edit_distance(tf.SparseTensor(*hyp), tf.SparseTensor(*truth), normalize=normalize).numpy()
        theirs = oracle.edit_distance(oracle.SparseTensor(*hyp), oracle.SparseTensor(*truth), normalize=normalize)
        np.testing.assert_array_equal(ours, theirs.numpy())


def test_tf_function_traces_a_sparse_tensor_argument_as_its_three_tensors() -> None:
    traces = []

    @tf.function
    def dense_times(sp, b):
        traces.append(1)
        return tf.sparse.sparse_dense_matmul(sp, b), tf.sparse.to_dense(sp)
    for i in range(3):   # same component shapes: one trace, values fed each call (not captured constants)
        product, dense = dense_times(tf.SparseTensor([[0, i]], [float(i + 1)], [2, 3]), tf.ones([3, 1]))
        np.testing.assert_array_equal(dense.numpy(), _dense([[0, i]], [i + 1], [2, 3]))
        np.testing.assert_array_equal(product.numpy(), [[i + 1.0], [0.0]])
    assert len(traces) == 1


def test_edit_distance_equals_the_reference_on_random_sequences() -> None:
    from runtime.ops import REGISTRY
    ref = REGISTRY["EditDistance"].ref
    rng = np.random.default_rng(12)

    def draw(rows):
        idx = [[p, j] for p in range(rows) for j in range(rng.integers(0, 5))]  # some sequences empty
        return np.array(idx, np.int64).reshape(-1, 2), rng.integers(0, 3, len(idx)).astype(np.int32), \
            np.array([rows, 6], np.int64)
    for _ in range(25):
        h, t = draw(int(rng.integers(1, 6))), draw(int(rng.integers(1, 6)))
        for normalize in (True, False):
            got = tf.edit_distance(tf.SparseTensor(*h), tf.SparseTensor(*t), normalize=normalize).numpy()
            np.testing.assert_array_equal(got, ref(*h, *t, normalize=normalize))
