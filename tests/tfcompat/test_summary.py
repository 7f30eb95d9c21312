"""Event files and summaries: our reader, and TensorFlow's own reader and summary ops as oracle."""
from __future__ import annotations

import glob
import struct
import zlib

import numpy as np
import pytest

import tfcompat as tf
from runtime.errors import DataLossError, InvalidArgumentError
from tfcompat._impl.io import summary_proto as sp
from tfcompat._impl.io.events import EventFileWriter, encode_record, read_events, tf_record_iterator
from tfcompat._impl.io.summary_v2 import histogram_buckets


def _decode_png(data: bytes) -> np.ndarray:
    """Just enough PNG decoding for our own unfiltered output."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        chunks[kind] = chunks.get(kind, b"") + data[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, _, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    c = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + w * c)
    assert not rows[:, 0].any()
    return rows[:, 1:].reshape(h, w, c)


def _v1_file(tmp_path) -> str:
    with EventFileWriter(str(tmp_path), filename_suffix=".test") as w:
        w.add_summary(sp.summary([sp.scalar_value("loss", 0.25), sp.histogram_value("w", [1.0, 2.0, 2.5, -3.0])]), 5)
        w.add_summary(sp.summary(sp.image_values("img", np.arange(24, dtype=np.uint8).reshape(1, 2, 4, 3))), 6)
        w.add_summary(sp.summary([sp.text_value("note", "hi")]), 7)
        w.add_graph(b"\n\x05\n\x01a\x12\x00", 0)  # a GraphDef with one node named "a" of op ""
        path = w.get_filename()
    return path


def test_record_framing_and_corruption(tmp_path) -> None:
    (tmp_path / "r").write_bytes(encode_record(b"abc") + encode_record(b""))
    assert list(tf_record_iterator(str(tmp_path / "r"))) == [b"abc", b""]
    bad = bytearray(encode_record(b"abc"))
    bad[13] ^= 1
    (tmp_path / "r").write_bytes(bytes(bad))
    with pytest.raises(DataLossError, match="corrupted record"):
        list(tf_record_iterator(str(tmp_path / "r")))


def test_event_file_read_back(tmp_path) -> None:
    path = _v1_file(tmp_path)
    assert path.split("/")[-1].startswith("events.out.tfevents.") and path.endswith(".test")
    events = list(read_events(path))
    assert events[0]["file_version"] == "brain.Event:2"
    assert [e["step"] for e in events[1:]] == [5, 6, 7, 0]
    loss, histo = events[1]["summary"]
    assert loss == {"tag": "loss", "simple_value": 0.25}
    assert histo["histo"]["num"] == 4 and histo["histo"]["min"] == -3.0 and sum(histo["histo"]["bucket"]) == 4
    image = events[2]["summary"][0]
    assert image["tag"] == "img/image/0" and image["image"]["height"] == 2
    np.testing.assert_array_equal(_decode_png(image["image"]["encoded_image_string"]),
                                  np.arange(24, dtype=np.uint8).reshape(2, 4, 3))
    assert events[3]["summary"][0]["plugin_name"] == "text" and events[4]["graph_def"].startswith(b"\n\x05")


def test_merge_rejects_duplicate_tags() -> None:
    one = sp.summary([sp.scalar_value("a", 1)])
    assert sp.merge_summaries([one, sp.summary([sp.scalar_value("b", 2)])]).count(b"\n") >= 2
    with pytest.raises(InvalidArgumentError, match="Duplicate tag a"):
        sp.merge_summaries([one, one])


def test_float_images_scaled_like_tensorflow() -> None:
    imgs = sp.to_uint8_images(np.array([[[[0.0], [0.5]]], [[[-1.0], [1.0]]]]))
    assert imgs[0].ravel().tolist() == [0, 255] and imgs[1].ravel().tolist() == [1, 255]


def test_v2_api_needs_writer_and_step(tmp_path) -> None:
    assert not bool(tf.summary.scalar("x", 1.0, step=1))   # no default writer: nothing recorded
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        with pytest.raises(ValueError, match="No step set"):
            tf.summary.scalar("x", 1.0)
        with tf.summary.record_if(False):
            assert not bool(tf.summary.scalar("skipped", 1.0, step=1))
        tf.summary.experimental.set_step(4)
        assert bool(tf.summary.scalar("x", 2.0))
    tf.summary.experimental.set_step(None)
    events = list(read_events(glob.glob(str(tmp_path / "*"))[0]))
    assert [(e["step"], e["summary"][0]["tag"]) for e in events[1:]] == [(4, "x")]


def test_v2_histogram_buckets() -> None:
    b = histogram_buckets([0.0, 1.0, 1.0, 3.0], 3)
    np.testing.assert_allclose(b, [[0, 1, 1], [1, 2, 2], [2, 3, 1]])
    assert histogram_buckets([2.0, 2.0], 2).tolist() == [[2, 2, 0], [2, 2, 2]]


@pytest.mark.oracle
def test_tensorflow_reads_our_event_files(oracle, tmp_path) -> None:
    path = _v1_file(tmp_path / "v1")
    events = list(oracle.compat.v1.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    assert events[1].step == 5 and events[1].summary.value[0].simple_value == 0.25
    histo = events[1].summary.value[1].histo
    assert (histo.num, histo.min, histo.max, sum(histo.bucket)) == (4, -3.0, 2.5, 4)
    png = events[2].summary.value[0].image.encoded_image_string
    np.testing.assert_array_equal(oracle.io.decode_png(png).numpy(), np.arange(24, dtype=np.uint8).reshape(2, 4, 3))
    assert oracle.make_ndarray(events[3].summary.value[0].tensor).tolist() == b"hi"
    assert len(events[4].graph_def) == 7

    writer = tf.summary.create_file_writer(str(tmp_path / "v2"))
    with writer.as_default(step=2):
        tf.summary.scalar("loss", 1.5, description="training loss")
        tf.summary.histogram("w", np.arange(10.0), buckets=4)
        tf.summary.image("img", np.ones((1, 3, 2, 1)) * 0.5)
        tf.summary.text("t", ["a", "bc"])
    writer.close()
    (v2_file,) = glob.glob(str(tmp_path / "v2" / "*.v2"))
    values = {e.summary.value[0].tag: e.summary.value[0] for e in
              oracle.compat.v1.train.summary_iterator(v2_file) if e.summary.value}
    assert oracle.make_ndarray(values["loss"].tensor) == np.float32(1.5)
    assert values["loss"].metadata.plugin_data.plugin_name == "scalars"
    assert values["loss"].metadata.summary_description == "training loss"
    np.testing.assert_allclose(oracle.make_ndarray(values["w"].tensor), histogram_buckets(np.arange(10.0), 4))
    blob = oracle.make_ndarray(values["img"].tensor)
    assert blob[:2].tolist() == [b"2", b"3"]
    assert oracle.io.decode_png(blob[2]).numpy().ravel().tolist() == [127] * 6
    assert oracle.make_ndarray(values["t"].tensor).tolist() == [b"a", b"bc"]


@pytest.mark.oracle
def test_v1_histogram_and_image_match_tensorflow_ops(oracle) -> None:
    from tensorflow.core.framework import summary_pb2  # noqa: PLC0415
    data = np.array([0.0, 1e-13, -2.5, 3.0, 3.0, 1e5, -7e-3], np.float32)
    theirs = summary_pb2.Summary.FromString(oracle.compat.v1.summary.histogram("h", data).numpy()).value[0].histo
    ours = summary_pb2.HistogramProto.FromString(sp.histogram_proto(data))
    assert list(ours.bucket_limit) == list(theirs.bucket_limit) and list(ours.bucket) == list(theirs.bucket)
    assert (ours.min, ours.max, ours.num) == (theirs.min, theirs.max, theirs.num)
    np.testing.assert_allclose([ours.sum, ours.sum_squares], [theirs.sum, theirs.sum_squares], rtol=1e-6)
    images = np.random.default_rng(0).normal(size=(2, 3, 4, 3)).astype(np.float32)
    with oracle.Graph().as_default(), oracle.compat.v1.Session() as sess:  # NOTE: ImageSummary is graph-only
        theirs = summary_pb2.Summary.FromString(sess.run(oracle.compat.v1.summary.image("im", images)))
    ours = summary_pb2.Summary.FromString(sp.summary(sp.image_values("im", images)))
    assert [v.tag for v in ours.value] == [v.tag for v in theirs.value]
    for a, b in zip(ours.value, theirs.value):
        np.testing.assert_array_equal(oracle.io.decode_png(a.image.encoded_image_string).numpy(),
                                      oracle.io.decode_png(b.image.encoded_image_string).numpy())
