"""Native mode on SessionRunHooks given to an Estimator: a user's hook class becomes a plain class the converted
training loop calls around each step (what it fetches comes from that step), or the file falls back naming why.
Whole programs (fixtures/programs/estimator/custom_hooks.py, train_and_evaluate_hooks.py) are run against TF 2.15's
numbers by test_native_estimator.py.
"""
from __future__ import annotations

import pytest

from upgrader.engine import upgrade_source

PROGRAM = '''import tensorflow as tf


def model_fn(features, labels, mode):
    w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
    loss = tf.losses.mean_squared_error(labels, w * features)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


class Hook(tf.train.SessionRunHook):
    def begin(self):
        self.step = tf.train.get_global_step()

{methods}

est = tf.estimator.Estimator(model_fn)
est.train(None, steps=3, hooks=[Hook()])
'''


def _convert(methods: str):
    return upgrade_source(PROGRAM.format(methods=methods), "native")


def _blockers(result) -> list[str]:
    return [d.message for d in result.warnings if d.rule == "native"]


def test_a_hook_class_keeps_its_methods_with_the_estimator_in_place_of_the_session() -> None:
    code = _convert('''    def before_run(self, run_context):
        return tf.train.SessionRunArgs([self.step, {"again": self.step}])

    def after_run(self, run_context, run_values):
        if run_values.results[0] > 1:
            run_context.request_stop()

    def end(self, session):
        print(session.run(self.step))''').code
    for line in ("class Hook(SessionRunHook):", "    def begin(self, estimator):",
                 "        self.step = estimator.global_step", "    def before_run(self, estimator):",
                 '        return [self.step, {"again": self.step}]', "    def after_run(self, estimator, run_values):",
                 "        if run_values[0] > 1:", "            estimator.request_stop()", "    def end(self, estimator):",
                 "        print(self.step.numpy())"):
        assert line + "\n" in code, code
    assert "class SessionRunHook:" in code and "SessionRunArgs" not in code


@pytest.mark.parametrize("methods, reason", [
    ('    def after_create_session(self, session, coord):\n        pass', "'Hook'.after_create_session has no native"),
    ('    def before_run(self, run_context):\n        return tf.train.SessionRunArgs(self.step, feed_dict={})',
     "tf.train.SessionRunArgs(feed_dict, fetches) in 'Hook'.before_run has no native form"),
    ('    def before_run(self, run_context):\n        return tf.train.SessionRunArgs(self.loss)',
     "'Hook' fetches self.loss: a custom hook converts when it fetches the global step"),
    ('    def after_run(self, run_context, run_values):\n        run_context.session.run(self.step)',
     "'Hook'.after_run uses run_context.session"),
    ('    def after_run(self, run_context, run_values):\n        print(run_values.run_metadata)',
     "reads run_values other than as run_values.results"),
    ('    def end(self, session):\n        print(tf.train.get_global_step())', "in 'Hook' outside begin() has no native"),
    ('    def after_run(self, run_context, run_values, extra):\n        pass', "not SessionRunHook's parameters"),
])
def test_what_blocks_a_hook_class(methods: str, reason: str) -> None:
    result = _convert(methods)
    assert any(reason in m for m in _blockers(result)), _blockers(result)
    assert "class Hook(tf.compat.v1.train.SessionRunHook):" in result.code, "the file stays in compat form"


def test_a_model_fn_nan_tensor_hook_reads_the_loss_the_train_step_returns() -> None:
    source = PROGRAM.format(methods="").replace(
        "return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)",
        "return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, "
        "training_hooks=[tf.train.NanTensorHook(loss, fail_on_nan_loss=False)])")
    code = upgrade_source(source, "native").code
    assert 'return loss, {}, {"training_hooks/nan_loss_0": loss}' in code
    assert 'return [NanTensorHook("training_hooks/nan_loss_0", fail_on_nan_loss=False)]' in code


def test_a_nan_tensor_hook_outside_the_model_fn_has_no_tensor_to_watch() -> None:
    result = upgrade_source(PROGRAM.format(methods="").replace("hooks=[Hook()]", "hooks=[tf.train.NanTensorHook(1.0)]"),
                            "native")
    assert any("a NanTensorHook converts when the model_fn makes it" in m for m in _blockers(result)), _blockers(result)


WARM = '''import os
import numpy as np
import tensorflow as tf

values = dict(w=np.ones([1, 1], np.float32))
with tf.Graph().as_default():
    variables = [tf.Variable(v, name=k) for k, v in values.items()]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver(variables).save(sess, os.path.join("/tmp/i", "init"))
est = tf.estimator.LinearRegressor([tf.feature_column.numeric_column("x")], warm_start_from={path})
'''


def test_a_graph_writing_the_warm_start_checkpoint_becomes_one_save_v2_call() -> None:
    result = upgrade_source(WARM.format(path='os.path.join("/tmp/i", "init")'), "native")
    assert not _blockers(result), _blockers(result)
    assert ('tf.raw_ops.SaveV2(prefix=os.path.join("/tmp/i", "init"), tensor_names=[k for k, v in values.items()],\n'
            '                  shape_and_slices=["" for k, v in values.items()], tensors=[v for k, v in values.items()])'
            in result.code), result.code
    assert "tf.Session" not in result.code and "tf.Graph" not in result.code


def test_a_checkpoint_no_warm_start_reads_is_left_to_the_rest_of_native_mode() -> None:
    result = upgrade_source(WARM.format(path='"/tmp/i"'), "native")
    assert any("converts when a warm_start_from names its path" in m for m in _blockers(result)), _blockers(result)
