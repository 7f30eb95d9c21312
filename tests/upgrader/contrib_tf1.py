"""TF1's `tf.contrib.layers.fully_connected`, `tf.contrib.seq2seq.sequence_loss` and
`tf.contrib.legacy_seq2seq.sequence_loss_by_example`, as TF 1.15 defined them, on
`tensorflow.compat.v1`, so fixture programs that call them run under TF1 semantics on TensorFlow 2.21 (the oracle).

    python tests/upgrader/contrib_tf1.py SCRIPT    # like `run_as_tf.py v1 SCRIPT`, with those tf.contrib functions

Written from TF1's definitions, op for op (contrib/layers/python/layers/layers.py: a variable scope named
'fully_connected', variables 'weights' and 'biases', matmul, bias add, activation; contrib/seq2seq/python/ops/
loss.py: flatten, sparse softmax cross-entropy, weights, div_no_nan by the weights' sum; legacy_seq2seq/python/ops/
seq2seq.py: add_n of the weighted per-step cross-entropies, over add_n of the weights + 1e-12), not from the upgrader's
rewrites, so a converted program is checked against TF1's computation rather than against itself.
"""
from __future__ import annotations

import os
import runpy
import sys
import types


def install(v1: types.ModuleType) -> None:
    """Give `v1` (tensorflow.compat.v1) a `contrib` with the two functions."""

    def fully_connected(inputs, num_outputs, activation_fn=v1.nn.relu, weights_initializer=None,
                        biases_initializer=v1.zeros_initializer(), scope=None):
        with v1.variable_scope(scope, default_name="fully_connected"):
            x = v1.convert_to_tensor(inputs)
            w = v1.get_variable("weights", [x.shape[-1], num_outputs], x.dtype,
                                initializer=weights_initializer or v1.glorot_uniform_initializer())
            y = v1.tensordot(x, w, [[x.shape.ndims - 1], [0]]) if x.shape.ndims > 2 else v1.matmul(x, w)
            if biases_initializer is not None:
                y = v1.nn.bias_add(y, v1.get_variable("biases", [num_outputs], x.dtype, initializer=biases_initializer))
            return activation_fn(y) if activation_fn is not None else y

    def sequence_loss(logits, targets, weights, average_across_timesteps=True, average_across_batch=True):
        num_classes = v1.shape(logits)[2]
        crossent = v1.nn.sparse_softmax_cross_entropy_with_logits(
            labels=v1.reshape(targets, [-1]), logits=v1.reshape(logits, [-1, num_classes]))
        crossent *= v1.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            return v1.div_no_nan(v1.reduce_sum(crossent), v1.reduce_sum(weights))
        crossent = v1.reshape(crossent, v1.shape(logits)[0:2])
        if average_across_timesteps or average_across_batch:
            axis = [0] if average_across_batch else [1]
            return v1.div_no_nan(v1.reduce_sum(crossent, axis=axis), v1.reduce_sum(weights, axis=axis))
        return crossent

    def sequence_loss_by_example(logits, targets, weights, average_across_timesteps=True, name=None):
        log_perp_list = []
        for logit, target, weight in zip(logits, targets, weights):
            crossent = v1.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logit)
            log_perp_list.append(crossent * weight)
        log_perps = v1.add_n(log_perp_list)
        if average_across_timesteps:
            total_size = v1.add_n(weights)
            total_size += 1e-12
            log_perps /= total_size
        return log_perps

    v1.contrib = types.SimpleNamespace(layers=types.SimpleNamespace(fully_connected=fully_connected),
                                       seq2seq=types.SimpleNamespace(sequence_loss=sequence_loss),
                                       legacy_seq2seq=types.SimpleNamespace(sequence_loss_by_example=sequence_loss_by_example))


def main(argv: list[str]) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import tensorflow  # noqa: F401,PLC0415
    import tensorflow.compat.v1 as v1  # noqa: PLC0415
    v1.disable_v2_behavior()
    v1.logging.set_verbosity(v1.logging.ERROR)
    install(v1)
    sys.modules["tensorflow"] = v1
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
    runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
