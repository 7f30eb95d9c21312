"""Graph-building functions -> tf.Module: which call is which instance, what blocks, and that names survive.

The replay in upgrader/native/module_calls.py must agree with TF1's variable store: these cases are the
ones TF1 accepts (sharing) and rejects (ValueError), plus the constructs native mode declines.
"""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tests import warm_python
from tests.oracle_python import oracle_python
from upgrader.engine import upgrade_source
from upgrader.native.model import analyze

HEAD = "import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\n"
LAYER = '''
def layer(x, size, name="layer", reuse=False):
    with tf.variable_scope(name, reuse=reuse):
        w = tf.get_variable("w", [3, size], initializer=tf.constant_initializer(0.5))
        return tf.matmul(x, w)
'''
RUN = "with tf.Session() as sess:\n    print(sess.run(a, {x: [[1.0, 2.0, 3.0]]}))\n"


def _sites(body: str) -> list[tuple[str, bool]]:
    prog = analyze(HEAD + LAYER + textwrap.dedent(body) + RUN)
    assert not prog.blockers, prog.blockers
    return [(s.instance.name, s.new) for s in prog.functions.sites.values()]


def test_reuse_true_is_the_same_instance() -> None:
    assert _sites("a = layer(x, 2)\nb = layer(x * 2.0, 2, reuse=True)\n") == [("layer", True), ("layer", False)]


def test_auto_reuse_from_the_caller_scope_is_the_same_instance() -> None:
    sites = _sites('with tf.variable_scope("s", reuse=tf.AUTO_REUSE):\n    a = layer(x, 2)\n    b = layer(x, 2)\n')
    assert sites == [("layer", True), ("layer", False)]


def test_different_scopes_are_different_instances() -> None:
    assert _sites('a = layer(x, 2, "l1")\nb = layer(a, 2, "l2")\n') == [("l1", True), ("l2", True)]


def test_reuse_false_inside_a_reusing_scope_still_reuses() -> None:
    """TF1 inherits reuse: variable_scope(reuse=False) under reuse=True reuses (checked on TF 2.21's compat.v1)."""
    body = 'with tf.variable_scope("o"):\n    a = layer(x, 2)\nwith tf.variable_scope("o", reuse=True):\n    b = layer(x, 2)\n'
    assert _sites(body) == [("layer", True), ("layer", False)]


@pytest.mark.parametrize("body, reason", [
    ("a = layer(x, 2)\nb = layer(x, 2)\n", "already exists and its scope does not reuse"),
    ("a = layer(x, 2, reuse=True)\n", "under reuse=True does not exist"),
    ('a = layer(x, 2)\nb = layer(x, 3, reuse=True)\n', "with a different 'size'"),
    ("a = layer(x, x)\n", "'size' names or shapes variables but is given a graph tensor"),
    ("n = 'l' + 'x'\na = layer(x, 2, n)\n", "its variable_scope name is not a string known before run time"),
    ("a = [layer(x, 2, n) for n in 'pq'][0]\n", "is called inside a ListComp, which may run it zero or several times"),
    ("layer(x, 2)\na = x\n", "is called in a statement that binds no one name to its result"),
    ("f = layer\na = f(x, 2)\n", "is used other than by calling it"),
], ids=["twice_without_reuse", "reuse_missing", "different_shape", "tensor_shape", "computed_scope", "in_comprehension",
        "result_unbound", "function_as_value"])
def test_blocked_calls(body: str, reason: str) -> None:
    prog = analyze(HEAD + LAYER + body + RUN)
    assert any(reason in b.reason for b in prog.blockers), prog.blockers


@pytest.mark.parametrize("func, reason", [
    ("def f(x):\n    for i in range(2):\n        w = tf.get_variable('w%d' % i, [1])\n    return x * w\n",
     "variables created under Python control flow"),
    ("def f(x):\n    return x * tf.Variable(1.0)\n", "variables created under Python control flow or inside an expression"),
    ("def f(x):\n    for n in [3]:\n        pass\n    w = tf.get_variable('w', [n])\n    return x * w\n",
     "a variable's size is computed in a loop"),
    ("def f(x):\n    return g(x)\n\n\ndef g(x):\n    return x * tf.get_variable('w', [3])\n", "is defined after 'f'"),
    ("def mk(n):\n    return tf.get_variable('w_' + n, [3])\n\n\n"
     "def f(x):\n    with tf.variable_scope('s', reuse=tf.AUTO_REUSE):\n        w = mk('a')\n    return x * w\n",
     "makes a new variable on every call, but its scope reuses"),
], ids=["loop", "tf_variable", "computed_in_loop", "defined_late", "factory_under_reuse"])
def test_blocked_functions(func: str, reason: str) -> None:
    result = upgrade_source(HEAD + func + "a = f(x)\n" + RUN, "native")
    messages = [d.message for d in result.warnings if d.rule == "native"]
    assert any(reason in m for m in messages), messages


def test_builder_reading_a_module_placeholder_takes_it_as_a_parameter() -> None:
    source = HEAD + "def f(y):\n    w = tf.get_variable('w', [1])\n    return x * w\n" + "a = f(x)\n" + RUN
    result = upgrade_source(source, "native")
    assert not [d for d in result.warnings if d.rule == "native"]
    assert "    def __call__(self, y, x):\n        return x * self.w\n" in result.code
    assert "return a_layer(x, x=x)" in result.code


def test_helper_function_without_variables_is_kept() -> None:
    source = HEAD + "\n\ndef leaky(t):\n    return tf.maximum(0.2 * t, t)\n\n\na = leaky(x)\n" + RUN
    result = upgrade_source(source, "native")
    assert not [d for d in result.warnings if d.rule == "native"]
    assert "def leaky(t):\n    return tf.maximum(0.2 * t, t)\n" in result.code and "return leaky(x)" in result.code


PROGRAM = HEAD + LAYER + '''
with tf.variable_scope("tower"):
    a = layer(x, 2)
    b = layer(x, 3, "second")
c = layer(x, 2, "tower/layer", reuse=True)
'''


@pytest.mark.oracle
def test_variable_names_and_values_match_tf1(tmp_path: Path) -> None:
    """TF1's trainable variable names (tower/layer/w:0 ...) are the converted module's variable names."""
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle")
    v1 = PROGRAM + "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n" \
        "    print(sorted(v.name for v in tf.trainable_variables()))\n    print(sess.run(b, {x: [[1.0, 2.0, 3.0]]}))\n"
    converted = upgrade_source(PROGRAM + RUN.replace("a, {", "b, {"), "native")
    assert not [d for d in converted.warnings if d.rule == "native"], converted.warnings
    v2 = converted.code + "print(sorted(v.name for v in [*layer.trainable_variables, *second.trainable_variables]))\n"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    oracle = os.path.join(os.path.dirname(__file__), "..", "run_as_tf.py")
    (tmp_path / "v1.py").write_text(v1)
    (tmp_path / "v2.py").write_text(v2)
    one = warm_python.run([py, oracle, "v1", str(tmp_path / "v1.py")], capture_output=True, text=True, env=env, timeout=300)
    two = warm_python.run([py, str(tmp_path / "v2.py")], capture_output=True, text=True, env=env, timeout=300)
    assert one.returncode == two.returncode == 0, one.stderr[-800:] + two.stderr[-800:]
    names_v1, value_v1 = one.stdout.splitlines()[-2:]
    value_v2, names_v2 = two.stdout.splitlines()[-2:]
    assert names_v1 == names_v2 == "['tower/layer/w:0', 'tower/second/w:0']"
    assert value_v1 == value_v2
