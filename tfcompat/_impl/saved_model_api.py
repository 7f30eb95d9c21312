"""`tf.saved_model.save` / `load`: not available; they raise and name the formats that work.

    tf.saved_model.save(trunk, "out")
    # NotImplementedError: tf.saved_model.save: ... use tf.train.Checkpoint(model=trunk).write(path)
    #                      or trunk.save_weights("trunk.weights.h5")

NOTE: a SavedModel is variables/ (a TF bundle, which tfcompat can write) plus a
saved_model.pb holding a MetaGraphDef: TensorFlow GraphDefs of every traced function, the
object graph and the serving signatures, which TensorFlow Serving/TFLite/TF.js execute.
tfcompat's functions are not TensorFlow GraphDefs, so a faithful saved_model.pb cannot be
written; a directory that only looks like a SavedModel would fail later in those tools.
"""
from __future__ import annotations

from typing import Any

from .._export import export

ALTERNATIVE = ("save the variables instead: tf.train.Checkpoint(model=obj).write(path) (TensorFlow's own "
               "checkpoint format) or, for Keras models, model.save_weights('<name>.weights.h5')")


def _fail(symbol: str) -> NotImplementedError:
    return NotImplementedError(f"{symbol}: tfcompat cannot write or read SavedModel directories (saved_model.pb "
                               f"needs TensorFlow GraphDefs of the traced functions); {ALTERNATIVE}.")


@export("saved_model.save", v1=("saved_model.save", "saved_model.experimental.save"))
def save(obj: Any, export_dir: Any, signatures: Any = None, options: Any = None) -> None:
    """Raises NotImplementedError naming the checkpoint alternatives."""
    raise _fail("tf.saved_model.save")


@export("saved_model.load", v1=("saved_model.load_v2",))
def load(export_dir: Any, tags: Any = None, options: Any = None) -> Any:
    """Raises NotImplementedError naming the checkpoint alternatives."""
    raise _fail("tf.saved_model.load")
