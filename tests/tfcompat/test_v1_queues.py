"""TF1 queue pipelines: producers, TextLineReader, decode_csv, batch/shuffle_batch, Coordinator (vs TensorFlow)."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat.compat.v1 as tf1


def _csv(tmp_path, rows: int = 7) -> str:
    path = tmp_path / "data.csv"
    path.write_text("a,b,c\n" + "".join(f"{i},{i * 0.5},\"x{i % 3}\"\n" for i in range(rows)))
    return str(path)


def _pipeline(tf, path: str) -> list:
    """Everything a two-epoch, skip-header pipeline yields until OutOfRangeError, then the error's class name."""
    g = tf.Graph()
    got = []
    with g.as_default():
        files = tf.train.string_input_producer([path], num_epochs=2, shuffle=False)
        key, line = tf.TextLineReader(skip_header_lines=1).read(files)
        i, x, s = tf.decode_csv(line, record_defaults=[[0], [0.0], ["?"]])
        bi, bx, bs = tf.train.batch([i, x, s], batch_size=4)
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            try:
                while not coord.should_stop():
                    a, b, c = sess.run([bi, bx, bs])
                    got.append((a.tolist(), np.round(b, 4).tolist(), [v.decode() for v in c]))
            except tf.errors.OutOfRangeError as e:
                got.append(type(e).__name__)
            finally:
                coord.request_stop()
            coord.join(threads)
    return got


def test_pipeline_epochs_and_out_of_range(tmp_path) -> None:
    got = _pipeline(tf1, _csv(tmp_path))
    assert got[0] == ([0, 1, 2, 3], [0.0, 0.5, 1.0, 1.5], ["x0", "x1", "x2", "x0"])
    assert got[2] == ([1, 2, 3, 4], [0.5, 1.0, 1.5, 2.0], ["x1", "x2", "x0", "x1"])
    assert got[-1] == "OutOfRangeError" and len(got) == 4   # 14 records -> 3 full batches


def test_pipeline_matches_tensorflow(tmp_path, oracle) -> None:
    path = _csv(tmp_path)
    assert _pipeline(tf1, path) == _pipeline(oracle.compat.v1, path)


def test_decode_csv_defaults_and_errors() -> None:
    with tf1.Graph().as_default():
        recs = tf1.constant(["1,,c", "2,2.5,"])
        a, b, c = tf1.decode_csv(recs, record_defaults=[[0], [9.0], ["z"]])
        req = tf1.decode_csv(tf1.constant(",1"), record_defaults=[[], [0]])
        with tf1.Session() as sess:
            va, vb, vc = sess.run([a, b, c])
            assert va.tolist() == [1, 2] and vb.tolist() == [9.0, 2.5] and vc.tolist() == [b"c", b"z"]
            assert va.dtype == np.int32 and vb.dtype == np.float32
            with pytest.raises(tf1.errors.InvalidArgumentError, match="Field 0 is required"):
                sess.run(req)


def test_shuffle_batch_is_a_permutation_and_seeded() -> None:
    def draw() -> list:
        with tf1.Graph().as_default():
            tf1.set_random_seed(1)
            q = tf1.train.input_producer(tf1.constant(np.arange(12)), num_epochs=1, shuffle=False)
            x = q.dequeue()
            b = tf1.train.shuffle_batch([x], batch_size=4, capacity=12, min_after_dequeue=4, seed=3)
            with tf1.Session() as sess:
                tf1.train.start_queue_runners(sess)
                return [sess.run(b).tolist() for _ in range(3)]
    out = draw()
    assert sorted(sum(out, [])) == list(range(12))
    assert out == draw()


def test_fifo_queue_ops_and_coordinator() -> None:
    with tf1.Graph().as_default():
        q = tf1.FIFOQueue(10, [tf1.float32, tf1.int32], shapes=[[2], []])
        enq = q.enqueue_many([[[1.0, 2.0], [3.0, 4.0]], [7, 8]])
        x, y = q.dequeue()
        with tf1.Session() as sess:
            sess.run(enq)
            assert sess.run(q.size()) == 2
            vx, vy = sess.run([x, y])
            assert vx.tolist() == [1.0, 2.0] and vy == 7
            sess.run(q.close())
            sess.run(x)
            with pytest.raises(tf1.errors.OutOfRangeError):
                sess.run(x)
    coord = tf1.train.Coordinator()
    coord.request_stop(ValueError("boom"))
    assert coord.should_stop()
    with pytest.raises(ValueError, match="boom"):
        coord.join([])
