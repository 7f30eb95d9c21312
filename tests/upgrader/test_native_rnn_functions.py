"""RNN cells inside layer functions (native/rnn_builders.py): what converts, how TF1's reuse is replayed, and
what falls back with which reason."""
from __future__ import annotations

import textwrap

import pytest

from upgrader.engine import upgrade_source
from upgrader.native.model import analyze

HEAD = "import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 5, 2])\n"
RUN = "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n    print(sess.run(a, {x: [[[1.0, 2.0]] * 5]}))\n"


def _program(func: str, calls: str = "a = rnn(x, 4)\n") -> str:
    return HEAD + textwrap.dedent(func) + textwrap.dedent(calls) + RUN


def _blockers(func: str, calls: str = "a = rnn(x, 4)\n") -> list[str]:
    return [b.reason for b in analyze(_program(func, calls)).blockers]


LSTM = '''
def rnn(x, n):
    cell = tf.nn.rnn_cell.LSTMCell(n)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return outputs[:, -1]
'''


def test_cell_in_a_function_becomes_a_keras_layer_of_a_module() -> None:
    code = upgrade_source(_program(LSTM), "native").code
    assert "class Rnn(tf.Module):" in code
    assert "self.cell = tf.keras.layers.LSTM(n, return_sequences=True)" in code
    assert "outputs = self.cell(x)" in code
    assert "super().trainable_variables + tuple(self.cell.trainable_variables)" in code
    assert "variables = [*a_layer.trainable_variables]" not in code   # no train step here: only the call
    assert "rnn_cell" not in code and "dynamic_rnn" not in code


def test_training_lists_the_keras_layer_weights() -> None:
    program = _program(LSTM).replace(
        "with tf.Session()", "loss = tf.reduce_sum(a)\ntrain = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n"
                             "with tf.Session()")
    code = upgrade_source(program, "native").code
    assert "variables = [*a_layer.trainable_variables]" in code, code


def test_reuse_shares_one_instance_and_a_second_call_without_reuse_is_tf1s_error() -> None:
    shared = analyze(_program(LSTM, 'with tf.variable_scope("m"):\n    a = rnn(x, 4)\n'
                                    'with tf.variable_scope("m", reuse=True):\n    b = rnn(x * 2.0, 4)\n'))
    assert not shared.blockers, shared.blockers
    assert [(s.instance.name, s.new) for s in shared.functions.sites.values()] == [("m", True), ("m", False)]
    scoped = analyze(_program(LSTM, 'with tf.variable_scope("one"):\n    a = rnn(x, 4)\n'
                                    'with tf.variable_scope("two"):\n    b = rnn(x, 4)\n'))
    assert [s.new for s in scoped.functions.sites.values()] == [True, True]
    assert any("get_variable('rnn/lstm_cell/kernel') already exists" in r
               for r in _blockers(LSTM, "a = rnn(x, 4)\nb = rnn(x, 4)\n"))


def test_contrib_import_is_dropped_when_every_use_converted() -> None:
    program = _program(LSTM.replace("tf.nn.rnn_cell.LSTMCell", "rnn_lib.BasicLSTMCell")).replace(
        "import tensorflow as tf\n", "import tensorflow as tf\nfrom tensorflow.contrib import rnn as rnn_lib\n")
    result = upgrade_source(program, "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    assert "contrib" not in result.code and "tf.keras.layers.LSTM(n, return_sequences=True)" in result.code


@pytest.mark.parametrize("func, reason", [
    ('''
def rnn(x, n):
    fw = tf.nn.rnn_cell.GRUCell(n, bias_initializer=tf.zeros_initializer())
    bw = tf.nn.rnn_cell.GRUCell(n, bias_initializer=tf.zeros_initializer())
    outputs, states = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, dtype=tf.float32)
    return states[0]
''', "a bidirectional state"),
    (LSTM.replace("dtype=tf.float32", "time_major=True, dtype=tf.float32"), "time_major=True"),
    (LSTM.replace("dtype=tf.float32)", "initial_state=init)").replace("def rnn(x, n):", "def rnn(x, n, init=None):"),
     "only the cell's zero_state converts"),
    (LSTM.replace("LSTMCell(n)", "LSTMCell(n, forget_bias=n / 8)"), "forget_bias=n / 8): native mode maps a number"),
    (LSTM.replace("    return", "    print(cell.state_size)\n    return"), "used other than by its rnn call"),
    (LSTM.replace("outputs, state = tf.nn.dynamic_rnn", "result = tf.nn.dynamic_rnn").replace(
        "outputs[:, -1]", "result[0][:, -1]"), "unpacked as `outputs, state = ...`"),
    (LSTM.replace("    outputs, state =", "    first, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, scope='a')\n"
                                         "    outputs, state ="), "used by 2 statements"),
    ('''
def rnn(x, n, keep):
    cells = [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.LSTMCell(n), output_keep_prob=keep) for _ in range(2)]
    stack = tf.nn.rnn_cell.MultiRNNCell(cells)
    outputs, _ = tf.nn.dynamic_rnn(stack, x, dtype=tf.float32)
    return outputs
''', "MultiRNNCell"),
], ids=["bidirectional_state_read", "time_major", "initial_state", "forget_bias", "cell_attribute", "not_unpacked",
        "cell_run_twice", "dropout_between_layers"])
def test_what_falls_back_says_why(func: str, reason: str) -> None:
    calls = "a = rnn(x, 4, 0.5)\n" if "keep" in func else "a = rnn(x, 4)\n"
    result = upgrade_source(_program(func, calls), "native")
    blockers = [d.message for d in result.warnings if d.rule == "native"]
    assert any(reason in b for b in blockers), blockers


MODULE = '''import tensorflow as tf
x = tf.placeholder(tf.float32, [2, 5, 3])
keep = tf.placeholder(tf.float32)
cell = tf.nn.rnn_cell.LSTMCell(4)
cell = tf.nn.rnn_cell.DropoutWrapper(cell, output_keep_prob=keep)
init = cell.zero_state(2, tf.float32)
outputs, state = tf.nn.dynamic_rnn(cell, x, initial_state=init)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(outputs, {x: [[[1.0] * 3] * 5] * 2, keep: 1.0}))
'''


def test_module_level_dropout_wrapper_and_zero_state_name() -> None:
    result = upgrade_source(MODULE, "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    assert "return tf.nn.dropout(cell(x)[0], rate=1 - keep)" in result.code
    assert "zero_state" not in result.code and "DropoutWrapper" not in result.code


@pytest.mark.parametrize("change, reason", [
    (("output_keep_prob=keep)", "output_keep_prob=keep, state_keep_prob=keep)"), "output_keep_prob= only"),
    (("    print(sess.run(outputs", "    print(sess.run(init))\n    print(sess.run(outputs"),
     "zero_state is followed only as dynamic_rnn's initial_state="),
    (("static", "static"), None),
], ids=["state_keep_prob", "zero_state_fetched", "unchanged"])
def test_module_level_fallbacks(change: tuple[str, str], reason: str | None) -> None:
    result = upgrade_source(MODULE.replace(*change), "native")
    blockers = [d.message for d in result.warnings if d.rule == "native"]
    assert (any(reason in b for b in blockers) if reason else not blockers), blockers


def test_old_tensorflow_fallback_in_try_except_goes_with_the_call() -> None:
    func = '''
def rnn(x, n):
    steps = tf.unstack(x, 5, 1)
    fw = tf.nn.rnn_cell.BasicLSTMCell(n)
    bw = tf.nn.rnn_cell.BasicLSTMCell(n)
    try:
        outputs, _, _ = tf.nn.static_bidirectional_rnn(fw, bw, steps, dtype=tf.float32)
    except Exception:  # older TensorFlow returned the outputs only
        outputs = tf.nn.static_bidirectional_rnn(fw, bw, steps, dtype=tf.float32)
    return outputs[-1]
'''
    result = upgrade_source(_program(func), "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    assert "outputs = tf.unstack(self.bidirectional(tf.stack(steps, axis=1)), axis=1)" in result.code
    assert "except" not in result.code
    different = func.replace("outputs = tf.nn.static_bidirectional_rnn(fw, bw, steps, dtype=tf.float32)",
                             "outputs = tf.nn.static_bidirectional_rnn(bw, fw, steps, dtype=tf.float32)")
    assert [d for d in upgrade_source(_program(different), "native").warnings if d.rule == "native"]


def test_lstm_state_read_in_a_function_is_tf1s_state_tuple() -> None:
    code = upgrade_source(_program(LSTM.replace("return outputs[:, -1]", "return state.h - state[0]")), "native").code
    assert "outputs, state_h, state_c = self.cell(x)\n        state = self.LSTMStateTuple(state_c, state_h)" in code
    assert 'LSTMStateTuple = collections.namedtuple("LSTMStateTuple", ["c", "h"])' in code
    assert code.startswith("import collections\n")
