"""Keras preprocessing layers, confusion metrics and Ftrl (what converted canned Estimators use): tfcompat vs
TensorFlow, side by side.

    python benchmarks/preprocessing_speed.py        # prints a table; no asserts

Each library runs in its own subprocess; a row is the median of 7 eager calls. Lookups and hashing are
host ops in both (TensorFlow's hash tables and FarmHash are CPU kernels); tfcompat's hash table is a
Python dict and its FarmHash is Python, run once per distinct value and remembered across calls.
"""
from __future__ import annotations

import numpy as np

from engines import both_engines, child_main, median_seconds, print_table

N = 100_000
WORKLOADS = ["StringLookup 100k strings (3000-word vocabulary)", "IntegerLookup 100k ints",
             "Hashing(1000) 100k strings (5000 distinct)", "Discretization 100k floats (10 bins)",
             "CategoryEncoding multi_hot [10000, 10] ids", "AUC update_state 100k (200 thresholds)",
             "Precision update_state 100k (3 thresholds)", "Ftrl apply_gradients [1000, 100]"]


def _calls(tf) -> list:
    rng = np.random.default_rng(0)
    words = tf.constant(np.array([f"w{i}" for i in rng.integers(0, 5000, N)]))
    ints = tf.constant(rng.integers(0, 5000, N).astype(np.int64))
    floats = tf.constant(rng.normal(size=N).astype(np.float32))
    ids = tf.constant(rng.integers(0, 50, (10000, 10)).astype(np.int64))
    labels = tf.constant((rng.uniform(size=(N, 1)) > 0.5).astype(np.float32))
    preds = tf.constant(rng.uniform(size=(N, 1)).astype(np.float32))
    lookup = tf.keras.layers.StringLookup(vocabulary=[f"w{i}" for i in range(3000)])
    int_lookup = tf.keras.layers.IntegerLookup(vocabulary=list(range(0, 6000, 2)))
    hashing = tf.keras.layers.Hashing(1000)
    buckets = tf.keras.layers.Discretization(bin_boundaries=list(np.linspace(-2, 2, 9)))
    encode = tf.keras.layers.CategoryEncoding(num_tokens=50)
    auc, precision = tf.keras.metrics.AUC(), tf.keras.metrics.Precision(thresholds=[0.2, 0.5, 0.8])
    var = tf.Variable(rng.normal(size=(1000, 100)).astype(np.float32))
    grad = tf.constant(rng.normal(size=(1000, 100)).astype(np.float32))
    ftrl = tf.keras.optimizers.Ftrl(0.1)

    def update(metric) -> object:
        metric.update_state(labels, preds)
        return metric.true_positives
    return [lambda: lookup(words), lambda: int_lookup(ints), lambda: hashing(words), lambda: buckets(floats),
            lambda: encode(ids), lambda: update(auc), lambda: update(precision),
            lambda: (ftrl.apply_gradients([(grad, var)]), var)[1]]


def measure(module: str) -> dict:
    tf = __import__(module)
    return {label: median_seconds(call) for label, call in zip(WORKLOADS, _calls(tf))}


def main() -> None:
    if child_main(measure):
        return
    print_table(both_engines(__file__), WORKLOADS)


if __name__ == "__main__":
    main()
