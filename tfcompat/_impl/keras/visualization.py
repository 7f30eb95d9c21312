"""`tf.keras.utils.plot_model`: Keras 3's checks, in Keras 3's order and words.

    plot_model(model, to_file="model.png")
    # without pydot: ImportError("You must install pydot (`pip install pydot`) for `plot_model` to work.")
"""
from __future__ import annotations

import importlib.util
import sys
from typing import Any

from ..._export import export


def _has_pydot() -> bool:
    return importlib.util.find_spec("pydot") is not None


@export("keras.utils.plot_model", v1=())
def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho",
               **kwargs: Any) -> Any:
    """Draw `model`'s layer graph to `to_file` (needs pydot and graphviz, as in Keras)."""
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    if not _has_pydot():
        message = "You must install pydot (`pip install pydot`) for `plot_model` to work."
        if "IPython.core.magics.namespace" in sys.modules:
            print(message)  # NOTE: Keras prints instead of raising in notebooks
            return None
        raise ImportError(message)
    raise NotImplementedError("tf.keras.utils.plot_model: tfcompat does not draw model graphs even with pydot "
                              "installed; use model.summary() to inspect the layers.")
