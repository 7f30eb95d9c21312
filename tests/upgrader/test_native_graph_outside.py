"""What may stand outside a program's graph: `with tf.Graph().as_default():` unwraps beside code that builds
nothing in the default graph (native/default_graphs.py), and a unit-test class that never touches a graph value
stays as written (native/model.py's PLAIN_TF). The end-to-end check is fixture native_main_graph_outside."""
from __future__ import annotations

import ast

from upgrader.engine import upgrade_source
from upgrader.native.default_graphs import default_graphs

TF = "import tensorflow as tf\n\n\n"
BLOCK = ("with tf.Graph().as_default():\n    x = tf.placeholder(tf.float32, [])\n"
         "    with tf.Session() as sess:\n        print(sess.run(x * 2.0, {x: 1.0}))\n")


def _blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_source(code, "native").warnings if d.rule == "native"]


def test_a_file_writer_and_a_file_helper_class_outside_the_block_build_nothing_in_its_graph() -> None:
    code = TF + ("class Store:\n    def save(self, path):\n        with tf.io.gfile.GFile(path, 'w') as f:\n"
                 "            f.write('x')\n\n\nwriter = tf.summary.FileWriter('logs', tf.get_default_graph())\n" + BLOCK)
    out = default_graphs(code, ast.parse(code))
    assert out is not None and "as_default" not in out and "x = tf.placeholder" in out


def test_a_class_or_call_outside_the_block_that_builds_ops_keeps_it() -> None:
    for outside in ("class Net:\n    def out(self):\n        return tf.ones([2])\n\n\no = Net().out()\n",
                    "c = tf.constant(1.0)\n"):
        code = TF + outside + BLOCK
        assert default_graphs(code, ast.parse(code)) is None, outside


TEST_CASE = ("class CleanTest(tf.test.TestCase):\n    def test_clean(self):\n"
             "        self.assertEqual(' a '.strip(), {expected})\n\n\n")
PROGRAM = ("x = tf.placeholder(tf.float32, [None])\ny = x * 2.0\nwith tf.Session() as sess:\n"
           "    print(sess.run(y, {x: [1.0]}))\n\n\nif __name__ == '__main__':\n    tf.test.main()\n")


def test_a_unit_test_class_of_plain_python_stays_and_the_program_converts() -> None:
    code = TF + TEST_CASE.format(expected="'a'") + PROGRAM
    assert not _blockers(code)
    out = upgrade_source(code, "native").code
    assert "class CleanTest(tf.test.TestCase):" in out and "tf.test.main()" in out and "Session" not in out


def test_a_unit_test_class_reading_a_graph_tensor_still_blocks() -> None:
    code = TF + PROGRAM.replace("\n\nif __name__", "\n\n" + TEST_CASE.format(expected="y") + "if __name__")
    assert any("CleanTest.test_clean (a test unittest runs) reads 'y', a graph value built at module level" in m
               for m in _blockers(code))   # native/test_cases.py


def test_a_program_function_returning_what_it_computed_converts_and_still_returns_it() -> None:
    code = TF + ("def fit(n):\n    x = tf.placeholder(tf.float32, [None])\n    w = tf.Variable(1.0)\n"
                 "    with tf.Session() as sess:\n        sess.run(tf.global_variables_initializer())\n"
                 "        value = sess.run(w * x, {x: [float(n)]})\n    return value * 2\n\n\nprint(fit(3))\n")
    assert not _blockers(code)
    out = upgrade_source(code, "native").code
    assert "\n    return value * 2\n" in out and "tfcompat" not in out and "Session" not in out


def test_a_program_function_returning_a_graph_tensor_or_returning_early_stays() -> None:
    body = ("    x = tf.placeholder(tf.float32, [None])\n    y = x * 2.0\n"
            "    with tf.Session() as sess:\n        print(sess.run(y, {x: [1.0]}))\n")
    for code in (TF + "def build():\n" + body + "    return y\n\n\nbuild()\n",
                 TF + "def build(flag):\n    if flag:\n        return None\n" + body + "\n\nbuild(False)\n"):
        assert _blockers(code), code
