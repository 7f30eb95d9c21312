"""TF1's `tensorflow.examples.tutorials.mnist.input_data`: the MNIST loader, reading local IDX files.

    mnist = input_data.read_data_sets("/data/mnist", one_hot=True)
    xs, ys = mnist.train.next_batch(100)      # (100, 784) float32 in [0, 1], (100, 10) one-hot

Behaviour follows TF 1.15's `mnist.py`: 5000 validation images taken from the front
of the training set, float32 pixels scaled by 1/255, a NumPy shuffle at the start of
the first epoch and at each epoch end. There is no download: the four files
(gzipped or not) must already be in `train_dir`.
"""
from __future__ import annotations

import collections
import gzip
import os
from typing import Any

import numpy as np

from runtime import dtypes
from runtime.errors import NotFoundError

from ..._export import export

_MODULE = "examples.tutorials.mnist.input_data."
FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def _read32(f: Any) -> int:
    return int(np.frombuffer(f.read(4), dtype=">u4")[0])


def _open(path: str) -> Any:
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


@export(v1=(_MODULE + "extract_images",))
def extract_images(f: Any) -> np.ndarray:
    """Images of an IDX3 file as a uint8 array [n, rows, cols, 1]."""
    print("Extracting", f.name)
    magic = _read32(f)
    if magic != 2051:
        raise ValueError(f"Invalid magic number {magic} in MNIST image file: {f.name}")
    n, rows, cols = _read32(f), _read32(f), _read32(f)
    data = np.frombuffer(f.read(rows * cols * n), dtype=np.uint8)
    return data.reshape(n, rows, cols, 1)


@export(v1=(_MODULE + "dense_to_one_hot",))
def dense_to_one_hot(labels_dense: np.ndarray, num_classes: int) -> np.ndarray:
    """Class indices -> float64 one-hot rows (TF 1.x's dtype)."""
    out = np.zeros((labels_dense.shape[0], num_classes))
    out.flat[np.arange(labels_dense.shape[0]) * num_classes + labels_dense.ravel()] = 1
    return out


@export(v1=(_MODULE + "extract_labels",))
def extract_labels(f: Any, one_hot: bool = False, num_classes: int = 10) -> np.ndarray:
    print("Extracting", f.name)
    magic = _read32(f)
    if magic != 2049:
        raise ValueError(f"Invalid magic number {magic} in MNIST label file: {f.name}")
    labels = np.frombuffer(f.read(_read32(f)), dtype=np.uint8)
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


@export(v1=(_MODULE + "DataSet",))
class DataSet:
    """Images and labels with `next_batch`, shuffled with NumPy's global RNG as TF 1.x did."""

    def __init__(self, images: Any, labels: Any, fake_data: bool = False, one_hot: bool = False,
                 dtype: Any = dtypes.float32, reshape: bool = True, seed: int | None = None) -> None:
        np.random.seed(seed)
        dtype = dtypes.as_dtype(dtype)
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
        if fake_data:
            self._num_examples = 10000
            self.one_hot = one_hot
        else:
            assert images.shape[0] == labels.shape[0], f"images.shape: {images.shape} labels.shape: {labels.shape}"
            self._num_examples = images.shape[0]
            if reshape:
                assert images.shape[3] == 1
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == dtypes.float32:
                images = np.multiply(images.astype(np.float32), 1.0 / 255.0)
        self._images, self._labels = images, labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self) -> Any:
        return self._images

    @property
    def labels(self) -> Any:
        return self._labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def next_batch(self, batch_size: int, fake_data: bool = False, shuffle: bool = True) -> tuple[Any, Any]:
        """The next `batch_size` examples; an epoch's end wraps into a reshuffled next epoch."""
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [fake_image for _ in range(batch_size)], [fake_label for _ in range(batch_size)]
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            perm0 = np.arange(self._num_examples)
            np.random.shuffle(perm0)
            self._images, self._labels = self.images[perm0], self.labels[perm0]
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest = self._num_examples - start
            images_rest, labels_rest = self._images[start:self._num_examples], self._labels[start:self._num_examples]
            if shuffle:
                perm = np.arange(self._num_examples)
                np.random.shuffle(perm)
                self._images, self._labels = self.images[perm], self.labels[perm]
            self._index_in_epoch = batch_size - rest
            end = self._index_in_epoch
            return (np.concatenate((images_rest, self._images[0:end]), axis=0),
                    np.concatenate((labels_rest, self._labels[0:end]), axis=0))
        self._index_in_epoch += batch_size
        return self._images[start:self._index_in_epoch], self._labels[start:self._index_in_epoch]


def _find(train_dir: str, name: str) -> str | None:
    for candidate in (name, name[:-3]):
        path = os.path.join(train_dir, candidate)
        if os.path.isfile(path):
            return path
    return None


@export(v1=(_MODULE + "read_data_sets",))
def read_data_sets(train_dir: str, fake_data: bool = False, one_hot: bool = False, dtype: Any = dtypes.float32,
                   reshape: bool = True, validation_size: int = 5000, seed: int | None = None,
                   source_url: str = DEFAULT_SOURCE_URL) -> Datasets:
    """train/validation/test DataSets from the four MNIST IDX files in `train_dir` (no download)."""
    if fake_data:
        def fake() -> DataSet:
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())
    paths = {name: _find(str(train_dir), name) for name in FILES}
    missing = [name for name, path in paths.items() if path is None]
    if missing:
        raise NotFoundError(None, None, (
            f"MNIST files not found in {os.path.abspath(str(train_dir))}: missing {', '.join(missing)}. "
            f"tfcompat does not download; put the four files {', '.join(FILES)} (gzipped, or unzipped "
            f"without '.gz') in that directory, e.g. from {source_url}"))
    with _open(paths[FILES[0]]) as f:
        train_images = extract_images(f)
    with _open(paths[FILES[1]]) as f:
        train_labels = extract_labels(f, one_hot=one_hot)
    with _open(paths[FILES[2]]) as f:
        test_images = extract_images(f)
    with _open(paths[FILES[3]]) as f:
        test_labels = extract_labels(f, one_hot=one_hot)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"Validation size should be between 0 and {len(train_images)}. "
                         f"Received: {validation_size}.")
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(train=DataSet(train_images[validation_size:], train_labels[validation_size:], **options),
                    validation=DataSet(train_images[:validation_size], train_labels[:validation_size], **options),
                    test=DataSet(test_images, test_labels, **options))
