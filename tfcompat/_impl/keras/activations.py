"""`tf.keras.activations`: activation functions and lookup by name.

    activations.get("relu")(x)  ==  tf.nn.relu(x)
"""
from __future__ import annotations

from typing import Any, Callable

from ..._export import export
from .common import tf


@export("keras.activations.relu")
def relu(x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> Any:
    """relu(x) = max(x, 0); with negative_slope, max_value and threshold as Keras defines them."""
    t = tf()
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return t.nn.relu(x)
    y = t.where(x > threshold, x, negative_slope * (x - threshold) if negative_slope else t.zeros_like(x))
    return y if max_value is None else t.minimum(y, max_value)


@export("keras.activations.linear")
def linear(x: Any) -> Any:
    return x


@export("keras.activations.sigmoid")
def sigmoid(x: Any) -> Any:
    return tf().nn.sigmoid(x)


@export("keras.activations.tanh")
def tanh(x: Any) -> Any:
    return tf().nn.tanh(x)


@export("keras.activations.softmax")
def softmax(x: Any, axis: int = -1) -> Any:
    return tf().nn.softmax(x, axis=axis)


@export("keras.activations.log_softmax", v1=())
def log_softmax(x: Any, axis: int = -1) -> Any:
    return tf().nn.log_softmax(x, axis=axis)


@export("keras.activations.elu")
def elu(x: Any, alpha: float = 1.0) -> Any:
    y = tf().nn.elu(x)
    return y if alpha == 1.0 else tf().where(x > 0, y, alpha * y)


@export("keras.activations.selu")
def selu(x: Any) -> Any:
    return tf().nn.selu(x)


@export("keras.activations.softplus")
def softplus(x: Any) -> Any:
    return tf().nn.softplus(x)


@export("keras.activations.softsign")
def softsign(x: Any) -> Any:
    return tf().nn.softsign(x)


@export("keras.activations.swish", "keras.activations.silu", v1=("keras.activations.swish",))
def silu(x: Any) -> Any:
    return x * tf().nn.sigmoid(x)


@export("keras.activations.gelu", v1=())
def gelu(x: Any, approximate: bool = False) -> Any:
    return tf().nn.gelu(x, approximate=approximate)


@export("keras.activations.exponential")
def exponential(x: Any) -> Any:
    return tf().exp(x)


_BY_NAME: dict[str, Callable] = {
    "relu": relu, "linear": linear, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax,
    "log_softmax": log_softmax, "elu": elu, "selu": selu, "softplus": softplus, "softsign": softsign,
    "swish": silu, "silu": silu, "gelu": gelu, "exponential": exponential,
}


@export("keras.activations.get")
def get(identifier: Any) -> Callable:
    """A name ('relu'), None (linear) or a callable -> the activation function."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            raise ValueError(f"Could not interpret activation function identifier: {identifier!r} "
                             f"(known: {', '.join(sorted(_BY_NAME))})")
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


@export("keras.activations.serialize")
def serialize(activation: Callable) -> str:
    return getattr(activation, "__name__", str(activation))
