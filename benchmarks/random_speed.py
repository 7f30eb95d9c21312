"""Seeded random ops (TensorFlow's own numbers): tfcompat vs TensorFlow, side by side.

    python benchmarks/random_speed.py        # prints a table; no asserts

Each library runs in its own subprocess; a row is the median of 7 eager calls. tfcompat's
normals call the C library's logf/sinf/cosf once per value (that is what makes them
bit-identical to TensorFlow's), so they are the slow rows; uniform numbers are pure NumPy.
The discrete rows (categorical, the log-uniform candidate sampler) and the orthogonal
initializer (a QR) are bit-identical to TensorFlow's too.
"""
from __future__ import annotations

import numpy as np

from engines import both_engines, child_main, median_seconds, print_table

WORKLOADS = [("uniform [784, 256] float32", "uniform", [784, 256]),
             ("normal [784, 256] float32", "normal", [784, 256]),
             ("truncated_normal [784, 256] float32", "truncated_normal", [784, 256]),
             ("uniform [1000000] float32", "uniform", [1000000]),
             ("normal [1000000] float32", "normal", [1000000]),
             ("normal [2] float32", "normal", [2]),
             ("categorical [256, 10] x 1", "categorical", (256, 10, 1)),
             ("categorical [4096, 50] x 4", "categorical", (4096, 50, 4)),
             ("log_uniform_candidate_sampler 64 of 50000", "sampler", 64),
             ("keras Orthogonal(seed=1) (32, 128)", "orthogonal", [32, 128])]


def _call(tf, fn: str, arg) -> object:
    """The zero-argument call a row times."""
    if fn == "categorical":
        logits = tf.constant(np.random.default_rng(0).normal(size=arg[:2]).astype(np.float32))
        return lambda: tf.random.categorical(logits, arg[2], seed=3)
    if fn == "sampler":
        labels = np.arange(128, dtype=np.int64).reshape(128, 1)
        return lambda: tf.random.log_uniform_candidate_sampler(labels, 1, arg, True, 50000, seed=3)[0]
    if fn == "orthogonal":
        return lambda: tf.keras.initializers.Orthogonal(seed=1)(arg)
    draw = getattr(tf.random, fn)
    return lambda: draw(arg, seed=3)


def measure(module: str) -> dict:
    tf = __import__(module)
    out = {}
    for label, fn, arg in WORKLOADS:
        call = _call(tf, fn, arg)
        tf.random.set_seed(1)
        out[label] = median_seconds(call)
    return out


def main() -> None:
    if child_main(measure):
        return
    print_table(both_engines(__file__), [label for label, _, _ in WORKLOADS])


if __name__ == "__main__":
    main()
