"""A Saver saved at several places to one path becomes one tf.train.CheckpointManager saved at each place.

The pattern (a char-RNN model class that opens its session in `train`, restores the newest checkpoint
with `tf.train.get_checkpoint_state`, and saves the best model so far from two branches to a path held
in a name, `checkpoint_name = 'checkpoints/' + self.name + '/model'`) converts: both `saver.save` calls
become `saver_manager.save(checkpoint_number=step)` of one manager over that directory and file name
(native/save_paths.py). The oracle test runs the TF1 program twice (the second run resumes from the
first's checkpoint) and its conversion twice on TF 2.21 and on tfcompat, and compares what they print.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.oracle_python import ROOT, oracle_python
from upgrader.engine import upgrade_source

CLASS_PROGRAM = '''import os
import numpy as np
import tensorflow as tf

INIT = tf.constant_initializer(0.1)


class CharModel(object):
    def __init__(self, name):
        self.name = name
        self.seq = tf.placeholder(tf.int32, [None, None])
        self.sizes = [6, 4]
        self.gstep = tf.Variable(0, dtype=tf.int32, trainable=False, name='global_step')

    def create_model(self):
        x = tf.one_hot(self.seq, 5)
        cells = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(n, kernel_initializer=INIT) for n in self.sizes])
        output, self.out_state = tf.nn.dynamic_rnn(cells, x, dtype=tf.float32)
        logits = tf.layers.dense(output, 5, kernel_initializer=INIT)
        self.loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(logits=logits[:, :-1], labels=x[:, 1:]))
        self.opt = tf.train.AdamOptimizer(0.05).minimize(self.loss, global_step=self.gstep)

    def train(self, batches):
        saver = tf.train.Saver()
        best = None
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            ckpt = tf.train.get_checkpoint_state('checkpoints/' + self.name)
            if ckpt and ckpt.model_checkpoint_path:
                saver.restore(sess, ckpt.model_checkpoint_path)
            step = self.gstep.eval()
            print('resumed at', step)
            for batch in batches:
                loss, _ = sess.run([self.loss, self.opt], {self.seq: batch})
                checkpoint_name = 'checkpoints/' + self.name + '/model'
                if best is None:
                    saver.save(sess, checkpoint_name, step)
                    best = loss
                elif loss < best:
                    saver.save(sess, checkpoint_name, step)
                    best = loss
                step += 1
                print(step, round(float(loss), 4))


def main():
    if not os.path.exists('checkpoints/char'):
        os.makedirs('checkpoints/char')
    model = CharModel('char')
    model.create_model()
    model.train([[[1, 2, 3, 4], [2, 3, 4, 1]], [[3, 1, 2, 0], [4, 4, 1, 2]]] * 2)
    print('kept', sorted(f for f in os.listdir('checkpoints/char') if f.endswith('.index')))


if __name__ == '__main__':
    main()
'''

# the same at module level: one Saver, two save sites, the path in a name
FLAT_PROGRAM = '''import os
import tensorflow as tf

ckpt_dir = 'ckpt'
if not os.path.exists(ckpt_dir):
    os.makedirs(ckpt_dir)
w = tf.Variable(3.0)
x = tf.placeholder(tf.float32, [None])
loss = tf.reduce_mean(tf.square(w * x - 1.0))
step = tf.Variable(0, trainable=False)
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
saver = tf.train.Saver(max_to_keep=2)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    ckpt = tf.train.get_checkpoint_state(ckpt_dir)
    if ckpt and ckpt.model_checkpoint_path:
        saver.restore(sess, ckpt.model_checkpoint_path)
    best = None
    for i in range(4):
        l, _ = sess.run([loss, train], {x: [1.0, 2.0]})
        path = os.path.join(ckpt_dir, 'model')
        if best is None or l < best:
            best = l
            saver.save(sess, path, global_step=step)
        elif i == 3:
            saver.save(sess, path, global_step=step)
    print(round(float(sess.run(w)), 4), os.path.basename(tf.train.latest_checkpoint(ckpt_dir)))
'''


def _native(code: str) -> tuple[str, list[str]]:
    result = upgrade_source(code, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_two_save_sites_in_a_model_class_share_one_manager() -> None:
    code, blocked = _native(CLASS_PROGRAM)
    assert not blocked, blocked
    assert "class CharModel(tf.Module):" in code
    assert ("self.saver_manager = tf.train.CheckpointManager(self.saver, 'checkpoints/' + self.name, max_to_keep=5, "
            'checkpoint_name="model")') in code
    assert code.count("self.saver_manager.save(checkpoint_number=step)") == 2
    assert "Session" not in code and "compat" not in code


def test_two_save_sites_at_module_level_share_one_manager() -> None:
    code, blocked = _native(FLAT_PROGRAM)
    assert not blocked, blocked
    assert 'saver_manager = tf.train.CheckpointManager(saver, ckpt_dir, max_to_keep=2, checkpoint_name="model")' in code
    assert code.count("saver_manager.save(checkpoint_number=step.numpy())") == 2


@pytest.mark.parametrize("change, reason", [
    (("            saver.save(sess, path, global_step=step)\n    print",
      "            saver.save(sess, path + '-last', global_step=step)\n    print"),
     "'saver' is saved at 2 places to different paths (a manager writes to one)"),
    (("            saver.save(sess, path, global_step=step)\n    print", "            saver.save(sess, path)\n    print"),
     "saver.save has no global_step= (a manager numbers every checkpoint)"),
    (("        path = os.path.join(ckpt_dir, 'model')\n", "        path = os.path.join(ckpt_dir, 'model')\n        path = path\n"),
     "the save path at line"),
], ids=["different_paths", "one_without_step", "path_rebound"])
def test_save_sites_no_manager_fits_say_why(change: tuple[str, str], reason: str) -> None:
    assert change[0] in FLAT_PROGRAM
    _, blocked = _native(FLAT_PROGRAM.replace(*change))
    assert any(f"tf.train.get_checkpoint_state needs a CheckpointManager, but {reason}" in b for b in blocked), blocked


def _tf1(code: str) -> str:
    return code.replace("import tensorflow as tf\n", "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")


def _twice(command: list[str], folder: Path, code: str, **env: str) -> str:
    """What `code` prints run twice in `folder`: the second run restores what the first saved."""
    folder.mkdir()
    (folder / "main.py").write_text(code)
    out = ""
    for _ in range(2):
        run = subprocess.run(command + ["main.py"], cwd=folder, capture_output=True, text=True, timeout=600,
                             env=dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3", **env))
        assert run.returncode == 0, run.stderr[-3000:]
        out += run.stdout
    return out


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.?\d*", text)]


@pytest.mark.oracle
@pytest.mark.parametrize("program", [CLASS_PROGRAM, FLAT_PROGRAM], ids=["class", "flat"])
def test_converted_program_saves_and_resumes_as_tf1_did(program: str, tmp_path: Path) -> None:
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (set TFCOMPAT_ORACLE_PYTHON)")
    code, blocked = _native(program)
    assert not blocked, blocked
    tf1 = _twice([py], tmp_path / "tf1", _tf1(program), TF_USE_LEGACY_KERAS="1")
    assert _twice([py], tmp_path / "tf2", code, TF_USE_LEGACY_KERAS="0") == tf1
    # NOTE: tfcompat's GRU and Adam sum in another order: the 4th decimal of a loss near 10 may differ
    on_tfcompat = _twice([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2"], tmp_path / "tfcompat", code)
    assert re.sub(r"-?\d+\.?\d*", "#", on_tfcompat) == re.sub(r"-?\d+\.?\d*", "#", tf1)
    np.testing.assert_allclose(_numbers(on_tfcompat), _numbers(tf1), rtol=2e-4)
