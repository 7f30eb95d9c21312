"""Layer-function calls anywhere in a module-level statement, and layer functions that return tuples
(native/layer_sites.py): `fc1, W1 = fc_layer(...)`, `out = tf.identity(fc(fc(x, 4, "h"), 3, "o"))`.

Each converted program must print what TF1 printed (TF 2.21's compat.v1 against TF 2.21 eager).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.upgrader.multi_file import native as _native, run_old_and_new, write_pair

OPS = '''import numpy as np
import tensorflow as tf


def weight_variable(name, shape):
    init = tf.constant_initializer(np.linspace(-0.5, 0.5, shape[0] * shape[1]).reshape(shape))
    return tf.get_variable('W_' + name, dtype=tf.float32, shape=shape, initializer=init)


def fc_layer(x, num_units, name, use_relu=True):
    """A layer that also hands back its weights."""
    with tf.variable_scope(name):
        in_dim = x.get_shape()[1]
        W = weight_variable(name, shape=[in_dim, num_units])
        b = tf.get_variable('b', initializer=tf.constant(0.1, shape=[num_units]))
        layer = tf.matmul(x, W) + b
        if use_relu:
            layer = tf.nn.relu(layer)
        return layer, W
'''
# the returned weights are read with no feed: they are variables, not functions of x
UNPACKED = '''import numpy as np
import tensorflow as tf
from ops import fc_layer

data = np.linspace(-1, 1, 12).reshape(4, 3).astype(np.float32)
x = tf.placeholder(tf.float32, [None, 3])
fc1, W1 = fc_layer(x, 4, 'Hidden', use_relu=True)
out, _ = fc_layer(fc1, 3, 'Output', use_relu=False)
norms = W1 / tf.sqrt(tf.reduce_sum(tf.square(W1), axis=0))
loss = tf.reduce_mean(tf.square(out - x))
train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(3):
        _, l = sess.run([train_op, loss], {x: data})
        print("%.5f" % l)
    print(np.round(sess.run(norms), 4))
    print(np.round(sess.run(W1), 4))
'''
# calls nested in calls and in an expression, in the order Python runs them
NESTED = '''import numpy as np
import tensorflow as tf


def dense(x, n, name):
    with tf.variable_scope(name):
        w = tf.get_variable("w", [3, n], initializer=tf.constant_initializer(0.25))
        return tf.matmul(x, w)


x = tf.placeholder(tf.float32, [None, 3])
out = tf.identity(dense(tf.tanh(dense(x, 3, "h")), 3, "o") * 2.0) + dense(x, 3, "side")
loss = tf.reduce_mean(tf.square(out - 1.0))
train_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        print("%.5f" % sess.run([train_op, loss], {x: np.ones((2, 3), np.float32)})[1])
'''

# a layer function returning a tuple, unpacked inside another layer function (its tf.Module's __call__)
INSIDE = '''import numpy as np
import tensorflow as tf


def dense(x, n, name):
    with tf.variable_scope(name):
        w = tf.get_variable("w", [3, n], initializer=tf.constant_initializer(0.25))
        return tf.matmul(x, w), w


def net(x):
    with tf.variable_scope("net"):
        h, w1 = dense(x, 3, "h")
        out, _ = dense(tf.tanh(h), 3, "o")
        return out, tf.reduce_sum(tf.square(w1))


x = tf.placeholder(tf.float32, [None, 3])
out, penalty = net(x)
loss = tf.reduce_mean(tf.square(out - 1.0)) + 0.01 * penalty
train_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        print("%.5f" % sess.run([train_op, loss], {x: np.ones((2, 3), np.float32)})[1])
'''


pytestmark = pytest.mark.usefixtures("fresh_groups")


def test_a_returned_tuple_is_unpacked_name_by_name(tmp_path: Path) -> None:
    main, blocked = _native(write_pair(tmp_path, OPS, UNPACKED))
    assert not blocked, blocked
    code = main.code
    assert "Hidden = FcLayer(4, 'Hidden')" in code and "return Hidden(x, use_relu=True)[0]" in code
    assert "return Output(fc1(x), use_relu=False)[0]" in code
    assert "def norms():\n    return Hidden.W / tf.sqrt(tf.reduce_sum(tf.square(Hidden.W), axis=0))" in code
    assert "sess" not in code and "def W1" not in code and "Hidden.W.numpy()" in code
    ops, blocked = _native(tmp_path / "ops.py")
    assert not blocked, blocked
    assert "return layer, self.W" in ops.code


def test_nested_calls_are_instances_in_the_order_they_run() -> None:
    from upgrader.engine import upgrade_source
    result = upgrade_source(NESTED, "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    code = result.code
    assert code.index('h = Dense(3, "h")') < code.index('o = Dense(3, "o")') < code.index('side = Dense(3, "side")')
    assert "return tf.identity(o(tf.tanh(h(x))) * 2.0) + side(x)" in code


def test_a_function_that_returns_fewer_values_than_unpacked_is_reported(tmp_path: Path) -> None:
    _, blocked = _native(write_pair(tmp_path, OPS, UNPACKED.replace("out, _ = fc_layer", "out, _, _ = fc_layer")))
    assert any("'fc_layer' is unpacked into 3 names, but not every return statement gives a tuple of 3 values" in m
               for m in blocked), blocked


@pytest.mark.parametrize("files", [{"ops.py": OPS, "main.py": UNPACKED}, {"main.py": NESTED}, {"main.py": INSIDE}],
                         ids=["unpacked", "nested", "inside_a_layer"])
def test_the_converted_program_prints_what_tf1_printed(tmp_path: Path, oracle, files: dict[str, str]) -> None:
    tf1, tf2 = run_old_and_new(tmp_path, files)
    assert tf2.stdout == tf1.stdout and tf1.stdout.strip(), (tf1.stdout, tf2.stdout)


def test_summaries_of_layers_called_in_expressions_keep_tf1_tags_and_values(tmp_path: Path, oracle) -> None:
    from tests.upgrader.test_native_layer_summaries import MAIN, OPS as SUMMARY_OPS, _summaries
    ops = SUMMARY_OPS.replace("        return layer\n", "        return layer, W\n")
    main = MAIN.replace("fc1 = fc_layer(x, 5,", "fc1, W1 = fc_layer(x, 5,").replace(
        "logits = fc_layer(fc1, 2, 'Output', use_relu=False)", "logits = tf.identity(fc_layer(fc1, 2, 'Output', use_relu=False)[0])")
    tf1, tf2 = run_old_and_new(tmp_path, {"ops.py": ops, "main.py": main})
    assert tf1.stdout == tf2.stdout
    code = (tmp_path / "new" / "main.py").read_text()
    assert "(tf.summary.histogram, 'Output/b', tf.identity(Output.b))" in code
    old = _summaries(tmp_path / "old")
    assert "0 Hidden/W ('histo', 15.0, 0.05, 0.05)" in old and "Output/b" in old
    assert _summaries(tmp_path / "new") == old


def test_only_the_weights_of_a_layer_sized_by_its_input_is_reported(tmp_path: Path) -> None:
    main = UNPACKED.replace("out, _ = fc_layer(fc1, 3, 'Output', use_relu=False)",
                            "out = fc1 * 2.0\n_, W2 = fc_layer(fc1, 3, 'Output', use_relu=False)")
    _, blocked = _native(write_pair(tmp_path, OPS, main))
    assert any("'fc_layer' sizes its variables from its input, so its TF2 module makes them on its first call, and "
               "this call's result is used only for its variables" in m for m in blocked), blocked


def test_the_weights_of_a_layer_built_in_its_constructor_are_read_without_calling_it() -> None:
    from upgrader.engine import upgrade_source
    code = ("import tensorflow as tf\n\n\ndef dense(x, n):\n"
            "    w = tf.get_variable('w', [3, n], initializer=tf.constant_initializer(0.25))\n"
            "    return tf.matmul(x, w), w\n\n\nx = tf.placeholder(tf.float32, [None, 3])\n_, w1 = dense(x, 3)\n"
            "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n    print(sess.run(w1))\n")
    result = upgrade_source(code, "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    assert "w1_layer = Dense(3)" in result.code and "print(w1_layer.w.numpy())" in result.code
