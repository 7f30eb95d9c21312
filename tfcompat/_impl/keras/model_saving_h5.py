"""`model.save("m.h5")` / `load_model("m.h5")`: Keras's legacy HDF5 model file, as Keras 3 writes and reads it.

    /  attrs model_config (JSON), training_config (JSON), keras_version, backend
    /model_weights  attrs layer_names;  /model_weights/<layer>  attrs weight_names, one dataset per name

A layer's weights are matched by order, as Keras's legacy loader does.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from . import model_saving as ms


def _weight_names(model: Any, layer: Any) -> list:
    names, seen = [], {}
    for v in layer.weights:
        short = getattr(v, "path", v.name).split(":")[0].split("/")[-1]
        seen[short] = seen.get(short, -1) + 1
        names.append(f"{model.name}/{layer.name}/{short}" + (f"_{seen[short]}" if seen[short] else ""))
    return names


def save_h5(model: Any, path: str) -> None:
    h5py = ms._h5py()
    config = ms.model_config(model)
    compile_config = ms._compile_config(model)
    with h5py.File(path, "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = ms.KERAS_VERSION
        f.attrs["model_config"] = json.dumps(config)
        if compile_config is not None:
            training = {k: v for k, v in compile_config.items() if k != "optimizer"}
            opt = compile_config["optimizer"]
            training["optimizer_config"] = {"class_name": opt["class_name"], "config": opt["config"]}
            f.attrs["training_config"] = json.dumps(training)
        weights = f.create_group("model_weights")
        weights.attrs["backend"] = "tensorflow"
        weights.attrs["keras_version"] = ms.KERAS_VERSION
        weights.attrs["layer_names"] = np.array([l.name for l in model.layers], dtype=object)
        for layer in model.layers:
            g = weights.create_group(layer.name)
            names = _weight_names(model, layer)
            g.attrs["weight_names"] = np.array(names, dtype=object) if names else np.array([], dtype=np.float64)
            for name, v in zip(names, layer.weights):
                g.create_dataset(name, data=np.asarray(v.numpy()))
        weights.create_group("top_level_model_weights").attrs["weight_names"] = np.array([], dtype=np.float64)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def load_h5(path: str, custom_objects: dict, compile: bool) -> Any:  # noqa: A002
    from .model_loading import model_from_config  # noqa: PLC0415
    h5py = ms._h5py()
    with h5py.File(path, "r") as f:
        if "model_config" not in f.attrs:
            raise ValueError(f"No model config found in the file at {path}.")
        config = json.loads(_text(f.attrs["model_config"]))
        training = f.attrs.get("training_config")
        if training is not None:
            training = json.loads(_text(training))
            optimizer = {"module": "keras.optimizers", **training.pop("optimizer_config")}
            config["compile_config"] = {**training, "optimizer": optimizer}
        model = model_from_config(config, custom_objects, compile)
        stored = f["model_weights"]
        by_name = {l.name: l for l in model.layers}
        for name in (_text(n) for n in stored.attrs["layer_names"]):
            layer = by_name.get(name)
            if layer is None:
                raise ValueError(f"Layer '{name}' of the file is not in the rebuilt model "
                                 f"({sorted(by_name)})")
            values = [np.asarray(stored[name][_text(w)]) for w in stored[name].attrs["weight_names"]]
            if len(values) != len(layer.weights):
                raise ValueError(f"Layer '{name}' expected {len(layer.weights)} variables, but received "
                                 f"{len(values)} variables during loading.")
            for v, value in zip(layer.weights, values):
                v.assign(value.astype(v.dtype.as_numpy_dtype))
    return model
