"""MonitoredTrainingSession loops in native mode (upgrader/native/monitored.py): what converts, and what blocks.

The converted program that prints TF 2.15's numbers is fixtures/programs/estimator/monitored_stop_at_step.py
(tests/upgrader/test_native_estimator.py); the golden rewrites are fixtures/upgrade/native_monitored/.
"""
from __future__ import annotations

import pytest

from upgrader.engine import upgrade_source

PROGRAM = '''import numpy as np
import tensorflow as tf

w = tf.Variable(np.ones([2, 1], np.float32), name="w")
loss = tf.reduce_sum(tf.square(w - 2.0))
{step}
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
with tf.train.MonitoredTrainingSession({args}) as sess:
    while not sess.should_stop():
{body}
'''
STEP = "step = tf.train.get_or_create_global_step()"
STOP = "hooks=[tf.train.StopAtStepHook(last_step=5)]"


def _native(step: str = STEP, args: str = STOP, body: str = "        sess.run(train_op)"):
    result = upgrade_source(PROGRAM.format(step=step, args=args, body=body), "native")
    return result, [d.message for d in result.diagnostics if d.rule == "native" and d.severity == "warning"]


def test_loop_becomes_a_step_bounded_tf2_loop() -> None:
    result, blocked = _native(args=STOP + ", checkpoint_dir='/tmp/m', save_checkpoint_steps=2")
    assert not blocked, blocked
    code = result.code
    assert "Session" not in code and "compat" not in code and "Hook" not in code
    assert "tf.train.CheckpointManager(saver, '/tmp/m', max_to_keep=5, checkpoint_name=\"model.ckpt\")" in code
    assert "current_step - saved_step >= 2" in code and "stop = step.numpy() >= 5" in code
    assert "time" not in code   # steps, not the default 600 seconds


@pytest.mark.parametrize("step, args, body, reason", [
    (STEP, "hooks=[tf.train.StopAtStepHook(last_step=5), tf.train.LoggingTensorHook([loss], 2)]",
     "        sess.run(train_op)", "the hook tf.train.LoggingTensorHook([loss], 2) has no native form"),
    (STEP, "", "        sess.run(train_op)", "converts as a list literal holding a tf.train.StopAtStepHook"),
    (STEP, STOP + ", scaffold=tf.train.Scaffold()", "        sess.run(train_op)", "arguments ['scaffold'] have no native form"),
    (STEP, STOP, "        sess.run(train_op)\n        sess.run(loss)", "calls sess.run once"),
    (STEP, STOP, "        sess.run(train_op)\n        break", "break in a MonitoredTrainingSession loop"),
    ("step = tf.train.get_or_create_global_step()\nstep2 = tf.train.get_global_step()", STOP, "        sess.run(train_op)",
     "the global step is one named variable"),
    (STEP, STOP + ", checkpoint_dir='/tmp/m', save_checkpoint_steps=n", "        sess.run(train_op)", "save_checkpoint_steps=...) converts as a number"),
    (STEP, "hooks=[tf.train.StopAtStepHook()]", "        sess.run(train_op)", "one of num_steps= or last_step="),
])
def test_what_blocks_a_monitored_loop(step: str, args: str, body: str, reason: str) -> None:
    result, blocked = _native(step, args, body)
    assert any(reason in m for m in blocked), blocked
    assert "MonitoredTrainingSession" in result.code   # the file is in compat form, not half converted


def test_no_monitored_session_leaves_the_file_to_the_other_rules() -> None:
    from upgrader.native.monitored import monitored_sessions
    import ast
    code = "import tensorflow as tf\nwith tf.Session() as sess:\n    pass\n"
    assert monitored_sessions(code, ast.parse(code)) is None
