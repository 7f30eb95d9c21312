"""Style-transfer shaped programs: a network function returning a dict of layers, read by key in sessions.

The pattern (features of a fixed image fetched layer by layer with `net[layer].eval(...)` in one graph,
then a loss over a variable image summed in a loop and trained with `step.run()` in another) converts:
`.eval()` on an element of a graph dict, `op.run()` on the default session (rules/native_session.py), a list
of losses a loop appends to (native/graph_blocks.py), `loss = 0; loss += <tensor>` (native/augmented.py),
TF1's `Dimension.value` read from a shape (native/dimension_values.py) and an int learning rate, which
Keras 3 rejects (native/optimizers.py).
"""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from tests.upgrader.multi_file import run_old_and_new
from upgrader.native.augmented import augmented_spans
from upgrader.native.dimension_values import dimension_spans
from upgrader.native.run import upgrade_native
from upgrader.scan import collect_aliases

PROGRAM = """import numpy as np
import tensorflow as tf

layers = ["conv1", "relu1", "conv2", "relu2"]
rng = np.random.RandomState(0)
weights = {"conv1": rng.uniform(-0.5, 0.5, (3, 3, 1, 2)).astype(np.float32),
           "conv2": rng.uniform(-0.5, 0.5, (3, 3, 2, 2)).astype(np.float32)}
shape = (1, 5, 5, 1)
rate = 1


def network(weights, image):
    net = {}
    h = image
    for layer in layers:
        if layer.startswith("conv"):
            h = tf.nn.conv2d(h, tf.constant(weights[layer]), (1, 1, 1, 1), "SAME")
        else:
            h = tf.nn.relu(h)
        net[layer] = h
    return net


target = np.linspace(0.0, 1.0, 25, dtype=np.float32).reshape(shape)
features = {}
with tf.Graph().as_default(), tf.Session() as sess:
    image = tf.placeholder("float", shape=shape)
    net = network(weights, image)
    for layer in ["relu1", "relu2"]:
        features[layer] = net[layer].eval(feed_dict={image: target})
print("features", round(float(features["relu2"].sum()), 4))

with tf.Graph().as_default():
    canvas = tf.Variable(np.full(shape, 0.5, np.float32))
    net = network(weights, canvas)
    loss = 0
    losses = []
    for layer in ["relu1", "relu2"]:
        n, h, w, c = [d.value for d in net[layer].get_shape()]
        losses.append(tf.nn.l2_loss(net[layer] - features[layer]) / (h * w * c))
    loss += tf.reduce_sum(losses)
    step = tf.train.AdamOptimizer(rate).minimize(loss)
    with tf.Session() as sess:
        tf.global_variables_initializer().run()
        for i in range(3):
            step.run()
            print("step", i, round(float(sess.run(loss)), 4))
        print("canvas", round(float(canvas.eval().sum()), 4))
"""


def _native_blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_native(code).warnings if d.rule == "native"]


def test_the_layer_dict_program_converts_without_tf1() -> None:
    out = upgrade_native(PROGRAM).code
    assert not _native_blockers(PROGRAM)
    assert "features[layer] = net(target)[layer].numpy()" in out
    assert "def build_losses(net):" in out and "return 0 + tf.reduce_sum(losses())" in out and "loss = 0" not in out
    assert "    step()\n" in out and "canvas.numpy().sum()" in out
    for tf1 in ("Session", "placeholder", "initializer", ".eval(", ".run("):
        assert tf1 not in out, tf1


def test_the_converted_program_prints_what_tf1_printed(tmp_path: Path) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"main.py": PROGRAM})
    assert tf1.returncode == 0 and tf2.returncode == 0, (tf1.stderr[-800:], tf2.stderr[-800:])
    assert tf1.stdout.split("\n")[0] == "features 5.9968"
    old, new = tf1.stdout.split(), tf2.stdout.split()
    assert [w for w in new if w.isalpha()] == [w for w in old if w.isalpha()]
    np.testing.assert_allclose([float(w) for w in new if not w.isalpha()], [float(w) for w in old if not w.isalpha()],
                               rtol=1e-4, atol=1e-3)


def test_run_on_a_graph_op_is_a_step_and_on_a_python_object_stays_a_call() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\n\nclass Printer(object):\n    def run(self):\n"
            "        print('hello')\n\n\nx = tf.placeholder(tf.float32, [None])\nw = tf.Variable(1.0)\n"
            "loss = tf.reduce_sum((w * x - 2.0) ** 2)\nstep = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
            "p = Printer()\nwith tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
            "    p.run()\n    step.run({x: [1.0]})\n    step.run(feed_dict={x: [1.0]})\n    print(w.eval())\n")
    out = upgrade_native(code).code
    assert not _native_blockers(code)
    assert "    p.run()\n" not in out and "\np.run()\nstep([1.0])\nstep([1.0])\nprint(w.numpy())\n" in out


def test_a_number_accumulator_becomes_a_tensor_only_when_a_tensor_is_added() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\nx = tf.placeholder(tf.float32, [2])\ntotal = 0\n"
            "total += tf.reduce_sum(x)\ncount = 0\ncount += 1\nwith tf.Session() as sess:\n"
            "    print(sess.run(total, {x: np.ones(2)}), count)\n")
    out = upgrade_native(code).code
    assert not _native_blockers(code)
    assert "return 0 + tf.reduce_sum(x)" in out and "count += 1" in out and "total = 0" not in out


def test_a_number_read_before_its_tensor_is_added_is_kept() -> None:
    code = ("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [2])\ntotal = 0\nprint(total)\n"
            "total += tf.reduce_sum(x)\n")
    tree = ast.parse(code)
    spans = augmented_spans(tree, collect_aliases(tree), lambda n: ast.get_source_segment(code, n))
    assert [text for _, text in spans] == ["total = 0 + tf.reduce_sum(x)"]


def test_dimension_values_are_dropped_only_where_read_from_a_shape() -> None:
    code = ("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\nn = x.get_shape()[1].value\n"
            "m = x.shape[-1].value\nd = [v.value for v in x.get_shape()]\nkeep = config.value\n"
            "also = x.get_shape()[1:].value\n")
    tree = ast.parse(code)
    got = {text for _, text in dimension_spans(tree, lambda n: ast.get_source_segment(code, n))}
    assert got == {"x.get_shape()[1]", "x.shape[-1]", "v"}


def test_a_function_opening_its_own_session_mid_build_converts_to_evaluation_there() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\n\ndef losses(net, image, data):\n"
            "    with tf.variable_scope('loss'):\n        with tf.Session() as sess:\n"
            "            sess.run(image.assign(data))\n            fixed = sess.run(net)\n"
            "        return tf.reduce_sum((net - fixed) ** 2)\n\n\n"
            "def main():\n    image = tf.Variable(np.zeros(2, np.float32))\n    net = 2.0 * image\n"
            "    loss = losses(net, image, np.ones(2, np.float32))\n"
            "    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n    with tf.Session() as sess:\n"
            "        sess.run(tf.global_variables_initializer())\n        sess.run(step)\n        print(sess.run(loss))\n"
            "\n\nmain()\n")
    out = upgrade_native(code).code   # tests/upgrader/test_native_midbuild_sessions.py has the whole pattern
    assert not _native_blockers(code)
    assert "    image.assign(data)\n    fixed = net().numpy()\n" in out and "image.assign(np.zeros(2, np.float32))" in out


def test_a_build_method_with_a_session_in_the_middle_converts_to_evaluation_in_init() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\n\nclass Model(object):\n    def __init__(self):\n"
            "        self.lr = 0.1\n\n    def create_input(self):\n        self.image = tf.Variable(np.zeros(2, np.float32))\n"
            "\n    def losses(self):\n        with tf.Session() as sess:\n            sess.run(self.image.initializer)\n"
            "            fixed = sess.run(2.0 * self.image)\n        self.loss = tf.reduce_sum((self.image - fixed) ** 2)\n"
            "\n    def build(self):\n        self.create_input()\n        self.losses()\n\n    def train(self):\n"
            "        with tf.Session() as sess:\n            sess.run(tf.global_variables_initializer())\n"
            "            print(sess.run(self.loss))\n\n\nm = Model()\nm.build()\nm.train()\n")
    out = upgrade_native(code).code
    assert not _native_blockers(code)
    assert "class Model(tf.Module):" in out and "        self.fixed = (2.0 * self.image).numpy()\n" in out


def test_a_loop_appending_fetched_values_stays_a_loop() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None])\nm = tf.Variable(2.0)\n"
            "y = m * x\nwith tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
            "    slope = sess.run(m)\nbest = []\nfor i in [1.0, 2.0]:\n    best.append(slope * i)\nprint(best)\n")
    out = upgrade_native(code).code
    assert not _native_blockers(code)
    assert "best = []\nfor i in [1.0, 2.0]:\n    best.append(slope * i)\n" in out and "def build_best" not in out
