"""Image summaries of float data (native/summary_images.py): TF1 rescaled each float image to 0..255 itself, so
the converted summary writes `tf1_image_pixels(images)`, and the event files hold the same pixels, image by image,
with `max_outputs` kept. Also: a Python value read from static shapes while the graph is built stays Python (the
TensorBoard embedding projector: tests/upgrader/test_native_projector.py)."""
from __future__ import annotations

import sys
from pathlib import Path

from tests import warm_python
from tests.upgrader.multi_file import run_old_and_new
from upgrader.engine import upgrade_source

MAIN = '''import numpy as np
import tensorflow as tf

xs = np.linspace(-1, 1, 6 * 16).reshape(6, 16).astype(np.float32)
x = tf.placeholder(tf.float32, [None, 16])
w = tf.Variable(np.linspace(-0.2, 0.3, 16 * 16).reshape(16, 16).astype(np.float32))
out = tf.matmul(x, w)
loss = tf.reduce_mean(tf.square(out - x))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
tf.summary.image('noisy', tf.reshape(x, (-1, 4, 4, 1)), max_outputs=5)
tf.summary.image('rebuilt', tf.reshape(tf.abs(out), (-1, 4, 4, 1)))
merged = tf.summary.merge_all()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter('logs')
    for i in range(2):
        _, s = sess.run([train_op, merged], {x: xs})
        writer.add_summary(s, i)
    writer.close()
    print("%.5f" % sess.run(loss, {x: xs}))
'''
# (step, tag, image index, pixels) of every image in a log folder: TF1 wrote 'noisy/image/3', TF2 'noisy' with a list
READ = '''import glob, sys
import numpy as np
import tensorflow as tf
rows = []
for f in sorted(glob.glob(sys.argv[1] + '/events*')):
    for e in tf.compat.v1.train.summary_iterator(f):
        for v in e.summary.value:
            if v.HasField('image'):
                tag, _, i = v.tag.rpartition('/image/')
                rows.append((e.step, tag, int(i), tf.io.decode_png(v.image.encoded_image_string).numpy().tolist()))
            elif v.metadata.plugin_data.plugin_name == 'images':
                for i, png in enumerate(tf.make_ndarray(v.tensor)[2:]):
                    rows.append((e.step, v.tag, i, tf.io.decode_png(png).numpy().tolist()))
for row in sorted(rows):
    print(*row)
'''


def _images(folder: Path) -> str:
    out = warm_python.run([sys.executable, "-c", READ, str(folder / "logs")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-1500:]
    return out.stdout


def test_float_images_are_written_with_the_pixels_tf1_wrote(tmp_path: Path, oracle) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": MAIN})
    assert tf1.stdout == tf2.stdout
    code = (tmp_path / "new" / "main.py").read_text()
    assert "(lambda tag, data, step: tf.summary.image(tag, data, step, max_outputs=5), 'noisy', " \
           "tf1_image_pixels(tf.reshape(x, (-1, 4, 4, 1))))" in code
    assert "(tf.summary.image, 'rebuilt', tf1_image_pixels(" in code and code.count("def tf1_image_pixels") == 1
    old = _images(tmp_path / "old")
    assert old.count("noisy") == 10 and old.count("rebuilt") == 6   # 5 and 3 images a step
    assert _images(tmp_path / "new") == old
    (tmp_path / "new" / "logs").rename(tmp_path / "tf2_logs")
    ours = warm_python.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", "main.py"], cwd=tmp_path / "new",
                           capture_output=True, text=True, timeout=300)
    assert ours.returncode == 0 and ours.stdout == tf1.stdout, ours.stderr[-1500:]
    assert _images(tmp_path / "new") == old


def test_a_value_read_from_static_shapes_stays_python() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None, 3])\n"
            "h = tf.layers.dense(x, 4)\ndims = (5, h.get_shape()[1])\nemb = tf.Variable(tf.zeros(dims))\n"
            "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
            "    print(sess.run(h, {x: np.ones((1, 3))}).shape, sess.run(emb).shape)\n")
    result = upgrade_source(code, "native")
    assert not [d.message for d in result.warnings if d.rule == "native"]
    assert "dims = (5, tf.function(h).get_concrete_function(tf.TensorSpec([None, 3], tf.float32)).output_shapes[1])" \
           in result.code and "emb = tf.Variable(tf.zeros(dims))" in result.code


DATASET_SHAPE = '''import numpy as np
import tensorflow as tf

data = tf.data.Dataset.from_tensor_slices(np.ones((4, 2, 3), np.float32)).batch(2)
it = data.make_initializable_iterator()
img = it.get_next()
pooled = tf.reduce_max(img, axis=1)
width = pooled.shape[1]
flat = tf.reshape(pooled, [-1, width])
with tf.Session() as sess:
    sess.run(it.initializer)
    print(sess.run(flat).shape)
'''


def test_a_shape_read_of_a_dataset_elements_tensor_stays_a_tensor_and_converts() -> None:
    """`width = pooled.shape[1]` on a tensor of a dataset element cannot be traced from placeholder specs (the
    element is passed as it comes): the value stays a function of the inputs, as before static shapes stayed
    Python (07_convnet_layers fell back on it)."""
    from upgrader.engine import upgrade_source
    result = upgrade_source(DATASET_SHAPE, "native")
    blocked = [d.message for d in result.warnings if d.rule == "native"]
    assert not blocked and "Session" not in result.code, blocked
