"""TF1's `tf.nn.embedding_lookup`, `nce_loss` and `sampled_softmax_loss`: `partition_strategy` for a list of shards.

    tf.nn.embedding_lookup([shard0, shard1], ids)          # 'mod' (TF1's default): id i is row i // 2 of shard i % 2
    tf.nn.embedding_lookup([shard0, shard1], ids, "div")   # contiguous blocks, as TF2 always does

With one tensor (the usual case) the strategy changes nothing and the v2 functions run as they are.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._api import v1_export, v2


def _interleaved(params: Any, ids: Any) -> Any:
    """`ids` into the concatenation of `params` that select what the 'mod' strategy selects."""
    sizes = [(p if hasattr(p, "shape") else v2("convert_to_tensor")(p)).shape[0] for p in params]
    if any(s is None for s in sizes):
        raise NotImplementedError("embedding_lookup with partition_strategy='mod' needs shards with a static first "
                                  "dimension; pass one tensor or partition_strategy='div'")
    ids = v2("convert_to_tensor")(ids)
    offsets = v2("constant")(np.cumsum([0] + sizes[:-1]), dtype=ids.dtype)
    n = len(params)
    return v2("gather")(offsets, v2("math.floormod")(ids, n)) + v2("math.floordiv")(ids, n)


def _sharded(params: Any, strategy: str) -> bool:
    if strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {strategy}")
    return isinstance(params, (list, tuple)) and len(params) > 1 and strategy == "mod"


@v1_export("nn.embedding_lookup")
def embedding_lookup(params: Any, ids: Any, partition_strategy: str = "mod", name: str | None = None,
                     validate_indices: bool = True, max_norm: Any = None) -> Any:
    """Rows of `params` at `ids`; `validate_indices` has no effect (ids are always checked), as in TensorFlow."""
    if _sharded(params, partition_strategy):
        ids = _interleaved(params, ids)
    return v2("nn.embedding_lookup")(params, ids, max_norm=max_norm, name=name)


def _one_table(weights: Any, strategy: str) -> Any:
    """Sharded class weights as one table whose row i is class i under `strategy`."""
    if not _sharded(weights, strategy):
        return weights
    total = sum(w.shape[0] for w in weights)
    return embedding_lookup(weights, v2("range")(total), partition_strategy=strategy)


@v1_export("nn.nce_loss")
def nce_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int, num_classes: int,
             num_true: int = 1, sampled_values: Any = None, remove_accidental_hits: bool = False,
             partition_strategy: str = "mod", name: str = "nce_loss") -> Any:
    return v2("nn.nce_loss")(_one_table(weights, partition_strategy), biases, labels, inputs, num_sampled,
                             num_classes, num_true=num_true, sampled_values=sampled_values,
                             remove_accidental_hits=remove_accidental_hits, name=name)


@v1_export("nn.sampled_softmax_loss")
def sampled_softmax_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int, num_classes: int,
                         num_true: int = 1, sampled_values: Any = None, remove_accidental_hits: bool = True,
                         partition_strategy: str = "mod", name: str = "sampled_softmax_loss", seed: Any = None) -> Any:
    return v2("nn.sampled_softmax_loss")(_one_table(weights, partition_strategy), biases, labels, inputs, num_sampled,
                                         num_classes, num_true=num_true, sampled_values=sampled_values,
                                         remove_accidental_hits=remove_accidental_hits, seed=seed, name=name)
