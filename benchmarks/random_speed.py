"""Seeded random ops (TensorFlow's own numbers): tfcompat vs TensorFlow, side by side.

    python benchmarks/random_speed.py        # prints a table; no asserts

Each library runs in its own subprocess; a row is the median of 7 eager calls. tfcompat's
normals call the C library's logf/sinf/cosf once per value (that is what makes them
bit-identical to TensorFlow's), so they are the slow rows; uniform numbers are pure NumPy.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKLOADS = [("uniform [784, 256] float32", "uniform", [784, 256]),
             ("normal [784, 256] float32", "normal", [784, 256]),
             ("truncated_normal [784, 256] float32", "truncated_normal", [784, 256]),
             ("uniform [1000000] float32", "uniform", [1000000]),
             ("normal [1000000] float32", "normal", [1000000])]


def measure(module: str) -> dict:
    tf = __import__(module)
    out = {}
    for label, fn, shape in WORKLOADS:
        draw = getattr(tf.random, fn)
        tf.random.set_seed(1)
        draw(shape, seed=3)
        times = []
        for _ in range(7):
            t = time.perf_counter()
            draw(shape, seed=3).numpy()
            times.append(time.perf_counter() - t)
        out[label] = statistics.median(times)
    return out


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2])))
        return
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    results = {m: json.loads(subprocess.run([sys.executable, __file__, "--child", m], capture_output=True, text=True,
                                            env=env, check=True).stdout.strip().splitlines()[-1])
               for m in ("tensorflow", "tfcompat")}
    print(f"{'workload':40} {'TensorFlow':>12} {'tfcompat':>12} {'ratio':>8}")
    for label, _, _ in WORKLOADS:
        a, b = results["tensorflow"][label], results["tfcompat"][label]
        print(f"{label:40} {a * 1e3:10.2f}ms {b * 1e3:10.2f}ms {b / a:7.1f}x")


if __name__ == "__main__":
    main()
