"""Layer functions imported from a module beside the program (`from ops import fc_layer`): the module and its
importers convert natively together, or all stay in compat form; never a converted ops.py under a compat main.py.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from upgrader.engine import upgrade_source
from tests import warm_python
from tests.upgrader.multi_file import native as _native

OPS = '''import tensorflow as tf


def weight_variable(name, shape):
    return tf.get_variable("W_" + name, shape=shape, initializer=tf.constant_initializer(0.05))


def fc_layer(x, num_units, name):
    in_dim = x.get_shape()[1]
    W = weight_variable(name, [in_dim, num_units])
    return tf.matmul(x, W)
'''
MAIN = '''import numpy as np
import tensorflow as tf
from ops import fc_layer

x = tf.placeholder(tf.float32, [None, 3])
out = fc_layer(x, 2, "out")
loss = tf.reduce_sum(out)
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(2):
        sess.run(train_op, {x: np.ones((1, 3), np.float32)})
    print(sess.run(out, {x: np.ones((1, 3), np.float32)}))
'''
# a second importer native mode cannot convert (it prints a graph name)
OTHER = 'import tensorflow as tf\nfrom ops import fc_layer\n\nx = tf.placeholder(tf.float32, [None, 3])\n' \
        'y = fc_layer(x, 2, "y")\nprint(y.name)\nwith tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n'


pytestmark = pytest.mark.usefixtures("fresh_groups")


def test_program_and_its_layer_module_convert_together(tmp_path: Path) -> None:
    (tmp_path / "ops.py").write_text(OPS)
    (tmp_path / "main.py").write_text(MAIN)
    main, blocked = _native(tmp_path / "main.py")
    assert not blocked, blocked
    assert "from ops import FcLayer\n" in main.code and 'out_layer = FcLayer(2, "out")' in main.code
    ops, blocked = _native(tmp_path / "ops.py")
    assert not blocked, blocked
    assert "class FcLayer(tf.Module):" in ops.code and "return tf.Variable(" in ops.code


def test_one_importer_in_compat_form_keeps_the_whole_group_in_compat_form(tmp_path: Path) -> None:
    (tmp_path / "ops.py").write_text(OPS)
    (tmp_path / "main.py").write_text(MAIN)
    (tmp_path / "other.py").write_text(OTHER)
    for name in ("main.py", "ops.py"):
        result, blocked = _native(tmp_path / name)
        assert any("other.py, which imports it, stays in compat form" in m for m in blocked), blocked
        assert "fc_layer" in result.code and "FcLayer" not in result.code


def test_a_module_left_with_tf1_in_it_keeps_its_importer_in_compat_form(tmp_path: Path) -> None:
    """A compat-form module may turn eager execution off for the whole process: a native importer would break."""
    (tmp_path / "ops.py").write_text(OPS)
    (tmp_path / "helpers.py").write_text("import tensorflow as tf\n\n\ndef cell(n):\n    return tf.contrib.rnn.GRUCell(n)\n")
    (tmp_path / "main.py").write_text("import helpers\n" + MAIN)
    _, blocked = _native(tmp_path / "main.py")
    assert any("it imports helpers.py, which stays in compat form" in m for m in blocked), blocked


def test_a_module_whose_compat_form_has_no_tf1_does_not_block(tmp_path: Path) -> None:
    (tmp_path / "ops.py").write_text(OPS)
    (tmp_path / "data.py").write_text("import numpy as np\nimport tensorflow as tf\n\n\ndef batch():\n"
                                      "    return np.ones((1, 3), np.float32)\n")
    (tmp_path / "main.py").write_text("import data\n" + MAIN)
    _, blocked = _native(tmp_path / "main.py")
    assert not blocked, blocked


def test_without_a_path_the_import_is_not_followed() -> None:
    result = upgrade_source(MAIN, "native")
    assert [d for d in result.warnings if d.rule == "native"], "converted without knowing what fc_layer makes"


@pytest.mark.oracle
def test_tree_upgraded_in_place_runs_on_tensorflow(tmp_path: Path) -> None:
    """The CLI upgrades ops.py in place before or after main.py: both see the original sources."""
    tf = pytest.importorskip("tensorflow")
    assert tf
    for name, text in (("ops.py", OPS), ("main.py", MAIN)):
        (tmp_path / name).write_text(text)
    run = subprocess.run([sys.executable, "-m", "upgrader.cli", "--mode", "native", "--inplace", "-j", "2", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    assert "class FcLayer" in (tmp_path / "ops.py").read_text()
    out = warm_python.run([sys.executable, "main.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.strip().endswith("[[-0.45000002 -0.45000002]]"), out.stdout   # what TF1 prints
