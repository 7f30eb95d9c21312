"""Estimator speed: tfcompat against TensorFlow 2.15 + tensorflow-estimator (the last TF with tf.estimator).

    python benchmarks/estimator_speed.py [--rounds 3] [--steps 300]

One TF1 program (a custom model_fn and a DNNClassifier on numeric + embedding columns, numpy_input_fn)
runs under `tfcompat run --api v1` and on TF 2.15's compat.v1 (scripts/setup_tf215_oracle.sh), one
subprocess per (round, impl), alternating. Printed: median seconds of a first `train` call (graph build,
session, init, checkpoints), and milliseconds per training step (hooks included) after a second call's
first 10 steps.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.estimator_oracle import run_tf215, tf215_python  # noqa: E402

PROGRAM = '''
import json, sys, tempfile, time
import numpy as np
import tensorflow as tf
tf.logging.set_verbosity(tf.logging.ERROR)
STEPS = int(sys.argv[1])
rng = np.random.RandomState(0)
x = {"a": rng.rand(512).astype(np.float32), "b": rng.rand(512).astype(np.float32), "c": rng.randint(0, 20, 512)}
y = (x["a"] > x["b"]).astype(np.int64)
inp = tf.estimator.inputs.numpy_input_fn(x, y, batch_size=32, num_epochs=None, shuffle=False)
fc = tf.feature_column
cols = [fc.numeric_column("a"), fc.numeric_column("b"), fc.embedding_column(fc.categorical_column_with_identity("c", 20), 4)]

def model_fn(features, labels, mode):
    net = tf.feature_column.input_layer(features, cols)
    logits = tf.layers.dense(tf.layers.dense(net, 16, tf.nn.relu), 2)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.train.AdamOptimizer(0.01).minimize(
        loss, tf.train.get_global_step()))

class StepTimer(tf.train.SessionRunHook):
    """Wall time of the training steps after the first 10 (no graph building or session start in it)."""
    def begin(self):
        self.n, self.t0, self.t1 = 0, None, None
    def after_run(self, run_context, run_values):
        self.n += 1
        if self.n == 10:
            self.t0 = time.perf_counter()
        self.t1 = time.perf_counter()

out = {}
config = tf.estimator.RunConfig(save_checkpoints_steps=None, save_checkpoints_secs=None, log_step_count_steps=10**6,
                                save_summary_steps=10**6)
for name, make in (("model_fn", lambda d: tf.estimator.Estimator(model_fn, d, config)),
                   ("dnn_classifier", lambda d: tf.estimator.DNNClassifier([16, 16], cols, d, config=config))):
    est = make(tempfile.mkdtemp())
    t0 = time.perf_counter(); est.train(inp, steps=1); first = time.perf_counter() - t0
    timer = StepTimer()
    est.train(inp, steps=STEPS + 10, hooks=[timer])
    out[name] = {"first_train_s": first, "ms_per_step": (timer.t1 - timer.t0) / (timer.n - 10) * 1e3}
print("RESULT" + json.dumps(out))
'''


def run(impl: str, script: Path, steps: int) -> dict:
    if impl == "tensorflow-2.15":
        proc = run_tf215(script, extra_args=[str(steps)])
    else:
        env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
        proc = subprocess.run([sys.executable, "-m", "tfcompat.cli", "run", "--api", "v1", str(script), str(steps)],
                              env=env, capture_output=True, text=True, timeout=900)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    if line is None:
        raise RuntimeError(f"{impl} failed:\n{proc.stderr[-3000:]}")
    return json.loads(line[len("RESULT"):])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=300)
    a = ap.parse_args()
    if tf215_python() is None:
        print("no TF 2.15 oracle: run scripts/setup_tf215_oracle.sh first")
        return 1
    script = Path(tempfile.mkdtemp()) / "estimator_bench.py"
    script.write_text(PROGRAM)
    samples: dict[tuple, list] = {}
    for _ in range(a.rounds):
        for impl in ("tensorflow-2.15", "tfcompat"):
            for model, metrics in run(impl, script, a.steps).items():
                for metric, value in metrics.items():
                    samples.setdefault((model, metric, impl), []).append(value)
    print(f"{'workload':34} {'tensorflow-2.15':>16} {'tfcompat':>10} {'ratio':>7}")
    for model in ("model_fn", "dnn_classifier"):
        for metric in ("first_train_s", "ms_per_step"):
            tf_v = statistics.median(samples[(model, metric, "tensorflow-2.15")])
            us_v = statistics.median(samples[(model, metric, "tfcompat")])
            print(f"{model + ' ' + metric:34} {tf_v:16.3f} {us_v:10.3f} {us_v / tf_v:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
