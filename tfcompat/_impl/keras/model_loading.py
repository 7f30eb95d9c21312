"""Rebuild a Keras model from a Keras 3 `config.json` (written by tfcompat or by Keras 3).

    model_from_config({"module": "keras", "class_name": "Sequential", "config": {"layers": [...]}}, {}, True)

Layers are looked up under `tf.keras.layers` (or `custom_objects`); serialized initializers,
regularizers, constraints and dtype policies become objects again. A key a Keras 3 file carries
that tfcompat's layer does not take is dropped when it holds Keras's default (None, False), and is
an error naming the key otherwise.
"""
from __future__ import annotations

import inspect
from typing import Any

from ..._export import V2

_KIND_GETTERS = {"keras.initializers": "keras.initializers.get", "keras.regularizers": "keras.regularizers.get",
                 "keras.constraints": "keras.constraints.get"}


def _deserialize(value: Any) -> Any:
    if isinstance(value, list):
        return [_deserialize(v) for v in value]
    if not isinstance(value, dict):
        return value
    module, name = value.get("module"), value.get("class_name")
    if name == "DTypePolicy" or name == "FloatDTypePolicy":
        return value["config"]["name"]
    if module == "keras.layers" and name is not None and "config" in value:
        return layer_from_config(value, {})
    if module in _KIND_GETTERS and name is not None:
        cls = V2.get(f"{module}.{name}")
        if cls is None:
            raise ValueError(f"Could not locate class '{name}' in {module} (tfcompat has no such class)")
        config = {k: _deserialize(v) for k, v in (value.get("config") or {}).items()}
        return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)
    return {k: _deserialize(v) for k, v in value.items()}


def _class(entry: dict, custom_objects: dict) -> Any:
    name = entry["class_name"]
    registered = entry.get("registered_name")
    for key in (registered, name):
        if key and key in custom_objects:
            return custom_objects[key]
    cls = V2.get(f"keras.layers.{name}")
    if cls is None:
        raise ValueError(f"Could not locate class '{name}'. Make sure custom classes are decorated with "
                         f"`@keras.saving.register_keras_serializable()` or passed in `custom_objects`. Full object "
                         f"config: {entry}")
    return cls


def layer_from_config(entry: dict, custom_objects: dict) -> Any:
    cls = _class(entry, custom_objects)
    config = {k: _deserialize(v) for k, v in entry["config"].items()}
    params = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    from .base_layer import _KNOWN_KWARGS  # noqa: PLC0415
    accepted = set(params) | (set(_KNOWN_KWARGS) | {"name", "trainable", "dtype"} if takes_any else set())
    for key in [k for k in config if k not in accepted]:
        if config[key] in (None, False, {}, []):
            del config[key]  # NOTE: a Keras 3 option tfcompat lacks, at its default
        else:
            raise NotImplementedError(f"Layer {entry['class_name']} '{config.get('name')}' in this file sets {key}="
                                      f"{config[key]!r}, which tfcompat's {cls.__name__} does not take")
    layer = cls(**config)
    build = entry.get("build_config") or {}
    if build.get("input_shape") is not None and not layer.built:
        layer.build(tuple(build["input_shape"]))
        object.__setattr__(layer, "built", True)
    return layer


def model_from_config(config: dict, custom_objects: dict, compile: bool) -> Any:  # noqa: A002
    from .models import Sequential  # noqa: PLC0415
    kind = config["class_name"]
    inner = config["config"]
    if kind == "Sequential":
        layers = [layer_from_config(e, custom_objects) for e in inner["layers"]]
        model = Sequential(layers, trainable=inner.get("trainable", True), name=inner.get("name"))
        shape = (config.get("build_config") or {}).get("input_shape")
        if not model.built and shape is not None:
            model.build(tuple(shape))
    elif kind in ("Functional", "Model"):
        from .model_saving_functional import functional_from_config  # noqa: PLC0415
        model = functional_from_config(inner, lambda e: layer_from_config(e, custom_objects))
    else:
        raise NotImplementedError(f"load_model of a '{kind}' model: tfcompat rebuilds Sequential and functional "
                                  "models; construct this model in code and call load_weights")
    compile_config = config.get("compile_config")
    if compile and compile_config:
        opt = compile_config["optimizer"]
        optimizer = V2[f"keras.optimizers.{opt['class_name']}"].from_config(opt["config"]) \
            if isinstance(opt, dict) else opt
        model.compile(optimizer=optimizer, loss=compile_config.get("loss"),
                      loss_weights=compile_config.get("loss_weights"), metrics=compile_config.get("metrics"))
    return model
