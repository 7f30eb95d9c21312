"""`tf.contrib`: the names real TF1 code uses, mapped onto core equivalents; the rest raise clearly.

    tf.contrib.layers.xavier_initializer()    -> Glorot uniform
    tf.contrib.layers.fully_connected(x, 10)  -> tf.layers.dense with ReLU
    tf.contrib.layers.conv2d(x, 32, 5)        -> a SAME convolution with ReLU (scope 'Conv')
    tf.contrib.learn.X                        -> AttributeError naming tf.contrib.learn.X
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch
from runtime.ops import elementwise as e, reduce as r

from ... import _export
from ._api import v1_export, v2
from .initializers_v1 import Ones, Zeros, variance_scaling_contrib, xavier_initializer
from .layers_v1 import batch_normalization, dense, dropout as layers_dropout, flatten as layers_flatten

v1_export("contrib.layers.xavier_initializer", "contrib.layers.xavier_initializer_conv2d")(xavier_initializer)
v1_export("contrib.layers.variance_scaling_initializer")(variance_scaling_contrib)


@v1_export("contrib.layers.fully_connected")
def fully_connected(inputs: Any, num_outputs: int, activation_fn: Any = e.relu, normalizer_fn: Any = None,
                    normalizer_params: Any = None, weights_initializer: Any = None,
                    weights_regularizer: Any = None, biases_initializer: Any = Zeros(), biases_regularizer: Any = None,
                    reuse: Any = None, variables_collections: Any = None, outputs_collections: Any = None,
                    trainable: bool = True, scope: Any = None) -> Any:
    """A dense layer (weights/biases named like contrib: scope/weights, scope/biases) then activation_fn."""
    from .variable_scope import get_variable, variable_scope  # noqa: PLC0415
    x = dispatch.convert_to_tensor(inputs)
    with variable_scope(scope, default_name="fully_connected", reuse=reuse):
        w = get_variable("weights", [x.shape[-1], num_outputs], dtype=x.dtype,
                         initializer=weights_initializer or xavier_initializer(), regularizer=weights_regularizer,
                         trainable=trainable)
        return _finish(v2("linalg.matmul")(x, w), num_outputs, activation_fn, normalizer_fn, normalizer_params,
                       biases_initializer, biases_regularizer, trainable)


def _finish(y: Any, num_outputs: int, activation_fn: Any, normalizer_fn: Any, normalizer_params: Any,
            biases_initializer: Any, biases_regularizer: Any, trainable: bool) -> Any:
    """contrib's layer tail, inside the layer's scope: normalizer (instead of biases) or biases, then activation."""
    from .variable_scope import get_variable  # noqa: PLC0415
    if normalizer_fn is not None:
        y = normalizer_fn(y, **(normalizer_params or {}))
    elif biases_initializer is not None:
        b = get_variable("biases", [num_outputs], dtype=y.dtype, initializer=biases_initializer,
                         regularizer=biases_regularizer, trainable=trainable)
        y = v2("nn.bias_add")(y, b)
    return activation_fn(y) if activation_fn is not None else y


def _pair(v: Any) -> list[int]:
    return [int(v), int(v)] if isinstance(v, int) else [int(i) for i in v]


@v1_export("contrib.layers.conv2d", "contrib.layers.convolution2d")
def conv2d(inputs: Any, num_outputs: int, kernel_size: Any, stride: Any = 1, padding: str = "SAME",
           data_format: Any = None, rate: Any = 1, activation_fn: Any = e.relu, normalizer_fn: Any = None,
           normalizer_params: Any = None, weights_initializer: Any = None, weights_regularizer: Any = None,
           biases_initializer: Any = Zeros(), biases_regularizer: Any = None, reuse: Any = None,
           variables_collections: Any = None, outputs_collections: Any = None, trainable: bool = True,
           scope: Any = None) -> Any:
    """A 2-D convolution (scope/weights [kh, kw, in, out], scope/biases; default scope 'Conv') then activation_fn."""
    from .variable_scope import get_variable, variable_scope  # noqa: PLC0415
    if data_format not in (None, "NHWC"):
        raise NotImplementedError(f"tf.contrib.layers.conv2d(data_format={data_format!r}): only NHWC is supported; "
                                  "transpose the input to NHWC")
    x = dispatch.convert_to_tensor(inputs)
    with variable_scope(scope, default_name="Conv", reuse=reuse):
        w = get_variable("weights", _pair(kernel_size) + [x.shape[-1], num_outputs], dtype=x.dtype,
                         initializer=weights_initializer or xavier_initializer(), regularizer=weights_regularizer,
                         trainable=trainable)
        y = v2("nn.conv2d")(x, w, strides=[1] + _pair(stride) + [1], padding=padding.upper(),
                            dilations=[1] + _pair(rate) + [1])
        return _finish(y, num_outputs, activation_fn, normalizer_fn, normalizer_params, biases_initializer,
                       biases_regularizer, trainable)


@v1_export("contrib.layers.max_pool2d")
def max_pool2d(inputs: Any, kernel_size: Any, stride: Any = 2, padding: str = "VALID", data_format: str = "NHWC",
               outputs_collections: Any = None, scope: Any = None) -> Any:
    return v2("nn.max_pool2d")(inputs, [1] + _pair(kernel_size) + [1], [1] + _pair(stride) + [1], padding.upper(),
                               data_format=data_format)


@v1_export("contrib.layers.avg_pool2d")
def avg_pool2d(inputs: Any, kernel_size: Any, stride: Any = 2, padding: str = "VALID", data_format: str = "NHWC",
               outputs_collections: Any = None, scope: Any = None) -> Any:
    return v2("nn.avg_pool2d")(inputs, [1] + _pair(kernel_size) + [1], [1] + _pair(stride) + [1], padding.upper(),
                               data_format=data_format)


@v1_export("contrib.layers.flatten")
def flatten(inputs: Any, outputs_collections: Any = None, scope: Any = None) -> Any:
    return layers_flatten(inputs)


@v1_export("contrib.layers.dropout")
def dropout(inputs: Any, keep_prob: float = 0.5, noise_shape: Any = None, is_training: Any = True,
            outputs_collections: Any = None, scope: Any = None, seed: Any = None) -> Any:
    return layers_dropout(inputs, rate=1 - keep_prob, noise_shape=noise_shape, seed=seed, training=is_training)


@v1_export("contrib.layers.batch_norm")
def batch_norm(inputs: Any, decay: float = 0.999, center: bool = True, scale: bool = False, epsilon: float = 0.001,
               activation_fn: Any = None, is_training: Any = True, reuse: Any = None, scope: Any = None,
               **kwargs: Any) -> Any:
    y = batch_normalization(inputs, momentum=decay, epsilon=epsilon, center=center, scale=scale,
                            training=is_training, reuse=reuse, name=scope or "BatchNorm")
    return activation_fn(y) if activation_fn is not None else y


@v1_export("contrib.layers.l2_regularizer")
def l2_regularizer(scale: float, scope: Any = None) -> Any:
    """A function w -> scale * sum(w^2) / 2 (as tf.nn.l2_loss)."""
    if scale < 0.0:
        raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}.")
    if scale == 0.0:
        return lambda weights: None
    return lambda weights: v2("nn.l2_loss")(weights) * scale


@v1_export("contrib.layers.l1_regularizer")
def l1_regularizer(scale: float, scope: Any = None) -> Any:
    if scale == 0.0:
        return lambda weights: None
    return lambda weights: r.reduce_sum(e.abs_(dispatch.convert_to_tensor(weights))) * scale


@v1_export("contrib.seq2seq.sequence_loss")
def sequence_loss(logits: Any, targets: Any, weights: Any, average_across_timesteps: bool = True,
                  average_across_batch: bool = True, sum_over_timesteps: bool = False, sum_over_batch: bool = False,
                  softmax_loss_function: Any = None, name: str | None = None) -> Any:
    """Weighted sparse softmax cross-entropy over [batch, time, classes] logits."""
    fn = softmax_loss_function or (lambda labels, logits: v2("nn.sparse_softmax_cross_entropy_with_logits")(
        labels=labels, logits=logits))
    xent = fn(labels=targets, logits=logits) * weights
    if average_across_timesteps and average_across_batch:
        return r.reduce_sum(xent) / (r.reduce_sum(weights) + 1e-12)
    if average_across_batch:
        return r.reduce_sum(xent, axis=0) / (r.reduce_sum(weights, axis=0) + 1e-12)
    if average_across_timesteps:
        return r.reduce_sum(xent, axis=1) / (r.reduce_sum(weights, axis=1) + 1e-12)
    return xent


_ = Ones


def _not_provided(path: str) -> Any:
    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"tf.{path}.{name} is not provided by tfcompat: tf.contrib was removed from "
                             f"TensorFlow and only its commonly used names are mapped (see the tfcompat docs); "
                             f"rewrite this call with core TensorFlow APIs")
    return __getattr__


for _sub in ("contrib", "contrib.layers", "contrib.rnn", "contrib.seq2seq", "contrib.learn", "contrib.slim",
             "contrib.framework", "contrib.metrics", "contrib.training"):
    _export._module(f"tfcompat.compat.v1.{_sub}").__getattr__ = _not_provided(_sub)
