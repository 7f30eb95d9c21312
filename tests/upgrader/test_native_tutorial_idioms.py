"""Small TF1 tutorial idioms that native mode converts, each run as TF1 and as its conversion on TF 2.

- a helper returning a tensor and a static-shape number (`return layer_flat, num_features`), the number
  sizing the next layer's variables (native/static_returns.py);
- a streaming `tf.metrics.accuracy(...)[1]` with its local-variable initializer (rules/native_metrics.py);
- an initializable iterator over placeholders, initialised with the variables in one fed run, read until
  OutOfRangeError inside a for loop over epochs (native/datasets.py);
- a session configuration filled field by field, or given inline (native/session_options.py);
- a reader function's one-shot iterator in a program that runs its session once (native/single_pull.py).
"""
from __future__ import annotations

import ast

import pytest
from pathlib import Path

from tests.upgrader.multi_file import run_old_and_new
from upgrader.native.base import Blocked
from upgrader.native.run import upgrade_native
from upgrader.native.session_options import session_option_spans
from upgrader.native.single_pull import single_pulls
from upgrader.native.static_returns import static_return_spans
from upgrader.native.unpack import split
from upgrader.scan import collect_aliases

STATIC_RETURN = """import numpy as np
import tensorflow as tf

data = np.linspace(0.0, 1.0, 6 * 16, dtype=np.float32).reshape(6, 16)
targets = np.arange(6, dtype=np.float32).reshape(6, 1) / 6.0


def conv(x, channels):
    w = tf.Variable(tf.constant(0.1, shape=[2, 2, 1, channels]))
    return tf.nn.relu(tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME")), w


def flatten(layer):
    layer_shape = layer.get_shape()
    num_features = layer_shape[1:4].num_elements()
    return tf.reshape(layer, [-1, num_features]), num_features


def fc(x, num_inputs, num_outputs):
    w = tf.Variable(tf.constant(0.05, shape=[num_inputs, num_outputs]))
    return tf.matmul(x, w)


x = tf.placeholder(tf.float32, [None, 16])
y = tf.placeholder(tf.float32, [None, 1])
image = tf.reshape(x, [-1, 4, 4, 1])
h, w1 = conv(image, 3)
flat, n = flatten(h)
out = fc(flat, n, 1)
loss = tf.reduce_mean(tf.square(out - y))
step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
print("features", n)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(3):
        _, l = sess.run([step, loss], {x: data, y: targets})
        print(i, round(float(l), 5))
"""

METRICS = """import numpy as np
import tensorflow as tf

inputs = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], np.float32)
classes = np.array([0, 1, 1, 0], np.int32)
tf_x = tf.placeholder(tf.float32, [None, 3])
tf_y = tf.placeholder(tf.int32, [None])
kernel = tf.constant_initializer([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
logits = tf.layers.dense(tf_x, 2, kernel_initializer=kernel)
accuracy = tf.metrics.accuracy(labels=tf_y, predictions=tf.argmax(logits, axis=1))[1]
sess = tf.Session()
sess.run(tf.group(tf.global_variables_initializer(), tf.local_variables_initializer()))
for first in range(3):
    batch = slice(first, first + 2)
    print("running accuracy", sess.run(accuracy, {tf_x: inputs[batch], tf_y: classes[batch]}))
"""

ITERATOR = """import numpy as np
import tensorflow as tf

xs = np.linspace(-1.0, 1.0, 10, dtype=np.float32).reshape(10, 1)
ys = 3.0 * xs + 1.0
tfx = tf.placeholder(tf.float32, xs.shape)
tfy = tf.placeholder(tf.float32, ys.shape)
dataset = tf.data.Dataset.from_tensor_slices((tfx, tfy)).batch(4).repeat(2)
iterator = dataset.make_initializable_iterator()
bx, by = iterator.get_next()
w = tf.Variable(0.0)
loss = tf.reduce_mean(tf.square(w * bx + 1.0 - by))
train = tf.train.GradientDescentOptimizer(0.2).minimize(loss)
sess = tf.Session()
sess.run([iterator.initializer, tf.global_variables_initializer()], feed_dict={tfx: xs, tfy: ys})
for step in range(100):
    try:
        _, l = sess.run([train, loss])
        print("step", step, round(float(l), 5))
    except tf.errors.OutOfRangeError:
        print("data ended at step", step)
        break
"""

CONFIG = """import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
w = tf.Variable([[1.0], [2.0]])
y = tf.matmul(x, w) * 2.0
config = tf.ConfigProto(log_device_placement=False)
config.allow_soft_placement = True
config.gpu_options.allow_growth = True
with tf.Session(config=config) as sess:
    sess.run(tf.global_variables_initializer())
    print("y", sess.run(y, {x: np.ones((2, 2), np.float32)}).ravel().tolist())
config.gpu_options.per_process_gpu_memory_fraction = 0.5
later = tf.Session(config=config)
"""

SINGLE_PULL = """import numpy as np
import tensorflow as tf


def read_batch(values):
    dataset = tf.data.Dataset.from_tensor_slices(values).map(lambda v: v * 2.0).batch(3)
    batch = dataset.make_one_shot_iterator().get_next()
    return batch


def main():
    use_sqrt = True
    batch = read_batch(np.arange(6, dtype=np.float32))
    if use_sqrt:
        batch = tf.sqrt(batch)
    total = tf.reduce_sum(batch)
    with tf.Session() as sess:
        b, t = sess.run([batch, total])
    print("batch", np.round(b, 4).tolist(), "total", round(float(t), 4))


if __name__ == "__main__":
    main()
"""


def _converted(code: str) -> str:
    result = upgrade_native(code)
    assert not [d.message for d in result.warnings if d.rule == "native"]
    for tf1 in ("compat.v1", "Session", "placeholder", "variables_initializer", ".initializer"):
        assert tf1 not in result.code, tf1
    return result.code


def test_a_static_shape_number_returned_by_a_helper_sizes_the_next_layer(tmp_path: Path) -> None:
    out = _converted(STATIC_RETURN)
    assert "n = tf.function(h).get_concrete_function(" in out and ".output_shapes[1:4].num_elements()" in out
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": STATIC_RETURN})
    assert tf1.stdout.startswith("features 12\n") and tf2.stdout == tf1.stdout


def test_a_streaming_accuracy_becomes_a_keras_metric_with_tf1s_running_values(tmp_path: Path) -> None:
    out = _converted(METRICS)
    assert "accuracy_metric = tf.keras.metrics.Accuracy()" in out
    assert "accuracy_metric.update_state(tf_y, tf.argmax(logits(tf_x), axis=1))" in out
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": METRICS})
    assert tf1.stdout.split("\n")[:3] == ["running accuracy 1.0", "running accuracy 0.75", "running accuracy 0.6666667"]
    assert tf2.stdout == tf1.stdout


def test_a_metrics_value_op_or_float_predictions_fall_back_naming_why() -> None:
    value = METRICS.replace(")[1]", ")[0]")
    reasons = [d.message for d in upgrade_native(value).warnings if d.rule == "native"]
    assert any("only the update op ([1]) is converted" in r for r in reasons), reasons
    floats = METRICS.replace("predictions=tf.argmax(logits, axis=1)", "predictions=tf.nn.softmax(logits)[:, 1]")
    reasons = [d.message for d in upgrade_native(floats).warnings if d.rule == "native"]
    assert any("casts the predictions to the labels' dtype" in r for r in reasons), reasons


def test_an_iterator_initialised_with_the_variables_in_one_fed_run(tmp_path: Path) -> None:
    out = _converted(ITERATOR)
    assert "iterator = iter(dataset(xs, ys))" in out and "bx, by = next(iterator)" in out
    assert "except StopIteration:" in out
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": ITERATOR})
    assert "data ended at step 6" in tf1.stdout and tf2.stdout == tf1.stdout


def _spans(code: str) -> list[str]:
    tree = ast.parse(code)
    return [text for _, text in static_return_spans(tree, lambda n: ast.get_source_segment(code, n))]


def test_static_return_spans_substitute_locals_and_arguments() -> None:
    code = ("def flat(t, k=2):\n    s = t.shape\n    n = s[1].value * s[2].value\n    return tf.reshape(t, [-1, n]), n, k\n"
            "a, b, c = flat(h)\n_, m, _ = flat(h)\nd, e, f = flat(h + 1)\n")
    assert _spans(code) == ["flat(h)[0], h.shape[1] * h.shape[2], flat(h)[2]"]


def test_static_return_spans_leave_graph_values_and_rebound_parameters() -> None:
    code = ("def f(t):\n    t = tf.identity(t)\n    return t, t.get_shape()[1]\n"
            "def g(t):\n    return t, tf.shape(t)[1]\n"
            "def k(t):\n    if t is None:\n        return t, 0\n    return t, t.shape[0]\n"
            "a, b = f(h)\nc, d = g(h)\ne, i = k(h)\n")
    assert _spans(code) == []


def test_unpack_splits_a_tuple_value_element_by_element_unless_an_element_reads_a_target() -> None:
    code = "a, b = f(x)[0], x.shape[1]\nc, d = d, c\n"
    tree = ast.parse(code)
    assert split(code, tree.body) == "a = f(x)[0]\nb = x.shape[1]\nc = (d, c)[0]\nd = (d, c)[1]\n"


def test_a_session_configuration_becomes_process_settings(tmp_path: Path) -> None:
    out = _converted(CONFIG)
    assert out.startswith('import numpy as np\nimport tensorflow as tf\nfor gpu in tf.config.list_physical_devices("GPU"):\n'
                          '    tf.config.experimental.set_memory_growth(gpu, True)\n')
    assert "tf.debugging.set_log_device_placement(False)\ntf.config.set_soft_device_placement(True)\n" in out
    assert "ConfigProto" not in out and "gpu_options" not in out and "memory_fraction" not in out
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": CONFIG})
    assert tf1.stdout == "y [6.0, 6.0]\n" and tf2.stdout == tf1.stdout


def _option_spans(code: str) -> list[str]:
    tree = ast.parse(code)
    return [t for _, t in session_option_spans(tree, collect_aliases(tree), lambda n: ast.get_source_segment(code, n))]


def test_an_inline_configuration_sets_its_fields_before_the_session_once() -> None:
    code = ("import tensorflow as tf\ns = tf.Session(config=tf.ConfigProto(log_device_placement=True))\n"
            "t = tf.Session(config=tf.ConfigProto(log_device_placement=True, allow_soft_placement=True))\n")
    assert _option_spans(code) == ["tf.Session()", "tf.debugging.set_log_device_placement(True)\n",
                                   "tf.Session()", "tf.config.set_soft_device_placement(True)\n"]


@pytest.mark.parametrize("code, reason", [
    ("import tensorflow as tf\nc = tf.ConfigProto()\nc.gpu_options.per_process_gpu_memory_fraction = 0.4\n"
     "s = tf.Session(config=c)\n", "per_process_gpu_memory_fraction of the program's first session"),
    ("import tensorflow as tf\ns = tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2))\n",
     "field 'intra_op_parallelism_threads' has no TF2 process-wide setting"),
    ("import tensorflow as tf\ndef f():\n    return tf.Session(config=tf.ConfigProto(gpu_options=tf.GPUOptions("
     "allow_growth=True)))\n", "which session comes first is not known statically"),
])
def test_a_configuration_field_without_an_exact_tf2_form_names_itself(code: str, reason: str) -> None:
    with pytest.raises(Blocked, match=reason):
        _option_spans(code)


def test_a_named_keyword_configuration_is_left_to_session_configs() -> None:
    code = "import tensorflow as tf\nc = tf.ConfigProto(allow_soft_placement=True)\ns = tf.Session(config=c)\n"
    assert _option_spans(code) == []


def test_a_reader_functions_iterator_pulls_its_one_element_eagerly(tmp_path: Path) -> None:
    out = _converted(SINGLE_PULL)
    assert "batch = next(iter(dataset))" in out and "make_one_shot_iterator" not in out
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": SINGLE_PULL})
    assert tf1.stdout == "batch [0.0, 1.414199948310852, 2.0] total 3.4142\n" and tf2.stdout == tf1.stdout


def test_iterators_stay_for_the_dataset_analysis_when_the_session_runs_more_than_once() -> None:
    twice = SINGLE_PULL.replace("        b, t = sess.run([batch, total])\n",
                                "        for i in range(2):\n            b, t = sess.run([batch, total])\n")
    assert single_pulls(twice, ast.parse(twice)) == twice
    code = ("import tensorflow as tf\ndef read(ds):\n    it = tf.data.make_one_shot_iterator(ds)\n    x = it.get_next()\n"
            "    return x\nprint(s.run(read(d)))\n")
    assert single_pulls(code, ast.parse(code)) == code.replace("tf.data.make_one_shot_iterator(ds)", "iter(ds)").replace(
        "it.get_next()", "next(it)")
    unpacked = code.replace("x = it.get_next()", "x, y = it.get_next()")   # a pull per name once split: datasets.py's
    assert single_pulls(unpacked, ast.parse(unpacked)) == unpacked
    flat = "import tensorflow as tf\nx = ds.make_one_shot_iterator().get_next()\nprint(s.run(x))\n"
    assert single_pulls(flat, ast.parse(flat)) == flat   # module level: native/datasets.py's
