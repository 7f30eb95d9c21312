"""Seed 001's fit callbacks: EarlyStopping, TensorBoard(log_dir), ModelCheckpoint(filepath)."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import tfcompat as tf
from tfcompat._impl.v1.summary_v1 import summary_iterator


def _model():
    model = tf.keras.Sequential([tf.keras.Input(shape=(2,)), tf.keras.layers.Dense(1)])
    model.set_weights([np.zeros((2, 1), np.float32), np.zeros((1,), np.float32)])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    return model


X = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
Y = X @ np.array([[1.0], [-1.0]], np.float32)


def _tags(directory):
    (name,) = [f for f in os.listdir(directory) if f.startswith("events.out.tfevents")]
    return [(v.tag, e.step) for e in summary_iterator(os.path.join(directory, name)) for v in e.summary.value]


def test_tensorboard_writes_epoch_scalars_for_train_and_validation(tmp_path):
    _model().fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0, validation_data=(X, Y),
                 callbacks=[tf.keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=1)])
    train = _tags(tmp_path / "train")
    assert ("epoch_loss", 0) in train and ("epoch_learning_rate", 1) in train
    assert any(tag.endswith("/histogram") for tag, _ in train)
    assert _tags(tmp_path / "validation") == [("epoch_loss", 0), ("epoch_loss", 1)]


def test_tensorboard_batch_update_freq(tmp_path):
    _model().fit(X, Y, epochs=1, batch_size=4, shuffle=False, verbose=0,
                 callbacks=[tf.keras.callbacks.TensorBoard(str(tmp_path), update_freq=2)])
    assert [s for t, s in _tags(tmp_path / "train") if t == "batch_loss"] == [2, 4]


def test_model_checkpoint_keeps_the_best_weights_and_formats_the_path(tmp_path):
    model = _model()
    best = str(tmp_path / "best.weights.h5")
    every = str(tmp_path / "ep{epoch:02d}.weights.h5")
    h = model.fit(X, Y, epochs=3, batch_size=8, shuffle=False, verbose=0, validation_data=(X, Y),
                  callbacks=[tf.keras.callbacks.ModelCheckpoint(best, save_weights_only=True, save_best_only=True),
                             tf.keras.callbacks.ModelCheckpoint(every, save_weights_only=True)])
    assert sorted(os.listdir(tmp_path)) == ["best.weights.h5", "ep01.weights.h5", "ep02.weights.h5", "ep03.weights.h5"]
    restored = _model()
    restored.load_weights(best)
    assert restored.evaluate(X, Y, verbose=0) == pytest.approx(min(h.history["val_loss"]), rel=1e-5)


def test_model_checkpoint_checks_paths_like_keras_and_names_the_alternative():
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        tf.keras.callbacks.ModelCheckpoint("w.npz", save_weights_only=True)
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        tf.keras.callbacks.ModelCheckpoint("model")



def test_model_checkpoint_saves_whole_models(tmp_path):
    model = _model()
    path = str(tmp_path / "m{epoch}.keras")
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[tf.keras.callbacks.ModelCheckpoint(path)])
    again = tf.keras.models.load_model(str(tmp_path / "m2.keras"))
    np.testing.assert_array_equal(again.predict(X, verbose=0), model.predict(X, verbose=0))


def test_early_stopping_default_monitors_val_loss():
    model = _model()
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=3.0), loss="mse")  # diverges at once
    h = model.fit(X, Y, epochs=10, batch_size=16, verbose=0, validation_data=(X, Y),
                  callbacks=[tf.keras.callbacks.EarlyStopping()])
    assert len(h.epoch) < 10


def test_plot_model_without_pydot_raises_keras_import_error(monkeypatch):
    # NOTE: Keras prints instead of raising inside IPython; importing TensorFlow (the oracle) loads
    # IPython's modules in this process, so the test hides them to check the script behaviour.
    monkeypatch.delitem(sys.modules, "IPython.core.magics.namespace", raising=False)
    try:
        import pydot  # noqa: F401
        pytest.skip("pydot installed")
    except ImportError:
        pass
    with pytest.raises(ImportError, match=r"You must install pydot \(`pip install pydot`\) for `plot_model`"):
        tf.keras.utils.plot_model(_model(), to_file="model.png")
