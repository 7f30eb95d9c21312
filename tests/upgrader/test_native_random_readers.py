"""A random tensor read by one function of placeholders (native/random_readers.py), and tensors computed from
tf.gradients of other tensors (rules/native_tensor_gradients.py).

End to end (TF 2.21 and tfcompat print TF1's numbers): fixtures/programs/v1/native_gradient_penalty.py.
"""
from __future__ import annotations

from upgrader.engine import upgrade_source

HEAD = """import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
w = tf.Variable(np.ones((2, 1), np.float32))
eps = tf.random_uniform([3, 1]{seed})
inter = eps * x + (1. - eps) * 2.0
grad = tf.gradients(tf.matmul(tf.tanh(inter), w), [inter])[0]
loss = tf.reduce_mean(tf.matmul(x, w)) + tf.reduce_mean(tf.square(grad))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
"""


def _native(source: str) -> tuple[str, list[str]]:
    result = upgrade_source(source, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_a_random_tensor_is_drawn_inside_its_one_reader_and_the_gradient_gets_a_tape() -> None:
    code, blocked = _native(HEAD.format(seed="") + "    for i in range(3):\n"
                            "        _, l = sess.run([train, loss], {x: np.ones((3, 2))})\n")
    assert not blocked
    assert ("def inter(x):\n    eps = tf.random.uniform([3, 1])\n    x = tf.convert_to_tensor(x, tf.float32)\n"
            "    return eps * x + (1. - eps) * 2.0\n") in code
    assert ("def grad(x):\n    inter_value = inter(x)\n    with tf.GradientTape() as tape:\n"
            "        tape.watch(inter_value)\n        value = tf.matmul(tf.tanh(inter_value), w)\n"
            "    return tape.gradient(value, [inter_value])[0]\n") in code
    assert "eps = tf.random" not in code.split("def inter")[0]


def test_a_run_computing_the_reader_twice_blocks() -> None:
    _, blocked = _native(HEAD.format(seed="") + "    print(sess.run([loss, inter], {x: np.ones((3, 2))}))\n")
    assert len(blocked) == 1 and "the run at line 13 computes 'inter' 2 times (TF1 drew it once" in blocked[0]


def test_a_seeded_draw_computed_outside_the_training_step_blocks() -> None:
    _, blocked = _native(HEAD.format(seed=", seed=3") + "    sess.run(train, {x: np.ones((3, 2))})\n"
                         "    print(sess.run(loss, {x: np.ones((3, 2))}))\n")
    assert len(blocked) == 1 and "'inter' is computed by runs other than one training step" in blocked[0]


def test_a_random_tensor_with_two_readers_blocks() -> None:
    source = HEAD.format(seed="").replace("grad = ", "other = eps * 3.0 + x\ngrad = ")
    _, blocked = _native(source + "    sess.run(train, {x: np.ones((3, 2))})\n")
    assert len(blocked) == 1 and "'eps' is a random tensor" in blocked[0] and "read by more than" in blocked[0]


def test_gradients_of_ys_reaching_the_tensor_through_another_block() -> None:
    source = HEAD.format(seed="").replace("grad = tf.gradients(tf.matmul(tf.tanh(inter), w), [inter])[0]",
                                          "out = tf.tanh(inter)\ngrad = tf.gradients(out, [inter])[0]")
    source = source.replace("eps = tf.random_uniform([3, 1])", "eps = tf.ones([3, 1])")
    _, blocked = _native(source + "    sess.run(train, {x: np.ones((3, 2))})\n")
    assert len(blocked) == 1 and "tf.gradients' ys reads 'inter' through 'out'" in blocked[0]


def test_gradients_with_respect_to_a_placeholder_watch_the_argument() -> None:
    code, blocked = _native("import numpy as np\nimport tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None])\n"
                            "y = tf.square(x) * 3.0\ng = tf.gradients(y, x)[0] + 1.0\nwith tf.Session() as sess:\n"
                            "    print(sess.run(g, {x: np.ones(2)}))\n")
    assert not blocked
    assert ("    with tf.GradientTape() as tape:\n        tape.watch(x)\n        value = y(x)\n"
            "    return tape.gradient(value, [x])[0] + 1.0\n") in code
    got = []
    exec(compile(code, "converted", "exec"), {"print": lambda *a: got.append(a)})
    assert got[0][0].tolist() == [7.0, 7.0]
