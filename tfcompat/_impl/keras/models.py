"""Keras models: subclassed `Model` (your `call`), functional `Model(inputs, outputs)`, `Sequential`.

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse");  model.fit(x, y, epochs=5, verbose=0)
"""
from __future__ import annotations

from typing import Any

from runtime import nest

from ..._export import export
from .base_layer import Layer
from .common import tf
from .functional import InputLayer, KerasTensor, run_graph, topological_nodes
from .trainer import Trainer


def _is_functional_call(args: tuple, kwargs: dict) -> bool:
    return len(args) == 2 or (len(args) == 1 and "outputs" in kwargs) or ("inputs" in kwargs and "outputs" in kwargs)


@export("keras.Model", "keras.models.Model")
class Model(Trainer, Layer):
    """A layer with training: subclass it and define `call`, or build it from `inputs` and `outputs`."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "Model":
        if cls is Model and _is_functional_call(args, kwargs):
            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            raise TypeError(f"Model.__init__() takes 1 positional argument but {len(args) + 1} were given "
                            "(pass the model name as name=...)")
        trainable = kwargs.pop("trainable", True)
        Layer.__init__(self, trainable=trainable, **kwargs)
        Trainer.__init__(self)

    def save(self, filepath: Any, overwrite: bool = True, zipped: Any = None, **kwargs: Any) -> None:
        """Save the architecture, weights and compile settings as a Keras 3 `.keras` file (load_model reads it)."""
        from .model_saving import save_model  # noqa: PLC0415
        save_model(self, filepath, overwrite, zipped, **kwargs)

    def summary(self, line_length: Any = None, positions: Any = None, print_fn: Any = None,
                expand_nested: bool = False, show_trainable: bool = False, layer_range: Any = None) -> None:
        """Print the layers, their output shapes and parameter counts."""
        print_fn = print_fn or print
        rows = [(f"{l.name} ({type(l).__name__})", str(_out_shape(l)), f"{l.count_params():,}")
                for l in self.layers]
        w = [max([len("Layer (type)")] + [len(r[0]) for r in rows]) + 2, 24, 14]
        line = "-" * sum(w)
        lines = [f'Model: "{self.name}"', line,
                 "Layer (type)".ljust(w[0]) + "Output Shape".ljust(w[1]) + "Param #".rjust(w[2]), "=" * sum(w)]
        lines += [r[0].ljust(w[0]) + r[1].ljust(w[1]) + r[2].rjust(w[2]) for r in rows]
        trainable = sum(int(_size(v)) for v in self.trainable_weights)
        total = sum(int(_size(v)) for v in self.weights)
        lines += ["=" * sum(w), f" Total params: {total:,}", f" Trainable params: {trainable:,}",
                  f" Non-trainable params: {total - trainable:,}"]
        for text in lines:
            print_fn(text)


def _size(v: Any) -> int:
    n = 1
    for d in v.shape.as_list():
        n *= d
    return n


def _out_shape(layer: Layer) -> Any:
    if isinstance(layer, InputLayer):
        return layer.batch_shape
    try:
        return layer.output_shape
    except AttributeError:
        return "?"


def adjust_rank(x: Any, ref: tuple) -> Any:
    """Keras's input fix-up: (n,) data for a (None, 1) input becomes (n, 1); (n, k, 1) for (None, k) squeezes."""
    rank = len(x.shape)
    if rank == len(ref) - 1 and ref and ref[-1] == 1:
        return tf().expand_dims(x, -1)
    if rank == len(ref) + 1 and x.shape[-1] == 1:
        return tf().squeeze(x, axis=-1)
    return x


class Functional(Model):
    """A model defined by a graph of layer calls from `inputs` to `outputs`."""

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, **kwargs: Any) -> None:
        Model.__init__(self, name=name or None, **kwargs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = list(nest.flatten(inputs))
        self.outputs = list(nest.flatten(outputs))
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"All `inputs` and `outputs` of a functional model must be KerasTensors "
                                 f"(from keras.Input and layer calls). Received: {t!r}")
        self._nodes = topological_nodes(self.inputs, self.outputs)
        layers = [t._node.layer for t in self.inputs] + [n.layer for n in self._nodes]
        for layer in layers:
            self._track(layer)
        self.built = True

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        flat = nest.flatten(inputs) if isinstance(inputs, (list, tuple, dict)) else [inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(f"Layer '{self.name}' expects {len(self.inputs)} input(s), but it received "
                             f"{len(flat)} input tensors.")
        flat = [adjust_rank(tf().cast(x, t.dtype) if x.dtype is not t.dtype else x, t.shape)
                for x, t in zip(flat, self.inputs)]
        kwargs = {} if training is None else {"training": training}
        return run_graph(self.inputs, self._nodes, self._outputs_struct, flat, kwargs)

    def _convert_inputs(self, inputs: Any) -> Any:
        import numpy as np  # noqa: PLC0415
        from runtime import dispatch  # noqa: PLC0415
        def convert(x: Any, spec: Any) -> Any:
            if dispatch.is_tensor(x) or hasattr(x, "_handle"):
                return dispatch.convert_to_tensor(x)
            return dispatch.convert_to_tensor(np.asarray(x, dtype=spec.dtype.as_numpy_dtype))
        if isinstance(inputs, (list, tuple)) and len(inputs) == len(self.inputs):
            return [convert(x, s) for x, s in zip(inputs, self.inputs)]
        if isinstance(inputs, dict):
            return nest.map_structure(lambda x: convert(x, self.inputs[0]), inputs)
        return convert(inputs, self.inputs[0])


@export("keras.Sequential", "keras.models.Sequential")
class Sequential(Model):
    """A plain stack of layers, each with one input and one output."""

    def __init__(self, layers: Any = None, trainable: bool = True, name: str | None = None) -> None:
        Model.__init__(self, trainable=trainable, name=name)
        self._stack: list = []
        self._input_layer: InputLayer | None = None
        self._output: Any = None
        for layer in layers or ():
            self.add(layer, rebuild=False)
        self._maybe_build_symbolic()

    @property
    def layers(self) -> list:
        return list(self._stack)

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or a `keras.Input`, which sets the input shape)."""
        if isinstance(layer, KerasTensor):
            layer = layer._node.layer
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("An `Input` / InputLayer can only be the first layer of a Sequential model.")
            self._input_layer = layer
        elif isinstance(layer, Layer):
            self._stack.append(layer)
            self._track(layer)
        else:
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential model. "
                             f"Received: {layer!r} (of type {type(layer)})")
        if rebuild:
            self._maybe_build_symbolic()

    def pop(self, rebuild: bool = True) -> Layer:
        layer = self._stack.pop()
        self._layers.remove(layer)
        self._output = None
        if rebuild:
            self._maybe_build_symbolic()
        return layer

    def _maybe_build_symbolic(self) -> None:
        if self._input_layer is None and self._stack and self._stack[0]._input_shape_arg is not None:
            first = self._stack[0]
            self._input_layer = InputLayer(shape=first._input_shape_arg, batch_size=first._batch_size_arg)
        if self._input_layer is None or not self._stack:
            return
        x = self._input_layer.output
        for layer in self._stack:
            x = layer(x)
        self._output = x
        self.built = True

    def build(self, input_shape: Any = None) -> None:
        if input_shape is None and self._input_layer is None:
            raise ValueError("You must provide an `input_shape` argument.")
        if self._input_layer is None:
            shape = tuple(input_shape)
            self._input_layer = InputLayer(batch_shape=(None,) + shape[1:])
        self._maybe_build_symbolic()
        self.built = True

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        if self._input_layer is not None and not isinstance(inputs, (list, tuple, dict)):
            inputs = adjust_rank(inputs, self._input_layer.batch_shape)
        x = inputs
        for layer in self._stack:
            x = layer(x) if training is None else layer(x, training=training)
        return x

    @property
    def inputs(self) -> list:
        return [self._input_layer.output] if self._input_layer is not None else []

    @property
    def outputs(self) -> list:
        return [self._output] if self._output is not None else []

    @property
    def input_shape(self) -> Any:
        return self._input_layer.batch_shape if self._input_layer is not None else None
