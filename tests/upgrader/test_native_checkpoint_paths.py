"""Restore-if-exists with get_checkpoint_state: the save path in any usual spelling of a directory and a
file name (native/save_paths.py) and `global_step.assign(i + 1).eval()` (rules/native_assign.py); the
fixture program checkpoint_resume_paths runs it end to end."""
from __future__ import annotations

import ast

import pytest

from upgrader.engine import upgrade_source
from upgrader.native.save_paths import split_save_path

SPELLINGS = ['os.path.join(ckpt_dir, "model.ckpt")', 'ckpt_dir + "/model.ckpt"', 'ckpt_dir + "/" + "model.ckpt"',
             'f"{ckpt_dir}/model.ckpt"', '"%s/model.ckpt" % ckpt_dir', '"%s/model.ckpt" % (ckpt_dir,)',
             '"{}/model.ckpt".format(ckpt_dir)']


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_spelling_splits_into_the_directory_and_the_file_name(spelling: str) -> None:
    folder, name = split_save_path(ast.parse(spelling, mode="eval").body)
    assert (ast.unparse(folder), name) == ("ckpt_dir", "model.ckpt")


@pytest.mark.parametrize("spelling", ['ckpt_dir + "model.ckpt"', 'f"{ckpt_dir}/{name}"', 'ckpt_dir + "/sub/model"',
                                      'os.path.join(ckpt_dir, name)', '"%s/%s" % (ckpt_dir, name)',
                                      'f"{ckpt_dir!r}/model"', 'ckpt_dir + "/"'])
def test_paths_that_are_not_a_directory_and_a_literal_file_name_do_not_split(spelling: str) -> None:
    assert split_save_path(ast.parse(spelling, mode="eval").body) is None


PROGRAM = '''import os
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
w = tf.Variable(tf.zeros([2, 1]))
loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
ckpt_dir = "./ckpt_dir"
global_step = tf.Variable(0, name='global_step', trainable=False)
saver = tf.train.Saver()
with tf.Session() as sess:
    tf.global_variables_initializer().run()
    ckpt = tf.train.get_checkpoint_state(ckpt_dir)
    if ckpt and ckpt.model_checkpoint_path:
        saver.restore(sess, ckpt.model_checkpoint_path)
    start = global_step.eval()
    for i in range(start, 3):
        sess.run(train, feed_dict={x: [[1.0, 2.0]]})
        global_step.assign(i + 1).eval()
        saver.save(sess, PATH, global_step=global_step)
        print(global_step.assign_add(0).eval())
'''


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_restore_if_exists_converts_with_a_checkpoint_manager_for_each_spelling(spelling: str) -> None:
    result = upgrade_source(PROGRAM.replace("PATH", spelling), "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    assert ('saver_manager = tf.train.CheckpointManager(saver, ckpt_dir, max_to_keep=5, checkpoint_name="model.ckpt")'
            in result.code)
    assert "    saver_manager.save(checkpoint_number=global_step.numpy())\n" in result.code
    assert "    global_step.assign(i + 1)\n" in result.code   # assigned at once; nothing fetched
    assert "    print(global_step.assign_add(0).numpy())\n" in result.code   # its value, as eval() gave
    assert "start = global_step.numpy()\n" in result.code and ".eval()" not in result.code
    assert "global_variables_initializer" not in result.code


def test_a_path_below_the_directory_still_names_what_blocks_the_manager() -> None:
    result = upgrade_source(PROGRAM.replace("PATH", 'ckpt_dir + "/sub/model"'), "native")
    [blocker] = [d for d in result.warnings if d.rule == "native"]
    assert "is not a directory and a file name" in blocker.message and "line 20" in blocker.message
