"""tf.contrib.layers.fully_connected and tf.contrib.seq2seq.sequence_loss in both modes, and the initializer made
inside the session block (`init = tf.global_variables_initializer()` under `with tf.Session() as sess:`).

The fixture programs native_contrib_seq_loss and native_contrib_fc_rnn (fixtures/programs/v1) run converted in
test_native_programs.py (native, on TF 2.21 and tfcompat) and test_compat_programs.py (compat, on TF 2.21); their
expected output is TF1's, recorded with tests/upgrader/contrib_tf1.py, which this file checks.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import warm_python
from tests.oracle_python import oracle_python
from tests.output_compare import differences
from upgrader.engine import upgrade_source
from upgrader.native.sequence_loss import sequence_loss_text, split_call

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "fixtures" / "programs" / "v1"

HEAD = """import numpy as np
import tensorflow as tf

X = tf.placeholder(tf.int32, [None, 5])
Y = tf.placeholder(tf.int32, [None, 5])
"""
CHAR_RNN = HEAD + """x_one_hot = tf.one_hot(X, 4)
cell = tf.contrib.rnn.BasicLSTMCell(num_units=4, state_is_tuple=True)
initial_state = cell.zero_state(1, tf.float32)
outputs, _states = tf.nn.dynamic_rnn(cell, x_one_hot, initial_state=initial_state, dtype=tf.float32)
X_for_fc = tf.reshape(outputs, [-1, 4])
outputs = tf.contrib.layers.fully_connected(inputs=X_for_fc, num_outputs=4, activation_fn=None)
outputs = tf.reshape(outputs, [1, 5, 4])
weights = tf.ones([1, 5])
sequence_loss = tf.contrib.seq2seq.sequence_loss(logits=outputs, targets=Y, weights=weights)
loss = tf.reduce_mean(sequence_loss)
train = tf.train.AdamOptimizer(learning_rate=0.1).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(2):
        l, _ = sess.run([loss, train], feed_dict={X: [[0, 1, 2, 3, 0]], Y: [[1, 2, 3, 0, 1]]})
        print(i, l > 0)
"""
INIT_IN_SESSION = HEAD.replace("tf.int32", "tf.float32") + """W = tf.Variable(tf.ones([5, 1]))
loss = tf.reduce_mean(tf.square(tf.matmul(X, W) - Y[:, :1]))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

with tf.Session() as sess:
    init = tf.global_variables_initializer()
    sess.run(init)
    print(sess.run([train, loss], feed_dict={X: np.ones((2, 5)), Y: np.ones((2, 5))})[1])
"""


def _native(code: str):
    result = upgrade_source(code, "native")
    blockers = [d.message for d in result.warnings if d.rule == "native"]
    assert not blockers, blockers
    return result


def test_char_rnn_with_contrib_fc_by_keyword_and_sequence_loss_converts_natively() -> None:
    code = _native(CHAR_RNN).code
    assert "tf.keras.layers.Dense(4)" in code   # inputs=/num_outputs= keywords were a fallback before
    assert "sparse_softmax_cross_entropy_with_logits(labels=Y, logits=outputs_2(X))" in code
    assert "contrib" not in code and "zero_state" not in code   # a zero initial state is Keras' default


def test_initializer_made_inside_the_session_block_disappears() -> None:
    result = _native(INIT_IN_SESSION)
    assert "global_variables_initializer" not in result.code and "init" not in result.code.split("def train")[1]
    assert any("initialiser run" in d.message for d in result.diagnostics)


def test_the_initializer_name_rebound_later_in_the_session_keeps_its_new_value() -> None:
    code = INIT_IN_SESSION.replace("    print(", "    init = 3\n    print(init, ")
    result = _native(code)
    assert "global_variables_initializer" not in result.code and "print(init_value, " in result.code


@pytest.mark.parametrize("flags, expected", [
    ({}, "tf.math.divide_no_nan(tf.reduce_sum(XENT * w), tf.reduce_sum(w))"),
    ({"average_across_batch": False}, "tf.math.divide_no_nan(tf.reduce_sum(XENT * w, axis=1), tf.reduce_sum(w, axis=1))"),
    ({"average_across_timesteps": False}, "tf.math.divide_no_nan(tf.reduce_sum(XENT * w, axis=0), tf.reduce_sum(w, axis=0))"),
    ({"average_across_timesteps": False, "average_across_batch": False}, "(XENT * w)"),
])
def test_sequence_loss_text_follows_tf1_averaging(flags: dict, expected: str) -> None:
    xent = "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z)"
    assert sequence_loss_text("tf", {"logits": "z", "targets": "y", "weights": "w"}, flags) == expected.replace("XENT", xent)


def test_sequence_loss_weights_expression_is_parenthesised() -> None:
    text = sequence_loss_text("tf", {"logits": "z", "targets": "y", "weights": "a + b"}, {})
    assert "* (a + b)), tf.reduce_sum(a + b))" in text


@pytest.mark.parametrize("positional, keywords, reason", [
    ([1, 2, 3], {"softmax_loss_function": 4}, "softmax_loss_function=...) is not written out"),
    ([1, 2, 3], {"sum_over_timesteps": True}, "sum_over_timesteps=...) is not written out"),
    ([1, 2, 3], {"average_across_batch": "flag"}, "average_across_batch=...) must be a literal"),
    ([1, 2], {}, "without weights="),
    ([1, 2, 3, True, True, None], {}, "6 positional arguments"),
])
def test_sequence_loss_arguments_it_cannot_write_out_are_named(positional: list, keywords: dict, reason: str) -> None:
    result = split_call(positional, keywords, lambda v: v if isinstance(v, bool) else None)
    assert isinstance(result, str) and reason in result


def test_native_falls_back_naming_the_sequence_loss_argument() -> None:
    code = CHAR_RNN.replace("weights=weights)", "weights=weights, softmax_loss_function=my_loss)").replace(
        "x_one_hot =", "my_loss = tf.nn.sparse_softmax_cross_entropy_with_logits\nx_one_hot =")
    result = upgrade_source(code, "native")
    reasons = [d.message for d in result.warnings if d.rule == "native"]
    assert reasons and "softmax_loss_function" in reasons[0]
    assert any("softmax_loss_function" in d.message for d in result.errors)   # compat form: left, with the reason


def _reference(logits: np.ndarray, targets: np.ndarray, weights: np.ndarray, t: bool, b: bool) -> np.ndarray:
    """TF1's sequence_loss from its definition, in NumPy."""
    z = logits - logits.max(-1, keepdims=True)
    xent = -(np.take_along_axis(z, targets[..., None], -1)[..., 0] - np.log(np.exp(z).sum(-1))) * weights
    if t and b:
        return np.float32(xent.sum() / weights.sum())
    if t or b:
        axis = 0 if b else 1
        total = weights.sum(axis)
        return np.where(total == 0, 0, xent.sum(axis) / np.where(total == 0, 1, total))
    return xent


CASES = [(True, True), (True, False), (False, True), (False, False)]


def _inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.RandomState(0)
    weights = (rng.rand(3, 4) > 0.3).astype(np.float32)
    weights[:, 0] = 0   # an all-zero column and row: div_no_nan's 0, as TF1
    weights[1] = 0
    return rng.randn(3, 4, 5).astype(np.float32), rng.randint(0, 5, (3, 4)).astype(np.int32), weights


def test_sequence_loss_text_computes_tf1s_numbers_on_tfcompat() -> None:
    import tfcompat as tf
    logits, targets, weights = _inputs()
    for t, b in CASES:
        text = sequence_loss_text("tf", {"logits": "z", "targets": "y", "weights": "w"},
                                  {"average_across_timesteps": t, "average_across_batch": b})
        got = eval(text, {"tf": tf, "z": tf.constant(logits), "y": tf.constant(targets), "w": tf.constant(weights)})
        np.testing.assert_allclose(got.numpy(), _reference(logits, targets, weights, t, b), rtol=1e-5, atol=1e-6)


@pytest.mark.oracle
def test_sequence_loss_text_equals_tf1s_sequence_loss_on_tensorflow() -> None:
    """The written-out ops (eager TF 2.21) against contrib_tf1.py's TF1 definition (graph mode, compat.v1)."""
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (set TFCOMPAT_ORACLE_PYTHON)")
    texts = [sequence_loss_text("tf", {"logits": "z", "targets": "y", "weights": "w"},
                                {"average_across_timesteps": t, "average_across_batch": b}) for t, b in CASES]
    script = f"""
import json, sys, numpy as np
sys.path.insert(0, {str(ROOT)!r})
import tensorflow as tf
import tensorflow.compat.v1 as v1
from tests.upgrader.contrib_tf1 import install
rng = np.random.RandomState(0)
z = rng.randn(3, 4, 5).astype(np.float32); y = rng.randint(0, 5, (3, 4)).astype(np.int32)
w = (rng.rand(3, 4) > 0.3).astype(np.float32); w[:, 0] = 0; w[1] = 0
new = [np.asarray(eval(t, {{"tf": tf, "z": z, "y": y, "w": w}})).tolist() for t in {texts!r}]
install(v1)
g = tf.Graph()
with g.as_default():
    ops = [v1.contrib.seq2seq.sequence_loss(z, y, w, t, b) for t, b in {CASES!r}]
    with v1.Session(graph=g) as s:
        old = [np.asarray(v).tolist() for v in s.run(ops)]
print(json.dumps([new, old]))
"""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    r = warm_python.run([py, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    new, old = json.loads(r.stdout.strip().splitlines()[-1])
    for a, b in zip(new, old):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-6, atol=1e-7)


@pytest.mark.oracle
@pytest.mark.parametrize("stem", ["native_contrib_seq_loss", "native_contrib_fc_rnn"])
def test_fixture_expected_output_is_tf1s(stem: str) -> None:
    """The recorded output is what the TF1 program prints with tf.contrib as TF1 defined it (contrib_tf1.py)."""
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (set TFCOMPAT_ORACLE_PYTHON)")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1", PYTHONPATH=str(ROOT))
    r = warm_python.run([py, str(ROOT / "tests" / "upgrader" / "contrib_tf1.py"), str(PROGRAMS / f"{stem}.py")],
                        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert differences((PROGRAMS / f"{stem}.expected.txt").read_text(), r.stdout) is None, r.stdout


def test_compat_mode_writes_fully_connected_as_dense_and_names_the_variables() -> None:
    result = upgrade_source(CHAR_RNN, "compat")
    assert "tf.compat.v1.layers.dense(X_for_fc, units=4, activation=None)" in result.code
    assert "tf.math.divide_no_nan(" in result.code and not result.errors
    assert any("'<scope>/weights'" in d.message and "(default scope 'dense')" in d.message for d in result.warnings)
    assert sys.modules.get("tensorflow_addons") is None and "tensorflow_addons" not in result.code
