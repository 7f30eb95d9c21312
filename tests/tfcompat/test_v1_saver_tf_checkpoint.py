"""`tf.compat.v1.train.Saver.restore` reads checkpoints written by real TensorFlow 1-style Savers.

The checkpoint in `fixtures/io/v1_saver/` was written by `tests/tfcompat/make_tf_checkpoint.py`
(two saves: global_step 7, then 8); no TensorFlow is needed to run these tests.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

import tfcompat.compat.v1 as tf1

from .make_tf_checkpoint import VALUES

CKPT = Path(__file__).resolve().parents[2] / "fixtures" / "io" / "v1_saver"


def _restore(path: str, names: list[str], var_list: object = None) -> dict:
    with tf1.Graph().as_default():
        vs = {n: tf1.Variable(np.zeros_like(VALUES[n]) if VALUES[n].dtype != object else
                              np.array([b""] * len(VALUES[n]), dtype=object), name=n) for n in names}
        saver = tf1.train.Saver(var_list if var_list is not None else list(vs.values()))
        with tf1.Session() as sess:
            saver.restore(sess, path)
            return {n: sess.run(v) for n, v in vs.items()}


def test_restore_every_dtype_from_a_tensorflow_checkpoint() -> None:
    got = _restore(str(CKPT / "model.ckpt-1"), list(VALUES))
    for name, want in VALUES.items():
        assert got[name].dtype == want.dtype, name
        np.testing.assert_array_equal(got[name], want)


def test_latest_checkpoint_and_var_list_dict() -> None:
    latest = tf1.train.latest_checkpoint(str(CKPT))
    assert latest is not None and latest.endswith("model.ckpt-2")
    with tf1.Graph().as_default():
        step = tf1.Variable(np.int64(0), name="my_step")
        kernel = tf1.get_variable("k", [3, 4])
        saver = tf1.train.Saver({"global_step": step, "dense/kernel": kernel})
        with tf1.Session() as sess:
            saver.restore(sess, latest)
            assert sess.run(step) == 8
            np.testing.assert_allclose(sess.run(kernel), VALUES["dense/kernel"])
