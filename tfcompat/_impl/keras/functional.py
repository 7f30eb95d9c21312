"""Symbolic Keras tensors and functional graphs: `keras.Input`, layers called on them, `Model(inputs, outputs)`.

    a, b = keras.Input((3,)), keras.Input((2,))
    y = Dense(1)(Concatenate()([a, b]))      # each call records a node
    run_graph([a, b], [y], [xa, xb])          # evaluates the nodes in order
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dtypes, nest

from ..._export import export
from .base_layer import Layer
from .common import floatx, unique_name


class KerasTensor:
    """A symbolic value: static shape (None = any), dtype, and the node that produced it."""

    _is_keras_tensor = True

    def __init__(self, shape: tuple, dtype: Any = None, name: str | None = None, node: Any = None) -> None:
        self.shape = tuple(shape)
        self.dtype = dtypes.as_dtype(dtype or floatx())
        self.name = name or unique_name("keras_tensor")
        self._node = node

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}, sparse=False, ragged=False, "
                f"name={self.name}>")

    def __array__(self, *a: Any, **k: Any) -> Any:
        raise TypeError("A KerasTensor is symbolic: it's a placeholder for a shape and a dtype. It doesn't have "
                        "any actual numerical value; call the model on real data instead.")


class Node:
    """One layer call in a functional graph: `layer(*args, **kwargs) -> outputs`."""

    def __init__(self, layer: Layer, args: tuple, kwargs: dict, outputs: Any) -> None:
        self.layer, self.args, self.kwargs, self.outputs = layer, args, kwargs, outputs

    @property
    def parents(self) -> list:
        return [t for t in nest.flatten([list(self.args), self.kwargs]) if getattr(t, "_is_keras_tensor", False)]


def _concrete(t: KerasTensor) -> Any:
    """A stand-in value for shape propagation: ones, with 1 for each unknown dimension."""
    from .common import tf  # noqa: PLC0415
    shape = [1 if d is None else d for d in t.shape]
    if t.dtype.name == "string":   # NOTE: a string input (for StringLookup, Hashing) stands in as b""
        return tf().constant(np.full(shape, b"", dtype=object))
    return tf().constant(np.ones(shape, dtype=t.dtype.as_numpy_dtype))


def call_symbolic(layer: Layer, args: tuple, kwargs: dict) -> Any:
    """Record `layer(*args)` on KerasTensors; output shapes come from a call on stand-in values."""
    def sub(x: Any) -> Any:
        return _concrete(x) if getattr(x, "_is_keras_tensor", False) else x
    concrete_args = nest.map_structure(sub, list(args))
    concrete_kwargs = nest.map_structure(sub, dict(kwargs))
    concrete_kwargs.setdefault("training", False)
    out = layer(*concrete_args, **concrete_kwargs)
    batch_unknown = any(getattr(t, "_is_keras_tensor", False) and t.shape and t.shape[0] is None
                        for t in nest.flatten(list(args)))
    node = Node(layer, args, kwargs, None)

    def symbolic(o: Any) -> KerasTensor:
        shape = tuple(o.shape.as_list())
        if batch_unknown and shape:
            shape = (None,) + shape[1:]
        return KerasTensor(shape, o.dtype, node=node)
    node.outputs = nest.map_structure(symbolic, out)
    return node.outputs


@export("keras.layers.InputLayer")
class InputLayer(Layer):
    """The entry of a functional graph or Sequential model; holds one KerasTensor."""

    def __init__(self, shape: Any = None, batch_size: Any = None, dtype: Any = None, sparse: Any = None,
                 ragged: Any = None, batch_shape: Any = None, input_tensor: Any = None, optional: bool = False,
                 name: str | None = None, **kwargs: Any) -> None:
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype)
        if input_tensor is not None:
            self.output = input_tensor
        else:
            if batch_shape is None:
                if shape is None:
                    raise ValueError("You must pass a `shape` argument.")
                batch_shape = (batch_size,) + tuple(shape)
            self.output = KerasTensor(tuple(batch_shape), dtype or floatx(), name=self.name)
        self.output._node = Node(self, (), {}, self.output)
        self.batch_shape = self.output.shape
        self.built = True

    def call(self, inputs: Any) -> Any:
        return inputs


@export("keras.Input", "keras.layers.Input")
def Input(shape: Any = None, batch_size: Any = None, dtype: Any = None, sparse: Any = None, ragged: Any = None,
          batch_shape: Any = None, name: str | None = None, tensor: Any = None, optional: bool = False) -> KerasTensor:
    """A symbolic input: keras.Input(shape=(3,)) has shape (None, 3)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name,
                       input_tensor=tensor)
    return layer.output


def topological_nodes(inputs: list, outputs: list) -> list:
    """The nodes between `inputs` and `outputs`, each after the nodes it reads."""
    order: list = []
    seen: set = set()
    stops = {id(t) for t in inputs}

    def visit(t: Any) -> None:
        node = t._node
        if node is None or id(node) in seen:
            return
        if id(t) in stops:
            return
        seen.add(id(node))
        for p in node.parents:
            if id(p) not in stops and p._node is None:
                raise ValueError(f"Graph disconnected: cannot obtain value for {p} at layer "
                                 f"'{node.layer.name}'. The following previous layers were accessed without issue: "
                                 f"{[n.layer.name for n in order]}")
            visit(p)
        order.append(node)

    for t in outputs:
        visit(t)
    for t in outputs:
        if t._node is None and id(t) not in stops:
            raise ValueError(f"Output tensor {t} is not connected to the inputs.")
    return order


def run_graph(inputs: list, nodes: list, outputs: Any, values: list, kwargs: dict) -> Any:
    """Evaluate `nodes` with `values` bound to `inputs`; returns `outputs`' structure of tensors."""
    env = {id(t): v for t, v in zip(inputs, values)}

    def get(x: Any) -> Any:
        return env[id(x)] if getattr(x, "_is_keras_tensor", False) else x
    for node in nodes:
        if isinstance(node.layer, InputLayer):
            continue
        args = nest.map_structure(get, list(node.args))
        kw = nest.map_structure(get, dict(node.kwargs))
        kw.update(kwargs)
        out = node.layer(*args, **kw)
        for sym, val in zip(nest.flatten(node.outputs), nest.flatten(out)):
            env[id(sym)] = val
    return nest.map_structure(get, outputs)
