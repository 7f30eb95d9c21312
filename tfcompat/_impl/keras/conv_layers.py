"""Convolution and pooling layers (channels_last): Conv1D, Conv2D, Conv2DTranspose, pools.

    Conv2D(8, 3, padding="same")(np.ones((2, 28, 28, 1)))  ->  shape (2, 28, 28, 8)
"""
from __future__ import annotations

from typing import Any

from ..._export import export
from . import activations, initializers
from .base_layer import Layer
from .common import tf


def _tuple(value: Any, n: int) -> tuple:
    return tuple(int(v) for v in value) if isinstance(value, (list, tuple)) else (int(value),) * n


def _channels_last(data_format: Any) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"data_format={data_format!r} is not supported on this CPU engine; use 'channels_last'")


class _Conv(Layer):
    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: Any = None, dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        _channels_last(data_format)
        if padding.lower() not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. Received: {padding}")
        self.filters, self.groups = int(filters), groups
        self.kernel_size = _tuple(kernel_size, self.rank)
        self.strides = _tuple(strides, self.rank)
        self.dilation_rate = _tuple(dilation_rate, self.rank)
        self.padding = padding.lower()
        self.activation, self.use_bias = activations.get(activation), use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint

    def _kernel_shape(self, in_channels: int) -> tuple:
        return self.kernel_size + (in_channels // self.groups, self.filters)

    def build(self, input_shape: Any) -> None:
        self.kernel = self.add_weight(name="kernel", shape=self._kernel_shape(input_shape[-1]),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint) \
            if self.use_bias else None
        self.built = True

    def call(self, inputs: Any) -> Any:
        y = self._conv(inputs)
        if self.bias is not None:
            y = tf().nn.bias_add(y, self.bias)
        return self.activation(y)


@export("keras.layers.Conv1D", "keras.layers.Convolution1D")
class Conv1D(_Conv):
    rank = 1

    def _conv(self, x: Any) -> Any:
        return tf().nn.conv1d(x, self.kernel, stride=self.strides[0], padding=self.padding.upper(),
                              dilations=self.dilation_rate[0])


@export("keras.layers.Conv2D", "keras.layers.Convolution2D")
class Conv2D(_Conv):
    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: Any = None, dilation_rate: Any = (1, 1), groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)

    def _conv(self, x: Any) -> Any:
        return tf().nn.conv2d(x, self.kernel, strides=list(self.strides), padding=self.padding.upper(),
                              dilations=list(self.dilation_rate))


@export("keras.layers.Conv2DTranspose", "keras.layers.Convolution2DTranspose")
class Conv2DTranspose(_Conv):
    """The gradient of Conv2D with respect to its input: upsamples by `strides`."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: Any = None, dilation_rate: Any = (1, 1),
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = None if output_padding is None else _tuple(output_padding, 2)

    def _kernel_shape(self, in_channels: int) -> tuple:
        return self.kernel_size + (self.filters, in_channels)

    def _out_dim(self, size: int, i: int) -> int:
        k = (self.kernel_size[i] - 1) * self.dilation_rate[i] + 1
        pad = 0 if self.output_padding is None else self.output_padding[i]
        if self.output_padding is None:
            return size * self.strides[i] + max(k - self.strides[i], 0) if self.padding == "valid" \
                else size * self.strides[i]
        return (size - 1) * self.strides[i] + k + pad - (2 * (k // 2) if self.padding == "same" else 0)

    def _conv(self, x: Any) -> Any:
        t = tf()
        h, w = x.shape[1], x.shape[2]
        out = [x.shape[0] if x.shape[0] is not None else t.shape(x)[0],
               self._out_dim(h, 0), self._out_dim(w, 1), self.filters]
        out_shape = out if isinstance(out[0], int) else t.stack(out)
        return t.nn.conv2d_transpose(x, self.kernel, out_shape, strides=list(self.strides),
                                     padding=self.padding.upper(), dilations=list(self.dilation_rate))


class _Pool(Layer):
    rank = 2
    kind = "max"

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid", data_format: Any = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        _channels_last(data_format)
        self.pool_size = _tuple(pool_size, self.rank)
        self.strides = _tuple(strides, self.rank) if strides is not None else self.pool_size
        self.padding = padding.lower()

    def call(self, inputs: Any) -> Any:
        nn = tf().nn
        fn = {("max", 1): nn.max_pool1d, ("max", 2): nn.max_pool2d,
              ("avg", 1): nn.avg_pool1d, ("avg", 2): nn.avg_pool2d}[(self.kind, self.rank)]
        return fn(inputs, list(self.pool_size), list(self.strides), self.padding.upper())


@export("keras.layers.MaxPooling1D", "keras.layers.MaxPool1D")
class MaxPooling1D(_Pool):
    rank = 1

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid", data_format: Any = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


@export("keras.layers.MaxPooling2D", "keras.layers.MaxPool2D")
class MaxPooling2D(_Pool):
    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid", data_format: Any = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


@export("keras.layers.AveragePooling1D", "keras.layers.AvgPool1D")
class AveragePooling1D(_Pool):
    rank, kind = 1, "avg"


@export("keras.layers.AveragePooling2D", "keras.layers.AvgPool2D")
class AveragePooling2D(_Pool):
    kind = "avg"


@export("keras.layers.GlobalAveragePooling2D", "keras.layers.GlobalAvgPool2D")
class GlobalAveragePooling2D(Layer):
    def __init__(self, data_format: Any = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _channels_last(data_format)
        self.keepdims = keepdims

    def call(self, inputs: Any) -> Any:
        return tf().reduce_mean(inputs, axis=[1, 2], keepdims=self.keepdims)


@export("keras.layers.GlobalMaxPooling2D", "keras.layers.GlobalMaxPool2D")
class GlobalMaxPooling2D(GlobalAveragePooling2D):
    def call(self, inputs: Any) -> Any:
        return tf().reduce_max(inputs, axis=[1, 2], keepdims=self.keepdims)


@export("keras.layers.BatchNormalization")
class BatchNormalization(Layer):
    """Normalise with batch statistics while training (updating moving averages), moving ones otherwise."""

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 0.001, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, renorm: bool = False, renorm_clipping: Any = None,
                 renorm_momentum: float = 0.99, synchronized: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon, self.center, self.scale = axis, momentum, epsilon, center, scale
        self._inits = (beta_initializer, gamma_initializer, moving_mean_initializer, moving_variance_initializer)
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer

    def build(self, input_shape: Any) -> None:
        dim = (input_shape[self.axis],)
        beta_init, gamma_init, mean_init, var_init = self._inits
        self.gamma = self.add_weight(name="gamma", shape=dim, initializer=gamma_init,
                                     regularizer=self.gamma_regularizer) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=dim, initializer=beta_init,
                                    regularizer=self.beta_regularizer) if self.center else None
        self.moving_mean = self.add_weight(name="moving_mean", shape=dim, initializer=mean_init, trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=dim, initializer=var_init,
                                               trainable=False)
        self.built = True

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        t = tf()
        rank = len(inputs.shape)
        axis = self.axis % rank
        if training and self.trainable:
            mean, variance = t.nn.moments(inputs, axes=[i for i in range(rank) if i != axis])
            self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        else:
            mean, variance = self.moving_mean.value(), self.moving_variance.value()
        if axis != rank - 1:
            shape = [1] * rank
            shape[axis] = -1
            mean, variance = t.reshape(mean, shape), t.reshape(variance, shape)
            gamma = t.reshape(self.gamma, shape) if self.gamma is not None else None
            beta = t.reshape(self.beta, shape) if self.beta is not None else None
        else:
            gamma, beta = self.gamma, self.beta
        return t.nn.batch_normalization(inputs, mean, variance, beta, gamma, self.epsilon)
