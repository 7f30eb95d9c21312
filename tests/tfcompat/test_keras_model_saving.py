"""model.save("m.keras") / model.save("m.h5") / tf.keras.models.load_model: round trips in tfcompat (always), and the same files
read by Keras 3 (TensorFlow 2.21's) and Keras 3's files read by tfcompat where TensorFlow is installed."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

import tfcompat as tf

pytest.importorskip("h5py")
L = tf.keras.layers
RNG = np.random.default_rng(4)


def _cnn(t):
    K = t.keras.layers
    model = t.keras.Sequential([t.keras.Input((6, 6, 1)), K.Conv2D(4, 3, activation="relu", padding="same"),
                                K.BatchNormalization(), K.MaxPooling2D(), K.Flatten(),
                                K.Dense(3, kernel_regularizer=t.keras.regularizers.L2(0.01),
                                        kernel_initializer=t.keras.initializers.HeNormal(seed=1)),
                                K.Dropout(0.25), K.Dense(2)])
    model.compile(optimizer=t.keras.optimizers.Adam(0.01, beta_1=0.8), loss="mse", metrics=["mae"])
    return model


def _functional(t):
    K = t.keras.layers
    x = t.keras.Input((4,), name="x")
    shared = K.Dense(3, name="shared", activation="tanh")
    merged = K.Add()([K.Dense(3, name="d1")(x), K.Dense(3, name="d2")(x)])
    return t.keras.Model(x, shared(shared(merged)), name="branchy")


def _rnn(t):
    return t.keras.Sequential([t.keras.Input((5, 3)), t.keras.layers.LSTM(4), t.keras.layers.Dense(1)])


def test_sequential_round_trip(tmp_path) -> None:
    model = _cnn(tf)
    model.fit(RNG.random((8, 6, 6, 1)), RNG.random((8, 2)), verbose=0)
    model.save(tmp_path / "cnn.keras")
    names = zipfile.ZipFile(tmp_path / "cnn.keras").namelist()
    assert sorted(names) == ["config.json", "metadata.json", "model.weights.h5"]
    again = tf.keras.models.load_model(tmp_path / "cnn.keras")
    x = RNG.random((3, 6, 6, 1)).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(l).__name__ for l in again.layers] == [type(l).__name__ for l in model.layers]
    assert type(again.optimizer).__name__ == "Adam" and again.optimizer.beta_1 == 0.8 and again.loss == "mse"
    assert again.layers[4].kernel_regularizer.l2 == pytest.approx(0.01)
    again.fit(RNG.random((8, 6, 6, 1)), RNG.random((8, 2)), verbose=0)   # compiled: it trains on


def test_model_built_by_fit_without_input_round_trips(tmp_path) -> None:
    model = tf.keras.Sequential([L.Dense(3, activation="relu"), L.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    tf.keras.models.save_model(model, str(tmp_path / "m.keras"))
    again = tf.keras.models.load_model(str(tmp_path / "m.keras"), compile=False)
    np.testing.assert_array_equal(again.predict(np.ones((2, 2)), verbose=0), model.predict(np.ones((2, 2)), verbose=0))
    assert not getattr(again, "compiled", False)


def test_functional_and_recurrent_round_trip(tmp_path) -> None:
    for make, x in ((_functional, RNG.random((2, 4))), (_rnn, RNG.random((2, 5, 3)))):
        model = make(tf)
        model.save(tmp_path / "m.keras")
        again = tf.keras.models.load_model(tmp_path / "m.keras")
        np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    config = json.loads(zipfile.ZipFile(tmp_path / "m.keras").read("config.json"))
    assert config["class_name"] == "Sequential" and config["config"]["layers"][1]["class_name"] == "LSTM"


@pytest.mark.parametrize("make", [_cnn, _functional, _rnn], ids=["cnn", "functional", "rnn"])
def test_legacy_h5_round_trip(tmp_path, make) -> None:
    model = make(tf)
    model.save(str(tmp_path / "m.h5"))
    again = tf.keras.models.load_model(str(tmp_path / "m.h5"))
    x = RNG.random((2,) + tuple(model.inputs[0].shape[1:])).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert getattr(again, "compiled", False) == getattr(model, "compiled", False)
    with pytest.raises(FileExistsError):
        model.save(str(tmp_path / "m.h5"), overwrite=False)


def test_what_cannot_be_saved_says_so(tmp_path) -> None:
    model = _functional(tf)
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(tmp_path / "m.weights")

    class Mine(tf.keras.Model):
        def call(self, x):
            return x * 2.0
    with pytest.raises(NotImplementedError, match="subclassed model.*save_weights"):
        Mine().save(tmp_path / "mine.keras")
    odd = tf.keras.Sequential([tf.keras.Input((2,)), L.Dense(1, activation=lambda v: v * 2.0)])
    with pytest.raises(NotImplementedError, match="argument activation=.*save_weights"):
        odd.save(tmp_path / "odd.keras")
    assert not (tmp_path / "odd.keras").exists()


def test_files_are_interchangeable_with_keras(tmp_path, oracle) -> None:
    inputs = {"cnn": RNG.random((3, 6, 6, 1)).astype(np.float32), "functional": RNG.random((2, 4)).astype(np.float32),
              "rnn": RNG.random((2, 5, 3)).astype(np.float32)}
    for name, make in (("cnn", _cnn), ("functional", _functional), ("rnn", _rnn)):
        ours, keras_model = make(tf), make(oracle)
        ours.save(tmp_path / f"ours_{name}.keras")
        keras_model.save(tmp_path / f"keras_{name}.keras")
        read_by_keras = oracle.keras.models.load_model(tmp_path / f"ours_{name}.keras")
        read_by_us = tf.keras.models.load_model(tmp_path / f"keras_{name}.keras")
        x = inputs[name]
        np.testing.assert_allclose(read_by_keras.predict(x, verbose=0), ours.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(read_by_us.predict(x, verbose=0), keras_model.predict(x, verbose=0), rtol=1e-5,
                                   atol=1e-6)
        ours.save(str(tmp_path / f"ours_{name}.h5"))                 # the legacy HDF5 model file, both ways
        keras_model.save(str(tmp_path / f"keras_{name}.h5"))
        # NOTE: compile=False: Keras 3 cannot compile its own legacy files with loss="mse" ('keras.metrics.mse')
        read_by_keras = oracle.keras.models.load_model(str(tmp_path / f"ours_{name}.h5"), compile=False)
        read_by_us = tf.keras.models.load_model(str(tmp_path / f"keras_{name}.h5"))
        np.testing.assert_allclose(read_by_keras.predict(x, verbose=0), ours.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(read_by_us.predict(x, verbose=0), keras_model.predict(x, verbose=0), rtol=1e-5,
                                   atol=1e-6)


def _fit_save_fit(t, path):
    x, y = np.linspace(0, 1, 12, dtype=np.float32).reshape(4, 3), np.ones((4, 1), np.float32)
    model = t.keras.Sequential([t.keras.Input((3,)), t.keras.layers.Dense(2, kernel_initializer="ones"),
                                t.keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(t.keras.optimizers.Adam(0.01), "mse")
    model.fit(x, y, epochs=2, verbose=0)
    model.save(path)
    model.fit(x, y, epochs=1, verbose=0)
    return x, y, model.layers[0].kernel.numpy()


def test_optimizer_state_is_saved_so_training_resumes(tmp_path) -> None:
    x, y, continued = _fit_save_fit(tf, tmp_path / "m.keras")
    again = tf.keras.models.load_model(tmp_path / "m.keras")
    assert int(again.optimizer.iterations.numpy()) == 2
    again.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(again.layers[0].kernel.numpy(), continued)


def test_optimizer_state_interchanges_with_keras(tmp_path, oracle) -> None:
    for writer, reader in ((tf, oracle), (oracle, tf)):
        path = tmp_path / f"{writer.__name__}.keras"
        x, y, continued = _fit_save_fit(writer, path)
        again = reader.keras.models.load_model(path)
        again.fit(x, y, epochs=1, verbose=0)
        np.testing.assert_allclose(again.layers[0].kernel.numpy(), continued, rtol=1e-6)


def test_weights_h5_is_keras_layout(tmp_path) -> None:
    h5py = pytest.importorskip("h5py")
    model = _cnn(tf)
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:
        assert f["layers/conv2d/vars/0"].shape == (3, 3, 1, 4) and len(f["layers/batch_normalization/vars"]) == 4
        assert "layers/dense_1/vars/1" in f and f["layers/dense/vars"].attrs["name"] == model.layers[4].name
    clone = _cnn(tf)
    clone.load_weights(tmp_path / "w.weights.h5")
    x = RNG.random((2, 6, 6, 1)).astype(np.float32)
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_weights_h5_interchange_with_keras(tmp_path, oracle) -> None:
    x = RNG.random((2, 6, 6, 1)).astype(np.float32)
    for writer, reader in ((tf, oracle), (oracle, tf)):
        path = str(tmp_path / f"{writer.__name__}.weights.h5")
        model = _cnn(writer)
        model.save_weights(path)
        clone = _cnn(reader)
        clone.load_weights(path)
        np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
