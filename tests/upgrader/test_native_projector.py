"""The TensorBoard embedding projector converts natively (native/projector.py), and so do Savers made in the
functions that run the session (native/local_savers.py).

A tutorial program trains a small network, then, in its session's block, copies the hidden layer's output for
a test batch into a new variable, writes a ProjectorConfig naming that variable, and saves it with a Saver.
The conversion must run on TF 2 and on tfcompat's v2 API, print what TF1 printed, and leave a log directory
TensorBoard's own projector plugin reads: the config names a tensor the newest checkpoint holds, with TF1's
values. The second program does the same from functions: `train` makes a Saver, restores the newest checkpoint if there is one and saves every
few steps; `export` makes the embedding variable from fetched values and saves it with a Saver of its own.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.upgrader.multi_file import ROOT
from upgrader.engine import upgrade_source
from upgrader.native.base import Blocked
from upgrader.native.projector import projector_spans
from upgrader.scan import collect_aliases

PROGRAM = """import os
import numpy as np
import tensorflow as tf
from tensorflow.contrib.tensorboard.plugins import projector

logdir = "logs"
rng = np.random.RandomState(0)
data = rng.uniform(-1, 1, (32, 4)).astype(np.float32)
labels = np.eye(3)[rng.randint(0, 3, 32)].astype(np.float32)

x = tf.placeholder(tf.float32, [None, 4], name="x")
y = tf.placeholder(tf.float32, [None, 3], name="y")
W1 = tf.Variable(rng.normal(0, 0.5, (4, 5)).astype(np.float32), name="W1")
W2 = tf.Variable(rng.normal(0, 0.5, (5, 3)).astype(np.float32), name="W2")
hidden = tf.nn.relu(tf.matmul(x, W1))
logits = tf.matmul(hidden, W2)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
train = tf.train.AdamOptimizer(0.05).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter(logdir, sess.graph)
    step = 0
    for i in range(20):
        _, l = sess.run([train, loss], {x: data, y: labels})
        step += 1
    print("loss", round(float(l), 4))

    test = data[:10]
    shape = (test.shape[0], hidden.get_shape()[1].value)
    embedding_var = tf.Variable(tf.zeros(shape), name="hidden_embedding")
    copy = embedding_var.assign(hidden)

    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = embedding_var.name
    embedding.metadata_path = "metadata.tsv"
    projector.visualize_embeddings(writer, config)

    values = sess.run(copy, feed_dict={x: test})
    saver = tf.train.Saver()
    saver.save(sess, os.path.join(logdir, "model.ckpt"), step)
    print("embedding", values.shape, round(float(values.sum()), 4))
"""

# NOTE: TF 2.21 has no tf.contrib; the original runs with its projector import bound to tensorboard's, as TF1's was
SHIM = """import runpy, sys, types
import tensorboard.plugins.projector as projector
for name in ("tensorflow.contrib", "tensorflow.contrib.tensorboard", "tensorflow.contrib.tensorboard.plugins"):
    sys.modules[name] = types.ModuleType(name)
sys.modules["tensorflow.contrib.tensorboard.plugins"].projector = projector
sys.modules["tensorflow.contrib.tensorboard.plugins.projector"] = projector
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _projector_view(logdir: Path) -> dict[str, np.ndarray]:
    """Each embedding TensorBoard's projector plugin finds in `logdir`, read as the plugin serves it."""
    from tensorboard.plugins import base_plugin
    from tensorboard.plugins.projector.projector_plugin import ProjectorPlugin
    plugin = ProjectorPlugin(base_plugin.TBContext(logdir=str(logdir), data_provider=None))
    plugin._update_configs()   # NOTE: what the plugin does on each request: config files, newest checkpoint
    config = plugin._configs["."]
    reader = plugin._get_reader_for_run(".")
    return {e.tensor_name: reader.get_tensor(e.tensor_name) for e in config.embeddings if e.metadata_path}


def _run_both(tmp_path: Path, program: str, code: str) -> tuple[Path, Path, str]:
    """Run `program` as TF1 (its projector import bound to tensorboard's) and `code` on TF 2; their folders and
    what both printed (the same)."""
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, text in ((old, program), (new, code)):
        folder.mkdir()
        (folder / "main.py").write_text(text)
    (old / "shim.py").write_text(SHIM)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    tf1 = subprocess.run([sys.executable, "shim.py", str(ROOT / "tests" / "run_as_tf.py"), "v1", "main.py"], cwd=old,
                         env=dict(env, TF_USE_LEGACY_KERAS="1"), capture_output=True, text=True, timeout=300)
    tf2 = subprocess.run([sys.executable, "main.py"], cwd=new, env=env, capture_output=True, text=True, timeout=300)
    assert tf1.returncode == 0 and tf2.returncode == 0, tf1.stderr[-1500:] + tf2.stderr[-1500:]
    assert tf2.stdout == tf1.stdout
    ours = tmp_path / "tfcompat"   # NOTE: the conversion on tfcompat's v2 API too, its log directory read the same way
    ours.mkdir()
    (ours / "main.py").write_text(code)
    run = subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", "main.py"], cwd=ours, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout == tf1.stdout, run.stderr[-1500:]
    return old, new, tf1.stdout


def test_projector_program_converts_runs_and_tensorboard_reads_its_embedding(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    result = upgrade_source(PROGRAM, "native")
    assert not [d.message for d in result.warnings if d.rule == "native"]
    code = result.code
    assert "from tensorboard.plugins import projector" in code and "Session" not in code
    assert 'embedding.tensor_name = "embedding_var/.ATTRIBUTES/VARIABLE_VALUE"' in code
    assert "projector.visualize_embeddings(logdir, config)" in code
    assert 'tf.train.CheckpointManager(saver, logdir, max_to_keep=5, checkpoint_name="model.ckpt")' in code
    old, new, printed = _run_both(tmp_path, PROGRAM, code)
    assert "embedding (10, 5)" in printed
    before, after = _projector_view(old / "logs"), _projector_view(new / "logs")
    ours = _projector_view(tmp_path / "tfcompat" / "logs")["embedding_var/.ATTRIBUTES/VARIABLE_VALUE"]
    np.testing.assert_allclose(ours, before["hidden_embedding"], rtol=1e-4, atol=1e-5)
    assert list(before) == ["hidden_embedding"] and list(after) == ["embedding_var/.ATTRIBUTES/VARIABLE_VALUE"]
    np.testing.assert_allclose(after["embedding_var/.ATTRIBUTES/VARIABLE_VALUE"], before["hidden_embedding"],
                               rtol=1e-4, atol=1e-5)


IN_FUNCTIONS = """import os
import numpy as np
import tensorflow as tf
from tensorflow.contrib.tensorboard.plugins import projector

rng = np.random.RandomState(1)
data = rng.uniform(-1, 1, (16, 3)).astype(np.float32)
target = data @ np.array([[1.0], [-2.0], [0.5]], np.float32)

x = tf.placeholder(tf.float32, [None, 3])
y = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(rng.normal(0, 0.3, (3, 4)).astype(np.float32), name="W")
V = tf.Variable(rng.normal(0, 0.3, (4, 1)).astype(np.float32), name="V")
step = tf.Variable(0, trainable=False, name="step")
hidden = tf.tanh(tf.matmul(x, W))
loss = tf.reduce_mean(tf.square(tf.matmul(hidden, V) - y))
opt = tf.train.AdamOptimizer(0.05)
train_op = opt.minimize(loss, global_step=step)
sess = tf.Session()


def train(steps):
    saver = tf.train.Saver()
    ckpt = tf.train.get_checkpoint_state("ckpt")
    if ckpt and ckpt.model_checkpoint_path:
        saver.restore(sess, ckpt.model_checkpoint_path)
    for i in range(steps):
        l, _ = sess.run([loss, train_op], {x: data, y: target})
        if (i + 1) % 5 == 0:
            saver.save(sess, "ckpt/model", global_step=step)
    print("trained to step", sess.run(step), "loss", round(float(l), 4))


def export(logdir, n):
    codes = sess.run(hidden, {x: data[:n]})
    emb = tf.Variable(codes, name="codes")
    sess.run(emb.initializer)
    writer = tf.summary.FileWriter(logdir)
    config = projector.ProjectorConfig()
    info = config.embeddings.add()
    info.tensor_name = emb.name
    info.metadata_path = "labels.tsv"
    projector.visualize_embeddings(writer, config)
    saver_emb = tf.train.Saver([emb])
    saver_emb.save(sess, os.path.join(logdir, "codes.ckpt"), 1)
    print("exported", codes.shape, round(float(codes.sum()), 4))


sess.run(tf.global_variables_initializer())
train(10)
train(10)
export("logs", 6)
print(tf.train.latest_checkpoint("ckpt"))
"""


def test_savers_made_in_session_functions_save_restore_and_feed_the_projector(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    result = upgrade_source(IN_FUNCTIONS, "native")
    assert not [d.message for d in result.warnings if d.rule == "native"]
    code = result.code
    assert 'saver = tf.train.CheckpointManager(tf.train.Checkpoint(W=W, V=V, step=step, optimizer=opt), "ckpt", ' \
           'max_to_keep=5, checkpoint_name="model")' in code   # the state file get_checkpoint_state reads
    assert "saver.checkpoint.restore(ckpt.model_checkpoint_path)" in code
    assert "saver.save(checkpoint_number=step.numpy())" in code
    assert "initializer" not in code and "\n    \n" not in code   # TF2 initialises the variable where it is made
    assert 'saver_emb = tf.train.CheckpointManager(tf.train.Checkpoint(emb=emb), logdir, max_to_keep=5, ' \
           'checkpoint_name="codes.ckpt")' in code
    old, new, printed = _run_both(tmp_path, IN_FUNCTIONS, code)
    assert "trained to step 20" in printed and printed.rstrip().endswith("ckpt/model-20")   # restored, trained on
    before, after = _projector_view(old / "logs"), _projector_view(new / "logs")
    ours = _projector_view(tmp_path / "tfcompat" / "logs")
    np.testing.assert_allclose(ours["emb/.ATTRIBUTES/VARIABLE_VALUE"], before["codes"], rtol=1e-4, atol=1e-4)
    assert list(before) == ["codes"] and list(after) == ["emb/.ATTRIBUTES/VARIABLE_VALUE"]
    np.testing.assert_allclose(after["emb/.ATTRIBUTES/VARIABLE_VALUE"], before["codes"], rtol=1e-4, atol=1e-4)


def test_a_saver_in_a_session_function_without_state_readers_writes_its_path() -> None:
    code = ("import numpy as np\nimport tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None, 2])\n"
            "W = tf.Variable(tf.ones([2, 1]))\ny = tf.matmul(x, W)\nsess = tf.Session()\n\n\n"
            "def save(path):\n    saver = tf.train.Saver([W])\n    saver.save(sess, path, global_step=3)\n"
            "    print(sess.run(y, {x: np.ones((1, 2))}))\n\n\nsess.run(tf.global_variables_initializer())\n"
            "save('out/model')\n")
    result = upgrade_source(code, "native")
    assert not [d.message for d in result.warnings if d.rule == "native"]
    assert "saver = tf.train.Checkpoint(W=W)" in result.code
    assert 'saver.write("%s-%d" % (path, 3))' in result.code


def _spans(code: str) -> list:
    tree = ast.parse(code)
    lines = code.splitlines()
    return projector_spans(tree, collect_aliases(tree), lambda n: lines[n.lineno - 1][n.col_offset:n.end_col_offset])


HEAD = "import tensorflow as tf\nfrom tensorflow.contrib.tensorboard.plugins import projector\n"


def test_the_tensor_name_is_the_key_the_checkpoint_keeps_the_variable_under() -> None:
    by_list = HEAD + "v = tf.Variable(1.0)\ne.tensor_name = v.name\ns = tf.train.Saver([v])\nprojector.ProjectorConfig()\n"
    by_dict = HEAD + "v = tf.Variable(1.0)\ne.tensor_name = v.name\ns = tf.train.Saver({'emb': v})\nprojector.ProjectorConfig()\n"
    after = HEAD + "v = tf.Variable(1.0)\ne.tensor_name = v.name\ns = tf.train.Saver()\nprojector.ProjectorConfig()\n"
    assert [t for _, t in _spans(by_list)] == ['"v/.ATTRIBUTES/VARIABLE_VALUE"']
    assert [t for _, t in _spans(by_dict)] == ['"emb/.ATTRIBUTES/VARIABLE_VALUE"']
    assert [t for _, t in _spans(after)] == ['"v/.ATTRIBUTES/VARIABLE_VALUE"']


def test_a_variable_no_saver_saves_is_reported() -> None:
    before = HEAD + "s = tf.train.Saver()\nv = tf.Variable(1.0)\ne.tensor_name = v.name\nprojector.ProjectorConfig()\n"
    with pytest.raises(Blocked, match="no tf.train.Saver made after 'v' saves it"):
        _spans(before)


def test_the_writer_gives_its_logdir_unless_that_is_rebound() -> None:
    made = HEAD + "d = 'logs'\nw = tf.summary.FileWriter(d)\nprojector.visualize_embeddings(w, c)\n"
    assert [t for _, t in _spans(made)] == ["d"]
    rebound = HEAD + "d = 'a'\nw = tf.summary.FileWriter(d)\nd = 'b'\nprojector.visualize_embeddings(w, c)\n"
    with pytest.raises(Blocked, match="TF2's summary writer has no logdir"):
        _spans(rebound)
    assert _spans("import tensorflow as tf\nw = tf.summary.FileWriter('d')\nw.tensor_name = v.name\n") == []   # no projector


def test_a_projector_file_without_a_saver_falls_back_naming_the_variable() -> None:
    code = HEAD + ("import numpy as np\nx = tf.placeholder(tf.float32, [None, 3])\nemb = tf.Variable(tf.zeros([4, 3]))\n"
                   "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n"
                   "    writer = tf.summary.FileWriter('logs')\n    config = projector.ProjectorConfig()\n"
                   "    e = config.embeddings.add()\n    e.tensor_name = emb.name\n"
                   "    projector.visualize_embeddings(writer, config)\n    print(sess.run(x * 2.0, {x: np.ones((1, 3))}))\n")
    result = upgrade_source(code, "native")
    blocked = [d.message for d in result.warnings if d.rule == "native"]
    assert any("no tf.train.Saver made after 'emb' saves it" in m for m in blocked), blocked
    assert "from tensorboard.plugins import projector" in result.code
