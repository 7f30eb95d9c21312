"""`tf.layers` (TF1 functional layers) on `get_variable`, so `variable_scope` reuse works.

    h = tf.layers.dense(x, 64, activation=tf.nn.relu, name="fc1")     # fc1/kernel, fc1/bias
    h = tf.layers.batch_normalization(h, training=is_training)        # updates in UPDATE_OPS
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

from runtime import dispatch
from runtime.ops import array, elementwise as e, reduce as r

from ._api import v1_export, v2
from .initializers_v1 import Ones, Zeros
from .variable_scope import get_variable, variable_scope


@contextlib.contextmanager
def _layer_scope(name: Any, default: str, reuse: Any) -> Iterator[Any]:
    with variable_scope(name, default_name=default, reuse=reuse) as scope:
        yield scope


def _training(training: Any, on: Any, off: Any) -> Any:
    """`on` when training (a Python bool or a boolean tensor), else `off`."""
    if isinstance(training, (bool, np.bool_)) or training is None:
        return on() if training else off()
    a, b = on(), off()
    out = e.select(training, a, b)
    if getattr(out, "_is_symbolic", False) and a.shape.is_compatible_with(b.shape):
        out.set_shape(a.shape.merge_with(b.shape))  # NOTE: as TF's cond: a flag of unknown rank picks a branch
    return out


def _regularize(var: Any, regularizer: Any) -> None:
    if regularizer is not None:
        loss = regularizer(var)
        if loss is not None:
            from .graph_api import add_to_collection  # noqa: PLC0415
            add_to_collection("regularization_losses", loss)


@v1_export("layers.dense")
def dense(inputs: Any, units: int, activation: Any = None, use_bias: bool = True, kernel_initializer: Any = None,
          bias_initializer: Any = Zeros(), kernel_regularizer: Any = None, bias_regularizer: Any = None,
          activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
          trainable: bool = True, name: str | None = None, reuse: Any = None) -> Any:
    """inputs @ kernel + bias (over the last axis), then `activation`."""
    x = dispatch.convert_to_tensor(inputs)
    with _layer_scope(name, "dense", reuse):
        kernel = get_variable("kernel", [x.shape[-1], units], dtype=x.dtype, initializer=kernel_initializer,
                              regularizer=kernel_regularizer, trainable=trainable, constraint=kernel_constraint)
        if x.shape.rank == 2:
            y = v2("linalg.matmul")(x, kernel)
        else:
            y = v2("tensordot")(x, kernel, [[x.shape.rank - 1], [0]])
        if use_bias:
            bias = get_variable("bias", [units], dtype=x.dtype, initializer=bias_initializer,
                                regularizer=bias_regularizer, trainable=trainable, constraint=bias_constraint)
            y = v2("nn.bias_add")(y, bias)
        return activation(y) if activation is not None else y


def _conv(rank: int, default: str, inputs: Any, filters: int, kernel_size: Any, strides: Any, padding: str,
          data_format: str, dilation_rate: Any, activation: Any, use_bias: bool, kernel_initializer: Any,
          bias_initializer: Any, kernel_regularizer: Any, bias_regularizer: Any, trainable: bool, name: Any,
          reuse: Any, transpose: bool = False) -> Any:
    x = dispatch.convert_to_tensor(inputs)
    ks = [kernel_size] * rank if isinstance(kernel_size, int) else list(kernel_size)
    st = [strides] * rank if isinstance(strides, int) else list(strides)
    channels_last = data_format == "channels_last"
    cin = x.shape[-1] if channels_last else x.shape[1]
    with _layer_scope(name, default, reuse):
        shape = ks + ([filters, cin] if transpose else [cin, filters])
        kernel = get_variable("kernel", shape, dtype=x.dtype, initializer=kernel_initializer,
                              regularizer=kernel_regularizer, trainable=trainable)
        fmt = {1: "NWC", 2: "NHWC"}[rank] if channels_last else {1: "NCW", 2: "NCHW"}[rank]
        pad = padding.upper()
        if transpose:
            n = array.shape(x)[0] if x.shape[0] is None else x.shape[0]
            out_hw = [_deconv_len(x.shape[1 + i], ks[i], st[i], pad) for i in range(rank)]
            out_shape = [n] + out_hw + [filters]
            y = v2("nn.conv2d_transpose")(x, kernel, array.stack([dispatch.convert_to_tensor(d) for d in out_shape])
                                          if not isinstance(n, int) else out_shape, [1] + st + [1], pad)
        elif rank == 1:
            y = v2("nn.conv1d")(x, kernel, st[0], pad, data_format=fmt)
        else:
            dil = [dilation_rate] * rank if isinstance(dilation_rate, int) else list(dilation_rate)
            y = v2("nn.conv2d")(x, kernel, [1] + st + [1], pad, data_format=fmt, dilations=[1] + dil + [1])
        if use_bias:
            bias = get_variable("bias", [filters], dtype=x.dtype, initializer=bias_initializer,
                                regularizer=bias_regularizer, trainable=trainable)
            y = v2("nn.bias_add")(y, bias, data_format="NHWC" if channels_last else "NCHW")
        return activation(y) if activation is not None else y


def _deconv_len(n: Any, k: int, s: int, pad: str) -> Any:
    if n is None:
        return None
    return n * s if pad == "SAME" else n * s + max(k - s, 0)


@v1_export("layers.conv2d")
def conv2d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
           data_format: str = "channels_last", dilation_rate: Any = (1, 1), activation: Any = None,
           use_bias: bool = True, kernel_initializer: Any = None, bias_initializer: Any = Zeros(),
           kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
           kernel_constraint: Any = None, bias_constraint: Any = None, trainable: bool = True, name: Any = None,
           reuse: Any = None) -> Any:
    return _conv(2, "conv2d", inputs, filters, kernel_size, strides, padding, data_format, dilation_rate,
                 activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                 trainable, name, reuse)


@v1_export("layers.conv1d")
def conv1d(inputs: Any, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
           data_format: str = "channels_last", dilation_rate: Any = 1, activation: Any = None, use_bias: bool = True,
           kernel_initializer: Any = None, bias_initializer: Any = Zeros(), kernel_regularizer: Any = None,
           bias_regularizer: Any = None, activity_regularizer: Any = None, kernel_constraint: Any = None,
           bias_constraint: Any = None, trainable: bool = True, name: Any = None, reuse: Any = None) -> Any:
    return _conv(1, "conv1d", inputs, filters, kernel_size, strides, padding, data_format, dilation_rate,
                 activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                 trainable, name, reuse)


@v1_export("layers.conv2d_transpose")
def conv2d_transpose(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                     data_format: str = "channels_last", activation: Any = None, use_bias: bool = True,
                     kernel_initializer: Any = None, bias_initializer: Any = Zeros(), kernel_regularizer: Any = None,
                     bias_regularizer: Any = None, activity_regularizer: Any = None, kernel_constraint: Any = None,
                     bias_constraint: Any = None, trainable: bool = True, name: Any = None, reuse: Any = None) -> Any:
    return _conv(2, "conv2d_transpose", inputs, filters, kernel_size, strides, padding, data_format, 1, activation,
                 use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, trainable,
                 name, reuse, transpose=True)


def _pool(kind: str, rank: int, inputs: Any, pool_size: Any, strides: Any, padding: str, data_format: str,
          name: Any) -> Any:
    ps = [pool_size] * rank if isinstance(pool_size, int) else list(pool_size)
    st = [strides] * rank if isinstance(strides, int) else list(strides)
    fn = v2(f"nn.{kind}_pool{rank}d")
    fmt = ({1: "NWC", 2: "NHWC"} if data_format == "channels_last" else {1: "NCW", 2: "NCHW"})[rank]
    return fn(inputs, ps, st, padding.upper(), data_format=fmt, name=name)


@v1_export("layers.max_pooling2d")
def max_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: Any = None) -> Any:
    return _pool("max", 2, inputs, pool_size, strides, padding, data_format, name)


@v1_export("layers.max_pooling1d")
def max_pooling1d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: Any = None) -> Any:
    return _pool("max", 1, inputs, pool_size, strides, padding, data_format, name)


@v1_export("layers.average_pooling2d")
def average_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: Any = None) -> Any:
    return _pool("avg", 2, inputs, pool_size, strides, padding, data_format, name)


@v1_export("layers.average_pooling1d")
def average_pooling1d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: Any = None) -> Any:
    return _pool("avg", 1, inputs, pool_size, strides, padding, data_format, name)


@v1_export("layers.flatten")
def flatten(inputs: Any, name: Any = None, data_format: str = "channels_last") -> Any:
    """[batch, d1, d2, ...] -> [batch, d1*d2*...]."""
    x = dispatch.convert_to_tensor(inputs)
    rest = x.shape.as_list()[1:]
    if all(d is not None for d in rest):
        return array.reshape(x, [-1, int(np.prod(rest))], name=name)
    return array.reshape(x, array.stack([array.shape(x)[0], dispatch.convert_to_tensor(-1)]), name=name)


@v1_export("layers.dropout")
def dropout(inputs: Any, rate: float = 0.5, noise_shape: Any = None, seed: Any = None, training: Any = False,
            name: Any = None) -> Any:
    """Dropout only when `training` (a bool or a boolean tensor)."""
    x = dispatch.convert_to_tensor(inputs)
    return _training(training, lambda: v2("nn.dropout")(x, rate=rate, noise_shape=noise_shape, seed=seed),
                     lambda: array.identity(x))


@v1_export("layers.batch_normalization")
def batch_normalization(inputs: Any, axis: int = -1, momentum: float = 0.99, epsilon: float = 0.001,
                        center: bool = True, scale: bool = True, beta_initializer: Any = Zeros(),
                        gamma_initializer: Any = Ones(), moving_mean_initializer: Any = Zeros(),
                        moving_variance_initializer: Any = Ones(), beta_regularizer: Any = None,
                        gamma_regularizer: Any = None, beta_constraint: Any = None, gamma_constraint: Any = None,
                        training: Any = False, trainable: bool = True, name: Any = None, reuse: Any = None,
                        renorm: bool = False, renorm_clipping: Any = None, renorm_momentum: float = 0.99,
                        fused: Any = None, virtual_batch_size: Any = None, adjustment: Any = None) -> Any:
    """Normalise with batch statistics when training (moving-average updates go to UPDATE_OPS)."""
    from .graph_api import add_to_collection  # noqa: PLC0415
    x = dispatch.convert_to_tensor(inputs)
    rank = x.shape.rank
    ax = axis % rank
    n = x.shape[ax]
    axes = tuple(i for i in range(rank) if i != ax)
    bshape = [1 if i != ax else n for i in range(rank)]
    with _layer_scope(name, "batch_normalization", reuse):
        gamma = get_variable("gamma", [n], dtype=x.dtype, initializer=gamma_initializer, trainable=trainable,
                             regularizer=gamma_regularizer) if scale else None
        beta = get_variable("beta", [n], dtype=x.dtype, initializer=beta_initializer, trainable=trainable,
                            regularizer=beta_regularizer) if center else None
        mm = get_variable("moving_mean", [n], dtype=x.dtype, initializer=moving_mean_initializer, trainable=False)
        mv = get_variable("moving_variance", [n], dtype=x.dtype, initializer=moving_variance_initializer,
                          trainable=False)
        mean = r.reduce_mean(x, axis=axes)
        var = r.reduce_mean(e.squared_difference(x, array.stop_gradient(array.reshape(mean, bshape))), axis=axes)
        use_mean = _training(training, lambda: mean, lambda: mm.value())
        use_var = _training(training, lambda: var, lambda: mv.value())
        if training is not False and training is not None:
            decay = 1.0 - momentum
            new_mm = _training(training, lambda: mm.value() - (mm.value() - mean) * decay, lambda: mm.value())
            new_mv = _training(training, lambda: mv.value() - (mv.value() - var) * decay, lambda: mv.value())
            add_to_collection("update_ops", mm.assign(new_mm, read_value=False))
            add_to_collection("update_ops", mv.assign(new_mv, read_value=False))
        inv = e.rsqrt(array.reshape(use_var, bshape) + epsilon)
        if gamma is not None:
            inv = inv * array.reshape(gamma.value(), bshape)
        y = (x - array.reshape(use_mean, bshape)) * inv
        return y + array.reshape(beta.value(), bshape) if beta is not None else y
