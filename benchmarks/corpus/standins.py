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


def mnist_npz(path, n_train=6000, n_test=1000):
    """Keras's `mnist.npz` layout (uint8 images and labels) with the same learnable stand-in digits."""
    rng = np.random.RandomState(1)
    arrays = {}
    for prefix, n in (("train", n_train), ("test", n_test)):
        labels = rng.randint(0, 10, size=n).astype(np.uint8)
        images = rng.randint(0, 60, size=(n, 28, 28))
        for i, y in enumerate(labels):
            images[i, 2 * y:2 * y + 3, :] += 180
        arrays[f"x_{prefix}"], arrays[f"y_{prefix}"] = images.astype(np.uint8), labels
    np.savez(path, **arrays)


class _PatchOnImport:
    """After Keras's (or tfcompat's) MNIST module loads, point its download at the stand-in file."""

    TARGETS = {"keras.src.datasets.mnist": "get_file", "tfcompat._impl.keras.datasets": "_fetch"}

    def __init__(self, npz):
        self.npz = npz

    def find_spec(self, name, path=None, target=None):
        if name not in self.TARGETS:
            return None
        import importlib.machinery
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:
            return None
        loader, npz, attr = spec.loader, self.npz, self.TARGETS[name]

        class Loader(type(loader)):
            def exec_module(self, module):
                loader.exec_module(module)
                setattr(module, attr, lambda *a, **k: npz)

        spec.loader = Loader.__new__(Loader)
        spec.loader.__dict__.update(loader.__dict__)
        return spec


def _install():
    import sys
    npz = os.path.join(_DIR, ".standin_mnist.npz")
    if not os.path.exists(npz):
        mnist_npz(npz)
    sys.meta_path.insert(0, _PatchOnImport(npz))
    for folder in ("MNIST_data", "mnist", "data/mnist", "data/MNIST_data", "/tmp/data", "temp"):
        path = folder if os.path.isabs(folder) else os.path.join(_DIR, folder)
        if not os.path.exists(os.path.join(path, "train-images-idx3-ubyte.gz")):
            try:
                mnist(path)
            except OSError:
                pass


_install()
