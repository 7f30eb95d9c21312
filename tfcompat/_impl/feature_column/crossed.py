"""`tf.feature_column.crossed_column`: every combination of the keys' values, hashed as TensorFlow does.

    cross = tf.feature_column.crossed_column(["color", bucketized_age], hash_bucket_size=100)
    tf.feature_column.indicator_column(cross)        # buckets equal TensorFlow's (SparseCrossHashed)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..._export import export
from .columns import CategoricalColumn, HashedColumn, _as_2d, _feature, tf
from .fingerprint import crossed_ids


@dataclass(frozen=True)
class CrossedColumn(CategoricalColumn):
    keys: tuple
    hash_bucket_size: int
    hash_key: Any = None

    name = property(lambda self: "_X_".join(sorted(k if isinstance(k, str) else k.name for k in self.keys)))
    num_buckets = property(lambda self: self.hash_bucket_size)

    def ids(self, features: dict) -> tuple:
        t = tf()
        values, masks = [], []
        for key in self.keys:
            if isinstance(key, str):
                x = _as_2d(_feature(features, key))
                x = x if x.dtype == t.string else t.cast(x, t.int64)
                values.append(x)
                masks.append(t.not_equal(x, "") if x.dtype == t.string else t.not_equal(x, -1))
            else:
                ids, valid, weights = key.ids(features)
                if weights is not None:
                    raise ValueError(f"crossed_column does not support weight_tensor, but the given column populates "
                                     f"weight_tensor. Given column: {key.name}")
                values.append(ids)
                masks.append(valid)
        ids, valid = crossed_ids(values, masks, self.hash_bucket_size, self.hash_key)
        return ids, valid, None


@export("feature_column.crossed_column", v1=("feature_column.crossed_column",))
def crossed_column(keys: Any, hash_bucket_size: int, hash_key: Any = None) -> CrossedColumn:
    """Hashes every combination of the keys' values (strings, or categorical columns' ids) into buckets."""
    if not hash_bucket_size or hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be > 1. hash_bucket_size: {hash_bucket_size}")
    if not keys or len(keys) < 2:
        raise ValueError(f"keys must be a list with length > 1. Given: {keys}")
    for key in keys:
        if not isinstance(key, (str, CategoricalColumn)) or isinstance(key, HashedColumn):
            raise ValueError("Unsupported key type. All keys must be either string, or categorical column except "
                             f"HashedCategoricalColumn. Given: {key}")
    flat: list = []
    for key in keys:   # NOTE: a crossed key contributes its own keys (TF's _collect_leaf_level_keys)
        flat.extend(key.keys if isinstance(key, CrossedColumn) else [key])
    return CrossedColumn(tuple(flat), int(hash_bucket_size), hash_key)
