"""Conv/pool kernels of the W11 CNN (batch 64 of 28x28x1), conv1d and conv2d_transpose, forward
and backward, eagerly and in tf.function: tfcompat vs TensorFlow, side by side.

    python benchmarks/conv_speed.py [ROUNDS] [ROWS]    # prints a table; no asserts
    python benchmarks/conv_speed.py 5 6,7,8             # rows 6-8 only (avg_pool, conv1d, conv2d_transpose)

Each (workload, library) runs in its own subprocess (TensorFlow's thread pools, loaded in the
same process, would slow NumPy down and measure the interference); the libraries alternate,
ROUNDS times (default 3), and each cell is the best of its rounds' best-of-5 times, so both
sides of a ratio see the same machine. `load` is the 1-minute load average when it ran: on a
machine busier than its cores, every figure, and the ratios, move.

    python benchmarks/conv_speed.py 5 10 --cpu          # CPU ms per call, both on one thread

`--cpu` measures work instead of wall time: both libraries on one thread (TFCOMPAT_NUM_THREADS=1;
TensorFlow's intra- and inter-op pools of 1), the process's CPU time per call (median of 5 x 5
calls). Other processes barely move it, so it compares the kernels where a shared machine's load
makes wall-clock ratios noise; it says nothing of how each library spreads work over cores.
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
        y = _loss(tf, fn(tf, *ts))
    return tape.gradient(y, ts)


def _loss(tf, y):
    """sum(y * y): the backward pass needs the forward's values (the gradient of a plain sum is a
    constant that TensorFlow, and tfcompat, fold away with the forward op in tf.function)."""
    return tf.reduce_sum(y * y)


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


def train_step(tf, x, y):
    """The shared yardstick's W11 step: two 5x5 conv + bias + relu + 2x2 max-pool layers, dense 128,
    dense 10, sparse softmax cross-entropy, Keras Adam (variables: `train_state`)."""
    (k1, c1, k2, c2, w3, b3, w4, b4), opt = train_step.state
    with tf.GradientTape() as tape:
        h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, k1, 1, "SAME"), c1)), 2, 2, "SAME")
        h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(h, k2, 1, "SAME"), c2)), 2, 2, "SAME")
        h = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, 1568]), w3) + b3)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=tf.matmul(h, w4) + b4))
    vs = train_step.state[0]
    opt.apply_gradients(zip(tape.gradient(loss, vs), vs))
    return loss


def train_state(tf) -> None:
    rng = np.random.default_rng(1)
    shapes = [(5, 5, 1, 16), (16,), (5, 5, 16, 32), (32,), (1568, 128), (128,), (128, 10), (10,)]
    vs = [tf.Variable((rng.standard_normal(s) * 0.1).astype(np.float32)) for s in shapes]
    opt = tf.keras.optimizers.Adam(learning_rate=1e-3)
    opt.build(vs)
    train_step.state = vs, opt


LABELS = RNG.integers(0, 10, 64).astype(np.int32)

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
    ("W11 CNN training step (Adam), batch 64", train_step, (X1, LABELS), None),
]


def best_ms(fn, repeats: int = 5, number: int = 5, cpu: bool = False) -> float:
    """Best wall ms per call of fn() over `repeats` runs of `number` calls; with cpu, the median
    of their CPU ms per call (this process, all threads)."""
    fn()
    clock = time.process_time if cpu else time.perf_counter
    times = []
    for _ in range(repeats):
        t0 = clock()
        for _ in range(number):
            fn()
        times.append((clock() - t0) / number)
    return (sorted(times)[len(times) // 2] if cpu else min(times)) * 1e3


def measure(lib: str, index: int, mode: str, cpu: bool = False) -> float:
    """Best ms per call of workload `index` with `lib` imported in this process (cpu: CPU ms, one thread)."""
    _, fn, arrays, backward = WORKLOADS[index]
    tf = importlib.import_module(lib)
    if cpu and lib == "tensorflow":
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    if backward is None:      # a training step: the function itself, eager or traced
        train_state(tf)
        step = tf.function(lambda *ts: fn(tf, *ts)) if mode == "function" else (lambda *ts: fn(tf, *ts))
        consts = [tf.constant(a) for a in arrays]
        return best_ms(lambda: np.asarray(step(*consts)), cpu=cpu)
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
        return best_ms(lambda: [np.asarray(t) for t in tf.nest.flatten(traced(*consts))], cpu=cpu)
    return best_ms(lambda: [np.asarray(t) for t in tf.nest.flatten(call(*arrays))], cpu=cpu)


def _traced_grads(tf, fn, *ts):
    with tf.GradientTape() as tape:
        tape.watch(list(ts))
        y = _loss(tf, fn(tf, *ts))
    return tape.gradient(y, list(ts))


def _in_subprocess(lib: str, index: int, mode: str, cpu: bool) -> float:
    env = dict(os.environ, TFCOMPAT_NUM_THREADS="1") if cpu else None
    out = subprocess.run([sys.executable, __file__, lib, str(index), mode, *(["--cpu"] if cpu else [])],
                         capture_output=True, text=True, env=env)
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else float("nan")


def main(rounds: int, rows: list[int], cpu: bool) -> None:
    unit = "CPU ms" if cpu else "ms"
    print(f"{'workload':46s} {'mode':8s} {'tfcompat ' + unit:>15s} {'TF ' + unit:>9s} {'ratio':>6s} {'load':>5s}")
    for i in rows:
        label = WORKLOADS[i][0]
        for mode in ("eager", "function"):
            ours, theirs = [], []
            for _ in range(rounds):
                ours.append(_in_subprocess("tfcompat", i, mode, cpu))
                theirs.append(_in_subprocess("tensorflow", i, mode, cpu))
            a, b = min(ours), min(theirs)
            print(f"{label:46s} {mode:8s} {a:15.2f} {b:9.2f} {a / b:6.2f} {os.getloadavg()[0]:5.1f}", flush=True)


if __name__ == "__main__":
    CPU = "--cpu" in sys.argv
    ARGS = [a for a in sys.argv[1:] if a != "--cpu"]
    if len(ARGS) == 3 and not ARGS[0].isdigit():
        print(measure(ARGS[0], int(ARGS[1]), ARGS[2], CPU))
    else:
        main(int(ARGS[0]) if ARGS else 3,
             [int(i) for i in ARGS[1].split(",")] if len(ARGS) > 1 else list(range(len(WORKLOADS))), CPU)
