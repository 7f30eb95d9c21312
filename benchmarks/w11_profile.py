"""Where one W11 training step spends its time: per-op CPU ms in tfcompat (tf.function plan
steps, or eager ops), beside TensorFlow's own per-op times from its profiler.

    python benchmarks/w11_profile.py [function|eager] [tfcompat|tensorflow] [STEPS] [--row N]

With `--row N`, the step is conv_speed.py's workload N instead (e.g. 7: conv1d fwd+bwd, 8:
conv2d_transpose), its gradients of sum(y*y) taken as conv_speed.py does.

Both run on one thread (TFCOMPAT_NUM_THREADS=1; TensorFlow's pools of 1). tfcompat: each kernel of
the compiled plan (or each eager `execute`) is wrapped in a thread-CPU timer; TensorFlow: the
profiler's trace of STEPS steps, op times summed by op type. Times are per step. No asserts.
"""
from __future__ import annotations

import collections
import importlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TFCOMPAT_NUM_THREADS", "1")

import conv_speed  # noqa: E402
import numpy as np  # noqa: E402

ROW = len(conv_speed.WORKLOADS) - 1       # the W11 training step; --row N: another workload

TOTALS: collections.Counter = collections.Counter()
CALLS: collections.Counter = collections.Counter()


def _timed(label: str, kernel):
    def run(*a, **k):
        t0 = time.thread_time()
        try:
            return kernel(*a, **k)
        finally:
            TOTALS[label] += time.thread_time() - t0
            CALLS[label] += 1
    return run


def _label(node) -> str:
    name = getattr(getattr(node, "op", None), "name", None)
    if name is None:
        name = type(node).__name__
        members = getattr(node, "nodes", None)
        if members:
            name += "(" + "+".join(m.op.name for m in members[:4]) + ("..." if len(members) > 4 else "") + ")"
    return name


def profile_tfcompat(mode: str, steps: int) -> None:
    from runtime import dispatch, executor
    if mode == "function":
        orig = executor._Builder.codegen

        def codegen(self, fetch_names):
            for s in self.steps:
                lab = _label(s[0])
                if len(s[3]) == 2 and lab == "Conv2D":
                    lab = "Conv2D+BiasAdd+Relu+MaxPool"
                elif lab == "Conv2D" and s[2] and len(s[2]) == 3:
                    lab = "Conv2D+BiasAdd+Relu"
                s[1] = _timed(lab, s[1])
            return orig(self, fetch_names)
        executor._Builder.codegen = codegen
    else:   # the eager interpreter's kernel calls (the tape's recording is counted apart)
        orig = dispatch.EagerInterpreter.process

        def process(self, op, inputs, attrs, name):
            t0 = time.thread_time()
            try:
                return orig(self, op, inputs, attrs, name)
            finally:
                TOTALS[op.name] += time.thread_time() - t0
                CALLS[op.name] += 1
        dispatch.EagerInterpreter.process = process
    _run("tfcompat", mode, steps)


def _run(lib: str, mode: str, steps: int):
    tf = importlib.import_module(lib)
    _, fn, arrays, backward = conv_speed.WORKLOADS[ROW]
    if backward is None:      # the training step
        conv_speed.train_state(tf)

    def body(*ts):
        return conv_speed._traced_grads(tf, fn, *ts) if backward else fn(tf, *ts)
    step = tf.function(body) if mode == "function" else body
    consts = [tf.constant(a) for a in arrays]

    def call():
        return [np.asarray(t) for t in tf.nest.flatten(step(*consts))]
    for _ in range(3):
        call()
    TOTALS.clear()
    CALLS.clear()
    t0 = time.process_time()
    for _ in range(steps):
        call()
    total = (time.process_time() - t0) / steps * 1e3
    if lib == "tfcompat":
        _report(lib, mode, steps, total)
    else:
        print(f"{lib} {mode}: {total:.2f} CPU ms per step")
    return tf, step, consts


def _report(lib, mode, steps, total):
    print(f"{lib} {mode}: {total:.2f} CPU ms per step; per op (CPU ms per step, calls per step):")
    for k, v in TOTALS.most_common():
        print(f"  {v / steps * 1e3:8.3f}  {CALLS[k] // steps:3d}  {k}")
    print(f"  {sum(TOTALS.values()) / steps * 1e3:8.3f}       (sum of ops)")


def profile_tensorflow(mode: str, steps: int) -> None:
    """TensorFlow's profiler (XSpace protobuf): op events on the compute threads, summed by name."""
    import glob
    import tempfile

    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    _, step, consts = _run("tensorflow", mode, steps)
    logdir = tempfile.mkdtemp()
    tf.profiler.experimental.start(logdir)
    for _ in range(steps):
        [np.asarray(t) for t in tf.nest.flatten(step(*consts))]
    tf.profiler.experimental.stop()
    space = xplane_pb2.XSpace()
    with open(glob.glob(f"{logdir}/**/*.xplane.pb", recursive=True)[0], "rb") as f:
        space.ParseFromString(f.read())
    ops, calls = collections.Counter(), collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            for e in line.events:
                name = plane.event_metadata[e.metadata_id].name
                if ":" in name and not name.startswith(("ExecutorState", "Eager", "KernelAndDevice")):
                    ops[name] += e.duration_ps / 1e9
                    calls[name] += 1
    print("TensorFlow profiler, op events (wall ms per step under the profiler, calls per step):")
    for k, v in ops.most_common(30):
        print(f"  {v / steps:8.3f}  {calls[k] // steps:3d}  {k}")
    print(f"  {sum(ops.values()) / steps:8.3f}       (sum of ops)")


if __name__ == "__main__":
    ARGS = sys.argv[1:]
    if "--row" in ARGS:
        ROW = int(ARGS[ARGS.index("--row") + 1])
        del ARGS[ARGS.index("--row"):ARGS.index("--row") + 2]
    MODE = ARGS[0] if len(ARGS) > 0 else "function"
    LIB = ARGS[1] if len(ARGS) > 1 else "tfcompat"
    STEPS = int(ARGS[2]) if len(ARGS) > 2 else 20
    (profile_tfcompat if LIB == "tfcompat" else profile_tensorflow)(MODE, STEPS)
