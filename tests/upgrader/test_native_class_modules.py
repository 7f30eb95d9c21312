"""A model class in one module, instantiated by a script beside it (native/class_modules.py): the class becomes
a tf.Module subclass in its own module and the script uses it, or both stay in compat form with the reason.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import warm_python
from tests.upgrader.multi_file import ROOT, clear_groups, native, run_old_and_new

MODEL = '''"""A small regression model the script trains."""
import tensorflow as tf

import config


def squash(h):
    return tf.tanh(h) * config.GAIN


class Regressor(object):
    """tanh hidden layer, then a line."""

    def __init__(self, n_in, hidden, scale=1.0):
        self.n_in = n_in
        self.hidden = hidden
        self.scale = scale

    def _create_placeholders(self):
        self.x = tf.placeholder(tf.float32, [None, self.n_in], name="x")
        self.y = tf.placeholder(tf.float32, [None], name="y")

    def _inference(self):
        with tf.name_scope("hidden"):
            self.w1 = tf.Variable(tf.constant(config.W1, shape=[self.n_in, self.hidden]), name="w1")
            self.b1 = tf.Variable(tf.zeros([self.hidden]), name="b1")
            h = squash(tf.matmul(self.x, self.w1) + self.b1)
        self.w2 = tf.Variable(tf.constant(config.W2, shape=[self.hidden, 1]), name="w2")
        self.pred = tf.reshape(tf.matmul(h, self.w2), [-1]) * self.scale
        self.loss = tf.reduce_mean(tf.square(self.pred - self.y))

    def build_graph(self):
        self._create_placeholders()
        self._inference()
'''
CONFIG = "W1 = 0.3\nW2 = -0.2\nGAIN = 1.5\n"
TRAIN = '''import numpy as np
import tensorflow as tf

from model import Regressor

model = Regressor(3, 4, scale=2.0)
model.build_graph()
train_op = tf.train.GradientDescentOptimizer(0.05).minimize(model.loss)
xs = np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(4, 3)
ys = np.array([0.5, -0.25, 1.0, 0.0], np.float32)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(4):
        _, loss = sess.run([train_op, model.loss], feed_dict={model.x: xs, model.y: ys})
        print("loss", step, loss)
    print("pred", *sess.run(model.pred, {model.x: xs}))
'''
# a second script using the class that native mode cannot convert (it prints a graph name)
OTHER = '''import tensorflow as tf
from model import Regressor

other = Regressor(3, 2)
other.build_graph()
print(other.loss.name)
'''


pytestmark = pytest.mark.usefixtures("fresh_groups")


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text)


def test_the_class_becomes_a_module_in_its_file_and_the_script_imports_it(tmp_path: Path) -> None:
    _write(tmp_path, {"model.py": MODEL, "config.py": CONFIG, "train.py": TRAIN})
    train, blocked = native(tmp_path / "train.py")
    assert not blocked, blocked
    assert "import tensorflow as tf\n\nfrom model import Regressor\n\nmodel = Regressor(3, 4, scale=2.0)\n" in train.code
    assert "model.loss(x, y)" in train.code and "variables = [model.w1, model.b1, model.w2]" in train.code
    assert "class " not in train.code and "import config" not in train.code and "build_graph" not in train.code
    model, blocked = native(tmp_path / "model.py")
    assert not blocked, blocked
    assert model.code.startswith('"""A small regression model the script trains."""\nimport tensorflow as tf\n\n'
                                 'import config\n\n\ndef squash(h):\n    return tf.tanh(h) * config.GAIN\n\n\n'
                                 'class Regressor(tf.Module):\n    """tanh hidden layer, then a line."""')
    assert "build_graph" not in model.code and "_create_placeholders" not in model.code
    assert "def __init__(self, n_in, hidden, scale=1.0):\n        super().__init__()" in model.code
    assert "def loss(self, x, y):" in model.code and "config.W1" in model.code
    assert "squash" not in train.code
    for text in (train.code, model.code):
        assert "placeholder" not in text and "Session" not in text and "compat" not in text


def test_the_converted_pair_prints_what_tf1_printed_on_tensorflow_and_tfcompat(tmp_path: Path) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"model.py": MODEL, "config.py": CONFIG, "train.py": TRAIN}, main="train.py")
    ours = warm_python.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", "train.py"], cwd=tmp_path / "new",
                           capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert ours.returncode == 0, ours.stderr[-1500:]
    old = tf1.stdout.split()
    for new in (tf2.stdout.split(), ours.stdout.split()):
        assert [w for w in old if not w[0].isdigit() and w[0] != "-"] == [
            w for w in new if not w[0].isdigit() and w[0] != "-"]
        numbers = [(float(a), float(b)) for a, b in zip(old, new) if a[0].isdigit() or a[0] == "-"]
        assert len(numbers) == 4 * 2 + 4
        np.testing.assert_allclose([b for _, b in numbers], [a for a, _ in numbers], rtol=1e-5, atol=1e-6)


def test_converting_the_converted_pair_changes_nothing(tmp_path: Path) -> None:
    _write(tmp_path, {"model.py": MODEL, "config.py": CONFIG, "train.py": TRAIN})
    once = {name: native(tmp_path / name)[0].code for name in ("train.py", "model.py")}
    _write(tmp_path, once)
    clear_groups()
    for name, text in once.items():
        assert native(tmp_path / name)[0].code == text


def test_a_second_script_in_compat_form_keeps_the_class_and_its_scripts_in_compat_form(tmp_path: Path) -> None:
    _write(tmp_path, {"model.py": MODEL, "config.py": CONFIG, "train.py": TRAIN, "other.py": OTHER})
    model, blocked = native(tmp_path / "model.py")
    assert any("model.py's model classes convert only with every program beside it that imports them: other.py, "
               "which imports them, stays in compat form" in m for m in blocked), blocked
    assert "class Regressor(object):" in model.code
    train, blocked = native(tmp_path / "train.py")
    assert any("it imports model.py, which stays in compat form" in m for m in blocked), blocked
    assert "from model import Regressor" in train.code and "Session" in train.code


def test_a_class_no_script_instantiates_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, {"model.py": MODEL, "config.py": CONFIG})
    _, blocked = native(tmp_path / "model.py")
    assert any("class 'Regressor': this file never makes an instance of it" in m for m in blocked), blocked


def test_a_name_the_class_reads_that_means_something_else_in_the_script_is_reported(tmp_path: Path) -> None:
    train = TRAIN.replace("from model import Regressor\n", "from model import Regressor\nconfig = {'W1': 1.0}\n")
    _write(tmp_path, {"model.py": MODEL, "config.py": CONFIG, "train.py": train})
    result, blocked = native(tmp_path / "train.py")
    assert any("'config' names one thing in model.py and another in this program" in m for m in blocked), blocked
    assert "Session" in result.code


def test_a_module_imported_whole_is_reported(tmp_path: Path) -> None:
    whole = "import tensorflow as tf\nimport model\n\nm = model.Regressor(3, 2)\nm.build_graph()\nprint(m.loss.name)\n"
    _write(tmp_path, {"model.py": MODEL, "config.py": CONFIG, "train.py": TRAIN, "whole.py": whole})
    _, blocked = native(tmp_path / "model.py")
    assert any("whole.py imports model.py whole (`import model`)" in m for m in blocked), blocked


def test_a_script_that_imports_the_class_without_using_it_is_not_tied_to_it(tmp_path: Path) -> None:
    unused = "import tensorflow as tf\nfrom model import Regressor\n\nx = tf.placeholder(tf.float32, [2])\nprint(x.name)\n"
    _write(tmp_path, {"model.py": MODEL, "config.py": CONFIG, "train.py": TRAIN, "unused.py": unused})
    model, blocked = native(tmp_path / "model.py")
    assert not blocked, blocked
    result, blocked = native(tmp_path / "unused.py")
    assert blocked and not any("Regressor" in m for m in blocked), blocked


SESSION_MODEL = """import tensorflow as tf


class Model:
    def __init__(self, sess, name):
        self.sess = sess
        self.name = name
        self._build_net()

    def _build_net(self):
        with tf.variable_scope(self.name):
            self.X = tf.placeholder(tf.float32, [None, 3])
            self.Y = tf.placeholder(tf.float32, [None, 1])
            self.W = tf.Variable(tf.constant([[0.1], [-0.2], [0.3]]))
            self.pred = tf.matmul(self.X, self.W)
            self.cost = tf.reduce_mean(tf.square(self.pred - self.Y))
            self.optimizer = tf.train.GradientDescentOptimizer(0.1).minimize(self.cost)

    def predict(self, x):
        return self.sess.run(self.pred, feed_dict={self.X: x})

    def train(self, x, y):
        return self.sess.run([self.cost, self.optimizer], feed_dict={self.X: x, self.Y: y})
"""
SESSION_MAIN = """import numpy as np
import tensorflow as tf
from model import Model

sess = tf.Session()
m1 = Model(sess, "m1")
sess.run(tf.global_variables_initializer())
xs = np.arange(6, dtype=np.float32).reshape(2, 3) / 6
ys = np.ones((2, 1), np.float32)
for step in range(3):
    c, _ = m1.train(xs, ys)
    print("cost", c)
print("pred", *m1.predict(xs).ravel())
"""


def test_a_class_that_owns_its_session_converts_with_the_script_that_passes_it(tmp_path: Path) -> None:
    _write(tmp_path, {"model.py": SESSION_MODEL, "main.py": SESSION_MAIN})
    main, blocked = native(tmp_path / "main.py")
    assert not blocked, blocked
    assert "from model import Model\n\nm1 = Model(\"m1\")\n" in main.code and "Session" not in main.code
    model, blocked = native(tmp_path / "model.py")
    assert not blocked, blocked
    assert "class Model(tf.Module):\n    def __init__(self, name):\n        super().__init__(name=name)" in model.code
    clear_groups()
    (tmp_path / "run").mkdir()
    tf1, tf2 = run_old_and_new(tmp_path / "run", {"model.py": SESSION_MODEL, "main.py": SESSION_MAIN})
    old, new = tf1.stdout.split(), tf2.stdout.split()
    assert [w for w in old if w.isalpha()] == [w for w in new if w.isalpha()] == ["cost"] * 3 + ["pred"]
    np.testing.assert_allclose([float(w) for w in new if not w.isalpha()], [float(w) for w in old if not w.isalpha()],
                               rtol=1e-5)


def test_a_reason_names_the_scripts_own_lines(tmp_path: Path) -> None:
    train = TRAIN + "other = Regressor(3, 2)\n"
    _write(tmp_path, {"model.py": MODEL, "config.py": CONFIG, "train.py": train})
    _, blocked = native(tmp_path / "train.py")
    assert any("class 'Regressor': it is instantiated 2 times (lines 6, 17)" in m for m in blocked), blocked


PREDICT = '''import numpy as np
import tensorflow as tf

from model import Regressor

model = Regressor(3, 4)
model.build_graph()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(model.pred, {model.x: np.ones((2, 3), np.float32)}))
'''


def test_scripts_that_use_the_class_differently_convert_with_it_when_they_write_it_alike(tmp_path: Path) -> None:
    """predict.py only predicts, train.py trains: both write the same tf.Module class, so all three convert."""
    _write(tmp_path, {"model.py": MODEL, "config.py": CONFIG, "train.py": TRAIN, "predict.py": PREDICT})
    for name in ("model.py", "train.py", "predict.py"):
        result, blocked = native(tmp_path / name)
        assert not blocked, (name, blocked)
    assert "model = Regressor(3, 4)\nprint(model.pred(np.ones((2, 3), np.float32)).numpy())" in result.code


def _in_main(script: str) -> str:
    """The script with everything after its imports in `def main():`, called at the end."""
    head, body = script.split("\nmodel = ", 1)
    lines = ("model = " + body).splitlines(keepends=True)
    return head + "\n\ndef main():\n" + "".join("    " + ln if ln.strip() else ln for ln in lines) + "\n\nmain()\n"


def test_an_instance_made_inside_main_converts_and_prints_what_tf1_printed(tmp_path: Path) -> None:
    files = {"model.py": MODEL, "config.py": CONFIG, "train.py": _in_main(TRAIN)}
    _write(tmp_path, files)
    train, blocked = native(tmp_path / "train.py")
    assert not blocked, blocked
    assert "def main():\n    model = Regressor(3, 4, scale=2.0)\n    optimizer = tf.keras.optimizers.SGD(0.05)\n" in train.code
    assert "        variables = [model.w1, model.b1, model.w2]\n" in train.code and "model__" not in train.code
    assert not native(tmp_path / "model.py")[1]
    clear_groups()
    (tmp_path / "run").mkdir()
    tf1, tf2 = run_old_and_new(tmp_path / "run", files, main="train.py")
    old, new = tf1.stdout.split(), tf2.stdout.split()
    assert [w for w in old if w.isalpha()] == [w for w in new if w.isalpha()] == ["loss"] * 4 + ["pred"]
    np.testing.assert_allclose([float(w) for w in new if not w.isalpha()], [float(w) for w in old if not w.isalpha()],
                               rtol=1e-5, atol=1e-6)
