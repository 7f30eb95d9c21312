"""TensorBoard summaries written from a TF1 graph (three histograms and a scalar per step, merged,
FileWriter.add_summary), tfcompat vs TensorFlow, side by side.

    python benchmarks/summary_speed.py [ROUNDS]      # prints ms per step; no asserts

Each library runs in its own subprocess, alternating ROUNDS times (default 3); a cell is the
best of its rounds. The model is a 784-100-10 MLP on a batch of 100: the histograms cover
78 400, 1 000 and 10 000 values each step.
"""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def measure(lib: str, steps: int = 40) -> float:
    """Best ms per (sess.run(merged) + add_summary) step with `lib`'s compat.v1 API."""
    tf = importlib.import_module(lib).compat.v1
    tf.disable_eager_execution()
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, 784])
    w1 = tf.Variable(rng.standard_normal((784, 100)).astype(np.float32) * 0.01)
    w2 = tf.Variable(rng.standard_normal((100, 10)).astype(np.float32) * 0.01)
    h = tf.nn.relu(tf.matmul(x, w1))
    loss = tf.reduce_mean(tf.square(tf.matmul(h, w2)))
    for name, t in (("w1", w1), ("w2", w2), ("h", h)):
        tf.summary.histogram(name, t)
    tf.summary.scalar("loss", loss)
    merged = tf.summary.merge_all()
    xb = rng.standard_normal((100, 784)).astype(np.float32)
    with tempfile.TemporaryDirectory() as logdir, tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        writer = tf.summary.FileWriter(logdir)
        for i in range(3):
            writer.add_summary(sess.run(merged, {x: xb}), i)
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            for i in range(steps // 5):
                writer.add_summary(sess.run(merged, {x: xb}), i)
            best = min(best, (time.perf_counter() - t0) / (steps // 5))
        writer.close()
    return best * 1e3


def _in_subprocess(lib: str) -> float:
    out = subprocess.run([sys.executable, __file__, lib], capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else float("nan")


def main(rounds: int) -> None:
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(_in_subprocess("tfcompat"))
        theirs.append(_in_subprocess("tensorflow"))
    a, b = min(ours), min(theirs)
    print(f"histogram+scalar summaries, ms/step: tfcompat {a:.2f}  TF {b:.2f}  ratio {a / b:.2f}  "
          f"(load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    if len(sys.argv) == 2 and not sys.argv[1].isdigit():
        print(measure(sys.argv[1]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
