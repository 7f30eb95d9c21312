"""`variable_scope` blocks in functions that create no variables (native/plain_scopes.py): they only name ops,
so the function stays a plain helper, in the program and in a module of helpers beside it.
"""
from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from tests import warm_python
from tests.upgrader.multi_file import native as _native, run_old_and_new
from upgrader.native.plain_scopes import plain_scope_spans
from upgrader.scan import collect_aliases

LIB = '''"""Helpers whose scopes only name ops."""
import tensorflow as tf


def shape_of(t):
    return t.get_shape().as_list()


def squash(x, name, scale=2.0):
    dims = shape_of(x)
    assert len(dims) == 2  # batch, features
    with tf.variable_scope(name) as scope:  # names the ops below
        # the activation
        y = tf.nn.relu(x) * scale
    return tf.reshape(y, [-1, dims[1]])


def pool(x):
    with tf.variable_scope("pool"):
        return tf.reduce_mean(x, axis=1, keepdims=True)
'''
MAIN = '''import numpy as np
import tensorflow as tf
from layers_lib import squash, pool

x = tf.placeholder(tf.float32, [None, 3])
w = tf.Variable([[0.5], [-1.0], [2.0]])
h = squash(x, "hidden")
out = pool(tf.matmul(h, w))
loss = tf.reduce_sum(tf.square(out - 1.0))
train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
feed = {x: np.array([[1.0, -2.0, 3.0], [0.5, 0.5, -0.5]], np.float32)}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        sess.run(train_op, feed)
    print(sess.run([out, loss], feed))
'''


pytestmark = pytest.mark.usefixtures("fresh_groups")


def _spans(code: str) -> list:
    tree = ast.parse(code)
    return plain_scope_spans(tree, collect_aliases(tree), lambda n: ast.get_source_segment(code, n), code)


def test_a_module_of_helpers_and_its_program_convert(tmp_path: Path) -> None:
    (tmp_path / "layers_lib.py").write_text(LIB)
    (tmp_path / "main.py").write_text(MAIN)
    lib, blocked = _native(tmp_path / "layers_lib.py")
    assert not blocked, blocked
    assert "variable_scope" not in lib.code and 'with tf.name_scope("pool"):' in lib.code
    assert "    # names the ops below\n    # the activation\n    y = tf.nn.relu(x) * scale\n" in lib.code
    main, blocked = _native(tmp_path / "main.py")
    assert not blocked, blocked
    assert 'return squash(x, "hidden")' in main.code and "Session" not in main.code


@pytest.mark.skipif(os.environ.get("TFCOMPAT_CHECK_ORACLE", "1") != "1", reason="runs TensorFlow")
def test_the_converted_pair_prints_what_tf1_printed(tmp_path: Path, oracle) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"layers_lib.py": LIB, "main.py": MAIN})
    assert tf2.stdout == tf1.stdout and "1.1914" in tf1.stdout


@pytest.mark.parametrize("body", [
    'w = tf.get_variable("w", [2])\n        y = x * w',            # a variable: the scope names it
    "y = tf.layers.dense(x, 2)",                                    # a layer makes variables
    "y = make(x)",                                                  # a function of unknown effect
    "y = x.apply(2)",                                               # a method of unknown effect
    "y = tf.nn.relu(x)\n        scope.reuse_variables()",           # the scope object is used
])
def test_a_scope_that_may_create_or_reuse_variables_stays(body: str) -> None:
    code = ("import tensorflow as tf\n\n\ndef f(x, name):\n    with tf.variable_scope(name) as scope:\n"
            f"        {body}\n    return y\n")
    assert _spans(code) == []


def test_a_scope_given_more_than_a_name_or_a_computed_name_stays() -> None:
    for head in ('tf.variable_scope(name, default_name="d")', 'tf.variable_scope(name, initializer=init)',
                 'tf.variable_scope(prefix + "x")'):
        code = (f"import tensorflow as tf\n\n\ndef f(x, name, init, prefix):\n    with {head}:\n"
                "        y = x + 1\n    return y\n")
        assert _spans(code) == [], head


def test_a_scope_named_by_a_string_becomes_a_name_scope_and_by_a_parameter_goes() -> None:
    code = ("import tensorflow as tf\n\n\ndef f(x, name):\n    with tf.variable_scope('a', reuse=True):\n"
            "        y = x + 1\n"
            "    with tf.variable_scope(name):\n        return g(y)\n\n\ndef g(v):\n    return tf.square(v)\n")
    spans = _spans(code)
    assert [text for _, text in spans] == ["tf.name_scope('a')", "return g(y)"]


NET_LIB = '''"""Layers of a network whose weights are fixed arrays (a pretrained model's, here made up)."""
import numpy as np
import tensorflow as tf


class Net(object):
    def __init__(self, image):
        self.image = image
        self.params = {"c1": (np.linspace(-1.0, 1.0, 8).reshape(2, 2, 1, 2), np.array([0.1, -0.2])),
                       "c2": (np.linspace(0.5, -0.5, 8).reshape(2, 2, 2, 1), np.array([0.05]))}

    def _weights(self, name):
        w, b = self.params[name]
        return w.astype(np.float32), b.astype(np.float32).reshape(b.size)

    def conv_relu(self, prev, name):
        with tf.variable_scope(name) as scope:
            w, b = self._weights(name)
            w = tf.constant(w, name="weights")
            out = tf.nn.relu(tf.nn.conv2d(prev, filter=w, strides=[1, 1, 1, 1], padding="SAME") + b)
        setattr(self, name, out)

    def pool(self, prev, name):
        with tf.variable_scope(name):
            out = tf.nn.avg_pool(prev, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        setattr(self, name, out)

    def load(self):
        self.conv_relu(self.image, "c1")
        self.conv_relu(self.c1, "c2")
        self.pool(self.c2, "p1")
'''
PIXELS = "np.arange(16.0, dtype=np.float32).reshape(1, 4, 4, 1) / 8.0"
TF1_DRIVER = f'''import numpy as np
import tensorflow as tf
from net_lib import Net

image = tf.placeholder(tf.float32, [1, 4, 4, 1])
net = Net(image)
net.load()
with tf.Session() as sess:
    print(sess.run(net.p1, {{image: {PIXELS}}}).ravel().tolist())
'''
TF2_DRIVER = f'''import numpy as np
import tensorflow as tf
from net_lib import Net

net = Net(tf.constant({PIXELS}))
net.load()
print(net.p1.numpy().ravel().tolist())
'''


def test_a_class_whose_scopes_call_its_own_array_helpers_becomes_plain_tf2(tmp_path: Path) -> None:
    (tmp_path / "net_lib.py").write_text(NET_LIB)
    lib, blocked = _native(tmp_path / "net_lib.py")
    assert not blocked, blocked
    assert "variable_scope" not in lib.code and "compat" not in lib.code
    assert "        w, b = self._weights(name)\n        w = tf.constant(w, name=\"weights\")\n" in lib.code


@pytest.mark.skipif(os.environ.get("TFCOMPAT_CHECK_ORACLE", "1") != "1", reason="runs TensorFlow")
def test_the_converted_class_computes_on_tf2_what_it_computed_in_a_tf1_session(tmp_path: Path, oracle) -> None:
    import sys
    from tests.upgrader.multi_file import ROOT
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (new / "net_lib.py").write_text(NET_LIB)
    (new / "net_lib.py").write_text(_native(new / "net_lib.py")[0].code)
    (old / "net_lib.py").write_text(NET_LIB)
    (old / "main.py").write_text(TF1_DRIVER)
    (new / "main.py").write_text(TF2_DRIVER)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    tf1 = warm_python.run([sys.executable, str(ROOT / "tests" / "run_as_tf.py"), "v1", "main.py"], cwd=old, env=env,
                          capture_output=True, text=True, timeout=300)
    tf2 = warm_python.run([sys.executable, "main.py"], cwd=new, env=env, capture_output=True, text=True, timeout=300)
    assert tf1.returncode == 0 and tf2.returncode == 0, tf1.stderr[-1500:] + tf2.stderr[-1500:]
    assert tf2.stdout == tf1.stdout and len(tf1.stdout.split(",")) == 4


@pytest.mark.parametrize("helper", [
    'return tf.get_variable(name, [2])',                            # the helper makes a variable
    'return self.other(name)',                                      # through another method that does
    'return tf.layers.dense(self.image, 2)',
])
def test_a_method_helper_that_may_make_variables_keeps_the_scope(helper: str) -> None:
    code = ("import tensorflow as tf\n\n\nclass Net:\n    def __init__(self, image):\n        self.image = image\n\n"
            f"    def _weights(self, name):\n        {helper}\n\n"
            "    def other(self, name):\n        return tf.Variable(1.0, name=name)\n\n"
            "    def layer(self, x, name):\n        with tf.variable_scope(name):\n            y = x * self._weights(name)\n"
            "        return y\n")
    assert _spans(code) == []


def test_a_method_helper_of_a_class_another_class_derives_from_keeps_the_scope() -> None:
    code = ("import tensorflow as tf\n\n\nclass Net:\n    def _w(self, name):\n        return 2.0\n\n"
            "    def layer(self, x, name):\n        with tf.variable_scope(name):\n            y = x * self._w(name)\n"
            "        return y\n\n\nclass Deeper(Net):\n    def _w(self, name):\n        return tf.get_variable(name, [])\n")
    assert _spans(code) == []
    assert len(_spans(code.split("\n\n\nclass Deeper")[0] + "\n")) == 1
