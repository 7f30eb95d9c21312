"""TF1 code native mode respells before analysing it (upgrader/native/plain_respell.py): version tests every
TF 1.x release answers alike keep only the branch TF1 ran, a program that never opens a session loses its
graph resets, sparse placeholders take the SparseTensors they are fed, HParams become namespaces. Converted
programs print what the original printed under TF1, on TF 2.21 and on tfcompat's v2 API.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from tests import warm_python
from upgrader.native.run import upgrade_native

ROOT = Path(__file__).resolve().parents[2]

VERSIONED = """import numpy as np
import tensorflow as tf

# TF >= 1.0 moved the cells
if tf.__version__[0] >= '1':
    scale = tf.Variable(2.0)   # the branch TF1 ran
    note = "new"
else:
    scale = tf.Variable(3.0)
    note = "old"
x = tf.placeholder(tf.float32, [None])
y = scale * x
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(note, sess.run(y, {x: np.array([1.0, 2.5])}).tolist())
"""


def _blockers(code: str) -> list[str]:
    return [d.message.split(": ", 1)[1] for d in upgrade_native(code).diagnostics
            if "native conversion blocked" in d.message]


def _run(tmp_path: Path, original: str, converted: str, tfcompat: bool = True) -> tuple[str, str]:
    (tmp_path / "v1.py").write_text(original)
    (tmp_path / "v2.py").write_text(converted)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    one = warm_python.run([sys.executable, str(ROOT / "tests" / "run_as_tf.py"), "v1", str(tmp_path / "v1.py")],
                          capture_output=True, text=True, env=env, timeout=300)
    two = warm_python.run([sys.executable, str(tmp_path / "v2.py")], capture_output=True, text=True, env=env,
                          timeout=300)
    assert one.returncode == two.returncode == 0, one.stderr[-800:] + two.stderr[-800:]
    if tfcompat:   # and on tfcompat's v2 API
        ours = warm_python.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v2", str(tmp_path / "v2.py")],
                               capture_output=True, text=True, env=env, timeout=300)
        assert ours.returncode == 0 and ours.stdout == two.stdout, ours.stderr[-800:]
    return one.stdout, two.stdout


def test_a_version_test_every_tf1_answers_alike_keeps_the_branch_tf1_ran(oracle, tmp_path: Path) -> None:
    result = upgrade_native(VERSIONED)
    assert not _blockers(VERSIONED)
    assert "__version__" not in result.code and "tf.Variable(3.0)" not in result.code
    assert "# TF >= 1.0 moved the cells\nscale = tf.Variable(2.0)   # the branch TF1 ran\nnote = \"new\"\n" in result.code
    one, two = _run(tmp_path, VERSIONED, result.code)
    assert one == two == "new [2.0, 5.0]\n"


def test_an_else_branch_and_a_test_with_no_else() -> None:
    code = VERSIONED.replace("if tf.__version__[0] >= '1':", "if int(tf.__version__.split('.')[0]) < 1:")
    code = code.replace('note = "old"\n', 'note = "old"\nif tf.VERSION.startswith("0."):\n    note = "ancient"\n')
    result = upgrade_native(code)
    assert not _blockers(code)
    assert "# TF >= 1.0 moved the cells\nscale = tf.Variable(3.0)\nnote = \"old\"\n\n\ndef y(x):" in result.code
    assert "tf.Variable(2.0)" not in result.code and "ancient" not in result.code and "VERSION" not in result.code


def test_a_test_tf1_releases_answer_differently_is_left_to_the_analysis() -> None:
    code = VERSIONED.replace("tf.__version__[0] >= '1'", "tf.__version__ < '1.5'")
    assert any("graph code inside a if statement" in b for b in _blockers(code))


GRAPH_FREE = """import numpy as np
import tensorflow as tf
from tensorflow.python.framework import ops
ops.reset_default_graph()

data = np.arange(6, dtype=np.float32).reshape(2, 3)
proto = tf.contrib.util.make_tensor_proto(data, shape=[2, 3])
print(proto.tensor_shape.dim[1].size, tf.contrib.util.make_ndarray(proto).sum())
"""


def test_a_program_without_a_session_loses_its_graph_resets(oracle, tmp_path: Path) -> None:
    result = upgrade_native(GRAPH_FREE)
    assert not _blockers(GRAPH_FREE)
    assert "reset_default_graph" not in result.code and "tensorflow.python" not in result.code
    assert "tf.make_tensor_proto(data, shape=[2, 3])" in result.code and "contrib" not in result.code
    # NOTE: TF 2.21 has no contrib (the original runs with the functions contrib re-exported); tfcompat has no
    # make_tensor_proto/make_ndarray yet, so this one runs on TensorFlow only
    one, two = _run(tmp_path, GRAPH_FREE.replace("tf.contrib.util.", "tf."), result.code, tfcompat=False)
    assert one == two == "3 15.0\n"


SPARSE = """import numpy as np
import tensorflow as tf

sp = tf.sparse_placeholder(tf.float32)
w = tf.Variable([[1.0], [2.0], [3.0]])
y = tf.sparse_tensor_dense_matmul(sp, w)
loss = tf.reduce_sum(tf.square(y - 1.0))
train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
a = tf.sparse_placeholder(tf.string)
b = tf.sparse_placeholder(dtype=tf.string)
dist = tf.edit_distance(a, b, normalize=False)


def chars(words):
    return tf.SparseTensorValue([[i, j] for i, w in enumerate(words) for j in range(len(w))],
                                list("".join(words)), [len(words), max(map(len, words))])


value = tf.SparseTensorValue([[0, 0], [1, 2]], [1.0, 0.5], [2, 3])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        _, l = sess.run([train, loss], {sp: value})
        print(round(float(l), 5))
    print(sess.run(w).round(5).tolist())
    print(sess.run(dist, {a: chars(["kitten", "abc"]), b: chars(["sitting", "abd"])}).tolist())
"""


def test_sparse_placeholders_take_the_sparse_tensors_they_are_fed(oracle, tmp_path: Path) -> None:
    result = upgrade_native(SPARSE)
    assert not _blockers(SPARSE)
    assert "SparseTensorValue" not in result.code and "sparse_placeholder" not in result.code
    assert "return tf.SparseTensor([[i, j] for i" in result.code and "def dist(a, b):" in result.code
    one, two = _run(tmp_path, SPARSE, result.code)
    assert one == two and one.splitlines()[-1] == "[3.0, 1.0]"


def test_a_sparse_placeholder_fed_a_tuple_keeps_the_file_in_compat_form() -> None:
    code = SPARSE.replace("value = tf.SparseTensorValue(", "value = (").replace("tf.SparseTensorValue(", "(")
    assert _blockers(code)[0].startswith("tf.sparse_placeholder fed something other than tf.SparseTensorValue")


def test_printing_the_default_graph_keeps_the_file_in_compat_form_saying_why() -> None:
    code = ("import tensorflow as tf\n\nx = tf.Variable(10, name='x')\nz = tf.add(x, 20)\nwith tf.Session() as sess:\n"
            "    sess.run(tf.global_variables_initializer())\n    print(sess.run(z))\n"
            "    print(tf.get_default_graph().as_graph_def())\n")
    reason = _blockers(code)[0]
    assert reason.startswith("tf.get_default_graph: TF2 runs eagerly and keeps no default graph")
    assert "trace_export" in reason


HPARAMS = """import tensorflow as tf

hparams = tf.contrib.training.HParams(learning_rate=0.1, steps=3)
hparams.add_hparam("scale", 2.0)
print(sorted(hparams.values().items()))
x = tf.placeholder(tf.float32, [None])
w = tf.Variable(1.0)
loss = tf.reduce_mean(tf.square(w * x - hparams.scale))
train = tf.train.GradientDescentOptimizer(hparams.learning_rate).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(hparams.steps):
        sess.run(train, {x: [1.0, 2.0]})
    print(round(float(sess.run(w)), 5))
"""
# TF 1.15's HParams, restated for the original's run (tf.contrib is gone from TensorFlow 2.21): add_hparam refuses
# names already holding a value and empty lists, and values() returns the hyperparameters added, by name.
HPARAMS_TF1 = """import sys, types
import tensorflow as tf


class HParams:
    def __init__(self, hparam_def=None, model_structure=None, **kwargs):
        self._hparam_types = {}
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name, value):
        if getattr(self, name, None) is not None:
            raise ValueError("Hyperparameter name is reserved: %s" % name)
        if isinstance(value, (list, tuple)) and not value:
            raise ValueError("Multi-valued hyperparameters cannot be empty: %s" % name)
        self._hparam_types[name] = type(value[0] if isinstance(value, (list, tuple)) else value)
        setattr(self, name, value)

    def values(self):
        return {name: getattr(self, name) for name in self._hparam_types}


tf.contrib = types.SimpleNamespace(training=types.SimpleNamespace(HParams=HParams))
"""


def test_hparams_become_a_namespace_holding_the_same_values(oracle, tmp_path: Path) -> None:
    result = upgrade_native(HPARAMS)
    assert not _blockers(HPARAMS)
    assert "hparams = types.SimpleNamespace(learning_rate=0.1, steps=3)" in result.code
    assert 'setattr(hparams, "scale", 2.0)' in result.code and "dict(vars(hparams))" in result.code
    assert result.code.startswith("import tensorflow as tf\nimport types\n")
    original = HPARAMS.replace("import tensorflow as tf\n", HPARAMS_TF1)
    one, two = _run(tmp_path, original, result.code)
    assert one == two and one.startswith("[('learning_rate', 0.1), ('scale', 2.0), ('steps', 3)]\n")


def test_hparams_parsed_or_handed_to_other_code_keep_the_file_in_compat_form() -> None:
    parsed = HPARAMS.replace('hparams.add_hparam("scale", 2.0)', 'hparams.parse("scale=2.0")')
    assert _blockers(parsed)[0].startswith("HParams.parse: parsing, type-checked setting")
    handed = HPARAMS.replace("print(sorted(hparams.values().items()))", "import copy\nmodel = copy.copy(hparams)")
    assert _blockers(handed)[0].startswith("an HParams object is passed to copy.copy")
