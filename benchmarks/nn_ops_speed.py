"""conv2d / max_pool forward+backward on a small CNN batch: tfcompat (NumPy) vs TensorFlow, side by side.

    /work/.venv-tf/bin/python benchmarks/nn_ops_speed.py      # prints a table; no asserts

Each workload runs eagerly under a GradientTape (forward, then gradients wrt input and
filter). The two libraries alternate per workload, each in its own subprocess:
TensorFlow's spinning thread pools, loaded in the same process, slow NumPy's BLAS
threads down several-fold, which would measure the interference, not tfcompat.
"""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

RNG = np.random.default_rng(0)
X1 = RNG.standard_normal((32, 28, 28, 1)).astype(np.float32)
W1 = RNG.standard_normal((5, 5, 1, 32)).astype(np.float32) * 0.1
X2 = RNG.standard_normal((32, 14, 14, 32)).astype(np.float32)
W2 = RNG.standard_normal((5, 5, 32, 64)).astype(np.float32) * 0.1


def conv_step(tf, x, w):
    x, w = tf.constant(x), tf.constant(w)
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = tf.reduce_sum(tf.nn.conv2d(x, w, 1, "SAME"))
    return tape.gradient(y, [x, w])


def pool_step(tf, x, _):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.nn.max_pool2d(x, 2, 2, "SAME"))
    return tape.gradient(y, x)


def cnn_step(tf, x, w):
    x, w = tf.constant(x), tf.constant(w)
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME")), 2, 2, "SAME")
        y = tf.reduce_sum(h)
    return tape.gradient(y, [x, w])


WORKLOADS = [("conv2d 32x28x28x1 * 5x5x1x32, fwd+bwd", conv_step, X1, W1),
             ("conv2d 32x14x14x32 * 5x5x32x64, fwd+bwd", conv_step, X2, W2),
             ("max_pool 2x2/2 on 32x28x28x32, fwd+bwd", pool_step, RNG.standard_normal((32, 28, 28, 32))
              .astype(np.float32), None),
             ("conv+relu+pool layer 1, fwd+bwd", cnn_step, X1, W1)]


def best_ms(fn, repeats: int = 5, number: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times) * 1e3


def measure(lib: str, index: int) -> float:
    """Best ms per step of workload `index` with `lib` imported in this process."""
    _, step, x, w = WORKLOADS[index]
    mod = importlib.import_module(lib)
    return best_ms(lambda: step(mod, x, w))


def _in_subprocess(lib: str, index: int) -> float:
    out = subprocess.run([sys.executable, __file__, lib, str(index)], capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else float("nan")


def main() -> None:
    print(f"{'workload':44s} {'tfcompat ms':>12s} {'TF ms':>9s} {'ratio':>7s}")
    for i, (label, *_) in enumerate(WORKLOADS):
        ours, theirs = _in_subprocess("tfcompat", i), _in_subprocess("tensorflow", i)
        print(f"{label:44s} {ours:12.2f} {theirs:9.2f} {ours / theirs:7.2f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(measure(sys.argv[1], int(sys.argv[2])))
    else:
        main()
