"""`model.save("m.keras")` and `keras.models.load_model`: the Keras 3 `.keras` zip (config.json,
metadata.json, model.weights.h5), readable by Keras 3 and by tfcompat (`.h5`: model_saving_h5.py).

    model.save("m.keras");  same = tf.keras.models.load_model("m.keras")

A layer's config is the arguments its constructor was called with (recorded by `Layer`), with
activations, initializers, regularizers and constraints in Keras's serialized form. Sequential and
functional models are saved; a subclassed model or an argument with no serialized form raises
NotImplementedError naming it and `save_weights` as the alternative. Weights are stored as Keras 3
stores them (`layers/<class>[_<n>]/vars/<i>`, nested layers under their attribute name) with h5py.
"""
from __future__ import annotations

import datetime
import inspect
import json
import os
import tempfile
import warnings
import zipfile
from typing import Any

import numpy as np

from ..._export import V2, export
from .base_layer import Layer
from .common import snake

KERAS_VERSION = "3.15.1"  # NOTE: the Keras that TensorFlow 2.21 installs; Keras 3 readers check the major version
_KINDS = ("initializers", "regularizers", "constraints")
_ALTERNATIVE = "save the weights with model.save_weights('<name>.weights.h5') and rebuild the model in code"


def _h5py() -> Any:
    try:
        import h5py  # noqa: PLC0415
    except ImportError:
        raise ImportError("Saving and loading `.keras` files requires h5py: pip install h5py") from None
    return h5py


# -- configs ----------------------------------------------------------------------------------------
def _value(layer: Layer, key: str, value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_value(layer, key, v) for v in value]
    if isinstance(value, dict):
        return {str(k): _value(layer, key, v) for k, v in value.items()}
    if hasattr(value, "as_numpy_dtype"):
        return value.name
    if isinstance(value, Layer):  # a wrapped layer (Bidirectional(LSTM(...)), TimeDistributed(Dense(...)))
        return layer_config(value)
    module = type(value).__module__
    for kind in _KINDS:
        if module.endswith(f"keras.{kind}") and hasattr(value, "get_config"):
            return {"module": f"keras.{kind}", "class_name": type(value).__name__,
                    "config": _value(layer, key, value.get_config()), "registered_name": None}
    if callable(value) and type(value).__module__.endswith("keras.activations") or \
            getattr(value, "__module__", "").endswith("keras.activations"):
        return value.__name__
    raise NotImplementedError(f"model.save cannot serialize the argument {key}={value!r} of layer '{layer.name}' "
                              f"({type(layer).__name__}); {_ALTERNATIVE}")


def layer_config(layer: Layer) -> dict:
    """{"module", "class_name", "config", "registered_name"[, "build_config"]} for one layer."""
    recorded = layer.__dict__.get("_init_args")
    if recorded is None:
        raise NotImplementedError(f"model.save cannot describe layer '{layer.name}' ({type(layer).__name__}): it has "
                                  f"no recorded constructor arguments; {_ALTERNATIVE}")
    args, kwargs = recorded
    bound = inspect.signature(type(layer).__init__).bind(layer, *args, **kwargs).arguments
    bound.pop(next(iter(bound)))  # self
    params = inspect.signature(type(layer).__init__).parameters
    config: dict = {}
    for key, value in bound.items():
        if params[key].kind is inspect.Parameter.VAR_KEYWORD:
            config.update({k: _value(layer, k, v) for k, v in value.items()})
        elif params[key].kind is inspect.Parameter.VAR_POSITIONAL:
            raise NotImplementedError(f"model.save cannot describe layer '{layer.name}': its constructor took *{key}; "
                                      f"{_ALTERNATIVE}")
        else:
            config[key] = _value(layer, key, value)
    config["name"] = layer.name
    module = "keras.layers" if V2.get(f"keras.layers.{type(layer).__name__}") is type(layer) else type(layer).__module__
    out = {"module": module, "class_name": type(layer).__name__, "config": config,
           "registered_name": None if module == "keras.layers" else f"Custom>{type(layer).__name__}"}
    shape = getattr(layer, "_built_input_shape", None)
    if layer.built and shape is not None:
        out["build_config"] = {"input_shape": list(shape)}
    return out


def model_config(model: Any) -> dict:
    from .functional import InputLayer  # noqa: PLC0415
    from .models import Functional, Sequential  # noqa: PLC0415
    if isinstance(model, Sequential):
        layers = ([_input_config(model._input_layer)] if model._input_layer is not None else []) + \
            [layer_config(l) for l in model.layers]
        config = {"name": model.name, "trainable": model.trainable, "layers": layers}
        out = {"module": "keras", "class_name": "Sequential", "config": config, "registered_name": None}
        if model._input_layer is not None:
            out["build_config"] = {"input_shape": list(model._input_layer.batch_shape)}
        return out
    if isinstance(model, Functional):
        from .model_saving_functional import functional_config  # noqa: PLC0415
        return functional_config(model, layer_config, _input_config, InputLayer)
    raise NotImplementedError(f"model.save of a subclassed model ({type(model).__name__}) needs its get_config, "
                              f"which tfcompat does not serialize; {_ALTERNATIVE}")


def _input_config(layer: Any) -> dict:
    return {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
            "config": {"batch_shape": list(layer.batch_shape), "dtype": layer._dtype, "sparse": False,
                       "ragged": False, "name": layer.name, "optional": False}}


def _compile_config(model: Any) -> Any:
    if not getattr(model, "compiled", False):
        return None
    opt = model.optimizer
    config = opt.get_config()
    for key in inspect.signature(type(opt).__init__).parameters:  # NOTE: hyperparameters get_config leaves out
        value = getattr(opt, key, None)
        if key not in config and isinstance(value, (bool, int, float, str)):
            config[key] = value
    return {"optimizer": {"module": "keras.optimizers", "class_name": type(opt).__name__,
                          "config": _value(model, "optimizer", config), "registered_name": None},
            "loss": model.loss if isinstance(model.loss, (str, type(None), list, dict)) else None,
            "loss_weights": model._loss_weights,
            "metrics": [m for m in model._metric_specs if isinstance(m, str)] or None, "weighted_metrics": None,
            "run_eagerly": bool(model.run_eagerly), "steps_per_execution": 1, "jit_compile": False}


# -- weights ------------------------------------------------------------------------------------------
def _own_vars(layer: Layer) -> list:
    return list(layer.__dict__.get("_own_variables", ()))


def _sublayers(layer: Layer) -> list:
    """(attribute name, layer) of the layers a layer holds, as Keras 3 names their weight groups."""
    out = []
    for name, value in vars(layer).items():
        if name.startswith("__") or name in ("_layers", "_stack", "_input_layer"):
            continue
        if isinstance(value, Layer):
            out.append((name.lstrip("_"), value))
    return out


def _walk(layer: Layer, prefix: str, visit: Any) -> None:
    visit(f"{prefix}/vars", _own_vars(layer), layer.name)
    for name, sub in _sublayers(layer):
        _walk(sub, f"{prefix}/{name}", visit)


def _walk_model(model: Any, visit: Any) -> None:
    visit("vars", _own_vars(model), model.name)
    used: dict = {}
    for layer in model.layers:  # NOTE: Keras 3 names a list's items by class (dense, dense_1, ...), not by layer name
        base = snake(type(layer).__name__)
        used[base] = used.get(base, -1) + 1
        _walk(layer, f"layers/{base}" + (f"_{used[base]}" if used[base] else ""), visit)


def write_weights(model: Any, path: str) -> None:
    h5py = _h5py()
    with h5py.File(path, "w") as f:
        def visit(group: str, variables: list, name: str) -> None:
            g = f.require_group(group)
            g.attrs["name"] = name
            for i, v in enumerate(variables):
                g.create_dataset(str(i), data=np.asarray(v.numpy()))
        _walk_model(model, visit)
        opt = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
        if opt is not None and opt.built:  # NOTE: Keras's order: iterations, learning rate, slots as Keras makes them
            visit("optimizer/vars", opt.variables, opt.name)


def read_weights(model: Any, path: str) -> None:
    h5py = _h5py()
    with h5py.File(path, "r") as f:
        def visit(group: str, variables: list, name: str) -> None:
            stored = f[group] if group in f else {}
            if len(stored) != len(variables):
                raise ValueError(f"Layer '{name}' expected {len(variables)} variables, but received {len(stored)} "
                                 f"variables during loading. Expected: {[v.name for v in variables]}")
            for i, v in enumerate(variables):
                value = np.asarray(stored[str(i)])
                if tuple(v.shape.as_list()) != value.shape:
                    raise ValueError(f"The shape of the target variable and the shape of the target value in "
                                     f"`variable.assign(value)` must match. variable.shape={tuple(v.shape.as_list())}, "
                                     f"Received: value.shape={value.shape}. Target variable: {v}")
                v.assign(value.astype(v.dtype.as_numpy_dtype))
        _walk_model(model, visit)
        opt = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
        if opt is not None and "optimizer/vars" in f and len(f["optimizer/vars"]):
            if not opt.built:
                opt.build(model.trainable_variables)
            if len(opt.variables) != len(f["optimizer/vars"]):
                warnings.warn(f"Skipping variable loading for optimizer '{opt.name}', because it has "
                              f"{len(opt.variables)} variables whereas the saved optimizer has "
                              f"{len(f['optimizer/vars'])} variables.", stacklevel=3)
            else:
                visit("optimizer/vars", opt.variables, opt.name)


# -- the .keras file -------------------------------------------------------------------------------------
def save_model(model: Any, filepath: Any, overwrite: bool = True, zipped: Any = None, **kwargs: Any) -> None:
    path = os.fspath(filepath)
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    if path.endswith((".h5", ".hdf5")):  # Keras's legacy HDF5 model file
        from .model_saving_h5 import save_h5  # noqa: PLC0415
        _atomically(path, lambda tmp: save_h5(model, tmp))
        return
    if not path.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add either a `.keras` extension for the "
                         "native Keras format (recommended) or a `.h5` extension. Use `model.export(filepath)` if "
                         f"you want to export a SavedModel for use with TFLite/TFServing/etc. Received: filepath={path}.")
    config = model_config(model)
    compile_config = _compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    metadata = {"keras_version": KERAS_VERSION, "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}

    def write(part: str) -> None:
        weights = os.path.join(os.path.dirname(part), "model.weights.h5")
        write_weights(model, weights)
        with zipfile.ZipFile(part, "w") as z:
            z.writestr("metadata.json", json.dumps(metadata))
            z.writestr("config.json", json.dumps(config))
            z.write(weights, "model.weights.h5")
    _atomically(path, write)


def _atomically(path: str, write: Any) -> None:
    """`write(tmp)` then rename onto `path`: a crash never leaves a half-written model file."""
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(path))) as tmp:
        part = os.path.join(tmp, "part")
        write(part)
        os.replace(part, path)


@export("keras.models.load_model", "keras.saving.load_model")
def load_model(filepath: Any, custom_objects: Any = None, compile: bool = True, safe_mode: bool = True) -> Any:  # noqa: A002
    """The model saved in a `.keras` file: its layers rebuilt from config.json, its weights restored."""
    from .model_loading import model_from_config  # noqa: PLC0415
    path = os.fspath(filepath)
    if path.endswith((".h5", ".hdf5")):
        from .model_saving_h5 import load_h5  # noqa: PLC0415
        return load_h5(path, custom_objects or {}, compile)
    if not zipfile.is_zipfile(path):
        raise ValueError(f"File format not supported: filepath={path}. Keras 3 only supports V3 `.keras` files "
                         "and legacy H5 format files (`.h5` extension).")
    with zipfile.ZipFile(path) as z, tempfile.TemporaryDirectory() as tmp:
        config = json.loads(z.read("config.json"))
        model = model_from_config(config, custom_objects or {}, compile)
        z.extract("model.weights.h5", tmp)
        read_weights(model, os.path.join(tmp, "model.weights.h5"))
    return model


export("keras.models.save_model", "keras.saving.save_model")(save_model)
