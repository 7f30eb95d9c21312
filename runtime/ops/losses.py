"""Fused softmax cross-entropy: SoftmaxCrossEntropyWithLogits and its sparse form.

    SoftmaxCrossEntropyWithLogits(features, labels) -> (loss, backprop)
    loss = -sum(labels * log_softmax(features), -1);  backprop = softmax(features) - labels

As in TensorFlow, the second output (backprop) is the gradient of the loss, and the
gradient of the op uses it; the gradient arriving at `backprop` itself (second order)
is sent through the softmax Jacobian, so d²loss/dfeatures² is defined.
"""
from __future__ import annotations

import numpy as np

from ..errors import invalid
from . import array
from .nn import log_softmax, softmax
from .reduce import reduce_sum
from .registry import broadcast_shapes, op
from .testcases import given

_RNG = np.random.default_rng(11)


def _xent_shape(f, labels, **_):
    """Features and labels [batch, classes] (the dense form's labels broadcast, as in TF)."""
    if f is None:
        return None, None
    if labels is not None and len(labels) == len(f):
        f = broadcast_shapes(f, labels)
    elif labels is not None and len(labels) == len(f) - 1:
        f = broadcast_shapes(f[:-1], labels) + f[-1:]  # the sparse form: labels [batch]
    return f[:-1], f


def _softmax_vjp(g_bp, logits):
    sm = softmax(logits)
    return (g_bp - reduce_sum(g_bp * sm, axis=-1, keepdims=True)) * sm


def _xent_grad(gs, outs, features, labels):
    g_loss, g_bp = gs
    _, bp = outs
    g = array.expand_dims(g_loss, axis=-1)
    d_features = g * bp + _softmax_vjp(g_bp, features)
    return d_features, -g * log_softmax(features) - g_bp


def _xent_ref(f, labels):
    s = f - f.max(-1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(-1, keepdims=True))
    return -(labels * logp).sum(-1), np.exp(logp) - labels


def _probs(shape):
    p = _RNG.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


@op("SoftmaxCrossEntropyWithLogits", shape=_xent_shape, same_dtype=True, num_outputs=2, grad=_xent_grad,
    ref=_xent_ref, cases=given(_RNG.standard_normal((3, 4)), _probs((3, 4))))
def softmax_cross_entropy_with_logits(xp):
    """(loss, backprop) for logits [batch, classes] and label distributions of the same shape."""
    def kernel(f, labels):
        if f.ndim != 2 or f.shape != labels.shape:
            raise invalid(f"logits and labels must be same size: logits_size=[{','.join(map(str, f.shape))}] "
                          f"labels_size=[{','.join(map(str, labels.shape))}] (both must be [batch, classes])")
        s = f - f.max(-1, keepdims=True)
        lse = xp.log(xp.exp(s).sum(-1, keepdims=True))
        logp = s - lse
        return -(labels * logp).sum(-1), xp.exp(logp) - labels
    return kernel


def _sparse_grad(gs, outs, features, labels):
    g_loss, g_bp = gs
    _, bp = outs
    return array.expand_dims(g_loss, axis=-1) * bp + _softmax_vjp(g_bp, features), None


def _sparse_ref(f, labels):
    s = f - f.max(-1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(-1, keepdims=True))
    onehot = np.eye(f.shape[-1], dtype=f.dtype)[labels]
    return -(onehot * logp).sum(-1), np.exp(logp) - onehot


@op("SparseSoftmaxCrossEntropyWithLogits", shape=_xent_shape, num_outputs=2, grad=_sparse_grad, ref=_sparse_ref,
    cases=given(_RNG.standard_normal((3, 4)), np.array([0, 3, 1], np.int32)))
def sparse_softmax_cross_entropy_with_logits(xp):
    """(loss, backprop) for logits [batch, classes] and integer class ids [batch]."""
    def kernel(f, labels):
        if f.ndim != 2 or labels.ndim != 1 or labels.shape[0] != f.shape[0]:
            raise invalid(f"logits and labels must have the same first dimension, got logits shape "
                          f"[{','.join(map(str, f.shape))}] and labels shape [{','.join(map(str, labels.shape))}]")
        n = f.shape[-1]
        if xp is np and labels.size and (labels.min() < 0 or labels.max() >= n):
            bad = labels[(labels < 0) | (labels >= n)][0]
            raise invalid(f"Received a label value of {bad} which is outside the valid range of [0, {n}).  "
                          f"Label values: {' '.join(map(str, labels.tolist()))}")
        s = f - f.max(-1, keepdims=True)
        logp = s - xp.log(xp.exp(s).sum(-1, keepdims=True))
        rows = xp.arange(f.shape[0])
        if xp is not np:  # NOTE: as TensorFlow's GPU kernel: no sync to check; a bad label's row is NaN
            bad = (labels < 0) | (labels >= n)
            labels = xp.where(bad, 0, labels)
            logp = xp.where(bad[:, None], f.dtype.type(np.nan), logp)
        loss = -logp[rows, labels]
        bp = xp.exp(logp)
        bp[rows, labels] -= 1
        return loss, bp
    return kernel
