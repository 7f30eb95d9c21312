"""Training ops fetched by one sess.run become one step that takes every gradient first (native/joint_steps.py).

End to end (TF 2.21 and tfcompat print TF1's numbers): fixtures/programs/v1/native_joint_steps.py.
"""
from __future__ import annotations

from upgrader.engine import upgrade_source

HEAD = """import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
w1 = tf.Variable(np.ones((2, 1), np.float32))
w2 = tf.Variable(np.ones((2, 1), np.float32))
theta2 = [w2]
loss1 = tf.reduce_mean(tf.matmul(x, w1))
loss2 = tf.reduce_mean(tf.square(tf.matmul(x, {reads})))
step1 = tf.train.GradientDescentOptimizer(0.1).minimize(loss1)
step2 = tf.train.AdamOptimizer(0.1).minimize(loss2, var_list=theta2)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
"""


def _native(source: str) -> tuple[str, list[str], list[str]]:
    result = upgrade_source(source, "native")
    blocked = [d.message for d in result.warnings if d.rule == "native"]
    return result.code, blocked, [d.message for d in result.warnings if d.rule != "native"]


def test_two_training_ops_in_one_run_take_both_gradients_before_either_update() -> None:
    code, blocked, warnings = _native(HEAD.format(reads="w2") + "    for i in range(3):\n"
                                      "        _, _, l1, l2 = sess.run([step1, step2, loss1, loss2], {x: np.ones((3, 2))})\n")
    assert not blocked
    assert ("def step1_and_step2(x):\n"
            '    """step1 and step2, run by one TF1 sess.run: every gradient from the same variable values, then '
            'every update."""\n'
            "    with tf.GradientTape(persistent=True) as tape:\n"
            "        loss_value = loss1(x)\n"
            "        loss_value_1 = loss2(x)\n"
            "    variables = [w1]\n"
            "    gradients = tape.gradient(loss_value, variables)\n"
            "    variables_1 = theta2\n"
            "    gradients_1 = tape.gradient(loss_value_1, variables_1)\n"
            "    optimizer.apply_gradients(zip(gradients, variables))\n"
            "    step2_optimizer.apply_gradients(zip(gradients_1, variables_1))\n"
            "    return loss_value, loss_value_1\n") in code
    assert ("(step1_and_step2_losses := step1_and_step2(np.ones((3, 2))))[0].numpy(), "
            "step1_and_step2_losses[1].numpy()") in code
    assert "def step1(" not in code and "def step2(" not in code   # never run alone: the joint step is their code
    assert "optimizer = tf.keras.optimizers.SGD(0.1)\n\n\nstep2_optimizer = tf.keras.optimizers.Adam(" in code
    assert not any("no fixed order" in w for w in warnings)


def test_the_losses_take_their_slots_in_fetch_order() -> None:
    code, blocked, _ = _native(HEAD.format(reads="w2") + "    print(sess.run([loss2, step2, step1], {x: np.ones((3, 2))}))\n"
                               "    sess.run(step2, {x: np.ones((3, 2))})\n")
    assert not blocked
    assert "def step1(" not in code and "def step2(x):" in code   # run alone too: a step of its own
    assert "print([step1_and_step2(np.ones((3, 2)))[1].numpy(), None, None])" in code


def test_one_step_updating_what_the_other_reads_is_said() -> None:
    code, blocked, warnings = _native(HEAD.format(reads="w1 * w2") + "    sess.run([step1, step2], {x: np.ones((3, 2))})\n")
    assert not blocked and "def step1_and_step2(x):" in code
    assert any(w.startswith("'step1' updates w1, which 'step2' reads: TF1 ran the two in one sess.run in no fixed "
                            "order") for w in warnings)


def test_training_ops_run_apart_get_no_joint_step() -> None:
    code, blocked, _ = _native(HEAD.format(reads="w2") + "    sess.run(step1, {x: np.ones((3, 2))})\n"
                               "    sess.run(step2, {x: np.ones((3, 2))})\n")
    assert not blocked and "_and_" not in code


GROUP = """import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
w1 = tf.Variable(np.ones((2, 1), np.float32))
w2 = tf.Variable(np.ones((2, 1), np.float32))
loss1 = tf.reduce_mean(tf.matmul(x, w1))
loss2 = tf.reduce_mean(tf.square(tf.matmul(x, w2)))
opt = tf.train.{opt}(0.1)
gv1 = opt.compute_gradients(loss1, [w1])
gv2 = opt.compute_gradients(loss2, [w2])
both = tf.group(opt.apply_gradients(gv1),
                opt.apply_gradients(gv2))  # one update of each
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([both, loss2], {{x: np.ones((3, 2))}}))
"""


def test_a_group_of_optimizer_calls_becomes_one_joint_step_named_after_it() -> None:
    code, blocked, _ = _native(GROUP.format(opt="GradientDescentOptimizer"))
    assert not blocked
    assert "def both_1(" not in code and "def both_2(" not in code   # its updates run only in the group
    assert '@tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])\ndef both(x):\n    """TF1\'s tf.group both: every' in code
    assert "print([None, both(np.ones((3, 2)))[1].numpy()])" in code
    assert "tf.group(" not in code


def test_a_group_applying_one_adam_optimizer_twice_falls_back_saying_why() -> None:
    result = upgrade_source(GROUP.format(opt="AdamOptimizer"), "native")
    blocked = [(d.line, d.message) for d in result.warnings if d.rule == "native"]
    assert len(blocked) == 1 and blocked[0][0] == 12   # the tf.group statement's line in the original
    assert "'opt' (AdamOptimizer) applies gradients twice in one run: TF1 advances its beta powers" in blocked[0][1]


def test_one_adam_optimizer_training_layers_in_two_ops_says_the_step_counts_differ() -> None:
    code, blocked, warnings = _native(
        "import numpy as np\nimport tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None, 2])\n"
        "h = tf.layers.dense(x, 3)\nloss1 = tf.reduce_mean(tf.square(h - 1.0))\nloss2 = tf.reduce_mean(tf.abs(h))\n"
        "opt = tf.train.AdamOptimizer(0.1)\nt1 = opt.minimize(loss1)\nt2 = opt.minimize(loss2)\n"
        "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
        "    sess.run(t1, {x: np.ones((2, 2))})\n    sess.run(t2, {x: np.ones((2, 2))})\n")
    assert not blocked and "t2_optimizer = tf.keras.optimizers.Adam(" in code
    assert any(w.startswith("'opt' (AdamOptimizer) trains Keras layers in several ops") for w in warnings)
