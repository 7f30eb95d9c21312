"""The TF1 MNIST loader on tiny generated IDX files."""
from __future__ import annotations

import gzip
import struct
import subprocess
import sys

import numpy as np
import pytest

import tfcompat.compat.v1 as v1
from runtime.errors import NotFoundError
from tests.conftest import ROOT

input_data = v1.examples.tutorials.mnist.input_data


def _write_idx(tmp_path, n_train: int = 12, n_test: int = 4, gz: bool = True) -> None:
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        for kind, body in (("images-idx3-ubyte", struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes()),
                           ("labels-idx1-ubyte", struct.pack(">II", 2049, n) + labels.tobytes())):
            name = tmp_path / f"{prefix}-{kind}"
            if gz:
                (tmp_path / f"{name.name}.gz").write_bytes(gzip.compress(body))
            else:
                name.write_bytes(body)


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_read_data_sets(tmp_path, capsys, gz) -> None:
    _write_idx(tmp_path, gz=gz)
    mnist = input_data.read_data_sets(str(tmp_path), one_hot=True, validation_size=2, seed=1)
    assert "Extracting" in capsys.readouterr().out
    assert mnist.train.images.shape == (10, 784) and mnist.train.images.dtype == np.float32
    assert 0.0 <= mnist.train.images.min() and mnist.train.images.max() <= 1.0
    assert mnist.validation.num_examples == 2 and mnist.test.labels.shape == (4, 10)
    assert mnist.train.labels.dtype == np.float64 and mnist.train.labels.sum() == 10
    raw = input_data.read_data_sets(str(tmp_path), dtype=v1.uint8, reshape=False, validation_size=0)
    assert raw.train.images.shape == (12, 28, 28, 1) and raw.train.images.dtype == np.uint8
    assert raw.train.labels.tolist() == [i % 10 for i in range(12)]


def test_next_batch_epochs_and_shuffling(tmp_path) -> None:
    _write_idx(tmp_path)
    train = input_data.read_data_sets(str(tmp_path), validation_size=2, seed=3).train
    seen = []
    for _ in range(3):
        xs, ys = train.next_batch(4)
        assert xs.shape == (4, 784)
        seen.extend(ys.tolist())
    assert train.epochs_completed == 1 and sorted(seen[:10]) == sorted(train.labels.tolist())
    ordered = input_data.read_data_sets(str(tmp_path), validation_size=2).train
    assert ordered.next_batch(3, shuffle=False)[1].tolist() == [2, 3, 4]


def test_fake_data() -> None:
    mnist = input_data.read_data_sets("/nonexistent", fake_data=True, one_hot=True)
    xs, ys = mnist.train.next_batch(2, fake_data=True)
    assert len(xs) == 2 and len(xs[0]) == 784 and ys[0] == [1] + [0] * 9
    assert mnist.train.num_examples == 10000


def test_missing_files_names_them(tmp_path) -> None:
    with pytest.raises(NotFoundError) as e:
        input_data.read_data_sets(str(tmp_path))
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz", str(tmp_path)):
        assert name in str(e.value)


def test_import_under_tfcompat_run(tmp_path) -> None:
    _write_idx(tmp_path)
    script = tmp_path / "s.py"
    script.write_text("from tensorflow.examples.tutorials.mnist import input_data\n"
                      "import sys\n"
                      "m = input_data.read_data_sets(sys.argv[1], validation_size=2)\n"
                      "print(m.train.num_examples, input_data.DataSet.__name__)\n")
    out = subprocess.run([sys.executable, "-c", "import sys; from tfcompat.runner import run_script; "
                          "run_script(sys.argv[1], sys.argv[2:])", str(script), str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "10 DataSet"
