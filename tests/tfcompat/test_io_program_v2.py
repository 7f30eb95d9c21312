"""A TF2 input-pipeline program (the shape converted TF1 queue pipelines take) run with
`tfcompat run --api v2` prints what TensorFlow 2.21 prints for it; the output recorded from
TensorFlow is checked always, and re-derived from TensorFlow where it is installed."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests import warm_python
from tests.output_compare import differences

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = '''
import os, sys
import numpy as np
import tensorflow as tf

out = sys.argv[1]
y, x = np.mgrid[0:24, 0:32]
img = np.stack([x * 7 % 256, y * 11 % 256, (x * y) % 256], -1).astype(np.uint8)
for i in range(3):
    tf.io.write_file(os.path.join(out, "img%d.jpg" % i), tf.io.encode_jpeg(np.roll(img, i, 1), quality=90))
    tf.io.write_file(os.path.join(out, "img%d.png" % i), tf.io.encode_png(np.roll(img, i, 0)))
files = tf.io.matching_files(os.path.join(out, "img*.jpg"))
print("files", [os.path.basename(f.decode()) for f in files.numpy()])

with tf.io.TFRecordWriter(os.path.join(out, "train.tfrecord")) as w:
    for i, f in enumerate(files.numpy()):
        ex = tf.train.Example(features=tf.train.Features(feature={
            "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[tf.io.read_file(f).numpy()])),
            "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i])),
            "tags": tf.train.Feature(int64_list=tf.train.Int64List(value=list(range(i))))}))
        w.write(ex.SerializeToString())

spec = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64),
        "tags": tf.io.VarLenFeature(tf.int64)}

def parse(record):
    ex = tf.io.parse_single_example(record, spec)
    image = tf.image.convert_image_dtype(tf.io.decode_jpeg(ex["image"], channels=3), tf.float32)
    return image, ex["label"], tf.sparse.to_dense(ex["tags"])[:1]

ds = tf.data.TFRecordDataset(os.path.join(out, "train.tfrecord")).map(parse)
for image, label, tag in ds:
    print("jpeg", label.numpy(), image.shape, "%.6f" % float(tf.reduce_sum(image)), tag.numpy().tolist())

pngs = tf.data.Dataset.list_files(os.path.join(out, "img*.png"), shuffle=False).map(
    lambda p: tf.io.decode_image(tf.io.read_file(p), channels=1, expand_animations=False))
print("png", [int(tf.reduce_sum(tf.cast(p, tf.int32))) for p in pngs])

with open(os.path.join(out, "records.bin"), "wb") as f:
    f.write(bytes(range(1, 5)) + np.arange(12, dtype=np.uint8).tobytes())
rec = tf.data.FixedLengthRecordDataset(os.path.join(out, "records.bin"), 4, header_bytes=4)
print("raw", [tf.io.decode_raw(r, tf.uint8).numpy().tolist() for r in rec])

with open(os.path.join(out, "rows.csv"), "w") as f:
    f.write("1,2.5,a\\n3,,b\\n")
rows = tf.data.TextLineDataset(os.path.join(out, "rows.csv")).map(
    lambda line: tf.io.decode_csv(line, [[0], [0.5], [""]]))
print("csv", [(int(a), float(b), c.numpy().decode()) for a, b, c in rows])
'''

# Recorded from TensorFlow 2.21 (`python prog.py DIR`).
EXPECTED = """\
files ['img0.jpg', 'img1.jpg', 'img2.jpg']
jpeg 0 (24, 32, 3) 986.474548 []
jpeg 1 (24, 32, 3) 986.588379 [0]
jpeg 2 (24, 32, 3) 985.827515 [0]
png [89866, 89866, 89866]
raw [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
csv [(1, 2.5, 'a'), (3, 0.5, 'b')]
"""


def _run(cmd: list[str], tmp: Path) -> str:
    (tmp / "prog.py").write_text(PROGRAM)
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    run = warm_python.run(cmd + ["prog.py", str(tmp)], cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    return run.stdout


def test_pipeline_program_prints_what_tensorflow_printed(tmp_path):
    pytest.importorskip("PIL", reason="image codecs need Pillow: pip install pillow")
    got = _run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2"], tmp_path)
    problem = differences(EXPECTED, got)
    assert problem is None, f"{problem}\n--- stdout ---\n{got}"


def test_recording_is_what_tensorflow_prints(oracle, tmp_path):
    assert differences(EXPECTED, _run([sys.executable], tmp_path)) is None
