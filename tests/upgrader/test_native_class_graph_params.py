"""Graph objects a model class hands between its methods (native/class_params.py), and the module-level
functions it builds its graph with (native/class_helpers.py).

An iterator's initializers passed to per-epoch methods (train on one dataset, evaluate on the other), a
Saver made in the method that opens the session and passed on, a FileWriter, `add_summary(s,
global_step=step)`, the restore-if-exists pattern with an Adam optimizer: the class converts and
prints what TF1 printed.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tests import warm_python
from tests.upgrader.multi_file import ROOT
from upgrader.native.run import upgrade_native

PROGRAM = """import os

import numpy as np
import tensorflow as tf


class Classifier(object):
    def __init__(self):
        self.lr = 0.1
        self.batch_size = 4
        self.keep_prob = tf.constant(0.5)
        self.gstep = tf.Variable(0, dtype=tf.int32, trainable=False, name="global_step")
        self.training = False

    def get_data(self):
        with tf.name_scope("data"):
            xs = np.linspace(-1.0, 1.0, 24).astype(np.float32).reshape(12, 2)
            ys = np.eye(3, dtype=np.float32)[np.arange(12) % 3]
            train_data = tf.data.Dataset.from_tensor_slices((xs, ys)).batch(self.batch_size)
            test_data = tf.data.Dataset.from_tensor_slices((xs[:6], ys[:6])).batch(self.batch_size)
            iterator = tf.data.Iterator.from_structure(train_data.output_types, train_data.output_shapes)
            self.x, self.label = iterator.get_next()
            self.train_init = iterator.make_initializer(train_data)
            self.test_init = iterator.make_initializer(test_data)

    def inference(self):
        hidden = tf.layers.dropout(self.x, self.keep_prob, training=self.training)
        self.logits = tf.layers.dense(hidden, 3, kernel_initializer=tf.zeros_initializer(), name="logits")

    def objective(self):
        entropy = tf.nn.softmax_cross_entropy_with_logits(labels=self.label, logits=self.logits)
        self.loss = tf.reduce_mean(entropy)
        self.opt = tf.train.AdamOptimizer(self.lr).minimize(self.loss, global_step=self.gstep)
        correct = tf.equal(tf.argmax(self.logits, 1), tf.argmax(self.label, 1))
        self.accuracy = tf.reduce_sum(tf.cast(correct, tf.float32))
        tf.summary.scalar("loss", self.loss)
        self.summary_op = tf.summary.merge_all()

    def build(self):
        self.get_data()
        self.inference()
        self.objective()

    def train_one_epoch(self, sess, saver, init, writer, epoch, step):
        sess.run(init)
        total = 0.0
        try:
            while True:
                _, l, summaries = sess.run([self.opt, self.loss, self.summary_op])
                writer.add_summary(summaries, global_step=step)
                step += 1
                total += l
        except tf.errors.OutOfRangeError:
            pass
        saver.save(sess, "ckpt/model", step)
        print("epoch", epoch, "loss", round(float(total), 4))
        return step

    def eval_once(self, sess, init, epoch):
        sess.run(init)
        correct = 0
        try:
            while True:
                correct += sess.run(self.accuracy)
        except tf.errors.OutOfRangeError:
            pass
        print("epoch", epoch, "correct", int(correct))

    def train(self, n_epochs):
        writer = tf.summary.FileWriter("./graphs", tf.get_default_graph())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver = tf.train.Saver()
            ckpt = tf.train.get_checkpoint_state(os.path.dirname("ckpt/checkpoint"))
            if ckpt and ckpt.model_checkpoint_path:
                saver.restore(sess, ckpt.model_checkpoint_path)
                print("restored", os.path.basename(ckpt.model_checkpoint_path))
            step = self.gstep.eval()
            for epoch in range(n_epochs):
                step = self.train_one_epoch(sess, saver, self.train_init, writer, epoch, step)
                self.eval_once(sess, self.test_init, epoch)
        writer.close()
        print("steps", step)


if __name__ == "__main__":
    model = Classifier()
    model.build()
    model.train(n_epochs=2)
"""

# NOTE: recorded from TensorFlow 2.21 running PROGRAM twice as TF1 (tests/run_as_tf.py v1); the second run restores
EXPECTED = ("epoch 0 loss 3.3262\nepoch 0 correct 2\nepoch 1 loss 3.2271\nepoch 1 correct 2\nsteps 6\n",
            "restored model-6\nepoch 0 loss 3.2274\nepoch 0 correct 2\nepoch 1 loss 3.2321\nepoch 1 correct 3\nsteps 12\n")


def _blockers(code: str) -> list[str]:
    return [d.message for d in upgrade_native(code).warnings if d.rule == "native"]


def test_each_epoch_method_iterates_the_dataset_its_initializer_named() -> None:
    out = upgrade_native(PROGRAM).code
    assert not _blockers(PROGRAM)
    assert "def train_one_epoch(self, writer, epoch, step):" in out and "def eval_once(self, epoch):" in out
    assert "for x, label in self.train_data:" in out and "for x, label in self.test_data:" in out
    assert "step = self.train_one_epoch(writer, epoch, step)" in out and "self.eval_once(epoch)" in out
    assert "train_init" not in out and "test_init" not in out and "Session" not in out and "Iterator" not in out


def test_the_saver_made_in_a_method_is_made_once_with_the_graph_and_keeps_the_adam_slots() -> None:
    out = upgrade_native(PROGRAM).code
    assert "        self.saver = tf.train.Checkpoint(gstep=self.gstep, logits_layer=self.logits_layer, " \
           "optimizer=self.optimizer)\n" in out
    assert "self.saver_manager.save(checkpoint_number=step)" in out and "self.saver.restore(" in out
    assert "writer = tf.summary.create_file_writer(\"./graphs\")" in out
    assert "self.write_summaries(writer, summaries, step)" in out


def test_a_method_local_spelled_like_a_graph_tensor_stays_a_local() -> None:
    out = upgrade_native(PROGRAM).code
    assert "        correct = 0\n" in out and "correct += self.accuracy(x, label).numpy()" in out
    assert "def correct(self, x, label):" in out


def test_a_parameter_given_different_objects_is_reported() -> None:
    code = PROGRAM.replace("self.eval_once(sess, self.test_init, epoch)",
                           "self.eval_once(sess, self.test_init, epoch)\n                "
                           "self.eval_once(sess, self.train_init, epoch)")
    assert any("reads the graph iterator 'test_init' outside sess.run" in m for m in _blockers(code))


def test_a_method_the_script_also_calls_keeps_its_parameters() -> None:
    code = PROGRAM + "    model.eval_once(None, model.test_init, 5)\n"
    assert any("reads the graph iterator 'test_init' outside sess.run" in m for m in _blockers(code))


def test_converting_the_converted_class_changes_nothing() -> None:
    once = upgrade_native(PROGRAM).code
    assert upgrade_native(once).code == once


def _twice(command: list[str], folder: Path, code: str) -> tuple[str, ...]:
    """stdout of two runs in one folder: the second finds the first's checkpoint."""
    folder.mkdir()
    (folder / "main.py").write_text(code)
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
    runs = [warm_python.run(command + ["main.py"], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
            for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr[-2000:]
    return tuple(r.stdout for r in runs)


TF1 = [sys.executable, str(ROOT / "tests" / "run_as_tf.py"), "v1"]
TFCOMPAT = [sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2"]


def test_tf1_and_the_conversion_on_tf2_print_the_same(tmp_path: Path, oracle) -> None:
    assert _twice(TF1, tmp_path / "tf1", PROGRAM) == EXPECTED
    assert _twice([sys.executable], tmp_path / "tf2", upgrade_native(PROGRAM).code) == EXPECTED


def test_the_conversion_prints_what_tf1_printed_on_tfcompat(tmp_path: Path) -> None:
    assert _twice(TFCOMPAT, tmp_path / "tfcompat", upgrade_native(PROGRAM).code) == EXPECTED


def test_a_session_method_the_script_runs_twice_is_reported() -> None:
    code = PROGRAM + "    model.train(n_epochs=1)\n"
    assert any("method 'train' opens a new session and runs more than once" in m for m in _blockers(code))


HELPER = '''

def fully_connected(inputs, out_dim, scope_name="fc"):
    with tf.variable_scope(scope_name, reuse=tf.AUTO_REUSE):
        in_dim = inputs.shape[-1]
        w = tf.get_variable("weights", [in_dim, out_dim], initializer=tf.zeros_initializer())
        b = tf.get_variable("biases", [out_dim], initializer=tf.constant_initializer([0.3, 0.0, -0.3]))
        out = tf.matmul(inputs, w) + b
    return out
'''
WITH_HELPER = PROGRAM.replace("import tensorflow as tf\n", "import tensorflow as tf\n" + HELPER).replace(
    'self.logits = tf.layers.dense(hidden, 3, kernel_initializer=tf.zeros_initializer(), name="logits")',
    'self.logits = fully_connected(hidden, 3, "logits")')
# NOTE: recorded from TensorFlow 2.21 running WITH_HELPER twice as TF1 (tests/run_as_tf.py v1)
EXPECTED_WITH_HELPER = ("epoch 0 loss 3.3656\nepoch 0 correct 2\nepoch 1 loss 3.2386\nepoch 1 correct 2\nsteps 6\n",
                        "restored model-6\nepoch 0 loss 3.2204\nepoch 0 correct 3\nepoch 1 loss 3.2418\n"
                        "epoch 1 correct 2\nsteps 12\n")


def test_a_module_level_function_the_class_builds_with_converts_with_it() -> None:
    out = upgrade_native(WITH_HELPER).code
    assert not _blockers(WITH_HELPER)
    assert "\n\nclass FullyConnected(tf.Module):\n    def __init__(self, out_dim, scope_name=\"fc\"):\n" in out
    assert out.index("class FullyConnected(tf.Module)") < out.index("class Classifier(tf.Module)")
    assert "        self.logits_layer = FullyConnected(3, \"logits\")\n" in out and "def fully_connected" not in out
    assert upgrade_native(out).code == out


def test_a_helper_the_script_also_uses_is_reported() -> None:
    code = WITH_HELPER + "    print(fully_connected)\n"
    assert any("function 'fully_connected' builds part of its graph and is also used outside the class" in m
               for m in _blockers(code))


def test_with_a_helper_tf1_and_the_conversion_print_the_same(tmp_path: Path, oracle) -> None:
    assert _twice(TF1, tmp_path / "tf1", WITH_HELPER) == EXPECTED_WITH_HELPER
    assert _twice([sys.executable], tmp_path / "tf2", upgrade_native(WITH_HELPER).code) == EXPECTED_WITH_HELPER


def test_state_a_method_keeps_on_self_stays_an_attribute() -> None:
    code = PROGRAM.replace('        print("epoch", epoch, "correct", int(correct))\n',
                           '        print("epoch", epoch, "correct", int(correct))\n        self.last_correct = int(correct)\n') \
        .replace('        print("steps", step)\n', '        print("steps", step, self.last_correct)\n')
    out = upgrade_native(code).code
    assert not _blockers(code)
    assert "        self.last_correct = int(correct)\n" in out and 'print("steps", step, self.last_correct)' in out


def test_a_build_time_attribute_a_method_sets_and_reads_back_is_reported() -> None:
    code = PROGRAM.replace('        print("steps", step)\n', '        self.training = True\n        print("steps", step, self.training)\n')
    assert any("'self.training' is read when the graph is built and set again by a method that runs it" in m
               for m in _blockers(code))
