"""RNN cells as samplers write them (native/rnn_states.py, native/rnn.py): a list of cells bound to a name and
stacked, GRUCell's default biases, a fed state defaulting to the zero state, and whole states fetched.

The oracle test runs each TF1 program on TF 2.21's compat.v1 and its conversion on TF 2.21 eager (Keras 3), and
compares what they print: constant kernel initializers make the weights equal, so the numbers must be too.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import warm_python
from tests.oracle_python import oracle_python
from upgrader.engine import upgrade_source

HEAD = "import numpy as np\nimport tensorflow as tf\n\nseq = tf.placeholder(tf.int32, [None, None])\nx = tf.one_hot(seq, 4)\n"
INIT = "kernel_initializer=tf.constant_initializer(0.1)"

PROGRAMS = {
    # a sampler: the state one run returns is fed to the next; unfed (training), the state starts at zeros
    "fed_gru_state": HEAD + f'''
cell = tf.nn.rnn_cell.GRUCell(6, {INIT})
in_state = tf.placeholder_with_default(cell.zero_state(tf.shape(x)[0], tf.float32), [None, 6])
output, out_state = tf.nn.dynamic_rnn(cell, x, initial_state=in_state)
logits = tf.layers.dense(output, 4, kernel_initializer=tf.constant_initializer(0.05))
loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(logits=logits[:, :-1], labels=x[:, 1:]))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
sample = tf.argmax(logits[:, -1], 1)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        l, _ = sess.run([loss, train], {{seq: [[1, 2, 3, 0], [2, 3, 1, 1]]}})
    state, word = None, [1]
    for _ in range(3):
        feed = {{seq: [word]}}
        if state is not None:
            feed.update({{in_state: state}})
        index, state = sess.run([sample, out_state], feed)
        word = [int(index[0])]
    print(round(float(l), 4), word, np.round(state, 4).tolist())
''',
    # the cells of a MultiRNNCell made by a comprehension bound to a name, one fed state per layer
    "stacked_list_state": HEAD + f'''
layers = [tf.nn.rnn_cell.GRUCell(size, {INIT}) for size in [6, 5]]
cells = tf.nn.rnn_cell.MultiRNNCell(layers)
zero_states = cells.zero_state(tf.shape(x)[0], dtype=tf.float32)
in_state = tuple([tf.placeholder_with_default(state, [None, state.shape[1]]) for state in zero_states])
length = tf.reduce_sum(tf.reduce_max(tf.sign(x), 2), 1)
output, out_state = tf.nn.dynamic_rnn(cells, x, length, in_state)
total = tf.reduce_sum(output)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    first, state = sess.run([total, out_state], {{seq: [[1, 2, 0], [3, 0, 0]]}})
    feed = {{seq: [[3], [1]]}}
    feed.update({{in_state: state}})
    second, state = sess.run([total, out_state], feed)
    feed = {{seq: [[2], [2]]}}
    for i in range(len(state)):   # layer by layer: every layer's state is fed
        feed.update({{in_state[i]: state[i]}})
    third = sess.run(total, feed)
    print(round(float(first), 4), round(float(second), 4), round(float(third), 4), np.round(state[1], 4).tolist())
''',
    # 11_char_rnn's shape: a model class whose cells are a comprehension, a state holder per layer, and a sampler
    # method handed the session that feeds the state back layer by layer
    "class_sampler": '''import numpy as np
import tensorflow as tf


class CharModel(object):
    def __init__(self):
        self.seq = tf.placeholder(tf.int32, [None, None])
        self.hidden_sizes = [6, 5]

    def create_rnn(self, seq):
        layers = [tf.nn.rnn_cell.GRUCell(size, kernel_initializer=tf.constant_initializer(0.1))
                  for size in self.hidden_sizes]
        cells = tf.nn.rnn_cell.MultiRNNCell(layers)
        zero_states = cells.zero_state(tf.shape(seq)[0], dtype=tf.float32)
        self.in_state = tuple([tf.placeholder_with_default(state, [None, state.shape[1]]) for state in zero_states])
        self.output, self.out_state = tf.nn.dynamic_rnn(cells, seq, initial_state=self.in_state)

    def create_model(self):
        seq = tf.one_hot(self.seq, 4)
        self.create_rnn(seq)
        self.logits = tf.layers.dense(self.output, 4, None, kernel_initializer=tf.constant_initializer(0.05))
        self.loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(logits=self.logits[:, :-1], labels=seq[:, 1:]))
        self.sample = tf.argmax(self.logits[:, -1], 1)
        self.opt = tf.train.GradientDescentOptimizer(0.5).minimize(self.loss)

    def train(self):
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for batch in [[[1, 2, 3, 0]], [[2, 3, 1, 1]]]:
                batch_loss, _ = sess.run([self.loss, self.opt], {self.seq: batch})
                print(round(float(batch_loss), 4))
                self.online_infer(sess)

    def online_infer(self, sess):
        sentence, state = [1], None
        for _ in range(3):
            feed = {self.seq: [sentence[-1:]]}
            if state is not None:
                for i in range(len(state)):
                    feed.update({self.in_state[i]: state[i]})
            index, state = sess.run([self.sample, self.out_state], feed)
            sentence.append(int(index[0]))
        print(sentence, np.round(state[1], 4).tolist())


model = CharModel()
model.create_model()
model.train()
''',
    # one cell object in every layer: TF1 and Keras both share its weights
    "shared_cell_stack": HEAD + f'''
cell = tf.nn.rnn_cell.LSTMCell(4, initializer=tf.constant_initializer(0.2))
stack = tf.nn.rnn_cell.MultiRNNCell([cell for _ in range(2)])
output, state = tf.nn.dynamic_rnn(stack, x, dtype=tf.float32)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    (c0, h0), (c1, h1) = sess.run(state, {{seq: [[1, 2, 3]]}})
    print(np.round(h1, 4).tolist(), np.round(c0, 4).tolist())
''',
    # the gist's shape: graph-building functions rebinding their parameter (`seq = tf.one_hot(seq, n)`, the caller's
    # name too), a sampler taking the session called inside the training loop, the state fed back through it
    "sampler_functions": '''import numpy as np
import tensorflow as tf


def create_rnn(seq, hidden_size=6):
    cell = tf.nn.rnn_cell.GRUCell(hidden_size, kernel_initializer=tf.constant_initializer(0.1))
    in_state = tf.placeholder_with_default(cell.zero_state(tf.shape(seq)[0], tf.float32), [None, hidden_size])
    output, out_state = tf.nn.dynamic_rnn(cell, seq, initial_state=in_state)
    return output, in_state, out_state


def create_model(seq, temp):
    seq = tf.one_hot(seq, 4)
    output, in_state, out_state = create_rnn(seq)
    logits = tf.layers.dense(output, 4, None, kernel_initializer=tf.constant_initializer(0.05))
    loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(logits=logits[:, :-1], labels=seq[:, 1:]))
    sample = tf.argmax(logits[:, -1] / temp, 1)
    return loss, sample, in_state, out_state


def online_inference(sess, seq, sample, temp, in_state, out_state):
    sentence, state = [1], None
    for _ in range(3):
        feed = {seq: [sentence[-1:]], temp: 0.7}
        if state is not None:
            feed.update({in_state: state})
        index, state = sess.run([sample, out_state], feed)
        sentence.append(int(index[0]))
    print(sentence, np.round(state, 4).tolist())


def main():
    seq = tf.placeholder(tf.int32, [None, None])
    temp = tf.placeholder(tf.float32)
    loss, sample, in_state, out_state = create_model(seq, temp)
    optimizer = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step, batch in enumerate([[[1, 2, 3, 0]], [[2, 3, 1, 1]]] * 2):
            batch_loss, _ = sess.run([loss, optimizer], {seq: batch})
            if step % 2 == 1:
                print(step, round(float(batch_loss), 4))
                online_inference(sess, seq, sample, temp, in_state, out_state)


if __name__ == "__main__":
    main()
''',
}


def _native(code: str) -> tuple[str, list[str]]:
    result = upgrade_source(code, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_fed_state_becomes_an_optional_parameter() -> None:
    code, blocked = _native(PROGRAMS["fed_gru_state"])
    assert not blocked, blocked
    assert "def out_state(seq, in_state=None):" in code
    assert "return cell(x(seq), initial_state=in_state)[1]" in code
    assert 'feed.update({"in_state": state})' in code and 'feed.get("in_state")' in code
    assert "train([[1, 2, 3, 0], [2, 3, 1, 1]], None)" in code   # unfed: None, Keras's zero state
    assert "placeholder" not in code and "zero_state" not in code


def test_gru_default_biases_are_tf1s() -> None:
    code, blocked = _native(PROGRAMS["fed_gru_state"])
    assert not blocked, blocked
    # TF1 starts the r and u gate biases at 1.0 and the candidate's at 0; Keras orders them z, r, h
    assert "bias_initializer=tf.constant_initializer([1.0] * 6 * 2 + [0.0] * 6), reset_after=False" in code


def test_named_list_of_cells_and_state_tuple_fetch() -> None:
    code, blocked = _native(PROGRAMS["stacked_list_state"])
    assert not blocked, blocked
    assert "layers = [tf.keras.layers.GRUCell(size, " in code and "for size in [6, 5]]" in code
    assert "cells = tf.keras.layers.RNN(layers, return_sequences=True" in code
    assert "return tuple(tf.nest.flatten(layer_states))" in code   # [h] per layer, or h given an initial state
    assert "tf.nest.map_structure(lambda t: t.numpy(), out_state(" in code


def test_state_fed_layer_by_layer_is_fed_whole() -> None:
    code, blocked = _native(PROGRAMS["stacked_list_state"])
    assert not blocked, blocked
    assert ("for i in range(len(state)):   # layer by layer: every layer's state is fed\n"
            '    feed.update({"in_state": tuple(state)})') in code


def test_model_class_sampler_converts() -> None:
    code, blocked = _native(PROGRAMS["class_sampler"])
    assert not blocked, blocked
    assert "class CharModel(tf.Module):" in code
    assert "for size in self.hidden_sizes]" in code and "self.size" not in code   # the loop variable stays local
    assert 'feed.update({"in_state": tuple(state)})' in code


def test_shared_cell_stays_one_keras_cell() -> None:
    code, blocked = _native(PROGRAMS["shared_cell_stack"])
    assert not blocked, blocked
    assert "stack = tf.keras.layers.RNN([cell for _ in range(2)]" in code
    assert "cell = tf.keras.layers.LSTMCell(4, " in code


def test_functions_around_a_sampler_are_written_into_their_caller() -> None:
    code, blocked = _native(PROGRAMS["sampler_functions"])
    assert not blocked, blocked
    assert "def online_inference" not in code and "def create_model" not in code   # called once: inlined
    assert "seq_ = seq" in code   # create_model's own `seq` renamed: main still feeds the placeholder `seq`
    assert 'feed.get("in_state")' in code and "sess" not in code


@pytest.mark.parametrize("change, reason", [
    (("        index, state = sess.run([sample, out_state], feed)",
      "        index, state = sess.run([sample, out_state], feed)\n        print(sess.run(in_state, feed))"),
     "'in_state' (a placeholder_with_default of cell's zero state) is read other than as dynamic_rnn's initial_state"),
    (("tf.nn.rnn_cell.GRUCell(6, ", "tf.nn.rnn_cell.GRUCell(6, bias_initializer=tf.random_normal_initializer(), "),
     "TF1 GRUCell fills its [2 * units] gate bias and [units] candidate bias separately"),
], ids=["holder_fetched", "random_gru_bias"])
def test_what_falls_back_says_why(change: tuple[str, str], reason: str) -> None:
    program = PROGRAMS["fed_gru_state"]
    assert change[0] in program
    _, blocked = _native(program.replace(*change))
    assert any(reason in b for b in blocked), blocked


def _tf1(code: str) -> str:
    return code.replace("import tensorflow as tf\n", "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n")


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_converted_program_prints_what_tf1_printed(name: str, tmp_path: Path) -> None:
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (set TFCOMPAT_ORACLE_PYTHON)")
    code, blocked = _native(PROGRAMS[name])
    assert not blocked, blocked
    (tmp_path / "tf1.py").write_text(_tf1(PROGRAMS[name]))
    (tmp_path / "tf2.py").write_text(code)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    outputs = []
    for script, legacy in (("tf1.py", "1"), ("tf2.py", "0")):
        run = warm_python.run([py, str(tmp_path / script)], capture_output=True, text=True, timeout=600,
                              env=dict(env, TF_USE_LEGACY_KERAS=legacy))
        assert run.returncode == 0, run.stderr[-3000:]
        outputs.append(run.stdout.strip().splitlines()[-1])
    assert outputs[0] == outputs[1]


TWO_MODELS = '''import numpy as np
import tensorflow as tf


class Model():
    def __init__(self, steps):
        self.cell = tf.contrib.rnn.BasicLSTMCell(4)
        self.initial_state = self.cell.zero_state(1, tf.float32)
        self.x = tf.placeholder(tf.float32, [1, steps, 3])
        inputs = [tf.squeeze(s, [1]) for s in tf.split(self.x, steps, 1)]
        outputs, self.final_state = tf.contrib.legacy_seq2seq.rnn_decoder(inputs, self.initial_state, self.cell)
        self.out = outputs[-1]

    def step(self, sess, x, state):
        return sess.run([self.out, self.final_state], {self.x: x, self.initial_state: state})


train = Model(3)
with tf.variable_scope(tf.get_variable_scope(), reuse=True):
    sample = Model(1)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
print(sample.step(sess, np.ones((1, 1, 3)), sess.run(sample.initial_state))[0])
'''


def test_cell_in_a_class_left_as_written_says_why() -> None:
    _, blocked = _native(TWO_MODELS)
    reason = next((b for b in blocked if "BasicLSTMCell" in b), "")
    assert "tf.contrib.rnn.BasicLSTMCell in class 'Model' (line 5), which stays as written: it is instantiated 2 " \
           "times, at lines 18, 20 (sharing variables under variable_scope reuse)" in reason, blocked
    assert "tf.contrib.legacy_seq2seq.rnn_decoder, a Python loop of cell calls with no Keras layer form" in reason
    assert "it feeds the cell's zero_state tensors ('initial_state') as placeholders" in reason
