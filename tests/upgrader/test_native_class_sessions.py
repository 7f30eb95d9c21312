"""Model classes whose method opens its own session and passes it to other methods (native/class_flatten.py)."""
from __future__ import annotations

from upgrader.native.run import upgrade_native

MODEL = """import numpy as np
import tensorflow as tf


class Line(object):
    def __init__(self, lr=0.1):
        self.lr = lr
        self.x = tf.placeholder(tf.float32, [None])
        self.y = tf.placeholder(tf.float32, [None])
        self.w = tf.Variable(0.0)
        self.loss = tf.reduce_mean(tf.square(self.w * self.x - self.y))
        self.step = tf.train.GradientDescentOptimizer(self.lr).minimize(self.loss)

    def one_step(self, session, xs, ys):
        return session.run([self.step, self.loss], {self.x: xs, self.y: ys})[1]

    def report(self, s, xs, ys):
        print("loss", round(float(s.run(self.loss, {self.x: xs, self.y: ys})), 4))

    def fit(self, xs, ys, steps):
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            for _ in range(steps):
                first = self.one_step(session, xs, ys)
            self.report(xs=xs, ys=ys, s=session)
            session.close()
        return first
"""

SCRIPT = """

line = Line(lr=0.2)
print(line.fit(np.ones(4, np.float32), np.ones(4, np.float32) * 2, 3))
"""


def _blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_native(code).warnings if d.rule == "native"]


def test_the_session_method_and_its_helpers_become_methods_without_a_session() -> None:
    out = upgrade_native(MODEL + SCRIPT).code
    assert "class Line(tf.Module):\n    def __init__(self, lr=0.1):\n        super().__init__()\n" in out
    assert "def one_step(self, xs, ys):" in out and "def report(self, xs, ys):" in out
    assert "first = self.one_step(xs, ys)" in out and "self.report(xs=xs, ys=ys)" in out
    assert "def fit(self, xs, ys, steps):\n        for _ in range(steps):" in out
    assert "Session" not in out and "session" not in out and "initializer" not in out
    assert "line = Line(lr=0.2)" in out


def test_the_converted_class_prints_what_tf1_printed() -> None:
    code = upgrade_native(MODEL + SCRIPT).code
    printed: list[str] = []
    exec(compile(code, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    # TF1: w = 0 -> 0.8 -> 1.28 -> 1.568 (w += 0.2 * 2 * (2 - w)); the last step's loss is read before it
    assert printed[0] == "loss 0.1866" and round(float(printed[1]), 4) == 0.5184


def test_a_session_parameter_with_a_default_is_reported() -> None:
    code = MODEL.replace("def one_step(self, session, xs, ys):", "def one_step(self, xs, ys, session=None):") \
        .replace("self.one_step(session, xs, ys)", "self.one_step(xs, ys, session)") + SCRIPT
    assert any("method 'one_step': the session parameter 'session' has a default value" in m for m in _blockers(code))


def test_a_session_kept_nowhere_the_class_can_see_is_reported() -> None:
    code = MODEL.replace("with tf.Session() as session:", "if True:\n            session = self.sess") \
        .replace("session.run(tf.global_variables_initializer())", "self.sess.run(tf.global_variables_initializer())") \
        .replace("def fit(self, xs, ys, steps):", "def start(self):\n        self.sess = tf.Session()\n\n"
                 "    def fit(self, xs, ys, steps):") + SCRIPT
    assert any("the session it runs is neither an __init__ parameter nor opened in __init__ or in a method" in m
               for m in _blockers(code))


def test_a_build_method_called_on_the_new_instance_becomes_part_of_init() -> None:
    code = MODEL.replace("    def __init__(self, lr=0.1):\n        self.lr = lr\n",
                         "    def __init__(self, lr=0.1):\n        self.lr = lr\n\n    def build(self):\n") \
        + SCRIPT.replace("line = Line(lr=0.2)\n", "line = Line(lr=0.2)\nline.build()\n")
    out = upgrade_native(code).code
    assert not _blockers(code)
    assert "def build" not in out and "line.build()" not in out and "self.w = tf.Variable(0.0)" in out


def test_instances_built_differently_are_reported() -> None:
    code = MODEL.replace("    def __init__(self, lr=0.1):\n        self.lr = lr\n",
                         "    def __init__(self, lr=0.1):\n        self.lr = lr\n\n    def build(self):\n") \
        + SCRIPT.replace("line = Line(lr=0.2)\n", "line = Line(lr=0.2)\nline.build()\nother = Line()\n")
    assert any("class 'Line': its instances call different build methods after being made" in m for m in _blockers(code))


def test_a_local_spelled_like_an_attribute_converts() -> None:
    code = MODEL.replace("        self.loss = tf.reduce_mean(tf.square(self.w * self.x - self.y))",
                         "        loss = tf.square(self.w * self.x - self.y)\n        self.loss = tf.reduce_mean(loss)") + SCRIPT
    out = upgrade_native(code).code
    assert not _blockers(code) and "def _loss(self, x, y):" in out
    printed: list[str] = []
    exec(compile(out, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    assert printed[0] == "loss 0.1866"


def test_converting_the_converted_class_changes_nothing() -> None:
    once = upgrade_native(MODEL + SCRIPT).code
    assert upgrade_native(once).code == once


def test_a_build_method_called_with_arguments_is_inlined_with_them_bound() -> None:
    code = MODEL.replace("        self.loss = tf.reduce_mean(tf.square(self.w * self.x - self.y))\n",
                         "        self._add_loss(self.w * self.x, scale=1.0)\n") \
        .replace("    def one_step(", "    def _add_loss(self, pred, scale):\n"
                                   "        self.loss = tf.reduce_mean(tf.square(pred * scale - self.y))\n\n"
                                   "    def one_step(") + SCRIPT
    out = upgrade_native(code).code
    assert not _blockers(code) and "_add_loss" not in out and "def pred(self, x):" in out
    printed: list[str] = []
    exec(compile(out, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    assert printed[0] == "loss 0.1866"


def test_a_build_method_called_without_its_argument_is_reported() -> None:
    code = MODEL.replace("        self.loss = tf.reduce_mean(tf.square(self.w * self.x - self.y))\n",
                         "        self._add_loss()\n") \
        .replace("    def one_step(", "    def _add_loss(self, pred):\n"
                                   "        self.loss = tf.reduce_mean(tf.square(pred - self.y))\n\n"
                                   "    def one_step(") + SCRIPT
    assert any("method '_add_loss' is called from __init__ without its argument 'pred'" in m for m in _blockers(code))
