"""Synthetic stand-ins for the data corpus programs download (installed as `sitecustomize`).

Nothing here is anybody's data: MNIST-shaped IDX files of random digits, and a small
generated text, written into the program's scratch folder where the programs look for
them, so that a program runs offline and quickly.
"""
import gzip
import os
import struct

import numpy as np

_DIR = os.environ.get("STANDINS_DIR", ".")


def _idx(path, array):
    """Write `array` as an IDX file (MNIST's format), gzipped when the name ends in .gz."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(data)


def mnist(folder, n_train=600, n_test=100):
    """Random 28x28 'digits' whose labels a model can learn (the mean brightness of a band)."""
    rng = np.random.RandomState(0)
    os.makedirs(folder, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.randint(0, 10, size=n)
        images = rng.randint(0, 60, size=(n, 28, 28))
        for i, y in enumerate(labels):
            images[i, 2 * y:2 * y + 3, :] += 180
        _idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), images)
        _idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), labels)


def _install():
    for folder in ("MNIST_data", "mnist", "data/mnist", "data/MNIST_data", "/tmp/data", "temp"):
        path = folder if os.path.isabs(folder) else os.path.join(_DIR, folder)
        if not os.path.exists(os.path.join(path, "train-images-idx3-ubyte.gz")):
            try:
                mnist(path)
            except OSError:
                pass


_install()
