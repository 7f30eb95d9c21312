"""tf-upgrade verify's line map: each sess.run/.eval site of the original paired with the line of its rewrite."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from tests.warm_python import warm_verify_sides
from upgrader.engine import upgrade_source
from upgrader.verify import verify
from upgrader.verify.callsites import call_sites, marked, site_lines, unmarked, write_sidecar
from upgrader.verify.compare import Site, match_sites
from upgrader.verify.core import _sidecar

# Our own small TF1 program: a train step per batch, a fetched metric, values printed through eval().
PROGRAM = '''"""A small TF1 regression."""
import numpy as np
import tensorflow as tf

xs = np.linspace(0.0, 1.0, 16).astype(np.float32)
ys = 3.0 * xs - 1.0
x = tf.placeholder(tf.float32, [None])
y = tf.placeholder(tf.float32, [None])
w = tf.Variable(0.5, name="w")
b = tf.Variable(0.0, name="b")
loss = tf.reduce_mean(tf.square(w * x + b - y))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(20):
        sess.run(train, feed_dict={x: xs, y: ys})
        if step % 5 == 0:
            l = sess.run(loss, feed_dict={x: xs, y: ys})
            print("step", step, "loss %.5f" % l)
    print("w %.4f b %.4f" % (w.eval(), b.eval()))
'''


@pytest.fixture(autouse=True)
def _warm(monkeypatch):
    warm_verify_sides(monkeypatch)   # NOTE: each side still runs in its own process, without the import each time


def _rewrite() -> str:
    return upgrade_source(PROGRAM, "native").code


def test_site_lines_skip_strings_and_continuations():
    text = 'a = sess.run(x)\ns = """sess.run(y)\n"""\nb = sess.run(z, \\\n  f)\nc = t.eval()  # note\nd = run(x)\n'
    assert site_lines(text) == [1, 6]
    out = marked(text)
    assert out.splitlines()[0] == "a = sess.run(x)  # tfu-site:1"
    assert out.splitlines()[5] == "c = t.eval()  # note  # tfu-site:6"
    assert ast.dump(ast.parse(out)) == ast.dump(ast.parse(text))      # comments only
    lines, marks = unmarked("a = f(x)  # tfu-site:1\n# tfu-site:2\nc = g()  # keep  # tfu-site:6\n")
    assert lines == ["a = f(x)", "c = g()  # keep"] and marks == {1: [1], 2: [6]}


def test_native_rewrite_pairs_each_site_with_the_call_that_replaced_it():
    new = _rewrite()
    assert "Session" not in new                                   # converted natively
    pairs = dict(call_sites(PROGRAM, new))
    old_lines, new_lines = PROGRAM.splitlines(), new.splitlines()
    site = {n: old_lines[n - 1].strip() for n in site_lines(PROGRAM)}
    assert set(pairs) <= set(site) and {16, 18, 20} <= set(pairs)
    assert "train(" in new_lines[pairs[16] - 1] and "sess" not in new_lines[pairs[16] - 1]
    assert new_lines[pairs[18] - 1].strip().startswith("l = loss(")
    assert new_lines[pairs[20] - 1].strip().startswith('print("w %.4f b %.4f"')
    assert pairs[16] < pairs[18] < pairs[20]


def test_a_hand_edited_rewrite_keeps_its_pairs():
    new = _rewrite()
    edited = "# edited by hand\n# (two lines)\n" + new.replace("\n\n", "\n\n\n", 1)
    before, after = dict(call_sites(PROGRAM, new)), dict(call_sites(PROGRAM, edited))
    assert after == {k: v + 3 for k, v in before.items()}


def test_unmapped_sites_pair_by_order_after_mapped_ones():
    def site(line, *vals):
        return Site("p.py", line, [np.float32(v) for v in vals])
    old = [site(10, 1), site(11, 2), site(12, 3)]
    new = [site(30, 2), site(31, 1), site(32, 3)]
    got = match_sites(old, new, {10: 31})
    assert [(o.line, n and n.line) for o, n in got] == [(10, 31), (11, 32), (12, None)]


def test_sidecar_round_trip(tmp_path):
    new = tmp_path / "new.py"
    new.write_text(_rewrite())
    pairs = call_sites(PROGRAM, new.read_text())
    write_sidecar(new, pairs)
    assert _sidecar(new) == dict(pairs)


def test_verify_reports_call_rows_at_the_mapped_lines(tmp_path):
    old = tmp_path / "reg.py"
    old.write_text(PROGRAM)
    report = verify(old)
    assert report.status == "equal", report.text
    pairs = dict(call_sites(PROGRAM, _rewrite()))
    calls = [r for r in report.rows if r.kind == "call"]
    assert calls and all(r.old_line in pairs and r.new_line == pairs[r.old_line] for r in calls)
    assert Path(old).read_text() == PROGRAM


def test_a_mapped_pair_whose_values_differ_in_number_goes_by_order():
    """TF1 fetched [summary, loss]; TF2 writes the summary and returns the loss: not paired by the map."""
    old = [Site("p.py", 22, [np.bytes_(b"summary"), np.float32(1)])]
    new = [Site("p.py", 43, [np.float32(1)])]
    assert [(o.line, n) for o, n in match_sites(old, new, {22: 43})] == [(22, None)]
