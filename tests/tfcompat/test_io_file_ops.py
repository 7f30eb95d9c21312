"""TF2's `tf.io` file and raw-byte names (read_file, write_file, matching_files, decode_raw, decode_csv)
and the `tf.train.Example` family on the v2 API, eager, in tf.function and in v1 graphs."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
import tfcompat.compat.v1 as tf1
from runtime.errors import InvalidArgumentError, NotFoundError

V2_NAMES = ["io.read_file", "io.write_file", "io.matching_files", "io.decode_raw", "io.decode_csv",
            "io.parse_single_example", "io.parse_example", "io.FixedLenFeature", "io.TFRecordWriter",
            "train.Example", "train.Features", "train.Feature", "train.BytesList", "train.FloatList",
            "train.Int64List", "data.TextLineDataset"]


def _get(mod, name):
    for part in name.split("."):
        mod = getattr(mod, part)
    return mod


@pytest.mark.parametrize("name", V2_NAMES)
def test_tf2_name_exists(name):
    assert callable(_get(tf, name))


def test_read_file_is_one_export_for_both_apis():
    assert tf.io.read_file is tf1.read_file is tf1.io.read_file
    assert tf.io.write_file is tf1.write_file
    assert tf.train.Example is tf1.train.Example


def test_write_then_read_eager_and_in_function(tmp_path):
    path = str(tmp_path / "a.bin")
    tf.io.write_file(path, b"\x00\x01abc")
    assert tf.io.read_file(path).numpy() == b"\x00\x01abc"

    @tf.function
    def roundtrip(p):
        tf.io.write_file(p, tf.constant("hello"))
        return tf.io.decode_raw(tf.io.read_file(p), tf.uint8)

    np.testing.assert_array_equal(roundtrip(tf.constant(str(tmp_path / "b.bin"))).numpy(), list(b"hello"))
    with pytest.raises(NotFoundError):
        tf.io.read_file(str(tmp_path / "missing"))


def test_matching_files_sorted(tmp_path):
    for n in ("b.txt", "a.txt", "c.csv"):
        (tmp_path / n).write_text("x")
    got = tf.io.matching_files(str(tmp_path / "*.txt")).numpy().tolist()
    assert got == [str(tmp_path / "a.txt").encode(), str(tmp_path / "b.txt").encode()]


def test_decode_raw_values_shapes_and_errors():
    out = tf.io.decode_raw(tf.constant([b"\x01\x00\x02\x00", b"\x03\x00\x04\x00"]), tf.int16)
    np.testing.assert_array_equal(out.numpy(), [[1, 2], [3, 4]])
    big = tf.io.decode_raw(b"\x00\x01", tf.uint16, little_endian=False)
    assert big.numpy().tolist() == [1]
    assert tf.io.decode_raw(b"\x01\x00\x02", tf.int16, fixed_length=6).numpy().tolist() == [1, 2, 0]
    with pytest.raises(InvalidArgumentError, match="not a multiple of 4"):
        tf.io.decode_raw(b"abcde", tf.float32)
    with pytest.raises(InvalidArgumentError, match="same size"):
        tf.io.decode_raw([b"ab", b"abcd"], tf.uint8)


def test_decode_raw_v1_graph_static_shape():
    g = tf1.Graph()
    with g.as_default():
        x = tf1.placeholder(tf1.string, [None])
        y = tf1.decode_raw(x, tf1.float32)
        assert y.shape.as_list() == [None, None]
        with tf1.Session() as sess:
            np.testing.assert_array_equal(sess.run(y, {x: [b"\x00\x00\x80?"]}), [[1.0]])


def test_decode_csv_v2_argument_order():
    a, b, c = tf.io.decode_csv(tf.constant(["1,2.5,x", "3,,y"]), [[0], [1.0], [""]], ",", True, "", None, "csv")
    assert a.numpy().tolist() == [1, 3] and b.numpy().tolist() == [2.5, 1.0] and c.numpy().tolist() == [b"x", b"y"]


def test_parse_single_example_v2(tmp_path):
    ex = tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[7])),
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.5, 2.0]))}))
    spec = {"label": tf.io.FixedLenFeature([], tf.int64), "x": tf.io.FixedLenFeature([2], tf.float32)}
    got = tf.io.parse_single_example(ex.SerializeToString(), spec)
    assert got["label"].numpy() == 7 and got["x"].numpy().tolist() == [1.5, 2.0]
    batch = tf.io.parse_example([ex.SerializeToString()] * 2, spec)
    assert batch["x"].shape == (2, 2)


def test_against_tensorflow(oracle, tmp_path):
    data = [b"\x01\x02\x03\x04\x05\x06\x07\x08"] * 2
    for dt in ("int16", "float32", "uint8", "int64"):
        np.testing.assert_array_equal(tf.io.decode_raw(data, getattr(tf, dt)).numpy(),
                                      oracle.io.decode_raw(data, getattr(oracle, dt)).numpy())
    np.testing.assert_array_equal(tf.io.decode_raw(b"\x01\x02\x03", tf.int16, fixed_length=6).numpy(),
                                  oracle.io.decode_raw(b"\x01\x02\x03", oracle.int16, fixed_length=6).numpy())
    for n in ("b.txt", "a.txt", "c.csv"):
        (tmp_path / n).write_text("x")
    pat = [str(tmp_path / "*.txt"), str(tmp_path / "*.csv")]
    assert tf.io.matching_files(pat).numpy().tolist() == oracle.io.matching_files(pat).numpy().tolist()
    ex = tf.train.Example(features=tf.train.Features(feature={
        "b": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"hi"]))}))
    real = oracle.io.parse_single_example(ex.SerializeToString(), {"b": oracle.io.FixedLenFeature([], oracle.string)})
    assert real["b"].numpy() == b"hi"


def _varlen_example(vals, word=b"w"):
    return tf.train.Example(features=tf.train.Features(feature={
        "v": tf.train.Feature(int64_list=tf.train.Int64List(value=vals)),
        "s": tf.train.Feature(bytes_list=tf.train.BytesList(value=[word] * len(vals))),
        "y": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0]))})).SerializeToString()


VAR_SPEC = {"v": tf.io.VarLenFeature(tf.int64), "s": tf.io.VarLenFeature(tf.string),
            "y": tf.io.FixedLenFeature([], tf.float32)}


def test_varlen_feature_single_and_batch():
    one = tf.io.parse_single_example(_varlen_example([3, 4, 5]), VAR_SPEC)
    assert one["v"].indices.numpy().tolist() == [[0], [1], [2]] and one["v"].dense_shape.numpy().tolist() == [3]
    assert one["s"].values.numpy().tolist() == [b"w"] * 3 and one["y"].numpy() == 1.0
    batch = tf.io.parse_example([_varlen_example([3, 4]), _varlen_example([]), _varlen_example([7])], VAR_SPEC)
    assert batch["v"].indices.numpy().tolist() == [[0, 0], [0, 1], [2, 0]]
    np.testing.assert_array_equal(tf.sparse.to_dense(batch["v"]).numpy(), [[3, 4], [0, 0], [7, 0]])


def test_varlen_feature_in_dataset_map_and_v1_graph():
    ds = tf.data.Dataset.from_tensor_slices([_varlen_example([1, 2]), _varlen_example([5])])
    got = [x.numpy().tolist() for x in ds.map(lambda r: tf.io.parse_single_example(r, VAR_SPEC)["v"].values)]
    assert got == [[1, 2], [5]]
    g = tf1.Graph()
    with g.as_default():
        ser = tf1.placeholder(tf1.string, [None])
        sp = tf1.parse_example(ser, {"v": tf1.VarLenFeature(tf1.int64)})["v"]
        assert sp.indices.shape.as_list() == [None, 2]
        with tf1.Session() as sess:
            vals, shape = sess.run([sp.values, sp.dense_shape], {ser: [_varlen_example([1, 2]), _varlen_example([])]})
    assert vals.tolist() == [1, 2] and shape.tolist() == [2, 2]


def test_varlen_against_tensorflow(oracle):
    data = [_varlen_example([3, 4]), _varlen_example([]), _varlen_example([7])]
    real_spec = {"v": oracle.io.VarLenFeature(oracle.int64), "s": oracle.io.VarLenFeature(oracle.string)}
    real = oracle.io.parse_example(data, real_spec)
    mine = tf.io.parse_example(data, VAR_SPEC)
    for k in ("v", "s"):
        for part in ("indices", "values", "dense_shape"):
            assert getattr(mine[k], part).numpy().tolist() == getattr(real[k], part).numpy().tolist()
    one = oracle.io.parse_single_example(data[0], real_spec)["v"]
    mine_one = tf.io.parse_single_example(data[0], VAR_SPEC)["v"]
    assert mine_one.indices.numpy().tolist() == one.indices.numpy().tolist()
    assert mine_one.dense_shape.numpy().tolist() == one.dense_shape.numpy().tolist()
