"""`import ops` + `ops.weight(...)` with ops.py beside the program (native/module_imports.py): the variables
its functions make are in the training step, as with `from ops import weight`; what cannot be followed is reported.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.upgrader.multi_file import native as _native, run_old_and_new, write_pair
from tests.upgrader.test_native_imported import OPS


FACTORY = '''import tensorflow as tf

BATCH = 1


def weight(shape):
    return tf.Variable(tf.ones(shape) * 0.05)
'''
LAYER = OPS   # a layer-function module: get_variable sized by the input
# the loss reads a variable of this file and one that ops.weight makes in ops.py
WITH_FACTORY = '''import numpy as np
import tensorflow as tf
import ops

x = tf.placeholder(tf.float32, [None, 3])
w = tf.Variable(2.0)
W = ops.weight([3, 2])
out = tf.matmul(x * w, W)
loss = tf.reduce_sum(out)
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(2):
        sess.run(train_op, {x: np.ones((1, 3), np.float32)})
    print(sess.run(out, {x: np.ones((1, 3), np.float32)}))
'''
WITH_LAYER = '''import numpy as np
import tensorflow as tf
import ops as layers

x = tf.placeholder(tf.float32, [None, 3])
w = tf.Variable(2.0)
h = layers.fc_layer(x * w, 4, "h")
out = layers.fc_layer(h, 2, "out")
loss = tf.reduce_sum(out)
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(2):
        sess.run(train_op, {x: np.ones((1, 3), np.float32)})
    print(sess.run(out, {x: np.ones((1, 3), np.float32)}))
'''


pytestmark = pytest.mark.usefixtures("fresh_groups")


def test_a_variable_made_through_the_module_is_trained(tmp_path: Path) -> None:
    main, blocked = _native(write_pair(tmp_path, FACTORY, WITH_FACTORY))
    assert not blocked, blocked
    assert "from ops import weight\n" in main.code and "W = weight([3, 2])" in main.code
    assert "variables = [w, W]" in main.code


def test_layer_functions_called_through_an_aliased_module_become_modules(tmp_path: Path) -> None:
    main, blocked = _native(write_pair(tmp_path, LAYER, WITH_LAYER))
    assert not blocked, blocked
    assert "from ops import FcLayer\n" in main.code and 'h_layer = FcLayer(4, "h")' in main.code
    ops, blocked = _native(tmp_path / "ops.py")
    assert not blocked, blocked
    assert "class FcLayer(tf.Module):" in ops.code


def test_the_module_used_for_more_than_its_functions_is_reported(tmp_path: Path) -> None:
    main, blocked = _native(write_pair(tmp_path, FACTORY, WITH_FACTORY.replace("[None, 3]", "[ops.BATCH, 3]")))
    assert any("'ops' (the module ops.py, whose functions make variables) is used other than as ops.<function>(...)"
               in m for m in blocked), blocked
    assert "ops.weight([3, 2])" in main.code


def test_a_function_name_taken_in_the_program_is_reported(tmp_path: Path) -> None:
    main = WITH_FACTORY.replace("w = tf.Variable(2.0)", "weight = 3.0\nw = tf.Variable(2.0)")
    _, blocked = _native(write_pair(tmp_path, FACTORY, main))
    assert any("'weight' names both a function of ops.py and something in this program" in m for m in blocked), blocked


@pytest.mark.parametrize("ops, main", [(FACTORY, WITH_FACTORY), (LAYER, WITH_LAYER)], ids=["factory", "layer"])
def test_the_converted_pair_prints_what_tf1_printed(tmp_path: Path, oracle, ops: str, main: str) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, {"ops.py": ops, "main.py": main})
    assert tf2.stdout == tf1.stdout and tf1.stdout.strip(), (tf1.stdout, tf2.stdout)


GLOBALS = "import numpy as np\nimport tensorflow as tf\n\nW = tf.Variable(tf.ones([3, 2]) * 0.05)\n" \
          "K = tf.constant(np.eye(2), tf.float32)\n"


@pytest.mark.parametrize("spelling, read", [("import ops", "ops.W"), ("from ops import W", "W"),
                                            ("from ops import *", "W")], ids=["module", "name", "star"])
def test_a_variable_made_at_the_top_of_the_module_is_reported(tmp_path: Path, spelling: str, read: str) -> None:
    main = WITH_FACTORY.replace("import ops", spelling).replace("ops.weight([3, 2])", read)
    result, blocked = _native(write_pair(tmp_path, GLOBALS, main))
    reason = "'W' is a variable, placeholder or random tensor made at the top of ops.py"
    assert any(reason in m for m in blocked), blocked
    assert "Session" in result.code


def test_a_constant_made_at_the_top_of_the_module_is_read_as_it_is(tmp_path: Path) -> None:
    main = WITH_FACTORY.replace("W = ops.weight([3, 2])", "W = tf.Variable(tf.ones([3, 2]) * 0.05)").replace(
        "out = tf.matmul(x * w, W)", "out = tf.matmul(tf.matmul(x * w, W), ops.K)")
    result, blocked = _native(write_pair(tmp_path, GLOBALS.replace("W = tf.Variable(tf.ones([3, 2]) * 0.05)\n", ""), main))
    assert not blocked, blocked
    assert "tf.matmul(tf.matmul(x * w, W), ops.K)" in result.code and "variables = [w, W]" in result.code


@pytest.mark.parametrize("spelling, call", [("import ops", "ops.weight"), ("from ops import weight", "weight")],
                         ids=["module", "name"])
def test_a_variable_function_of_a_module_that_runs_code_at_import_is_reported(tmp_path: Path, spelling: str,
                                                                             call: str) -> None:
    ops = FACTORY.replace("BATCH = 1\n", 'print("ops loaded")\n')
    main = WITH_FACTORY.replace("import ops", spelling).replace("ops.weight", call)
    _, blocked = _native(write_pair(tmp_path, ops, main))
    assert any("weight() makes variables in ops.py, which also runs code at import" in m for m in blocked), blocked
