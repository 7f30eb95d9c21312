"""RNN layer functions converted to Keras compute what TF1 computed, given the same weights.

TF1 cells keep one [inputs + units, gates * units] kernel in their own gate order (LSTM i, j, f, o; GRU r, u
then a candidate kernel) and add forget_bias at run time; Keras layers keep kernel and recurrent_kernel in
theirs (LSTM i, f, c, o; GRU z, r, h) and start the forget bias at 1.0 instead. Native mode writes a Keras
layer for each rnn call in a layer function (native/rnn_builders.py): this test runs each TF1 function on
TF 2.21's compat.v1 with random weights, loads those weights into the converted tf.Module's Keras layer
(re-laid out, forget_bias folded into the bias) and compares the outputs.
"""
from __future__ import annotations

import ast
import json
import os
import textwrap
from pathlib import Path

import pytest

from tests import warm_python
from tests.oracle_python import oracle_python
from upgrader.engine import upgrade_source

# name -> (TF1 layer function, input shape, sequence lengths or None)
CASES = {
    "lstm_masked": ('''
def lstm_masked(x, n, lengths):
    cell = tf.nn.rnn_cell.LSTMCell(n)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
    return outputs
''', (3, 6, 2), [6, 2, 4]),
    "lstm_forget_half": ('''
def lstm_forget_half(x, n):
    cell = tf.nn.rnn_cell.LSTMCell(n, forget_bias=0.5)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return outputs
''', (2, 4, 3), None),
    "lstm_state": ('''
def lstm_state(x, n):
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(n), tf.nn.rnn_cell.BasicLSTMCell(n)])
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return outputs + tf.expand_dims(state[1].h - 2.0 * state[0].c, 1)
''', (2, 4, 3), None),
    "basic_lstm_static": ('''
def basic_lstm_static(x, n):
    cell = tf.nn.rnn_cell.BasicLSTMCell(n, forget_bias=0.0)
    outputs, _ = tf.nn.static_rnn(cell, tf.unstack(x, 5, 1), dtype=tf.float32)
    return tf.stack(outputs, 1)
''', (2, 5, 3), None),
    "gru_state": ('''
def gru_state(x, n):
    cell = tf.nn.rnn_cell.GRUCell(n, bias_initializer=tf.zeros_initializer())
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return outputs + tf.expand_dims(state, 1)
''', (2, 4, 3), None),
    "rnn_bidirectional_static": ('''
def rnn_bidirectional_static(x, n):
    fw = tf.nn.rnn_cell.BasicRNNCell(n)
    bw = tf.nn.rnn_cell.BasicRNNCell(n)
    outputs, _, _ = tf.nn.static_bidirectional_rnn(fw, bw, tf.unstack(x, 4, 1), dtype=tf.float32)
    return tf.stack(outputs, 1)
''', (2, 4, 3), None),
    "lstm_bidirectional_dynamic": ('''
def lstm_bidirectional_dynamic(x, n):
    fw = tf.nn.rnn_cell.LSTMCell(n)
    bw = tf.nn.rnn_cell.LSTMCell(n)
    (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(fw, bw, x, dtype=tf.float32)
    return tf.concat([out_fw, 2.0 * out_bw], 2)
''', (2, 5, 3), None),
    "stacked_lstm": ('''
def stacked_lstm(x, n):
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(n), tf.nn.rnn_cell.LSTMCell(3)])
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return outputs
''', (2, 5, 2), None),
}
UNITS = 4

TF1_SIDE = r'''
import json, sys
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
cases = json.loads(sys.argv[1])
out = {}
for name, (source, shape, lengths) in cases.items():
    tf.reset_default_graph()
    tf.set_random_seed(7)
    scope = {"tf": tf}
    exec(source, scope)
    x = tf.placeholder(tf.float32, [None] + shape[1:])
    args = [x, 4] + ([tf.constant(lengths)] if lengths else [])
    with tf.variable_scope(tf.get_variable_scope(), initializer=tf.random_normal_initializer(stddev=0.5, seed=3)):
        y = scope[name](*args)
    data = np.random.RandomState(1).normal(size=shape).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        weights = sess.run(tf.global_variables())
        out[name] = {"names": [v.name for v in tf.global_variables()], "weights": [w.tolist() for w in weights],
                     "x": data.tolist(), "y": sess.run(y, {x: data}).tolist()}
print(json.dumps(out))
'''

KERAS_SIDE = r'''
import json, re, sys
import numpy as np
import tensorflow as tf
cases, classes, tf1 = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.stdin.read())
scope = {"tf": tf, "collections": __import__("collections")}   # the classes without their module
exec(classes, scope)


def lstm(kernel, bias, inputs, forget):
    k = np.asarray(kernel)
    i, j, f, o = np.split(k, 4, axis=1)
    bi, bj, bf, bo = np.split(np.asarray(bias), 4)
    k = np.concatenate([i, f, j, o], axis=1)
    return [k[:inputs], k[inputs:], np.concatenate([bi, bf + forget, bj, bo])]


def gru(gk, gb, ck, cb, inputs):
    r, u = np.split(np.asarray(gk), 2, axis=1)
    br, bu = np.split(np.asarray(gb), 2)
    k = np.concatenate([u, r, np.asarray(ck)], axis=1)
    return [k[:inputs], k[inputs:], np.concatenate([bu, br, np.asarray(cb)])]


def simple(kernel, bias, inputs):
    k = np.asarray(kernel)
    return [k[:inputs], k[inputs:], np.asarray(bias)]


result = {}
for name, (source, shape, lengths) in cases.items():
    t = tf1[name]
    cls = next(v for k, v in scope.items() if k.lower() == name.replace("_", ""))   # lstm_masked -> LstmMasked
    m = cls(4)
    x = np.asarray(t["x"], np.float32)
    args = [x] + ([tf.constant(lengths)] if lengths else [])
    m(*args)   # builds the Keras layer
    weights, names = t["weights"], t["names"]
    mapped, i, inputs = [], 0, shape[-1]
    while i < len(names):
        cell = names[i]
        if "gru_cell" in cell:
            mapped += gru(*weights[i:i + 4], inputs)
            i += 4
        elif "lstm_cell" in cell:
            found = re.search(r"forget_bias=([0-9.]+)", source)   # TF1 adds it at run time, Keras starts the bias there
            forget = float(found.group(1)) if found else 1.0
            units = np.asarray(weights[i]).shape[1] // 4
            mapped += lstm(weights[i], weights[i + 1], np.asarray(weights[i]).shape[0] - units, forget)
            i += 2
        else:
            units = np.asarray(weights[i]).shape[1]
            mapped += simple(weights[i], weights[i + 1], np.asarray(weights[i]).shape[0] - units)
            i += 2
    layer = [v for v in vars(m).values() if isinstance(v, tf.keras.layers.Layer)][0]
    layer.set_weights(mapped)
    y = np.asarray(m(*args))
    result[name] = float(np.max(np.abs(y - np.asarray(t["y"]))))
print(json.dumps(result))
'''


def _program() -> str:
    """One TF1 program calling every case's layer function, which native mode must convert whole."""
    defs = "\n".join(textwrap.dedent(src) for src, _, _ in CASES.values())
    calls = "\n".join(f"with tf.variable_scope('{name}'):\n    y_{name} = {name}(x_{name}, {UNITS}" + (
        f", {lengths})" if lengths else ")") for name, (_, _, lengths) in CASES.items())   # TF1: one scope each
    holders = "\n".join(f"x_{name} = tf.placeholder(tf.float32, {[None] + list(shape[1:])})"
                        for name, (_, shape, _) in CASES.items())
    runs = "\n".join(f"    print(sess.run(y_{name}, {{x_{name}: np.ones({shape})}}).shape)"
                     for name, (_, shape, _) in CASES.items())
    return (f"import numpy as np\nimport tensorflow as tf\n\n{defs}\n{holders}\n{calls}\n"
            f"with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n{runs}\n")


def test_every_case_converts_to_keras_layers() -> None:
    result = upgrade_source(_program(), "native")
    assert not [d for d in result.warnings if d.rule == "native"], result.warnings
    assert "rnn_cell" not in result.code and "dynamic_rnn" not in result.code, result.code
    assert result.code.count("(tf.Module)") == len(CASES)
    assert "tf.keras.layers.Bidirectional(tf.keras.layers.SimpleRNN(n, return_sequences=True))" in result.code
    assert "merge_mode=None" in result.code and "unit_forget_bias=False" in result.code


@pytest.mark.oracle
def test_converted_layers_compute_what_tf1_computed(tmp_path: Path) -> None:
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (set TFCOMPAT_ORACLE_PYTHON)")
    code = upgrade_source(_program(), "native").code
    classes = "\n\n".join(ast.get_source_segment(code, s) for s in ast.parse(code).body if isinstance(s, ast.ClassDef))
    cases = json.dumps({k: [src, list(shape), lengths] for k, (src, shape, lengths) in CASES.items()})
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    tf1 = warm_python.run([py, "-c", TF1_SIDE, cases], capture_output=True, text=True, timeout=600,
                          env=dict(env, TF_USE_LEGACY_KERAS="1"))
    assert tf1.returncode == 0, tf1.stderr[-3000:]
    keras = warm_python.run([py, "-c", KERAS_SIDE, cases, json.dumps(classes)], input=tf1.stdout.splitlines()[-1],
                            capture_output=True, text=True, timeout=600, env=dict(env, TF_USE_LEGACY_KERAS="0"))
    assert keras.returncode == 0, keras.stderr[-3000:]
    diffs = json.loads(keras.stdout.splitlines()[-1])
    assert set(diffs) == set(CASES)
    assert all(d < 1e-5 for d in diffs.values()), diffs
