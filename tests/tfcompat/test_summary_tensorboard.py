"""Event files written by tfcompat read back with TensorBoard's own event reader (where installed)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture
def accumulator():
    module = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")

    def load(logdir: Path):
        acc = module.EventAccumulator(str(logdir), size_guidance={module.SCALARS: 0, module.HISTOGRAMS: 0,
                                                                   module.TENSORS: 0})
        acc.Reload()
        return acc
    return load


def test_v1_file_writer_scalars_and_histograms(tmp_path: Path, accumulator) -> None:
    import tfcompat.compat.v1 as tf
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None])
        tf.summary.scalar("mean", tf.reduce_mean(x))
        tf.summary.histogram("values", x)
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
            for step in range(3):
                writer.add_summary(sess.run(merged, {x: np.arange(4, dtype=np.float32) + step}), step)
            writer.close()
    acc = accumulator(tmp_path)
    assert [(e.step, e.value) for e in acc.Scalars("mean")] == [(0, 1.5), (1, 2.5), (2, 3.5)]
    hist = acc.Histograms("values")
    assert [h.step for h in hist] == [0, 1, 2]
    assert hist[0].histogram_value.num == 4 and hist[0].histogram_value.max == 3.0


def test_v2_create_file_writer(tmp_path: Path, accumulator) -> None:
    import tfcompat as tf
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        for step in range(2):
            tf.summary.scalar("loss", 0.5 / (step + 1), step=step)
    writer.flush()
    acc = accumulator(tmp_path)
    assert [e.step for e in acc.Tensors("loss")] == [0, 1]
    from tensorboard.util import tensor_util
    got = [float(tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors("loss")]
    np.testing.assert_allclose(got, [0.5, 0.25])
