"""Checkpoint bundles: our reader on TensorFlow's files, TensorFlow's reader on ours."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf
import tfcompat.compat.v1 as v1
from runtime.errors import DataLossError, NotFoundError
from tests.conftest import FIXTURES
from tests.tfcompat.make_tf_checkpoint import VALUES
from tfcompat._impl.io import crc32c, snappy
from tfcompat._impl.io.bundle import BundleReader, read_bundle, write_bundle
from tfcompat._impl.io.checkpoint_state import parse_checkpoint_state, update_checkpoint_state
from tfcompat._impl.io.table import read_table, write_table

SAVER = FIXTURES / "io" / "v1_saver"
MIXED = {"a/w": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array(-3, np.int64),
         "c": np.array([b"x", b"", "\u00fc".encode()], dtype=object), "d": np.zeros((0, 4), np.float64),
         "e": np.array([[True], [False]]), "f": np.array([1 + 2j], np.complex64)}


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tolist() == b.tolist()


def test_crc32c_known_values() -> None:
    assert crc32c.value(b"123456789") == 0xE3069283
    assert crc32c.value(b"\x00" * 32) == 0x8A9136AA
    data = bytes(range(256)) * 400
    assert crc32c.value(data) == crc32c._raw(0xFFFFFFFF, data) ^ 0xFFFFFFFF  # chunked path = table loop
    assert crc32c.unmask(crc32c.mask(0xDEADBEEF)) == 0xDEADBEEF


def test_snappy_literal_and_copy() -> None:
    # "abcabcabcX": literal "abc", copy(offset 3, length 6), literal "X"
    block = b"\x0a" + b"\x08abc" + bytes([((6 - 4) << 2) | 1, 3]) + b"\x00X"
    assert snappy.decompress(block) == b"abcabcabcX"


def test_table_round_trip_many_blocks(tmp_path) -> None:
    items = [(f"key{i:05d}".encode(), bytes([i % 256]) * (i % 7)) for i in range(500)]
    write_table(str(tmp_path / "t"), items, block_size=256)
    assert list(read_table(str(tmp_path / "t"))) == items


def test_table_detects_corruption(tmp_path) -> None:
    write_table(str(tmp_path / "t"), [(b"a", b"1" * 50)])
    data = bytearray((tmp_path / "t").read_bytes())
    data[5] ^= 0xFF
    (tmp_path / "t").write_bytes(bytes(data))
    with pytest.raises(DataLossError, match="checksum"):
        list(read_table(str(tmp_path / "t")))


def test_bundle_round_trip(tmp_path) -> None:
    write_bundle(str(tmp_path / "m"), MIXED)
    back = read_bundle(str(tmp_path / "m"))
    assert sorted(back) == sorted(MIXED)
    for name in MIXED:
        _same(back[name], MIXED[name])


def test_reads_tensorflow_v1_saver_fixture() -> None:
    back = read_bundle(str(SAVER / "model.ckpt-1"))
    assert sorted(back) == sorted(VALUES)
    for name, value in VALUES.items():
        _same(back[name], value)
    assert read_bundle(str(SAVER / "model.ckpt-2"))["global_step"] == 8


def test_reads_tensorflow_object_checkpoint_fixture() -> None:
    path = tf.train.latest_checkpoint(str(FIXTURES / "io" / "object_ckpt"))
    assert path.endswith("ckpt-1")
    names = dict(tf.train.list_variables(path))
    assert names["w/.ATTRIBUTES/VARIABLE_VALUE"] == [3, 4] and "_CHECKPOINTABLE_OBJECT_GRAPH" in names
    np.testing.assert_array_equal(tf.train.load_variable(path, "w/.ATTRIBUTES/VARIABLE_VALUE"),
                                  VALUES["dense/kernel"])


def test_checkpoint_state_helpers() -> None:
    state = tf.train.get_checkpoint_state(str(SAVER))
    assert state.model_checkpoint_path == str(SAVER / "model.ckpt-2")
    assert state.all_model_checkpoint_paths == [str(SAVER / "model.ckpt-1"), str(SAVER / "model.ckpt-2")]
    assert v1.train.latest_checkpoint(str(SAVER)) == str(SAVER / "model.ckpt-2")
    assert v1.train.checkpoint_exists(str(SAVER / "model.ckpt-1"))
    assert not v1.train.checkpoint_exists(str(SAVER / "model.ckpt-9"))
    reader = tf.train.load_checkpoint(str(SAVER))
    assert reader.get_variable_to_shape_map()["dense/kernel"] == [3, 4]
    assert reader.get_variable_to_dtype_map()["global_step"] == tf.int64
    assert v1.train.load_variable(str(SAVER), "scale:0") == VALUES["scale"]
    with pytest.raises(NotFoundError, match="Key nope not found"):
        reader.get_tensor("nope")


def test_missing_checkpoint_errors(tmp_path) -> None:
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        tf.train.load_checkpoint(str(tmp_path))
    with pytest.raises(NotFoundError, match="Failed to find any matching files"):
        v1.train.NewCheckpointReader(str(tmp_path / "nothing"))


def test_update_checkpoint_state(tmp_path) -> None:
    paths = [str(tmp_path / f"model.ckpt-{i}") for i in (1, 2)]
    for p in paths:
        write_bundle(p, {"x": np.ones(2, np.float32)})
    update_checkpoint_state(str(tmp_path), paths[1], paths[:1])
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.all_model_checkpoint_paths == paths and tf.train.latest_checkpoint(str(tmp_path)) == paths[1]
    text = 'model_checkpoint_path: "a\\303\\251\\"b"\nall_model_checkpoint_timestamps: 1.5\n'
    parsed = parse_checkpoint_state(text)
    assert parsed.model_checkpoint_path == 'a\u00e9"b' and parsed.all_model_checkpoint_timestamps == [1.5]
    assert parse_checkpoint_state(str(parsed)) == parsed


@pytest.mark.oracle
def test_tensorflow_reads_our_bundle(oracle, tmp_path) -> None:
    prefix = str(tmp_path / "ours")
    many = {f"layer_{i:03d}/kernel": np.full((2,), i, np.float32) for i in range(300)}
    write_bundle(prefix, {**MIXED, **many}, block_size=512)  # several index blocks and restart points
    reader = oracle.train.load_checkpoint(prefix)
    for name, value in {**MIXED, **many}.items():
        _same(np.asarray(reader.get_tensor(name)), value)
    assert reader.get_variable_to_dtype_map()["c"] == oracle.string


@pytest.mark.oracle
def test_tensorflow_saver_restores_ours_and_we_read_its(oracle, tmp_path) -> None:
    write_bundle(str(tmp_path / "model.ckpt-5"), {"w": MIXED["a/w"] * 2, "step": np.array(5, np.int64)})
    update_checkpoint_state(str(tmp_path), str(tmp_path / "model.ckpt-5"))
    with oracle.Graph().as_default():
        w = oracle.compat.v1.Variable(np.zeros((2, 3), np.float32), name="w")
        step = oracle.compat.v1.Variable(np.int64(0), name="step")
        saver = oracle.compat.v1.train.Saver()
        with oracle.compat.v1.Session() as sess:
            saver.restore(sess, oracle.train.latest_checkpoint(str(tmp_path)))
            np.testing.assert_array_equal(sess.run(w), MIXED["a/w"] * 2)
            assert sess.run(step) == 5
            sess.run(w.assign(w * 3))
            saver.save(sess, str(tmp_path / "model.ckpt"), global_step=6, write_meta_graph=False)
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-6")
    np.testing.assert_array_equal(read_bundle(str(tmp_path / "model.ckpt-6"))["w"], MIXED["a/w"] * 6)
