"""The tutorial MNIST reader in native mode: wherever the program calls it, and what the new reader returns."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np

from upgrader.engine import upgrade_source

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "upgrade" / "native_mnist"


def _fake_tensorflow(monkeypatch) -> None:
    """A `tensorflow` whose only part is Keras's MNIST loader, on 60 + 10 synthetic digits."""
    rng = np.random.RandomState(0)
    data = ((rng.randint(0, 256, (60, 28, 28)).astype(np.uint8), rng.randint(0, 10, 60).astype(np.uint8)),
            (rng.randint(0, 256, (10, 28, 28)).astype(np.uint8), rng.randint(0, 10, 10).astype(np.uint8)))
    mnist = types.SimpleNamespace(load_data=lambda: data)
    fake = types.ModuleType("tensorflow")
    fake.keras = types.SimpleNamespace(datasets=types.SimpleNamespace(mnist=mnist))
    monkeypatch.setitem(sys.modules, "tensorflow", fake)
    return data


def _reader(monkeypatch) -> dict:
    code = upgrade_source((FIXTURES / "data_helper_module.input.py").read_text(), "native").code
    assert "tensorflow.examples" not in code and "read_mnist(" in code
    scope: dict = {}
    exec(compile(code, "helper.py", "exec"), scope)
    return scope


def test_a_data_helper_module_gets_the_reader_and_reads_as_tf1(monkeypatch):
    (x_train, y_train), (x_test, y_test) = _fake_tensorflow(monkeypatch)
    scope = _reader(monkeypatch)
    # TF1: validation is the first `validation_size` training images; pixels float32 in [0, 1]; one-hot labels
    mnist = scope["read_mnist"]("unused", one_hot=True, validation_size=20)
    assert mnist.train.images.shape == (40, 784) and mnist.train.images.dtype == np.float32
    np.testing.assert_allclose(mnist.train.images[0], x_train[20].reshape(-1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(mnist.validation.labels.argmax(1), y_train[:20])
    np.testing.assert_array_equal(mnist.test.labels, np.eye(10)[y_test])
    assert mnist.test.num_examples == 10
    assert scope["read_mnist"](reshape=False, validation_size=0).train.images.shape == (60, 28, 28, 1)


def test_next_batch_wraps_an_epoch_as_tf1_does(monkeypatch):
    _fake_tensorflow(monkeypatch)
    split = _reader(monkeypatch)["read_mnist"](validation_size=0).train
    first = np.concatenate([split.next_batch(25)[1] for _ in range(2)])
    wrapped = split.next_batch(25)[1]   # the 10 left of the first epoch, then 15 of the next
    assert split.epochs_completed == 1 and len(wrapped) == 25
    epoch = np.concatenate([first, wrapped[:10]])
    assert sorted(epoch.tolist()) == sorted(split.labels.tolist())   # each example once per epoch


def test_an_argument_the_reader_lacks_is_named_and_the_file_stays_compat():
    result = upgrade_source((FIXTURES / "fake_data_blocked.input.py").read_text(), "native")
    assert "tf.compat.v1.Session" in result.code
    assert any("fake_data" in d.message for d in result.diagnostics)
