"""Model classes with several instances sharing one session, and `sess.run(t)` of a module-level tensor made
from NumPy arrays (native/class_eager_runs.py); the fixture program class_ensemble runs it end to end."""
from __future__ import annotations

import ast

import pytest

from upgrader.engine import upgrade_source
from upgrader.native.class_eager_runs import eager_run
from upgrader.native.graph_blocks import wrap_blocks

HEAD = ("import numpy as np\nimport tensorflow as tf\nys = np.eye(3)[[0, 1, 2]].astype(np.float32)\n"
        "sess = tf.Session()\nmodels = [Model(k) for k in range(2)]\npredictions = np.zeros([3, 3])\n"
        "for m in models:\n    predictions += m.predict(ys)\n")


def _run(code: str) -> str | None:
    tree = ast.parse(code)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == "sess.run")
    return eager_run(tree, call, {"sess"})


def test_a_tensor_of_numpy_arrays_and_model_results_is_read_eagerly() -> None:
    code = HEAD + ("hits = tf.equal(tf.argmax(predictions, 1), tf.argmax(ys, 1))\n"
                   "acc = tf.reduce_mean(tf.cast(hits, tf.float32))\nprint(sess.run(acc))\n")
    assert _run(code) == "acc.numpy()"
    assert _run(code.replace("sess.run(acc)", "sess.run([acc, hits])")) == "[acc.numpy(), hits.numpy()]"


def test_the_tutorial_data_readers_give_data() -> None:
    mnist = ("from tensorflow.examples.tutorials.mnist import input_data\n"
             "mnist = input_data.read_data_sets('MNIST_data/', one_hot=True)\n")
    code = HEAD.replace("sess = ", mnist + "sess = ") + (
        "acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(predictions, 1), tf.argmax(mnist.test.labels, 1)), tf.float32))\n"
        "print(sess.run(acc))\n")
    assert _run(code) == "acc.numpy()"
    keras = "(x_train, y_train), _ = tf.keras.datasets.mnist.load_data()\nacc = tf.reduce_max(x_train)\n"
    assert _run(HEAD + keras + "print(sess.run(acc))\n") == "acc.numpy()"


@pytest.mark.parametrize("tail", [
    "x = tf.placeholder(tf.float32)\nacc = tf.reduce_sum(x)\n",         # fed: not computable without the feed
    "v = tf.Variable(1.0)\nacc = v * 2\n",                               # a variable: its value when run
    "acc = tf.reduce_sum(tf.random_normal([3]))\n",                      # drawn anew by every run
    "logits = models[0].logits\nacc = tf.reduce_sum(logits)\n",          # a model's graph tensor
    "acc = tf.reduce_sum(ys)\nacc = acc * 2\n",                          # bound twice
    "def net(x):\n    return tf.layers.dense(x, 3)\nout = net(ys)\nacc = tf.reduce_sum(out)\n",   # a graph builder's value
])
def test_tensors_that_need_the_session_are_left_to_it(tail: str) -> None:
    assert _run(HEAD + tail + "print(sess.run(acc))\n") is None


def test_a_run_with_a_feed_is_not_an_eager_read() -> None:
    assert _run(HEAD + "acc = tf.reduce_sum(ys)\nprint(sess.run(acc, feed_dict={}))\n") is None


CLASS = '''import numpy as np
import tensorflow as tf

xs = np.ones([4, 2], np.float32)
ys = np.eye(2)[[0, 1, 0, 1]].astype(np.float32)


class Model:
    def __init__(self, sess, name):
        self.sess = sess
        self.name = name
        with tf.variable_scope(name):
            self.X = tf.placeholder(tf.float32, [None, 2])
            W = tf.Variable(tf.ones([2, 2]))
            self.logits = tf.matmul(self.X, W)

    def predict(self, x):
        return self.sess.run(self.logits, feed_dict={self.X: x})


sess = tf.Session()
models = []
for m in range(2):
    models.append(Model(sess, "model" + str(m)))
sess.run(tf.global_variables_initializer())
predictions = np.zeros([4, 2])
for m_idx, m in enumerate(models):
    p = m.predict(xs)
    predictions += p
ensemble = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(predictions, 1), tf.argmax(ys, 1)), tf.float32))
print('Ensemble accuracy:', sess.run(ensemble))
'''


def test_instances_made_in_a_loop_become_modules_and_the_ensemble_is_read_eagerly() -> None:
    result = upgrade_source(CLASS, "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    code = result.code
    assert "class Model(tf.Module):" in code and '    models.append(Model("model" + str(m)))\n' in code
    assert "print('Ensemble accuracy:', ensemble.numpy())" in code and "sess" not in code
    assert "predictions = np.zeros([4, 2])\nfor m_idx, m in enumerate(models):\n" in code   # not wrapped in a function


def test_a_loop_after_models_are_given_the_session_is_not_a_graph_block() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\nx = tf.placeholder(tf.float32)\nsess = tf.Session()\n"
            "models = []\nfor k in range(2):\n    models.append(Model(sess, k))\n"
            "total = np.zeros(2)\nfor k, m in enumerate(models):\n    total += m.predict(k)\nprint(total)\n")
    assert wrap_blocks(code, ast.parse(code)) == code
