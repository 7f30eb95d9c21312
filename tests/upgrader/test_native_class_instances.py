"""Model classes without a session, fed and fetched by the script (native/class_instances.py, class_instance_fold.py)."""
from __future__ import annotations

from upgrader.native.run import upgrade_native

MODEL = """import numpy as np
import tensorflow as tf


class Linear(object):
    \"\"\"y = w * x + b; the script trains it.\"\"\"

    def __init__(self, start, scale=1.0):
        self.x = tf.placeholder(tf.float32, [None])
        self.y = tf.placeholder(tf.float32, [None])
        self.scale = scale
        with tf.name_scope("weights"):
            self.w = tf.Variable(start)
            self.b = tf.Variable(0.0)
        self._add_loss()

    def _add_loss(self):
        pred = self.w * self.x * self.scale + self.b
        self.loss = tf.reduce_mean(tf.square(pred - self.y))

    def describe(self):
        return "a line"
"""

SCRIPT = """

model = Linear(0.5, scale=2.0)
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(model.loss)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
xs, ys = np.ones(4, np.float32), np.ones(4, np.float32) * 3
_, first = sess.run([train_op, model.loss], feed_dict={model.x: xs, model.y: ys})
print(first, sess.run(model.loss, {model.x: xs, model.y: ys}), model.scale)
"""


def _blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_native(code).warnings if d.rule == "native"]


def test_the_class_becomes_a_module_and_the_script_calls_its_methods() -> None:
    out = upgrade_native(MODEL + SCRIPT).code
    assert "class Linear(tf.Module):\n    \"\"\"y = w * x + b; the script trains it.\"\"\"" in out
    assert "def __init__(self, start, scale=1.0):\n        super().__init__()\n        self.scale = scale\n" in out
    assert "self.w = tf.Variable(start)" in out and "def loss(self, x, y):" in out and "def describe(self):" in out
    assert "model = Linear(0.5, scale=2.0)" in out and "model.loss(xs, ys)" in out
    assert "variables = [model.w, model.b]" in out
    assert "Session" not in out and "placeholder" not in out and "name_scope" not in out and "model__" not in out


def test_the_converted_script_prints_what_tf1_printed() -> None:
    code = upgrade_native(MODEL + SCRIPT).code
    printed: list[str] = []
    exec(compile(code, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    # TF1: loss (2 * 0.5 - 3) ** 2 = 4 before the step; w += 0.1 * 2 * 2 * 2 = 0.8, b += 0.4 -> (2.6 + 0.4 - 3) ** 2
    assert [round(float(v), 4) for v in printed[0].split()] == [4.0, 0.0, 2.0]


def test_converting_the_converted_script_changes_nothing() -> None:
    once = upgrade_native(MODEL + SCRIPT).code
    assert upgrade_native(once).code == once


def test_two_instances_are_reported() -> None:
    code = MODEL + SCRIPT + "other = Linear(1.0)\n"
    assert any("class 'Linear': it is instantiated 2 times (lines 25, 32): native mode converts a model class without "
               "a session when the script makes exactly one instance of it" in m for m in _blockers(code))


def test_a_method_called_on_the_instance_is_reported() -> None:
    code = MODEL + SCRIPT + "print(model.describe())\n"
    assert any("'model.describe' is called outside the class" in m for m in _blockers(code))


def test_an_attribute_set_from_outside_is_reported() -> None:
    code = MODEL + SCRIPT + "model.scale = 3.0\n"
    assert any("'model.scale' is set outside the class" in m for m in _blockers(code))


def test_the_instance_used_whole_is_reported() -> None:
    code = MODEL + SCRIPT + "print(model)\n"
    assert any("the instance 'model' is used other than through its attributes" in m for m in _blockers(code))


def test_a_method_building_graph_after_init_is_reported() -> None:
    code = MODEL.replace('return "a line"', "return tf.reduce_sum(self.w)") + SCRIPT
    assert any("method 'describe' builds or reads graph objects after __init__" in m for m in _blockers(code))


def test_a_build_method_called_on_the_new_instance_becomes_part_of_init() -> None:
    code = MODEL.replace("        self._add_loss()\n", "") + SCRIPT.replace(
        "model = Linear(0.5, scale=2.0)\n", "model = Linear(0.5, scale=2.0)\nmodel._add_loss()\n")
    out = upgrade_native(code).code
    assert not _blockers(code)
    assert "_add_loss" not in out and "def loss(self, x, y):" in out and "model.loss(xs, ys)" in out


def test_a_local_spelled_like_an_attribute_converts() -> None:
    code = MODEL.replace("        pred = self.w * self.x * self.scale + self.b\n        self.loss = tf.reduce_mean(tf.square(pred - self.y))",
                         "        loss = tf.square(self.w * self.x * self.scale + self.b - self.y)\n"
                         "        self.loss = tf.reduce_mean(loss)") + SCRIPT
    out = upgrade_native(code).code
    assert not _blockers(code) and "def _loss(self, x, y):" in out and "return tf.reduce_mean(self._loss(x, y))" in out


def test_a_class_the_file_never_makes_is_reported() -> None:
    assert any("class 'Linear': this file never makes an instance of it" in m for m in _blockers(MODEL))


def test_an_instance_made_inside_a_function_converts_there() -> None:
    """The class goes back to module level; `model = Linear(...)` and the script's calls stay in main()."""
    body = "".join("    " + ln if ln.strip() else ln for ln in SCRIPT.strip("\n").splitlines(keepends=True))
    code = MODEL + "\n\ndef main():\n" + body + "\n\nmain()\n"
    out = upgrade_native(code).code
    assert not _blockers(code)
    assert "class Linear(tf.Module):" in out and "def loss(self, x, y):" in out and "model__" not in out
    assert "def main():\n    model = Linear(0.5, scale=2.0)\n" in out and "        variables = [model.w, model.b]\n" in out
    printed: list[str] = []
    exec(compile(out, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    assert [round(float(v), 4) for v in printed[0].split()] == [4.0, 0.0, 2.0]   # as TF1 (see above)


def test_feed_keys_and_a_class_above_a_changed_header_are_spelled_as_a_person_would() -> None:
    """A named feed dict keeps the placeholders' own names as keys ("x", not "model__x"); when the upgrade changes
    a statement above the class (tf.set_random_seed), the class goes right above the statement making the instance."""
    model = MODEL.replace("import tensorflow as tf\n", "import tensorflow as tf\ntf.set_random_seed(0)\n")
    script = SCRIPT.replace("_, first = sess.run([train_op, model.loss], feed_dict={model.x: xs, model.y: ys})",
                            "feed = {model.x: xs, model.y: ys}\n_, first = sess.run([train_op, model.loss], feed_dict=feed)")
    out = upgrade_native(model + script).code
    assert not _blockers(model + script)
    assert 'feed = {"x": xs, "y": ys}' in out and "model__" not in out
    assert out.index("tf.random.set_seed(0)") < out.index("class Linear(tf.Module):") < out.index("model = Linear(")
    printed: list[str] = []
    exec(compile(out, "converted", "exec"), {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    assert [round(float(v), 4) for v in printed[0].split()] == [4.0, 0.0, 2.0]
