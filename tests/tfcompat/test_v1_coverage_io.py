"""TF1 Example protos, TFRecord files and parse_single_example/parse_example, checked against TF 2.21
compat.v1 (values recorded with oracle/run_as_tf.py v1); a file TensorFlow wrote is read back."""
from __future__ import annotations

import pytest

import tfcompat.compat.v1 as tf

def _example() -> bytes:
    return tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[3])),
        "img": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5, 1.5, -2.0, 4.0])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"cat"])),
        "neg": tf.train.Feature(int64_list=tf.train.Int64List(value=[-7, 1 << 40]))})).SerializeToString()

SPEC = {"label": ("FixedLenFeature", [], "int64"), "img": ("FixedLenFeature", [2, 2], "float32"),
        "name": ("FixedLenFeature", [], "string")}

def _spec():
    spec = {k: tf.FixedLenFeature(shape, getattr(tf, dt)) for k, (_, shape, dt) in SPEC.items()}
    spec["miss"] = tf.FixedLenFeature([2], tf.int64, default_value=[9, 9])
    return spec

def test_example_roundtrip_and_tfrecord_file(tmp_path) -> None:
    data = _example()
    back = tf.train.Example.FromString(data)
    assert back.features.feature["img"].float_list.value == [0.5, 1.5, -2.0, 4.0]
    assert back.features.feature["neg"].int64_list.value == [-7, 1 << 40]
    path = str(tmp_path / "t.tfrecord")
    with tf.python_io.TFRecordWriter(path) as w:
        w.write(data)
        w.write(data)
    recs = list(tf.python_io.tf_record_iterator(path))
    assert recs == [data, data]

def test_parse_single_example_and_parse_example_in_a_graph() -> None:
    data = _example()
    with tf.Graph().as_default():
        s = tf.placeholder(tf.string, [])
        sb = tf.placeholder(tf.string, [None])
        p = tf.parse_single_example(s, _spec())
        pb = tf.io.parse_example(sb, _spec())
        assert p["img"].shape.as_list() == [2, 2] and pb["img"].shape.as_list() == [None, 2, 2]
        with tf.Session() as sess:
            r = sess.run(p, {s: data})
            assert r["label"] == 3 and r["img"].tolist() == [[0.5, 1.5], [-2.0, 4.0]]
            assert r["name"] == b"cat" and r["miss"].tolist() == [9, 9]
            rb = sess.run(pb, {sb: [data, data]})
            assert rb["label"].tolist() == [3, 3] and rb["img"].shape == (2, 2, 2)
            with pytest.raises(tf.errors.InvalidArgumentError, match="Feature: zz .*is required"):
                sess.run(tf.parse_single_example(s, {"zz": tf.FixedLenFeature([], tf.int64)}), {s: data})
            with pytest.raises(tf.errors.InvalidArgumentError, match="Values size: 4 but output shape: \\[3\\]"):
                sess.run(tf.parse_single_example(s, {"img": tf.FixedLenFeature([3], tf.float32)}), {s: data})

def test_reads_a_file_tensorflow_wrote(tmp_path) -> None:
    tf_real = pytest.importorskip("tensorflow")
    path = str(tmp_path / "tf.tfrecord")
    with tf_real.io.TFRecordWriter(path) as w:
        w.write(_example())
    (rec,) = tf.python_io.tf_record_iterator(path)
    real = tf_real.train.Example.FromString(rec)
    assert list(real.features.feature["neg"].int64_list.value) == [-7, 1 << 40]
    assert tf.train.Example.FromString(rec).features.feature["name"].bytes_list.value == [b"cat"]
