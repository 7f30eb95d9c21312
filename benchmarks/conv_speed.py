"""Conv/pool kernels of the W11 CNN (batch 64 of 28x28x1), conv1d and conv2d_transpose, forward
and backward, eagerly and in tf.function: tfcompat vs TensorFlow, side by side.

    python benchmarks/conv_speed.py [ROUNDS]      # prints a table; no asserts

Each (workload, library) runs in its own subprocess (TensorFlow's thread pools, loaded in the
same process, would slow NumPy down and measure the interference); the libraries alternate,
ROUNDS times (default 3), and each cell is the best of its rounds' best-of-5 times, so both
sides of a ratio see the same machine. `load` is the 1-minute load average when it ran: on a
machine busier than its cores, every figure, and the ratios, move.
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
X1 = RNG.standard_normal((64, 28, 28, 1)).astype(np.float32)
K1 = RNG.standard_normal((5, 5, 1, 16)).astype(np.float32) * 0.2
X2 = RNG.standard_normal((64, 14, 14, 16)).astype(np.float32)
K2 = RNG.standard_normal((5, 5, 16, 32)).astype(np.float32) * 0.1
H1 = RNG.standard_normal((64, 28, 28, 16)).astype(np.float32)
S1 = RNG.standard_normal((64, 400, 16)).astype(np.float32)
KS = RNG.standard_normal((5, 16, 32)).astype(np.float32) * 0.1
T1 = RNG.standard_normal((64, 7, 7, 32)).astype(np.float32)
KT = RNG.standard_normal((5, 5, 16, 32)).astype(np.float32) * 0.1


def _grads(tf, fn, *arrays):
    ts = [tf.constant(a) for a in arrays]
    with tf.GradientTape() as tape:
        tape.watch(ts)
        y = tf.reduce_sum(fn(tf, *ts))
    return tape.gradient(y, ts)


def conv_fwd(tf, x, w):
    return tf.nn.conv2d(x, w, 1, "SAME")


def max_pool(tf, x):
    return tf.nn.max_pool2d(x, 2, 2, "SAME")


def avg_pool(tf, x):
    return tf.nn.avg_pool2d(x, 2, 2, "SAME")


def conv1d(tf, x, w):
    return tf.nn.conv1d(x, w, 2, "SAME")


def conv_t(tf, x, w):
    return tf.nn.conv2d_transpose(x, w, [64, 14, 14, 16], 2, "SAME")


def cnn(tf, x, k1, k2):
    h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, k1, 1, "SAME")), 2, 2, "SAME")
    return tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(h, k2, 1, "SAME")), 2, 2, "SAME")


WORKLOADS = [  # label, fn, inputs, backward?
    ("conv1 64x28x28x1 * 5x5x1x16, fwd", conv_fwd, (X1, K1), False),
    ("conv1 fwd+bwd", conv_fwd, (X1, K1), True),
    ("conv2 64x14x14x16 * 5x5x16x32, fwd", conv_fwd, (X2, K2), False),
    ("conv2 fwd+bwd", conv_fwd, (X2, K2), True),
    ("max_pool 2x2/2 64x28x28x16, fwd", max_pool, (H1,), False),
    ("max_pool fwd+bwd", max_pool, (H1,), True),
    ("avg_pool fwd+bwd", avg_pool, (H1,), True),
    ("conv1d 64x400x16 * 5x16x32 /2, fwd+bwd", conv1d, (S1, KS), True),
    ("conv2d_transpose 7x7x32 -> 14x14x16, fwd+bwd", conv_t, (T1, KT), True),
    ("two conv+relu+pool layers, fwd+bwd", cnn, (X1, K1, K2), True),
]


def best_ms(fn, repeats: int = 5, number: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times) * 1e3


def measure(lib: str, index: int, mode: str) -> float:
    """Best ms per call of workload `index` with `lib` imported in this process."""
    _, fn, arrays, backward = WORKLOADS[index]
    tf = importlib.import_module(lib)
    if backward:
        def call(*ts):
            return _grads(tf, fn, *ts)
    else:
        def call(*ts):
            return fn(tf, *[tf.constant(t) for t in ts])
    if mode == "function":
        def body(*ts):
            return _traced_grads(tf, fn, *ts) if backward else fn(tf, *ts)
        traced = tf.function(body)
        consts = [tf.constant(a) for a in arrays]
        return best_ms(lambda: [np.asarray(t) for t in tf.nest.flatten(traced(*consts))])
    return best_ms(lambda: [np.asarray(t) for t in tf.nest.flatten(call(*arrays))])


def _traced_grads(tf, fn, *ts):
    with tf.GradientTape() as tape:
        tape.watch(list(ts))
        y = tf.reduce_sum(fn(tf, *ts))
    return tape.gradient(y, list(ts))


def _in_subprocess(lib: str, index: int, mode: str) -> float:
    out = subprocess.run([sys.executable, __file__, lib, str(index), mode], capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else float("nan")


def main(rounds: int) -> None:
    print(f"{'workload':46s} {'mode':8s} {'tfcompat ms':>11s} {'TF ms':>8s} {'ratio':>6s} {'load':>5s}")
    for i, (label, *_) in enumerate(WORKLOADS):
        for mode in ("eager", "function"):
            ours, theirs = [], []
            for _ in range(rounds):
                ours.append(_in_subprocess("tfcompat", i, mode))
                theirs.append(_in_subprocess("tensorflow", i, mode))
            a, b = min(ours), min(theirs)
            print(f"{label:46s} {mode:8s} {a:11.2f} {b:8.2f} {a / b:6.2f} {os.getloadavg()[0]:5.1f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4:
        print(measure(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
