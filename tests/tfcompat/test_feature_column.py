"""tf.feature_column on tfcompat: dense outputs, linear_model and hash buckets equal TensorFlow's.

Recorded values come from TensorFlow (2.15 and 2.21 agree); where TensorFlow is installed the
same columns are also built there and compared (`oracle`).
"""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat.compat.v1 as tf
from tfcompat._impl.feature_column.fingerprint import fingerprint64

STRINGS = ["", "a", "ab", "abc", "abcd", "hello", "tokyo", "x" * 8, "y" * 15, "z" * 16, "q" * 17, "w" * 32, "e" * 33,
           "r" * 64, "t" * 65, "u" * 100, "v" * 128, "s" * 129, "\u00fc\u00df", "The quick brown fox " * 9]


def _columns(t):
    fc = t.feature_column
    age = fc.numeric_column("age")
    shape = fc.categorical_column_with_identity("shape", 4)
    return [age, fc.bucketized_column(age, [0.3, 0.6]),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])),
            fc.embedding_column(shape, 2, initializer=t.constant_initializer([[1, 2], [3, 4], [5, 6], [7, 8]])),
            fc.indicator_column(fc.categorical_column_with_hash_bucket("word", 7)),
            fc.embedding_column(fc.weighted_categorical_column(shape, "w"), 2, combiner="sqrtn",
                                initializer=t.constant_initializer(0.5)),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list("color2", ["red", "green"],
                                                                           num_oov_buckets=2))]


FEATURES = {"age": np.array([0.1, 0.5, 0.9, 0.2], np.float32), "color": np.array(["red", "blue", "green", "pink"]),
            "shape": np.array([[0, 1], [3, 3], [1, 2], [2, 0]]), "word": np.array(["a", "bb", "ccc", "hello"]),
            "w": np.array([[1., 2.], [0.5, 0.5], [3, 1], [1, 1]], np.float32),
            "color2": np.array(["red", "blue", "green", "pink"])}

# TensorFlow 2.15's input_layer on FEATURES (columns sorted by name: age, age_bucketized, color2_indicator,
# color_indicator, shape_embedding, shape_weighted_by_w_embedding, word_indicator)
EXPECTED_ROW_1 = [0.5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 7, 8, 0.7071, 0.7071, 0, 1, 0, 0, 0, 0, 0]


def _run(t, build):
    with t.Graph().as_default():
        out = build({k: t.constant(v) for k, v in FEATURES.items()})
        with t.Session() as sess:
            sess.run(t.global_variables_initializer())
            sess.run(t.tables_initializer())
            return sess.run(out)


def test_input_layer_matches_recorded_tensorflow_output() -> None:
    got = _run(tf, lambda f: tf.feature_column.input_layer(f, _columns(tf)))
    assert got.shape == (4, 22)
    np.testing.assert_allclose(got[1], EXPECTED_ROW_1, atol=1e-4)


def test_input_layer_and_linear_model_match_tensorflow(oracle) -> None:
    v1 = oracle.compat.v1

    def build(t):
        def f(features):
            cols = _columns(t)
            fc = t.feature_column
            lin = fc.linear_model(features, [cols[0], fc.categorical_column_with_vocabulary_list(
                "color", ["red", "green", "blue"]), fc.bucketized_column(cols[0], [0.3, 0.6])], units=2)
            return fc.input_layer(features, cols), lin
        return f
    ours = _run(tf, build(tf))
    with oracle.Graph().as_default():
        theirs = _run(v1, build(v1))
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1])


def test_variable_names_are_tensorflows() -> None:
    with tf.Graph().as_default():
        f = {k: tf.constant(v) for k, v in FEATURES.items()}
        tf.feature_column.input_layer(f, _columns(tf))
        tf.feature_column.linear_model(f, [tf.feature_column.numeric_column("age")])
        names = sorted(v.name for v in tf.global_variables())
    assert names == ["input_layer/shape_embedding/embedding_weights:0",
                     "input_layer/shape_weighted_by_w_embedding/embedding_weights:0",
                     "linear_model/age/weights:0", "linear_model/bias_weights:0"]


def test_fingerprint64_known_values() -> None:
    # tf.strings.to_hash_bucket_fast(s, 2**62) on TensorFlow 2.15
    assert fingerprint64(b"a") % (1 << 62) == 3694432073954588131
    assert fingerprint64(b"hello") % (1 << 62) == 3786372426573024488
    assert fingerprint64(b"x" * 40) % (1 << 62) == 3168538174772821140
    assert fingerprint64(b"y" * 70) % (1 << 62) == 2525296024834194218
    assert fingerprint64(b"") % (1 << 62) == 1936946117179621455


def test_hash_buckets_match_tensorflow(oracle) -> None:
    theirs = oracle.strings.to_hash_bucket_fast(STRINGS, 1 << 62).numpy().tolist()
    assert [fingerprint64(s.encode()) % (1 << 62) for s in STRINGS] == theirs
    theirs_small = oracle.strings.to_hash_bucket_fast(STRINGS, 97).numpy().tolist()
    assert [fingerprint64(s.encode()) % 97 for s in STRINGS] == theirs_small


@pytest.mark.parametrize("make, message", [
    (lambda fc: fc.bucketized_column(fc.numeric_column("a"), [3, 1]), "boundaries must be a sorted list"),
    (lambda fc: fc.bucketized_column("a", [1]), "must be a column generated with numeric_column"),
    (lambda fc: fc.categorical_column_with_identity("a", 0), "num_buckets 0 < 1"),
    (lambda fc: fc.categorical_column_with_vocabulary_list("a", ["x", "x"]), "Duplicate keys"),
    (lambda fc: fc.embedding_column(fc.categorical_column_with_identity("a", 3), 2, combiner="max"), "combiner"),
    (lambda fc: fc.indicator_column(fc.numeric_column("a")), "must be a CategoricalColumn"),
    (lambda fc: fc.crossed_column(["a"], 10), "keys must be a list with length > 1"),
    (lambda fc: fc.crossed_column(["a", fc.categorical_column_with_hash_bucket("b", 3)], 10), "Unsupported key type"),
])
def test_column_errors(make, message) -> None:
    with pytest.raises((ValueError, NotImplementedError), match=message):
        make(tf.feature_column)


def test_input_layer_rejects_categorical_and_missing_feature() -> None:
    with tf.Graph().as_default():
        f = {"a": tf.constant([1, 2])}
        with pytest.raises(ValueError, match="indicator_column or embedding_column"):
            tf.feature_column.input_layer(f, [tf.feature_column.categorical_column_with_identity("a", 3)])
        with pytest.raises(ValueError, match="'b' is not in features"):
            tf.feature_column.input_layer(f, [tf.feature_column.numeric_column("b")])


def test_identity_out_of_range_fails_at_run_time() -> None:
    with tf.Graph().as_default():
        col = tf.feature_column.indicator_column(tf.feature_column.categorical_column_with_identity("a", 3))
        out = tf.feature_column.input_layer({"a": tf.constant([1, 5])}, [col])
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Value out of range"):
            sess.run(out)


CROSS_FEATURES = {"age": np.array([0.1, 0.5, 0.9, 0.2], np.float32), "color": np.array(["red", "blue", "green", "pink"]),
                  "word": np.array(["a", "bb", "ccc", "hello"]), "num": np.array([3, -4, 5, 100], np.int64),
                  "multi": np.array([["x", "y"], ["z", "x"], ["y", "y"], ["q", "r"]])}
# nonzero positions and values of each row of input_layer(crossed columns below), from TensorFlow 2.15
CROSS_EXPECTED = [([1, 16, 21, 45, 52], [1, 1, 1, 1, 1]), ([3, 17, 20, 47, 58], [1, 1, 1, 1, 1]),
                  ([7, 23, 44, 57], [1, 2, 1, 1]), ([0, 15, 30, 39, 55], [1, 1, 1, 1, 1])]


def _crossed(t):
    fc = t.feature_column
    bucket = fc.bucketized_column(fc.numeric_column("age"), [0.3, 0.6])
    return [fc.indicator_column(fc.crossed_column(["color", "word"], 11)),
            fc.indicator_column(fc.crossed_column([bucket, "color"], 13)),
            fc.indicator_column(fc.crossed_column(["num", "color", "word"], 17, hash_key=12345)),
            fc.indicator_column(fc.crossed_column(["multi", "color"], 19))]


def _run_cross(t):
    with t.Graph().as_default():
        out = t.feature_column.input_layer({k: t.constant(v) for k, v in CROSS_FEATURES.items()}, _crossed(t))
        with t.Session() as sess:
            sess.run(t.tables_initializer())
            return sess.run(out)


def test_crossed_columns_hash_as_tensorflow() -> None:
    got = _run_cross(tf)
    assert [(np.nonzero(r)[0].tolist(), r[np.nonzero(r)].tolist()) for r in got] == CROSS_EXPECTED
    assert _crossed(tf)[1].categorical_column.name == "age_bucketized_X_color"


def test_crossed_columns_match_tensorflow(oracle) -> None:
    with oracle.Graph().as_default():
        theirs = _run_cross(oracle.compat.v1)
    np.testing.assert_array_equal(_run_cross(tf), theirs)


def test_dense_features_layer_eager_owns_trainable_embeddings() -> None:
    import tfcompat as tf2  # noqa: PLC0415
    fc = tf2.feature_column
    cols = [fc.numeric_column("age"), fc.embedding_column(fc.categorical_column_with_identity("shape", 4), 2,
                                                          initializer=tf2.constant_initializer([[1, 2], [3, 4],
                                                                                                [5, 6], [7, 8]])),
            fc.indicator_column(fc.categorical_column_with_vocabulary_list("color", ["red", "green"]))]
    features = {"age": tf2.constant([0.1, 0.5]), "shape": tf2.constant([0, 3]), "color": tf2.constant(["green", "red"])}
    layer = tf2.keras.layers.DenseFeatures(cols)
    with tf2.GradientTape() as tape:
        out = layer(features)
        loss = tf2.reduce_sum(out * out)
    # TensorFlow 2.15's DenseFeatures gives these rows (age, color_indicator, shape_embedding: sorted by name)
    np.testing.assert_allclose(out.numpy(), [[0.1, 0, 1, 1, 2], [0.5, 1, 0, 7, 8]], rtol=1e-6)
    (table,) = layer.trainable_weights
    grad = tape.gradient(loss, table)
    np.testing.assert_allclose(tf2.convert_to_tensor(grad).numpy(), [[2, 4], [0, 0], [0, 0], [14, 16]])


def test_vocabulary_file_v1_and_v2_argument_orders(tmp_path) -> None:
    import tfcompat as tf2  # noqa: PLC0415
    path = tmp_path / "vocab.txt"
    path.write_text("red\ngreen\nblue\n")
    v1_col = tf.feature_column.categorical_column_with_vocabulary_file("c", str(path), None, 2)   # num_oov_buckets
    v2_col = tf2.feature_column.categorical_column_with_vocabulary_file("c", str(path), 2)        # vocabulary_size
    assert (v1_col.num_buckets, v1_col.vocabulary) == (5, ("red", "green", "blue"))
    assert (v2_col.num_buckets, v2_col.vocabulary) == (2, ("red", "green"))
