"""Core Keras layers: Dense, Activation, Dropout, Flatten, Reshape, Lambda, Embedding, merges.

    Dense(2, activation="relu")(np.ones((4, 3)))  ->  relu(x @ kernel + bias), shape (4, 2)
"""
from __future__ import annotations

import math
from typing import Any, Callable

from runtime import dispatch

from ..._export import export
from . import activations, initializers
from .base_layer import Layer
from .common import tf


@export("keras.layers.Dense")
class Dense(Layer):
    """outputs = activation(inputs @ kernel + bias)."""

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, lora_rank: Any = None,
                 lora_alpha: Any = None, quantization_config: Any = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if int(units) <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. Received: units={units}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint

    def build(self, input_shape: Any) -> None:
        in_dim = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(in_dim, self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint) \
            if self.use_bias else None
        self.built = True

    def call(self, inputs: Any, training: Any = None) -> Any:
        x = tf().matmul(inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias,
                "activation": activations.serialize(self.activation)}


@export("keras.layers.Activation")
class Activation(Layer):
    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Any) -> Any:
        return self.activation(inputs)


@export("keras.layers.Dropout")
class Dropout(Layer):
    """Zeroes a fraction `rate` of inputs while training and scales the rest by 1 / (1 - rate)."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 "
                             f"and 1. Received: rate={rate}")
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed

    def call(self, inputs: Any, training: Any = False) -> Any:
        if training and self.rate > 0:
            out = tf().nn.dropout(inputs, rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
            if out.shape.rank is None and inputs.shape.rank is not None:
                # NOTE: a traced dropout may lose its static shape; restore it (a no-op reshape)
                out = tf().reshape(out, [-1 if d is None else d for d in inputs.shape.as_list()])
            return out
        return inputs


@export("keras.layers.Flatten")
class Flatten(Layer):
    def __init__(self, data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs: Any) -> Any:
        if inputs.shape.rank is None:
            return tf().reshape(inputs, tf().stack([tf().shape(inputs)[0], -1]))
        dims = inputs.shape.as_list()[1:]
        if self.data_format == "channels_first" and len(dims) > 1:
            inputs = tf().transpose(inputs, [0] + list(range(2, len(dims) + 1)) + [1])
        if all(d is not None for d in dims):
            return tf().reshape(inputs, (-1, math.prod(dims)))
        return tf().reshape(inputs, tf().stack([tf().shape(inputs)[0], -1]))


@export("keras.layers.Reshape")
class Reshape(Layer):
    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs: Any) -> Any:
        target = list(self.target_shape)
        if -1 in target:
            known = math.prod(d for d in target if d != -1)
            target[target.index(-1)] = math.prod(inputs.shape.as_list()[1:]) // known
        return tf().reshape(inputs, [-1] + target)


@export("keras.layers.Lambda")
class Lambda(Layer):
    """Wraps a function of tensors as a layer: Lambda(lambda x: x * 2)."""

    def __init__(self, function: Callable, output_shape: Any = None, mask: Any = None, arguments: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.function, self.arguments = function, dict(arguments or {})
        self._output_shape = output_shape

    def call(self, inputs: Any, mask: Any = None, training: Any = None) -> Any:
        return self.function(inputs, **self.arguments)


@export("keras.layers.Embedding")
class Embedding(Layer):
    """Integer indices -> rows of an (input_dim, output_dim) table."""

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None, mask_zero: bool = False,
                 weights: Any = None, lora_rank: Any = None, lora_alpha: Any = None,
                 quantization_config: Any = None, **kwargs: Any) -> None:
        kwargs.pop("input_length", None)
        super().__init__(**kwargs)
        self.input_dim, self.output_dim, self.mask_zero = int(input_dim), int(output_dim), mask_zero
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer, self.embeddings_constraint = embeddings_regularizer, embeddings_constraint
        self.autocast = False
        self._initial_weights = weights

    def build(self, input_shape: Any = None) -> None:
        self.embeddings = self.add_weight(name="embeddings", shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)

    def call(self, inputs: Any) -> Any:
        t = tf()
        if not inputs.dtype.is_integer:
            inputs = t.cast(inputs, "int32")
        return t.gather(self.embeddings, inputs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return tf().not_equal(inputs, 0) if self.mask_zero else None


class _Merge(Layer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def call(self, inputs: Any) -> Any:
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 1:
            raise ValueError(f"A merge layer should be called on a list of inputs. Received: inputs={inputs}")
        return self._merge([dispatch.convert_to_tensor(x) for x in inputs])


@export("keras.layers.Concatenate")
class Concatenate(_Merge):
    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def _merge(self, xs: list) -> Any:
        return tf().concat(xs, axis=self.axis)


@export("keras.layers.Add")
class Add(_Merge):
    def _merge(self, xs: list) -> Any:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


@export("keras.layers.Subtract")
class Subtract(_Merge):
    def _merge(self, xs: list) -> Any:
        if len(xs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. Received: {len(xs)}")
        return xs[0] - xs[1]


@export("keras.layers.Multiply")
class Multiply(_Merge):
    def _merge(self, xs: list) -> Any:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


@export("keras.layers.Average")
class Average(_Merge):
    def _merge(self, xs: list) -> Any:
        return Add()._merge(xs) / float(len(xs))


@export("keras.layers.concatenate")
def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    return Concatenate(axis=axis, **kwargs)(inputs)


@export("keras.layers.add")
def add(inputs: list, **kwargs: Any) -> Any:
    return Add(**kwargs)(inputs)
