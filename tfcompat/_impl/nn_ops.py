"""`tf.nn`: activations, softmax, losses, normalisation, embeddings and dropout.

    tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z, axis=-1)

Convolutions and pooling are in `nn_ops_conv`, sampled losses in `nn_ops_sampled`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.ops import array, elementwise as e, losses, nn, reduce as r
from runtime.ops.gather import gather

from .._export import export


def _t(x: Any, dtype: Any = None) -> Any:
    return dispatch.convert_to_tensor(x, dtype=dtype)


def _float(x: Any) -> Any:
    """Integer features become float32, as TF's activations do."""
    x = _t(x)
    return x if x.dtype.is_floating else array.cast(x, dtypes.float32)


# -- activations ----------------------------------------------------------------------------
@export("nn.relu")
def relu(features: Any, name: str | None = None) -> Any:
    """tf.nn.relu([-1., 2.]) -> [0., 2.]."""
    return e.relu(features, name=name)


@export("nn.relu6", v1=())
def relu6(features: Any, name: str | None = None) -> Any:
    """tf.nn.relu6([-1., 3., 7.]) -> [0., 3., 6.]."""
    return nn.relu6(features, name=name)


@export("nn.elu")
def elu(features: Any, name: str | None = None) -> Any:
    """tf.nn.elu([-1., 2.]) -> [-0.632, 2.]."""
    return nn.elu(features, name=name)


@export("nn.selu")
def selu(features: Any, name: str | None = None) -> Any:
    return nn.selu(features, name=name)


@export("nn.leaky_relu", v1=())
def leaky_relu(features: Any, alpha: float = 0.2, name: str | None = None) -> Any:
    """tf.nn.leaky_relu([-1., 2.], alpha=0.1) -> [-0.1, 2.]."""
    features = _float(features)
    if dispatch.is_tensor(alpha):
        return e.maximum(alpha * features, features, name=name)
    return nn.leaky_relu(features, alpha=float(alpha), name=name)


@export("nn.gelu", v1=())
def gelu(features: Any, approximate: bool = False, name: str | None = None) -> Any:
    """tf.nn.gelu(x) = x * Phi(x); approximate=True uses the tanh form."""
    x = _t(features)
    if approximate:
        inner = (x + e.pow_(x, 3) * 0.044715) * 0.7978845608028654
        return 0.5 * x * (1.0 + e.tanh(inner))
    return 0.5 * x * (1.0 + e.erf(x * 0.7071067811865476))


@export("nn.softplus", "math.softplus", v1=())
def softplus(features: Any, name: str | None = None) -> Any:
    """tf.nn.softplus(0.) -> 0.693 (log(1 + exp(x)))."""
    return nn.softplus(features, name=name)


@export("nn.softsign", "math.softsign")
def softsign(features: Any, name: str | None = None) -> Any:
    return nn.softsign(features, name=name)


def _last_axis(fn: Any, logits: Any, axis: Any, name: str | None) -> Any:
    """Apply a last-axis op along `axis` by swapping it with the last axis, as TF does."""
    x = _t(logits)
    axis = -1 if axis is None else int(axis)
    rank = x.shape.rank
    if rank is None or axis in (-1, rank - 1):
        return fn(x, name=name)
    if not -rank <= axis < rank:
        raise ValueError(f"`axis` must be in the range [{-rank}, {rank}) where {rank} is the rank of the input "
                         f"tensor. Received: axis={axis}")
    perm = list(range(rank))
    perm[axis % rank], perm[-1] = perm[-1], perm[axis % rank]
    return array.transpose(fn(array.transpose(x, perm=tuple(perm))), perm=tuple(perm), name=name)


@export("nn.softmax", "math.softmax", v1=())
def softmax(logits: Any, axis: Any = None, name: str | None = None) -> Any:
    """tf.nn.softmax([[1., 1.]]) -> [[0.5, 0.5]] (over the last axis unless `axis`)."""
    return _last_axis(nn.softmax, logits, axis, name)


@export("nn.log_softmax", "math.log_softmax", v1=())
def log_softmax(logits: Any, axis: Any = None, name: str | None = None) -> Any:
    return _last_axis(nn.log_softmax, logits, axis, name)


@export("nn.bias_add")
def bias_add(value: Any, bias: Any, data_format: str | None = None, name: str | None = None) -> Any:
    """tf.nn.bias_add(x [N, H, W, C], b [C]): b added along the channel axis."""
    fmt = "NHWC" if data_format is None or not str(data_format).startswith("NC") else "NCHW"
    value = _t(value)
    return nn.bias_add(value, _t(bias, value.dtype if not dispatch.is_tensor(bias) else None),
                       data_format=fmt, name=name)


@export("nn.l2_loss")
def l2_loss(t: Any, name: str | None = None) -> Any:
    """tf.nn.l2_loss([1., 2.]) -> 2.5 (sum(t ** 2) / 2)."""
    return nn.l2_loss(t, name=name)


# -- cross-entropy --------------------------------------------------------------------------
@export("nn.softmax_cross_entropy_with_logits", v1=())
def softmax_cross_entropy_with_logits(labels: Any, logits: Any, axis: int = -1, name: str | None = None) -> Any:
    """Per-example -sum(labels * log_softmax(logits)); both [..., classes] (classes on `axis`)."""
    logits = _t(logits)
    labels = _t(labels, logits.dtype if not dispatch.is_tensor(labels) else None)
    if labels.dtype != logits.dtype:
        labels = array.cast(labels, logits.dtype)  # NOTE: as TF: float64 labels meet float32 logits
    rank = logits.shape.rank
    if rank is None:
        if axis != -1:
            raise NotImplementedError(f"softmax_cross_entropy_with_logits(axis={axis}) on logits of unknown rank: "
                                      "give the logits a static rank (tf.reshape or set_shape) or use axis=-1")
    elif axis % rank != rank - 1:
        axis = axis % rank
        perm = tuple(i for i in range(rank) if i != axis) + (axis,)
        logits, labels = array.transpose(logits, perm=perm), array.transpose(labels, perm=perm)
    if rank == 2:
        return losses.softmax_cross_entropy_with_logits(logits, labels, name=name)[0]
    flat = losses.softmax_cross_entropy_with_logits(_flatten_outer(logits), _flatten_outer(labels))[0]
    return _reshape_outer(flat, logits, name)


def _flatten_outer(x: Any) -> Any:
    """x [..., classes] as a matrix [-1, classes], with `classes` read at run time when not static."""
    classes = x.shape[-1] if x.shape.rank else None
    if classes is not None:
        return array.reshape(x, [-1, classes])
    return array.reshape(x, array.concat(dispatch.constant(np.array([-1], np.int32)), array.shape(x)[-1:]))


def _reshape_outer(flat: Any, like: Any, name: Any) -> Any:
    """flat [n] reshaped to like's shape without its last axis (static where known)."""
    outer = like.shape[:-1]
    out = array.reshape(flat, outer.as_list() if outer.is_fully_defined() else array.shape(like)[:-1], name=name)
    if getattr(out, "_is_symbolic", False) and outer.rank is not None:
        out.set_shape(outer)
    return out


@export("nn.sparse_softmax_cross_entropy_with_logits", v1=())
def sparse_softmax_cross_entropy_with_logits(labels: Any, logits: Any, name: str | None = None) -> Any:
    """Per-example -log_softmax(logits)[label] for integer labels [...] and logits [..., classes]."""
    logits, labels = _t(logits), _t(labels)
    if labels.shape.rank is not None and logits.shape.rank is not None and \
            labels.shape.rank != logits.shape.rank - 1:
        raise ValueError(f"Rank mismatch: Rank of labels (received {labels.shape.rank}) should equal rank of "
                         f"logits minus 1 (received {logits.shape.rank}).")
    if logits.shape.rank == 2:
        return losses.sparse_softmax_cross_entropy_with_logits(logits, labels, name=name)[0]
    flat = losses.sparse_softmax_cross_entropy_with_logits(_flatten_outer(logits), array.reshape(labels, [-1]))[0]
    return _reshape_outer(flat, logits, name)


def _stable_sigmoid_xent(labels: Any, logits: Any) -> tuple:
    logits = _t(logits)
    labels = _t(labels, logits.dtype if not dispatch.is_tensor(labels) else None)
    if labels.shape.is_fully_defined() and logits.shape.is_fully_defined() and \
            labels.shape.as_list() != logits.shape.as_list():
        raise ValueError(f"`logits` and `labels` must have the same shape, received ({logits.shape} vs "
                         f"{labels.shape}).")
    return labels, logits


@export("nn.sigmoid_cross_entropy_with_logits", v1=())
def sigmoid_cross_entropy_with_logits(labels: Any = None, logits: Any = None, name: str | None = None) -> Any:
    """max(x, 0) - x * z + log(1 + exp(-|x|)) for logits x and labels z."""
    z, x = _stable_sigmoid_xent(labels, logits)
    zeros = e.zeros_like_e(x)
    pos = e.greater_equal(x, zeros)
    return e.add(e.select(pos, x, zeros) - x * z, e.log1p(e.exp(e.select(pos, -x, x))), name=name)


@export("nn.weighted_cross_entropy_with_logits", v1=())
def weighted_cross_entropy_with_logits(labels: Any, logits: Any, pos_weight: Any, name: str | None = None) -> Any:
    """Sigmoid cross-entropy with positives weighted by pos_weight."""
    z, x = _stable_sigmoid_xent(labels, logits)
    log_weight = 1 + (pos_weight - 1) * z
    softplus_neg_abs = e.log1p(e.exp(-e.abs_(x))) + e.relu(-x)
    return e.add((1 - z) * x, log_weight * softplus_neg_abs, name=name)


# -- normalisation --------------------------------------------------------------------------
def _axes(axes: Any) -> tuple:
    if dispatch.is_tensor(axes):
        axes = axes.numpy()
    return tuple(int(a) for a in np.reshape(axes, -1))


@export("nn.moments", v1=())
def moments(x: Any, axes: Any, shift: Any = None, keepdims: bool = False, name: str | None = None) -> tuple:
    """(mean, variance) of x over `axes`: tf.nn.moments(x, axes=[0])."""
    y = _t(x)
    if y.dtype is dtypes.float16:
        y = array.cast(y, dtypes.float32)
    ax = _axes(axes)
    mean = r.reduce_mean(y, axis=ax, keepdims=True)
    variance = r.reduce_mean(e.squared_difference(y, array.stop_gradient(mean)), axis=ax, keepdims=True)
    if not keepdims:
        mean, variance = array.squeeze(mean, axis=ax), array.squeeze(variance, axis=ax)
    if _t(x).dtype is dtypes.float16:
        mean, variance = array.cast(mean, dtypes.float16), array.cast(variance, dtypes.float16)
    return mean, variance


@export("nn.batch_normalization")
def batch_normalization(x: Any, mean: Any, variance: Any, offset: Any, scale: Any, variance_epsilon: Any,
                        name: str | None = None) -> Any:
    """scale * (x - mean) / sqrt(variance + eps) + offset (offset, scale may be None)."""
    x = _t(x)
    inv = e.rsqrt(_t(variance) + variance_epsilon)
    if scale is not None:
        inv = inv * scale
    shift = (offset - _t(mean) * inv) if offset is not None else -_t(mean) * inv
    return e.add(x * inv, shift, name=name)


# -- embeddings and dropout -----------------------------------------------------------------
@export("nn.embedding_lookup", v1=())
def embedding_lookup(params: Any, ids: Any, max_norm: Any = None, name: str | None = None) -> Any:
    """Rows of params at ids; a list of shards is split as TF2's 'div' strategy (i.e. concatenated)."""
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("Need at least one param")
        table = _t(params[0]) if len(params) == 1 else array.concat(*[_t(p) for p in params], axis=0)
    else:
        table = _t(params)
    rows = gather(table, _t(ids), axis=0)
    if max_norm is not None:
        rank = rows.shape.rank
        axes = tuple(range(_t(ids).shape.rank, rank))
        norm = e.sqrt(r.reduce_sum(e.square(rows), axis=axes, keepdims=True))
        rows = rows * e.minimum(e.div_no_nan(e.ones_like_e(norm) * max_norm, norm), e.ones_like_e(norm))
    return array.identity(rows, name=name) if name else rows


@export("nn.dropout", v1=())
def dropout(x: Any, rate: Any, noise_shape: Any = None, seed: Any = None, name: str | None = None) -> Any:
    """Zero each element with probability `rate`; scale the kept ones by 1 / (1 - rate)."""
    from .random_ops import uniform  # noqa: PLC0415
    x = _t(x)
    if not x.dtype.is_floating:
        raise ValueError(f"x has to be a floating point tensor since it's going to be scaled. Got a "
                         f"{x.dtype!r} tensor instead.")
    if not dispatch.is_tensor(rate):
        if isinstance(rate, (int, float)) and not 0 <= rate < 1:
            raise ValueError(f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={rate}")
        if rate == 0:
            return array.identity(x, name=name)
    rate_t = _t(rate, x.dtype if not dispatch.is_tensor(rate) else None)
    shape = array.shape(x) if noise_shape is None else noise_shape
    keep = e.greater_equal(uniform(shape, dtype=x.dtype, seed=seed), rate_t)
    scale = 1 / (1 - rate_t)
    out = e.multiply(x * scale, array.cast(keep, x.dtype), name=name)
    if getattr(out, "_is_symbolic", False):
        out.set_shape(x.shape)  # NOTE: as TF: a rate of unknown rank must not lose x's shape
    return out

