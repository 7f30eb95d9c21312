"""`tf.nn.nce_loss` and `tf.nn.sampled_softmax_loss`: losses over a sampled subset of classes.

    loss = tf.reduce_mean(tf.nn.nce_loss(weights=nce_w, biases=nce_b, labels=train_labels,
                                         inputs=embed, num_sampled=64, num_classes=50000))

Both follow TensorFlow's `_compute_sampled_logits`: the true classes plus `num_sampled`
candidates from the log-uniform sampler, logits corrected by log(expected count), and
(optionally) sampled candidates equal to a true label pushed to -FLOAT_MAX.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.ops import array, elementwise as e, linalg, reduce as r

from .._export import export
from .nn_ops import embedding_lookup, sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits
from .random_ops import log_uniform_candidate_sampler

_FLOAT_MIN = float(np.finfo(np.float32).min)


def _compute_sampled_logits(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int,
                            num_classes: int, num_true: int, sampled_values: Any, subtract_log_q: bool,
                            remove_accidental_hits: bool, seed: Any) -> tuple:
    """(logits [batch, num_true + num_sampled], labels of the same shape) as TensorFlow builds them."""
    if not isinstance(weights, (list, tuple)):
        weights = [weights]
    inputs = dispatch.convert_to_tensor(inputs)
    labels = array.cast(dispatch.convert_to_tensor(labels), dtypes.int64)
    if labels.shape.rank == 1:
        labels = array.reshape(labels, [-1, num_true])
    flat_labels = array.reshape(labels, [-1])
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes, seed=seed)
    sampled, true_expected, sampled_expected = (array.stop_gradient(dispatch.convert_to_tensor(v))
                                                for v in sampled_values)
    sampled = array.cast(sampled, dtypes.int64)
    n_true = flat_labels.shape[0]
    if n_true is None:  # NOTE: labels [None, num_true]: the split point is known when the graph runs
        n_true = array.size(flat_labels)
    ids = array.concat(flat_labels, sampled, axis=0)
    all_w = embedding_lookup(weights, ids)
    all_b = embedding_lookup(biases, ids)
    true_w, sampled_w = all_w[:n_true], all_w[n_true:]
    true_b, sampled_b = all_b[:n_true], all_b[n_true:]
    dim = true_w.shape[1]
    sampled_logits = linalg.mat_mul(inputs, sampled_w, transpose_b=True) + sampled_b
    rows = array.expand_dims(inputs, axis=1) * array.reshape(true_w, [-1, num_true, dim])
    true_logits = r.reduce_sum(rows, axis=2) + array.reshape(true_b, [-1, num_true])
    if remove_accidental_hits:
        hits = r.reduce_any(e.equal(array.expand_dims(labels, axis=2), array.reshape(sampled, [1, 1, -1])), axis=1)
        sampled_logits = sampled_logits + e.select(hits, e.ones_like_e(sampled_logits) * _FLOAT_MIN,
                                                   e.zeros_like_e(sampled_logits))
    if subtract_log_q:
        true_logits = true_logits - e.log(array.cast(true_expected, true_logits.dtype))
        sampled_logits = sampled_logits - e.log(array.cast(sampled_expected, sampled_logits.dtype))
    out_logits = array.concat(true_logits, sampled_logits, axis=1)
    out_labels = array.concat(e.ones_like_e(true_logits) / num_true, e.zeros_like_e(sampled_logits), axis=1)
    return out_logits, out_labels


@export("nn.nce_loss", v1=())
def nce_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int, num_classes: int,
             num_true: int = 1, sampled_values: Any = None, remove_accidental_hits: bool = False,
             name: str = "nce_loss") -> Any:
    """Noise-contrastive estimation loss per example [batch] (weights [num_classes, dim])."""
    logits, labels = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                             sampled_values, True, remove_accidental_hits, None)
    return r.reduce_sum(sigmoid_cross_entropy_with_logits(labels=labels, logits=logits), axis=1)


@export("nn.sampled_softmax_loss", v1=())
def sampled_softmax_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int, num_classes: int,
                         num_true: int = 1, sampled_values: Any = None, remove_accidental_hits: bool = True,
                         seed: Any = None, name: str = "sampled_softmax_loss") -> Any:
    """Softmax cross-entropy over the true class and `num_sampled` sampled classes, per example [batch]."""
    logits, labels = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                             sampled_values, True, remove_accidental_hits, seed)
    return softmax_cross_entropy_with_logits(labels=array.stop_gradient(labels), logits=logits)
