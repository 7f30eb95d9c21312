"""benchmarks/native_coverage.py on a small corpus written here: what it counts and how it reports reasons."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.native_coverage import classify, tf1_programs  # noqa: E402

CONVERTS = """import numpy as np
import tensorflow as tf
sess = tf.Session()
x = tf.placeholder(tf.float32, [None, 1])
w = tf.Variable([[2.0]])
y = tf.matmul(x, w)
sess.run(tf.global_variables_initializer())
print(sess.run(y, feed_dict={x: np.ones((1, 1))}))
"""
QUEUE = """import tensorflow as tf
q = tf.FIFOQueue(3, tf.float32)
with tf.Session() as sess:
    print(sess.run(q.size()))
"""
IN_A_CLASS = """import tensorflow as tf
class Model:
    def build(self):
        self.x = tf.placeholder(tf.float32)
        self.sess = tf.Session()
"""


def _corpus(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "linreg.py").write_text(CONVERTS)
    (tmp_path / "a" / "queue.py").write_text(QUEUE)
    (tmp_path / "model.py").write_text(IN_A_CLASS)
    (tmp_path / "py2.py").write_text("import tensorflow as tf\nsess = tf.Session()\nprint sess\n")
    (tmp_path / "plain.py").write_text("import numpy as np\nprint(np.ones(2))\n")   # not a TF1 program
    (tmp_path / "tf2.py").write_text("import tensorflow as tf\nprint(tf.ones(2))\n")   # not a TF1 program
    return tmp_path


def test_finds_tf1_programs_only(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    assert sorted(p.name for p in tf1_programs(root)) == ["linreg.py", "model.py", "py2.py", "queue.py"]


def test_each_program_converts_or_falls_back_with_a_reason(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    assert classify(root / "a" / "linreg.py")["status"] == "converted"
    queue = classify(root / "a" / "queue.py")
    assert queue["status"] == "fell back" and "tf.FIFOQueue" in queue["reason"]
    cls = classify(root / "model.py")
    assert cls["status"] == "fell back" and "inside class 'Model'" in cls["reason"]
    assert classify(root / "py2.py")["status"] == "not Python 3"


def test_command_line_summary(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "native_coverage.py"), str(root)],
                         capture_output=True, text=True, check=True).stdout
    assert "3 TF1 programs: converted 1 (33%), fell back 2, error 0 (and 1 Python 2 files, not counted)" in out
    assert "tf.FIFOQueue" in out and "no reason given" not in out
