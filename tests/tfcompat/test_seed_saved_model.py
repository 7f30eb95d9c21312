"""Seed 003's tf.saved_model.save(trunk, path) and seed 001's TFLiteConverter: typed errors naming alternatives."""
from __future__ import annotations

import numpy as np
import pytest

import tfcompat as tf


def _trunk():
    return tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(4, activation="relu")])


def test_saved_model_save_names_the_alternatives_and_writes_nothing(tmp_path):
    out = tmp_path / "trunk"
    with pytest.raises(NotImplementedError, match=r"tf\.saved_model\.save: .*tf\.train\.Checkpoint.*save_weights"):
        tf.saved_model.save(_trunk(), str(out))
    assert not out.exists()
    with pytest.raises(NotImplementedError, match=r"tf\.saved_model\.load"):
        tf.saved_model.load(str(out))


def test_the_suggested_alternative_round_trips(tmp_path):
    trunk, copy = _trunk(), _trunk()
    path = str(tmp_path / "trunk.weights.h5")
    trunk.save_weights(path)
    copy.load_weights(path)
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(copy(x).numpy(), trunk(x).numpy())


def test_tflite_converter_names_the_symbol():
    with pytest.raises(NotImplementedError, match=r"tf\.lite\.TFLiteConverter\.from_keras_model"):
        tf.lite.TFLiteConverter.from_keras_model(_trunk())
    with pytest.raises(NotImplementedError, match=r"tf\.lite\.TFLiteConverter"):
        tf.lite.TFLiteConverter([])
