"""`tf.lite.TFLiteConverter`: not available; every way in raises and names the alternative.

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    # NotImplementedError: tf.lite.TFLiteConverter.from_keras_model: ... model.save_weights(...)

NOTE: a .tflite file is a FlatBuffer of TFLite kernels produced by MLIR conversion of a
TensorFlow graph; tfcompat has neither the graph (see saved_model_api.py) nor the converter,
and a file that only looked like TFLite would fail on the device.
"""
from __future__ import annotations

from typing import Any

from .._export import export

_ALTERNATIVE = ("keep the weights with model.save_weights('<name>.weights.h5') or "
                "tf.train.Checkpoint(model=model).write(path), and convert with real TensorFlow")


def _fail(symbol: str) -> NotImplementedError:
    return NotImplementedError(f"{symbol}: tfcompat cannot produce TensorFlow Lite models (no TensorFlow graph "
                               f"and no TFLite converter); {_ALTERNATIVE}.")


@export("lite.TFLiteConverter", v1=())
class TFLiteConverter:
    """TF2's converter; constructing or converting raises NotImplementedError."""

    def __init__(self, funcs: Any, trackable_obj: Any = None) -> None:
        raise _fail("tf.lite.TFLiteConverter")

    @classmethod
    def from_keras_model(cls, model: Any) -> "TFLiteConverter":
        raise _fail("tf.lite.TFLiteConverter.from_keras_model")

    @classmethod
    def from_saved_model(cls, saved_model_dir: Any, signature_keys: Any = None, tags: Any = None) -> "TFLiteConverter":
        raise _fail("tf.lite.TFLiteConverter.from_saved_model")

    @classmethod
    def from_concrete_functions(cls, funcs: Any, trackable_obj: Any = None) -> "TFLiteConverter":
        raise _fail("tf.lite.TFLiteConverter.from_concrete_functions")

    def convert(self) -> bytes:
        raise _fail("tf.lite.TFLiteConverter.convert")
