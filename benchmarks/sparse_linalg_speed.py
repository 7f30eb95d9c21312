"""Sparse ops and matrix decompositions: tfcompat vs TensorFlow, side by side.

    python benchmarks/sparse_linalg_speed.py        # prints a table; no asserts

Each library runs in its own subprocess; a row is the median of 7 eager calls (forward only,
or forward plus gradient where the label says so).
"""
from __future__ import annotations

import numpy as np

from engines import both_engines, child_main, median_seconds, print_table

RNG = np.random.default_rng(0)


def _sparse(m: int, k: int, nnz: int) -> tuple:
    flat = np.sort(RNG.choice(m * k, size=nnz, replace=False))
    return np.stack(np.unravel_index(flat, (m, k)), axis=1).astype(np.int64), RNG.standard_normal(nnz).astype(
        np.float32), [m, k]


SP_SMALL, SP_BIG = _sparse(128, 10000, 12800), _sparse(4096, 20000, 400000)
B_SMALL, B_BIG = RNG.standard_normal((10000, 64)).astype(np.float32), RNG.standard_normal((20000, 128)).astype(
    np.float32)
SYM = RNG.standard_normal((256, 256)).astype(np.float32)
SYM = SYM + SYM.T
DEEP = RNG.standard_normal((512, 128)).astype(np.float32)
BATCH = RNG.standard_normal((64, 32, 32)).astype(np.float32)
WORDS = ["".join(RNG.choice(list("abcdefgh"), size=12)) for _ in range(2000)]


def _chars(words: list) -> tuple:
    idx = np.array([[i, 0, j] for i, w in enumerate(words) for j in range(len(w))], np.int64)
    return idx, np.array([c.encode() for w in words for c in w], dtype=object), [len(words), 1, max(map(len, words))]


HYP, TRUTH = _chars(WORDS), _chars(WORDS[::-1])


def _rows(tf) -> list:
    small = tf.SparseTensor(*SP_SMALL)
    big = tf.SparseTensor(*SP_BIG)
    messy = tf.SparseTensor(SP_BIG[0][::-1].copy(), SP_BIG[1][::-1].copy(), SP_BIG[2])
    hyp, truth = tf.SparseTensor(*HYP), tf.SparseTensor(*TRUTH)

    def grad_of(fn, x):
        v = tf.Variable(x)

        def run():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(fn(v))
            return tape.gradient(loss, v)
        return run
    return [("sparse_dense_matmul [128,10000] nnz 12.8k @ [10000,64]", lambda: tf.sparse.sparse_dense_matmul(small, B_SMALL)),
            ("sparse_dense_matmul [4096,20000] nnz 400k @ [20000,128]", lambda: tf.sparse.sparse_dense_matmul(big, B_BIG)),
            ("sparse.to_dense [4096,20000] nnz 400k", lambda: tf.sparse.to_dense(big)),
            ("sparse.reorder nnz 400k (reversed)", lambda: tf.sparse.reorder(messy).values),
            ("sparse.from_dense [128,10000]", lambda: tf.sparse.from_dense(tf.sparse.to_dense(small)).values),
            ("edit_distance 2000 pairs of 12 chars", lambda: tf.edit_distance(hyp, truth)),
            ("linalg.eigh [256,256]", lambda: tf.linalg.eigh(SYM)[0]),
            ("linalg.eigh [256,256] + gradient", grad_of(lambda a: tf.linalg.eigh(a)[1] ** 2, SYM)),
            ("linalg.qr [512,128]", lambda: tf.linalg.qr(DEEP)[0]),
            ("linalg.qr [512,128] + gradient", grad_of(lambda a: tf.linalg.qr(a)[1], DEEP)),
            ("linalg.svd [512,128]", lambda: tf.linalg.svd(DEEP)[0]),
            ("linalg.svd [512,128] + gradient", grad_of(lambda a: tf.linalg.svd(a)[0], DEEP)),
            ("linalg.svd batch [64,32,32]", lambda: tf.linalg.svd(BATCH)[0])]


def measure(module: str) -> dict:
    tf = __import__(module)
    return {label: median_seconds(call) for label, call in _rows(tf)}


def main() -> None:
    if child_main(measure):
        return
    results = both_engines(__file__)
    print_table(results, list(results["tensorflow"]))


if __name__ == "__main__":
    main()
