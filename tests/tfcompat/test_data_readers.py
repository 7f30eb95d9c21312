"""tf.data.TFRecordDataset / FixedLengthRecordDataset: records written by tfcompat and by TF 2.21 read alike."""
from __future__ import annotations

import gzip

import numpy as np
import pytest

import tfcompat as tf
import tfcompat.compat.v1 as tf1
from runtime.errors import DataLossError, InvalidArgumentError, NotFoundError


def _example(i: int) -> bytes:
    return tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i])),
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[i / 2, -i]))})).SerializeToString()


def _write(path, records):
    with tf.io.TFRecordWriter(str(path)) as w:
        for r in records:
            w.write(r)


SPEC = {"label": tf.io.FixedLenFeature([], tf.int64), "x": tf.io.FixedLenFeature([2], tf.float32)}


def test_tfrecord_dataset_parse_batch(tmp_path):
    _write(tmp_path / "a.tfrecord", [_example(i) for i in range(3)])
    _write(tmp_path / "b.tfrecord", [_example(i) for i in range(3, 5)])
    ds = tf.data.TFRecordDataset([str(tmp_path / "a.tfrecord"), str(tmp_path / "b.tfrecord")])
    assert ds.element_spec.shape == () and ds.element_spec.dtype == tf.string
    batches = list(ds.map(lambda r: tf.io.parse_single_example(r, SPEC)).batch(2))
    assert [b["label"].numpy().tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    np.testing.assert_array_equal(batches[0]["x"].numpy(), [[0, 0], [0.5, -1]])


def test_interleave_files_and_v1_iterator(tmp_path):
    for k in range(2):
        _write(tmp_path / f"{k}.tfrecord", [b"r%d%d" % (k, i) for i in range(2)])
    files = tf.data.Dataset.from_tensor_slices([str(tmp_path / "0.tfrecord"), str(tmp_path / "1.tfrecord")])
    got = [r.numpy() for r in files.interleave(tf.data.TFRecordDataset, cycle_length=2)]
    assert got == [b"r00", b"r10", b"r01", b"r11"]
    g = tf1.Graph()
    with g.as_default():
        nxt = tf1.data.make_one_shot_iterator(tf1.data.TFRecordDataset(str(tmp_path / "0.tfrecord"))).get_next()
        with tf1.Session() as sess:
            assert [sess.run(nxt), sess.run(nxt)] == [b"r00", b"r01"]


def test_compression_and_errors(tmp_path):
    _write(tmp_path / "plain", [b"one", b"two"])
    (tmp_path / "z.gz").write_bytes(gzip.compress((tmp_path / "plain").read_bytes()))
    assert [r.numpy() for r in tf.data.TFRecordDataset(str(tmp_path / "z.gz"), "GZIP")] == [b"one", b"two"]
    bad = bytearray((tmp_path / "plain").read_bytes())
    bad[14] ^= 1
    (tmp_path / "bad").write_bytes(bytes(bad))
    with pytest.raises(DataLossError):
        list(tf.data.TFRecordDataset(str(tmp_path / "bad")))
    with pytest.raises(NotFoundError):
        list(tf.data.TFRecordDataset(str(tmp_path / "missing")))


def test_fixed_length_records(tmp_path):
    (tmp_path / "f.bin").write_bytes(b"HH" + bytes(range(12)) + b"F")
    ds = tf.data.FixedLengthRecordDataset(str(tmp_path / "f.bin"), 4, header_bytes=2, footer_bytes=1)
    rows = [tf.io.decode_raw(r, tf.uint8).numpy().tolist() for r in ds]
    assert rows == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    with pytest.raises(DataLossError, match="not an exact multiple"):
        list(tf.data.FixedLengthRecordDataset(str(tmp_path / "f.bin"), 5, header_bytes=2, footer_bytes=1))


def test_against_tensorflow(oracle, tmp_path):
    _write(tmp_path / "mine.tfrecord", [_example(i) for i in range(4)])
    with oracle.io.TFRecordWriter(str(tmp_path / "real.tfrecord")) as w:
        for i in range(4):
            w.write(_example(i))
    for name in ("mine.tfrecord", "real.tfrecord"):
        path = str(tmp_path / name)
        mine = [r.numpy() for r in tf.data.TFRecordDataset(path)]
        assert mine == [r.numpy() for r in oracle.data.TFRecordDataset(path)]
    (tmp_path / "f.bin").write_bytes(bytes(range(50)))
    args = (str(tmp_path / "f.bin"), 7, 3, 5)
    assert [r.numpy() for r in tf.data.FixedLengthRecordDataset(*args)] == \
        [r.numpy() for r in oracle.data.FixedLengthRecordDataset(*args)]


def test_list_files(tmp_path):
    for n in ("b.png", "a.png", "c.txt"):
        (tmp_path / n).write_bytes(b"x")
    ordered = [f.numpy() for f in tf.data.Dataset.list_files(str(tmp_path / "*.png"), shuffle=False)]
    assert ordered == [str(tmp_path / "a.png").encode(), str(tmp_path / "b.png").encode()]
    shuffled = [f.numpy() for f in tf.data.Dataset.list_files([str(tmp_path / "*.png"), str(tmp_path / "*.txt")])]
    assert sorted(shuffled) == sorted(ordered + [str(tmp_path / "c.txt").encode()])
    with pytest.raises(InvalidArgumentError, match="No files matched pattern"):
        tf.data.Dataset.list_files(str(tmp_path / "*.jpg"))


def test_list_files_against_tensorflow(oracle, tmp_path):
    for n in ("b.png", "a.png", "c.png"):
        (tmp_path / n).write_bytes(b"x")
    pat = str(tmp_path / "*.png")
    assert [f.numpy() for f in tf.data.Dataset.list_files(pat, shuffle=False)] == \
        [f.numpy() for f in oracle.data.Dataset.list_files(pat, shuffle=False)]


@pytest.mark.parametrize("kind", ["", "ZLIB", "GZIP"])
def test_compressed_writer_and_readers(tmp_path, kind):
    path = str(tmp_path / "c.tfrecord")
    with tf.io.TFRecordWriter(path, tf.io.TFRecordOptions(compression_type=kind)) as w:
        for r in (b"a", b"bb", b"ccc"):
            w.write(r)
    assert [r.numpy() for r in tf.data.TFRecordDataset(path, compression_type=kind)] == [b"a", b"bb", b"ccc"]
    assert list(tf1.io.tf_record_iterator(path, tf1.io.TFRecordOptions(kind))) == [b"a", b"bb", b"ccc"]
    with tf.io.TFRecordWriter(path, kind) as w:
        w.write(b"z")
    raw = tf.io.read_file(path)
    assert tf.io.decode_compressed(raw, kind).numpy()[12:13] == b"z"  # after the 12-byte record header


@pytest.mark.parametrize("kind", ["ZLIB", "GZIP"])
def test_compressed_against_tensorflow(oracle, tmp_path, kind):
    mine, real = str(tmp_path / "mine"), str(tmp_path / "real")
    with tf.io.TFRecordWriter(mine, kind) as w:
        w.write(b"from tfcompat")
    with oracle.io.TFRecordWriter(real, kind) as w:
        w.write(b"from tensorflow")
    assert [r.numpy() for r in oracle.data.TFRecordDataset(mine, kind)] == [b"from tfcompat"]
    assert [r.numpy() for r in tf.data.TFRecordDataset(real, kind)] == [b"from tensorflow"]
    data = open(real, "rb").read()
    assert tf.io.decode_compressed(data, kind).numpy() == oracle.io.decode_compressed(data, kind).numpy()
