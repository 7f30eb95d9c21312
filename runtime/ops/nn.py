"""Neural-network activations and layers: Relu6, Elu, Selu, LeakyRelu, Softplus, Softsign,
Softmax, LogSoftmax, BiasAdd (and BiasAddGrad, its fast channel sum), L2Loss.

    Softmax(x) == exp(x - max(x)) / sum(exp(x - max(x)))    (over the last axis)

Gradients are compositions of elementwise ops (`select` on a mask, `Mul`), so second
order works through them; TensorFlow's dedicated `*Grad` kernels are not needed.
Softmax and LogSoftmax work on the last axis, as TensorFlow's raw ops do; the public
`axis=` argument transposes around them (`tfcompat/_impl/nn_ops.py`).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import invalid
from . import elementwise as e
from .reduce import reduce_sum
from .registry import op, same_shape
from .testcases import floats, given

_RNG = np.random.default_rng(7)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _where_pos(x, pos, neg):
    """select(x > 0, pos, neg) with a zero of x's dtype (the mask every ReLU-like grad needs)."""
    return e.select(e.greater(x, e.zeros_like_e(x)), pos, neg)


def _zero(x):
    return x.dtype.type(0)


activation = dict(shape=same_shape, elementwise=True)


@op("Relu6", **activation, grad=lambda g, y, x: (e.select(e.logical_and(
        e.greater(x, e.zeros_like_e(x)), e.less(x, e.zeros_like_e(x) + 6)), g, e.zeros_like_e(g)),),
    ref=lambda x: np.clip(x, 0, 6), cases=given(_RNG.uniform(-3, 9, (3, 4))) + floats(1))
def relu6(xp):
    """Relu6(x) = min(max(x, 0), 6): [-1., 3., 7.] -> [0., 3., 6.]."""
    return lambda x: xp.minimum(xp.maximum(x, _zero(x)), x.dtype.type(6))


@op("Elu", **activation, grad=lambda g, y, x: (_where_pos(x, g, g * (y + 1)),),
    ref=lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))), cases=floats(1))
def elu(xp):
    """Elu(x) = x if x > 0 else exp(x) - 1: [-1., 2.] -> [-0.632, 2.]."""
    return lambda x: xp.where(x > 0, x, xp.expm1(xp.minimum(x, _zero(x))))


@op("Selu", **activation, grad=lambda g, y, x: (_where_pos(x, g * SELU_SCALE, g * (y + SELU_SCALE * SELU_ALPHA)),),
    ref=lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))), cases=floats(1))
def selu(xp):
    """Selu(x) = scale * (x if x > 0 else alpha * (exp(x) - 1)), the self-normalising constants."""
    def kernel(x):
        t = x.dtype.type
        return xp.where(x > 0, t(SELU_SCALE) * x, t(SELU_SCALE * SELU_ALPHA) * xp.expm1(xp.minimum(x, t(0))))
    return kernel


@op("LeakyRelu", **activation, grad=lambda g, y, x, alpha=0.2: (_where_pos(x, g, g * alpha),),
    ref=lambda x, alpha=0.2: np.where(x > 0, x, x * alpha), cases=floats(1, alpha=0.2) + floats(1, alpha=0.01))
def leaky_relu(xp):
    """LeakyRelu(x, alpha=0.2) = x if x > 0 else alpha * x: [-1., 2.] -> [-0.2, 2.]."""
    return lambda x, alpha=0.2: xp.where(x > 0, x, x * x.dtype.type(alpha))


@op("Softplus", **activation, grad=lambda g, y, x: (g * e.sigmoid(x),),
    ref=lambda x: np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0), cases=floats(1))
def softplus(xp):
    """Softplus(x) = log(1 + exp(x)), computed without overflow: [0.] -> [0.693]."""
    return lambda x: xp.logaddexp(_zero(x), x)


@op("Softsign", **activation, grad=lambda g, y, x: (g / e.square(e.abs_(x) + 1),),
    ref=lambda x: x / (1 + np.abs(x)), cases=floats(1))
def softsign(xp):
    """Softsign(x) = x / (1 + |x|): [-1., 3.] -> [-0.5, 0.75]."""
    return lambda x: x / (xp.abs(x) + x.dtype.type(1))


# -- softmax --------------------------------------------------------------------------------
def _check_rank1(x, name):
    if x.ndim < 1:
        raise invalid(f"logits must have >= 1 dimension, got shape [] [{name}]")


def _softmax_ref(x):
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _log_softmax_ref(x):
    s = x - x.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


_SOFTMAX_CASES = given(_RNG.standard_normal((2, 5))) + given(_RNG.standard_normal((2, 3, 4))) + \
    given(_RNG.standard_normal((4,)))


@op("Softmax", shape=same_shape, ref=_softmax_ref, cases=_SOFTMAX_CASES,
    grad=lambda g, y, x: ((g - reduce_sum(g * y, axis=-1, keepdims=True)) * y,))
def softmax(xp):
    """Softmax(x) over the last axis: [[1., 1.]] -> [[0.5, 0.5]]."""
    def kernel(x):
        _check_rank1(x, "Softmax")
        z = xp.exp(x - x.max(axis=-1, keepdims=True))
        return z / z.sum(axis=-1, keepdims=True)
    return kernel


@op("LogSoftmax", shape=same_shape, ref=_log_softmax_ref, cases=_SOFTMAX_CASES,
    grad=lambda g, y, x: (g - reduce_sum(g, axis=-1, keepdims=True) * e.exp(y),))
def log_softmax(xp):
    """LogSoftmax(x) = x - logsumexp(x) over the last axis: [[0., 0.]] -> [[-0.693, -0.693]]."""
    def kernel(x):
        _check_rank1(x, "LogSoftmax")
        s = x - x.max(axis=-1, keepdims=True)
        return s - xp.log(xp.exp(s).sum(axis=-1, keepdims=True))
    return kernel


# -- bias and l2 ----------------------------------------------------------------------------
def _channel_axis(rank, data_format):
    return 1 if data_format.startswith("NC") and rank > 2 else rank - 1


def _bias_add_grad(g, y, x, b, data_format="NHWC"):
    return g, bias_add_grad(g, data_format=data_format)


def _bias_ref(x, b, data_format="NHWC"):
    c = _channel_axis(x.ndim, data_format)
    return x + b.reshape((-1,) + (1,) * (x.ndim - 1 - c))


@op("BiasAdd", shape=lambda x, b, data_format="NHWC": x, same_dtype=True, grad=_bias_add_grad, ref=_bias_ref,
    cases=given(_RNG.standard_normal((2, 3)), _RNG.standard_normal((3,)))
    + given(_RNG.standard_normal((2, 3, 4, 2)), _RNG.standard_normal((3,)), data_format="NCHW"))
def bias_add(xp):
    """BiasAdd(value, bias): bias added along the channel axis (last for NHWC, 1 for NCHW)."""
    def kernel(x, b, data_format="NHWC"):
        if b.ndim != 1:
            raise invalid(f"Biases must be 1D: [{','.join(map(str, b.shape))}]")
        if x.ndim < 2:
            raise invalid(f"Input tensor must be at least 2D: [{','.join(map(str, x.shape))}]")
        c = _channel_axis(x.ndim, data_format)
        if x.shape[c] != b.shape[0]:
            raise invalid(f"Must provide as many biases as the last dimension of the input tensor: "
                          f"[{b.shape[0]}] vs. [{','.join(map(str, x.shape))}]")
        return x + b.reshape((-1,) + (1,) * (x.ndim - 1 - c))
    return kernel


def _bias_grad_shape(g, data_format="NHWC"):
    return (None,) if g is None else (g[_channel_axis(len(g), data_format)],)


def _bias_grad_ref(g, data_format="NHWC"):
    c = _channel_axis(g.ndim, data_format)
    return np.sum(g, axis=tuple(i for i in range(g.ndim) if i != c))


@op("BiasAddGrad", shape=_bias_grad_shape,
    grad=lambda gg, y, g, data_format="NHWC": (bias_add(e.zeros_like_e(g), gg, data_format=data_format),),
    ref=_bias_grad_ref, cases=given(_RNG.standard_normal((2, 3)))
    + given(_RNG.standard_normal((4, 5, 6, 3))) + given(_RNG.standard_normal((2, 3, 4, 2)), data_format="NCHW"))
def bias_add_grad(xp):
    """BiasAddGrad(out_backprop): its sum over every axis but the channel axis: [[1., 2.], [3., 4.]] -> [4., 6.]."""
    def kernel(g, data_format="NHWC"):
        if g.ndim < 2:
            raise invalid(f"Input tensor must be at least 2D: [{','.join(map(str, g.shape))}]")
        c = _channel_axis(g.ndim, data_format)
        rows = g.size // max(g.shape[c], 1)
        blocks = math.gcd(rows, 64)
        if xp is np and c == g.ndim - 1 and g.dtype.kind == "f" and g.flags.c_contiguous and blocks >= 8:
            # NOTE: NumPy sums [rows, C] down axis 0 one short row at a time (~10x slower for C = 16):
            # add `blocks` long rows first, then the [rows / blocks, C] rest (contiguous, pairwise)
            part = np.add.reduce(g.reshape(blocks, -1), axis=0).reshape(-1, g.shape[c])
            return np.ascontiguousarray(part.T).sum(axis=1)
        return xp.sum(g, axis=tuple(i for i in range(g.ndim) if i != c))
    return kernel


@op("L2Loss", shape=lambda x: (), grad=lambda g, y, x: (g * x,),
    ref=lambda x: np.asarray(np.sum(np.square(x)) / 2, x.dtype), cases=floats(1))
def l2_loss(xp):
    """L2Loss(t) = sum(t ** 2) / 2: [1., 2.] -> 2.5."""
    return lambda x: xp.asarray(xp.sum(xp.square(x)) / x.dtype.type(2), dtype=x.dtype)
