"""Model classes that own their session become tf.Module subclasses (native/class_flatten.py, class_fold.py)."""
from __future__ import annotations

from upgrader.native.run import upgrade_native

MODEL = """import numpy as np
import tensorflow as tf


class Regressor:
    \"\"\"y = w * x + b, trained by its own session.\"\"\"

    def __init__(self, sess, lr=0.1):
        self.sess = sess
        self.lr = lr
        self.x = tf.placeholder(tf.float32, [None])
        self.y = tf.placeholder(tf.float32, [None])
        self.w = tf.Variable(0.0)
        self.b = tf.Variable(0.0)
        self.pred = self.w * self.x + self.b
        self.loss = tf.reduce_mean(tf.square(self.pred - self.y))
        self.step = tf.train.GradientDescentOptimizer(self.lr).minimize(self.loss)

    def fit(self, xs, ys):
        return self.sess.run([self.loss, self.step], {self.x: xs, self.y: ys})[0]

    def describe(self):
        return "a linear regressor"
"""

CALLERS = """

sess = tf.Session()
model = Regressor(sess, lr=0.2)
sess.run(tf.global_variables_initializer())
print(model.fit(np.ones(4, np.float32), np.ones(4, np.float32) * 3), model.describe())
"""


def _blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_native(code).warnings if d.rule == "native"]


def test_a_session_owning_class_becomes_a_module_with_methods_and_attributes() -> None:
    out = upgrade_native(MODEL + CALLERS).code
    assert "class Regressor(tf.Module):\n    \"\"\"y = w * x + b, trained by its own session.\"\"\"" in out
    assert "def __init__(self, lr=0.1):\n        super().__init__()\n        self.lr = lr\n" in out
    assert "self.w = tf.Variable(0.0)" in out and "self.optimizer = tf.keras.optimizers.SGD(self.lr)" in out
    assert "def pred(self, x):" in out and "def describe(self):" in out
    assert "def fit(self, xs, ys):\n        return [self.step(xs, ys).numpy(), None][0]" in out
    assert "model = Regressor(lr=0.2)" in out
    assert "Session(" not in out and "placeholder" not in out and "sess." not in out and "(sess" not in out


def test_the_converted_class_prints_what_the_tf1_class_printed() -> None:
    code = upgrade_native(MODEL + CALLERS).code
    printed: list[str] = []
    exec(compile(code, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    assert printed == ["9.0 a linear regressor"]   # TF1: mean((0 * 1 + 0 - 3) ** 2) before the step


def test_a_session_used_beside_the_class_is_reported() -> None:
    code = MODEL + CALLERS + "print(sess.run(model.w))\n"
    assert any("the session 'sess' is used other than by the model classes" in m for m in _blockers(code))


def test_a_method_reading_graph_objects_without_the_session_is_reported() -> None:
    code = MODEL.replace("    def describe(self):\n        return", "    def describe(self):\n        return self.loss,") + CALLERS
    assert any("method 'describe' builds or reads graph objects without running the session" in m for m in _blockers(code))


def test_a_class_that_opens_its_own_session_in_init_converts_and_its_callers_are_unchanged() -> None:
    code = MODEL.replace("def __init__(self, sess, lr=0.1):\n        self.sess = sess\n", "def __init__(self, lr=0.1):\n") \
        .replace("self.step = tf.train.GradientDescentOptimizer(self.lr).minimize(self.loss)\n",
                 "self.step = tf.train.GradientDescentOptimizer(self.lr).minimize(self.loss)\n"
                 "        self.sess = tf.Session()\n        self.sess.run(tf.global_variables_initializer())\n") + \
        "\nmodel = Regressor(lr=0.2)\nprint(model.fit(np.ones(4, np.float32), np.ones(4, np.float32) * 3))\n"
    out = upgrade_native(code).code
    assert not _blockers(code)
    assert "def __init__(self, lr=0.1):\n        super().__init__()\n" in out and "model = Regressor(lr=0.2)" in out
    assert "Session" not in out and "global_variables_initializer" not in out


def test_an_ensemble_of_session_owning_models_made_in_a_loop_converts() -> None:
    code = MODEL + """

sess = tf.Session()
models = []
for m in range(2):
    models.append(Regressor(sess, lr=0.1 * (m + 1)))
sess.run(tf.global_variables_initializer())
print([round(float(m.fit(np.ones(4, np.float32), np.ones(4, np.float32) * 3)), 3) for m in models])
"""
    result = upgrade_native(code)
    assert not _blockers(code)
    assert "models.append(Regressor(lr=0.1 * (m + 1)))" in result.code and "build_" not in result.code
    printed: list[str] = []
    exec(compile(result.code, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    assert printed == ["[9.0, 9.0]"]
