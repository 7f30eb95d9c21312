"""`tf.keras.datasets`: the MNIST arrays as Keras ships them (`mnist.npz`, cached under ~/.keras/datasets).

    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()

The file is Keras's own copy, checked by the same SHA-256 as Keras checks it, downloaded once
from the same address. Offline, a file already in the cache is used; a missing one is an
error that names the path to put it at.
"""
from __future__ import annotations

import hashlib
import os
import urllib.request

import numpy as np

from ..._export import export

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def _cache_dir() -> str:
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(base, "datasets")


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fetch(fname: str, url: str, sha256: str) -> str:
    path = os.path.join(_cache_dir(), fname)
    if os.path.exists(path) and _sha256(path) == sha256:
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".part"
    try:
        urllib.request.urlretrieve(url, tmp)
    except OSError as e:
        raise OSError(f"could not download {url} ({e}); put Keras's {fname} at {path} to use it offline") from e
    if _sha256(tmp) != sha256:
        os.remove(tmp)
        raise ValueError(f"{url} did not match its SHA-256 ({sha256}); nothing was written to {path}")
    os.replace(tmp, path)
    return path


@export("keras.datasets.mnist.load_data", v1=("keras.datasets.mnist.load_data",))
def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)): uint8 images (60000/10000, 28, 28) and uint8 labels 0-9."""
    with np.load(_fetch(path, MNIST_URL, MNIST_SHA256), allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
