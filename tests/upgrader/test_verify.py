"""tf-upgrade verify: values at call sites, variables, printed output; mutations are caught and located."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.warm_python import warm_verify_sides
from upgrader.engine import upgrade_source
from upgrader.verify import verify
from upgrader.verify.compare import difference
from upgrader.verify.tree import verify_tree

# Our own small TF1 program: seeded random initial weights, a reduction over an axis, SGD steps.
MLP = '''"""A small TF1 classifier."""
import numpy as np
import tensorflow as tf

tf.set_random_seed(1)
data = np.random.RandomState(0)
xs = data.rand(32, 4).astype(np.float32)
ys = (xs.sum(axis=1) > 2.0).astype(np.int64)

x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.int64, [None])
w = tf.Variable(tf.truncated_normal([4, 3], stddev=0.5), name="w")
b = tf.Variable(tf.zeros([3]), name="b")
logits = tf.matmul(x, w) + b
probs = tf.nn.softmax(logits)
loss = tf.reduce_mean(-tf.reduce_sum(tf.one_hot(y, 3) * tf.log(probs + 1e-7), axis=1))
train = tf.train.GradientDescentOptimizer(0.3).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(6):
        _, l = sess.run([train, loss], feed_dict={x: xs, y: ys})
        if step % 5 == 0:
            print("step", step, "loss %.5f" % l)
    with open("log.txt", "w") as f:
        f.write("written in the scratch copy")
'''


@pytest.fixture(autouse=True)
def _warm(monkeypatch):
    warm_verify_sides(monkeypatch)   # NOTE: each side still runs in its own process, without the import each time


@pytest.fixture(scope="module")
def mlp(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("mlp")
    (folder / "mlp.py").write_text(MLP)
    new = upgrade_source(MLP, "native").code
    assert "def train(" in new and "tf.function" in new   # the native rewrite this test relies on
    return folder / "mlp.py", new


def _mutant(folder: Path, new: str, old_text: str, new_text: str) -> Path:
    assert old_text in new, old_text
    path = folder / "mutant" / "mlp.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(new.replace(old_text, new_text, 1))
    return path


def test_native_rewrite_verifies_equal_value_by_value(mlp):
    old, _ = mlp
    report = verify(old)
    assert report.status == "equal" and report.exit_code == 0, report.text
    calls = [r for r in report.rows if r.kind == "call"]
    assert len(calls) == 1 and calls[0].calls == 6 and calls[0].status == "equal"
    assert calls[0].item.startswith("mlp.py:22 -> mlp.py:")
    assert {(r.item, r.status) for r in report.rows if r.kind == "variable"} >= {("w", "equal"), ("b", "equal")}
    assert not (old.parent / "log.txt").exists()   # each side ran in a scratch copy


MUTATIONS = {
    "learning rate": ("SGD(0.3)", "SGD(0.31)"),
    "sign": ("-tf.reduce_sum(", "tf.reduce_sum("),
    "reduction axis": ("tf.nn.softmax(logits(x))", "tf.nn.softmax(logits(x), axis=0)"),
    "initial value": ("stddev=0.5", "stddev=0.6"),
    "random seed": ("tf.random.set_seed(1)", "tf.random.set_seed(2)"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_is_reported_at_its_call_site(mlp, tmp_path, name):
    old, new = mlp
    report = verify(old, _mutant(tmp_path, new, *MUTATIONS[name]))
    assert report.status == "different" and report.exit_code == 1, report.text
    first = report.first_difference
    assert first.kind == "call" and first.item.startswith("mlp.py:22 -> mlp.py:")
    text = report.text
    assert "first difference: call mlp.py:22" in text
    assert "original line 22: _, l = sess.run([train, loss], feed_dict={x: xs, y: ys})" in text
    assert "rewrite  line" in text


def test_a_difference_only_in_a_variable_names_the_variable(mlp, tmp_path):
    old, new = mlp
    report = verify(old, _mutant(tmp_path, new, "tf.zeros([3])", "tf.ones([3])"))  # softmax ignores the shift
    assert report.status == "different"
    assert all(r.status == "equal" for r in report.rows if r.kind == "call")
    first = report.first_difference
    assert (first.kind, first.item, first.shape, first.dtype) == ("variable", "b", "(3,)", "float32")
    assert first.max_abs == pytest.approx(1.0, abs=1e-3) and first.first == "value, index (0,)"


def test_a_crash_exits_2_with_the_traceback(mlp, tmp_path):
    old, new = mlp
    report = verify(old, _mutant(tmp_path, new, "for step in range(6):", "raise ValueError('boom')\nfor step in range(6):"))
    assert report.status == "failed" and report.exit_code == 2
    assert "rewrite could not run" in report.text and "ValueError: boom" in report.text and "Traceback" in report.text


@pytest.mark.oracle
def test_rewrite_on_real_tensorflow_matches_the_original_on_tfcompat(oracle, mlp, tmp_path):
    old, _ = mlp
    out = tmp_path / "r.json"
    report = verify(old, new_engine="tensorflow")
    report.write_json(out)
    assert report.status == "equal", report.text
    data = json.loads(out.read_text())
    assert data["new"]["engine"] == "tensorflow" and data["exit_code"] == 0
    assert any(r["kind"] == "variable" and r["item"] == "w" and r["status"] == "equal" for r in data["rows"])


def test_printed_shapes_tf1_and_tf2_spellings_agree():
    assert difference("shape (?, 4)\nTensor(\"x:0\", shape=(?, 4), dtype=float32)",
                      "shape (None, 4)\nTensor(\"x:0\", shape=(None, 4), dtype=float32)", 1e-3, 1e-5) is None
    assert difference("loss 0.5", "loss 0.5004", 1e-3, 1e-5) is None
    assert "original printed 0.5" in difference("loss 0.5", "loss 0.6", 1e-3, 1e-5)


def test_tree_summary(tmp_path):
    (tmp_path / "ok.py").write_text(MLP.replace("range(6)", "range(2)"))
    (tmp_path / "needs_data.py").write_text("import numpy as np\nimport tensorflow as tf\n"
                                            "data = np.load('train.npy')\nwith tf.Session() as s:\n    pass\n")
    (tmp_path / "helpers.py").write_text("import tensorflow as tf\n\ndef f(x):\n    return tf.add(x, 1)\n")
    summary = verify_tree(tmp_path, jobs=2)
    status = {o.program: (o.status, o.detail) for o in summary.outcomes}
    assert set(status) == {"ok.py", "needs_data.py"}                  # helpers.py is not a program
    assert status["ok.py"][0] == "equal"
    assert status["needs_data.py"] == ("not runnable", "needs train.npy")
    md = summary.markdown()
    assert "| equal | different | failed | not runnable |" in md and "| 1 | 0 | 0 | 1 |" in md
    assert summary.exit_code == 0


def test_sites_pair_by_line_map_else_by_order_preferring_equal_values():
    import numpy as np
    from upgrader.verify.compare import Site, match_sites

    def site(line, *vals):
        return Site("p.py", line, [np.float32(v) for v in vals])
    old = [site(10, 1, 2, 3), site(11, 5)]
    new = [site(30, 9, 9, 9), site(31, 1, 2, 3), site(32, 5)]   # 30: a train step's pre-update losses

    def equal(a, b):
        return all(x == y for x, y in zip(a.values, b.values))
    assert [(o.line, n.line) for o, n in match_sites(old, new, equal=equal)] == [(10, 31), (11, 32)]
    assert [(o.line, n.line) for o, n in match_sites(old, new)] == [(10, 30), (11, 32)]   # no values: first fit
    mapped = match_sites(old, new, {10: 31, 11: 99})
    assert [(o.line, n.line if n else None) for o, n in mapped] == [(10, 31), (11, None)]


def test_line_map_sidecar(mlp, tmp_path):
    from upgrader.verify.core import _sidecar
    new = tmp_path / "new.py"
    new.write_text("")
    assert _sidecar(new) is None
    (tmp_path / "new.py.callsites.json").write_text(json.dumps({"format": "tf-upgrade-callsites/1",
                                                                "sites": [[22, 42]]}))
    assert _sidecar(new) == {22: 42}
    (tmp_path / "new.py.callsites.json").write_text(json.dumps({"format": "v0", "sites": []}))
    with pytest.raises(ValueError, match="tf-upgrade-callsites/1"):
        _sidecar(new)


def test_time_limit(mlp, tmp_path):
    old, new = mlp
    report = verify(old, _mutant(tmp_path, new, "for step in range(6):", "import time\ntime.sleep(600)\nfor step in range(6):"),
                    timeout=25)
    assert report.exit_code == 2 and "timed out after 25s" in report.text


def test_modules_the_program_imports_are_upgraded_with_it(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "helpers.py").write_text("import tensorflow as tf\n\n\ndef scaled(x, k):\n"
                                                  "    return tf.multiply(tf.to_float(x), k)\n")
    (tmp_path / "sub" / "prog.py").write_text(
        "import numpy as np\nimport tensorflow as tf\nfrom helpers import scaled\n\n"
        "x = tf.placeholder(tf.int32, [None])\ny = scaled(x, 2.5)\nwith tf.Session() as sess:\n"
        "    print(sess.run(y, feed_dict={x: np.arange(4)}))\n")
    report = verify(tmp_path / "sub" / "prog.py", folder=tmp_path)
    assert report.status == "equal", report.text
    assert "upgraded with the program (it imports them): sub/helpers.py" in report.text
    assert [r.item for r in report.rows if r.kind == "call"] == ["sub/prog.py:8 -> sub/prog.py:11"]
    assert "to_float" in (tmp_path / "sub" / "helpers.py").read_text()   # the user's files are never written
