"""Write the small TensorFlow-made checkpoints in fixtures/io/ (run once, with real TensorFlow).

    /work/.venv-tf/bin/python -m tests.tfcompat.make_tf_checkpoint

`fixtures/io/v1_saver/`: a `tf.compat.v1.train.Saver` checkpoint (two steps, so the
`checkpoint` state file lists both); `fixtures/io/object_ckpt/`: a `tf.train.Checkpoint`.
Values are deterministic so the reader test can compare them exactly.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "io"

VALUES = {
    "dense/kernel": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
    "dense/bias": np.array([0.5, -1.5, 2.25, 0.0], dtype=np.float32),
    "global_step": np.array(7, dtype=np.int64),
    "scale": np.array(3.141592653589793, dtype=np.float64),
    "counts": np.array([[1, -2], [3, 2**31 - 1]], dtype=np.int32),
    "mask": np.array([True, False, True]),
    "half": np.array([1.5, -0.25], dtype=np.float16),
    "bytes": np.array([0, 255, 7], dtype=np.uint8),
    "words": np.array([b"hello", b"", "\u00e9t\u00e9".encode()], dtype=object),
}


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf  # noqa: PLC0415
    v1 = tf.compat.v1
    shutil.rmtree(OUT / "v1_saver", ignore_errors=True)
    shutil.rmtree(OUT / "object_ckpt", ignore_errors=True)
    os.chdir(OUT)  # NOTE: relative save paths make the `checkpoint` file hold relative paths
    with tf.Graph().as_default():
        variables = {name: v1.Variable(value, name=name) for name, value in VALUES.items()}
        saver = v1.train.Saver(max_to_keep=5)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, "v1_saver/model.ckpt", global_step=1, write_meta_graph=False)
            sess.run(variables["global_step"].assign(8))
            saver.save(sess, "v1_saver/model.ckpt", global_step=2, write_meta_graph=False)
    ckpt = tf.train.Checkpoint(w=tf.Variable(VALUES["dense/kernel"]), step=tf.Variable(VALUES["global_step"]))
    ckpt.save("object_ckpt/ckpt")


if __name__ == "__main__":
    main()
