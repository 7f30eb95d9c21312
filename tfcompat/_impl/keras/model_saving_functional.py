"""A functional model's graph in Keras 3's config form, and back.

    {"layers": [{..., "name": "d1", "inbound_nodes": [{"args": [<keras tensor ["x", 0, 0]>], "kwargs": {}}]}],
     "input_layers": ["x", 0, 0], "output_layers": ["d1", 0, 0]}

A tensor is named by keras_history [layer name, node index (the layer's n-th call), output index].
"""
from __future__ import annotations

from typing import Any, Callable

from runtime import nest


def _tensor(t: Any, history: dict) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(t.shape), "dtype": t.dtype.name, "keras_history": list(history[id(t)])}}


def _args(value: Any, history: dict) -> Any:
    if getattr(value, "_is_keras_tensor", False):
        return _tensor(value, history)
    if isinstance(value, (list, tuple)):
        return [_args(v, history) for v in value]
    if isinstance(value, dict):
        return {k: _args(v, history) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise NotImplementedError(f"model.save cannot serialize the layer-call argument {value!r} of a functional "
                              "model; save the weights with model.save_weights('<name>.weights.h5') and rebuild "
                              "the model in code")


def _ends(tensors: list, history: dict) -> list:
    ends = [list(history[id(t)]) for t in tensors]
    return ends[0] if len(ends) == 1 else ends


def functional_config(model: Any, layer_config: Callable, input_config: Callable, input_cls: type) -> dict:
    history: dict = {}
    entries: dict = {}
    order: list = []
    for t in model.inputs:
        layer = t._node.layer
        history[id(t)] = (layer.name, 0, 0)
        entries[id(layer)] = {**input_config(layer), "name": layer.name, "inbound_nodes": []}
        order.append(id(layer))
    calls: dict = {}
    for node in model._nodes:
        layer = node.layer
        if id(layer) not in entries:
            entries[id(layer)] = {**layer_config(layer), "name": layer.name, "inbound_nodes": []}
            order.append(id(layer))
        entry = entries[id(layer)]
        entry["inbound_nodes"].append({"args": _args(list(node.args), history),
                                       "kwargs": _args(dict(node.kwargs), history)})
        index = calls[id(layer)] = calls.get(id(layer), -1) + 1
        for k, out in enumerate(nest.flatten(node.outputs)):
            history[id(out)] = (layer.name, index, k)
    config = {"name": model.name, "trainable": model.trainable, "layers": [entries[i] for i in order],
              "input_layers": _ends(model.inputs, history), "output_layers": _ends(model.outputs, history)}
    return {"module": "keras.src.models.functional", "class_name": "Functional", "config": config,
            "registered_name": "Functional", "build_config": {"input_shape": None}}


def _is_tensor_ref(value: Any) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _refs(value: Any) -> list:
    if _is_tensor_ref(value):
        return [tuple(value["config"]["keras_history"][:2])]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    if isinstance(value, dict):
        return [r for v in value.values() for r in _refs(v)]
    return []


def _resolve(value: Any, outputs: dict) -> Any:
    if _is_tensor_ref(value):
        name, node, k = value["config"]["keras_history"]
        return outputs[(name, node)][k]
    if isinstance(value, list):
        return [_resolve(v, outputs) for v in value]
    if isinstance(value, dict):
        return {key: _resolve(v, outputs) for key, v in value.items()}
    return value


def functional_from_config(config: dict, make_layer: Callable) -> Any:
    from .models import Model  # noqa: PLC0415
    outputs: dict = {}
    pending = []
    for entry in config["layers"]:
        layer = make_layer(entry)
        if entry["class_name"] == "InputLayer":
            outputs[(entry["name"], 0)] = [layer.output]
        for i, node in enumerate(entry.get("inbound_nodes", [])):
            pending.append((layer, entry["name"], i, node))
    while pending:
        ready = [p for p in pending if all(r in outputs for r in _refs(p[3]))]
        if not ready:
            raise ValueError(f"The functional model config cannot be rebuilt: layer '{pending[0][1]}' reads tensors "
                             "that no layer produces")
        for item in ready:
            layer, name, i, node = item
            args = _resolve(node["args"], outputs)
            kwargs = _resolve(node.get("kwargs", {}), outputs)
            outputs[(name, i)] = nest.flatten(layer(*args, **kwargs))
            pending.remove(item)

    def ends(spec: list) -> Any:
        if spec and not isinstance(spec[0], list):
            return outputs[(spec[0], spec[1])][spec[2]]
        return [outputs[(s[0], s[1])][s[2]] for s in spec]
    return Model(ends(config["input_layers"]), ends(config["output_layers"]), name=config.get("name"))
