"""`tf.feature_column`: how raw features become model inputs (TF 1.15's columns, names and defaults).

    age = tf.feature_column.numeric_column("age")
    color = tf.feature_column.categorical_column_with_vocabulary_list("color", ["red", "green"])
    cols = [age, tf.feature_column.bucketized_column(age, [18, 65]), tf.feature_column.indicator_column(color)]
    net = tf.feature_column.input_layer(features, cols)      # [batch, 1 + 3 + 2], columns sorted by name

Categorical columns give dense int64 ids `[batch, k]` with a validity mask (TensorFlow uses
SparseTensors; ids, weights and results are the same). Columns are frozen dataclasses, so equal
columns compare and hash equal, as TensorFlow's namedtuples do.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from runtime import dtypes

from ..._export import export
from .fingerprint import hash_bucket_ids


def tf() -> Any:
    """tfcompat's v1 API (built when the package is imported; columns run after that)."""
    import tfcompat.compat.v1 as v1  # noqa: PLC0415
    return v1


def _as_2d(x: Any) -> Any:
    t = tf()
    x = t.convert_to_tensor(x)
    return t.expand_dims(x, -1) if x.shape.rank == 1 else x


def _feature(features: dict, key: str) -> Any:
    if key not in features:
        raise ValueError(f"The feature {key!r} is not in features dictionary (keys: {sorted(features)}).")
    return features[key]


class FeatureColumn:
    """Base of every column: `name`, and how the layers find its variables' scope."""

    @property
    def _var_scope_name(self) -> str:
        return self.name

    def __lt__(self, other: "FeatureColumn") -> bool:
        return self.name < other.name


class DenseColumn(FeatureColumn):
    """A column that is a float32 `[batch, variable_shape...]` tensor (`dense(features)`)."""


class CategoricalColumn(FeatureColumn):
    """A column that is ids in [0, num_buckets): `ids(features) -> (ids [batch, k] int64, mask, weights|None)`."""


@dataclass(frozen=True)
class NumericColumn(DenseColumn):
    key: str
    shape: tuple = (1,)
    default_value: Any = None
    dtype: Any = None
    normalizer_fn: Callable | None = None

    name = property(lambda self: self.key)
    num_elements = property(lambda self: int(np.prod(self.shape)))

    def dense(self, features: dict) -> Any:
        t = tf()
        x = t.cast(_feature(features, self.key), t.float32)
        if self.normalizer_fn is not None:
            x = self.normalizer_fn(x)
        return t.reshape(x, [-1, self.num_elements])


@dataclass(frozen=True)
class BucketizedColumn(DenseColumn, CategoricalColumn):
    source_column: NumericColumn
    boundaries: tuple

    name = property(lambda self: f"{self.source_column.name}_bucketized")
    num_buckets = property(lambda self: self.source_column.num_elements * (len(self.boundaries) + 1))

    def _buckets(self, features: dict) -> Any:
        t = tf()
        x = t.reshape(t.cast(_feature(features, self.source_column.key), t.float32),
                      [-1, self.source_column.num_elements])
        above = t.greater_equal(t.expand_dims(x, -1), t.constant(list(self.boundaries), t.float32))
        return t.reduce_sum(t.cast(above, t.int64), -1)       # [batch, n]: boundaries <= x

    def dense(self, features: dict) -> Any:
        t = tf()
        one_hot = t.one_hot(self._buckets(features), len(self.boundaries) + 1, dtype=t.float32)
        return t.reshape(one_hot, [-1, self.num_buckets])

    def ids(self, features: dict) -> tuple:
        t = tf()
        b = self._buckets(features)
        offsets = t.constant([i * (len(self.boundaries) + 1) for i in range(self.source_column.num_elements)], t.int64)
        ids = b + offsets
        return ids, t.ones_like(ids, dtype=t.bool), None


@dataclass(frozen=True)
class VocabularyColumn(CategoricalColumn):
    key: str
    vocabulary: tuple
    dtype: Any
    default_value: int = -1
    num_oov_buckets: int = 0

    name = property(lambda self: self.key)
    num_buckets = property(lambda self: len(self.vocabulary) + self.num_oov_buckets)

    def ids(self, features: dict) -> tuple:
        t = tf()
        x = _as_2d(_feature(features, self.key))
        vocab = t.constant(list(self.vocabulary), dtype=x.dtype)
        match = t.equal(t.expand_dims(x, -1), vocab)
        hits = t.cast(match, t.int32)
        found = t.greater(t.reduce_max(hits, -1), 0)
        index = t.argmax(hits, -1, output_type=t.int64)
        if self.num_oov_buckets:
            missing = hash_bucket_ids(x, self.num_oov_buckets) + len(self.vocabulary)
        else:
            missing = t.fill(t.shape(index), t.constant(self.default_value, t.int64))
        ids = t.where(found, index, missing)
        return ids, self._valid(x, ids), None

    def _valid(self, x: Any, ids: Any) -> Any:
        t = tf()
        empty = t.equal(x, "") if x.dtype == t.string else t.equal(x, -1)   # TF's missing values
        return t.logical_and(t.greater_equal(ids, 0), t.logical_not(empty))


@dataclass(frozen=True)
class IdentityColumn(CategoricalColumn):
    key: str
    num_buckets: int
    default_value: Any = None

    name = property(lambda self: self.key)

    def ids(self, features: dict) -> tuple:
        t = tf()
        ids = t.cast(_as_2d(_feature(features, self.key)), t.int64)
        in_range = t.logical_and(t.greater_equal(ids, 0), t.less(ids, self.num_buckets))
        if self.default_value is not None:
            ids = t.where(in_range, ids, t.fill(t.shape(ids), t.constant(self.default_value, t.int64)))
        else:
            ok = t.equal(t.reduce_min(t.cast(t.logical_or(in_range, t.equal(ids, -1)), t.int32)), 1)
            check = t.Assert(ok,
                             [f"Value out of range for categorical_column_with_identity {self.key!r}: ids must be in "
                              f"[0, {self.num_buckets}) (pass default_value= to map others)", ids])
            with t.control_dependencies([check]):
                ids = t.identity(ids)
        return ids, t.greater_equal(ids, 0), None


@dataclass(frozen=True)
class HashedColumn(CategoricalColumn):
    key: str
    hash_bucket_size: int
    dtype: Any = None

    name = property(lambda self: self.key)
    num_buckets = property(lambda self: self.hash_bucket_size)

    def ids(self, features: dict) -> tuple:
        t = tf()
        x = _as_2d(_feature(features, self.key))
        valid = t.not_equal(x, "") if x.dtype == t.string else t.not_equal(x, -1)
        return hash_bucket_ids(x, self.hash_bucket_size), valid, None


@dataclass(frozen=True)
class WeightedColumn(CategoricalColumn):
    categorical_column: CategoricalColumn
    weight_feature_key: str
    dtype: Any = None

    name = property(lambda self: f"{self.categorical_column.name}_weighted_by_{self.weight_feature_key}")
    num_buckets = property(lambda self: self.categorical_column.num_buckets)

    def ids(self, features: dict) -> tuple:
        t = tf()
        ids, valid, _ = self.categorical_column.ids(features)
        return ids, valid, t.cast(_as_2d(_feature(features, self.weight_feature_key)), t.float32)


def _weights(valid: Any, weights: Any) -> Any:
    t = tf()
    w = t.cast(valid, t.float32)
    return w if weights is None else w * weights


@dataclass(frozen=True)
class IndicatorColumn(DenseColumn):
    categorical_column: CategoricalColumn

    name = property(lambda self: f"{self.categorical_column.name}_indicator")

    def dense(self, features: dict) -> Any:
        t = tf()
        ids, valid, weights = self.categorical_column.ids(features)
        n = self.categorical_column.num_buckets
        one_hot = t.one_hot(t.where(valid, ids, t.zeros_like(ids)), n, dtype=t.float32)
        return t.reduce_sum(one_hot * t.expand_dims(_weights(valid, weights), -1), 1)


@dataclass(frozen=True)
class EmbeddingColumn(DenseColumn):
    categorical_column: CategoricalColumn
    dimension: int
    combiner: str = "mean"
    initializer: Any = None
    ckpt_to_load_from: Any = None
    tensor_name_in_ckpt: Any = None
    max_norm: Any = None
    trainable: bool = True

    name = property(lambda self: f"{self.categorical_column.name}_embedding")

    def dense(self, features: dict, table: Any = None) -> Any:
        """The combined embeddings; `table` is the embedding variable (made with get_variable when None)."""
        t = tf()
        init = self.initializer or t.truncated_normal_initializer(mean=0.0, stddev=1 / math.sqrt(self.dimension))
        if table is None:
            table = t.get_variable("embedding_weights", [self.categorical_column.num_buckets, self.dimension],
                                   dtype=t.float32, initializer=init, trainable=self.trainable)
        ids, valid, weights = self.categorical_column.ids(features)
        return combine(table, ids, valid, weights, self.combiner)


def combine(table: Any, ids: Any, valid: Any, weights: Any, combiner: str) -> Any:
    """Σ w·table[id] over each row's valid ids, then / Σw (mean) or / sqrt(Σw²) (sqrtn); empty rows are 0."""
    t = tf()
    w = _weights(valid, weights)
    rows = t.gather(table, t.where(valid, ids, t.zeros_like(ids)))         # [batch, k, dim]
    total = t.reduce_sum(rows * t.expand_dims(w, -1), 1)
    if combiner == "sum":
        return total
    norm = t.reduce_sum(w, 1, keepdims=True) if combiner == "mean" else \
        t.sqrt(t.reduce_sum(w * w, 1, keepdims=True))
    return t.div_no_nan(total, norm)


# -- the public constructors, with TensorFlow's checks ------------------------------------------
@export("feature_column.numeric_column", v1=("feature_column.numeric_column",))
def numeric_column(key: str, shape: Any = (1,), default_value: Any = None, dtype: Any = dtypes.float32,
                   normalizer_fn: Any = None) -> NumericColumn:
    shape = (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)
    if any(d < 1 for d in shape):
        raise ValueError(f"shape dimensions must be greater than 0. shape: {shape}, key: {key}")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


@export("feature_column.bucketized_column", v1=("feature_column.bucketized_column",))
def bucketized_column(source_column: Any, boundaries: Any) -> BucketizedColumn:
    if not isinstance(source_column, NumericColumn):
        raise ValueError(f"source_column must be a column generated with numeric_column(). Given: {source_column}")
    boundaries = tuple(float(b) for b in boundaries)
    if not boundaries or any(a >= b for a, b in zip(boundaries, boundaries[1:])):
        raise ValueError(f"boundaries must be a sorted list. boundaries: {list(boundaries)}")
    return BucketizedColumn(source_column, boundaries)


def _vocab(key: str, vocabulary: tuple, dtype: Any, default_value: int, num_oov_buckets: int) -> VocabularyColumn:
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError(f"Duplicate keys in vocabulary_list {list(vocabulary)} (column {key!r}).")
    if num_oov_buckets and default_value != -1:
        raise ValueError("Can't specify both num_oov_buckets and default_value in " + key + ".")
    if num_oov_buckets < 0:
        raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
    return VocabularyColumn(key, vocabulary, dtype, default_value, num_oov_buckets)


@export("feature_column.categorical_column_with_vocabulary_list",
        v1=("feature_column.categorical_column_with_vocabulary_list",))
def categorical_column_with_vocabulary_list(key: str, vocabulary_list: Any, dtype: Any = None, default_value: int = -1,
                                            num_oov_buckets: int = 0) -> VocabularyColumn:
    vocabulary = tuple(v.decode() if isinstance(v, bytes) else v for v in vocabulary_list)
    if not vocabulary:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: {key}")
    is_str = isinstance(vocabulary[0], str)
    dtype = dtype or (tf().string if is_str else tf().int64)
    return _vocab(key, vocabulary, dtype, default_value, num_oov_buckets)


@export(v1=("feature_column.categorical_column_with_vocabulary_file",))
def categorical_column_with_vocabulary_file_v1(key: str, vocabulary_file: str, vocabulary_size: Any = None,
                                               num_oov_buckets: int = 0, default_value: Any = None,
                                               dtype: Any = dtypes.string) -> VocabularyColumn:
    """TF1's argument order (num_oov_buckets before dtype); see categorical_column_with_vocabulary_file."""
    return categorical_column_with_vocabulary_file(key, vocabulary_file, vocabulary_size, dtype, default_value,
                                                   num_oov_buckets)


@export("feature_column.categorical_column_with_vocabulary_file", v1=())
def categorical_column_with_vocabulary_file(key: str, vocabulary_file: str, vocabulary_size: Any = None,
                                            dtype: Any = dtypes.string, default_value: Any = None,
                                            num_oov_buckets: int = 0, file_format: Any = None) -> VocabularyColumn:
    if file_format not in (None, "text"):
        raise NotImplementedError(f"categorical_column_with_vocabulary_file(file_format={file_format!r}): tfcompat "
                                  "reads text vocabulary files only (one entry per line)")
    if not vocabulary_file:
        raise ValueError(f"Missing vocabulary_file in {key}.")
    with open(vocabulary_file, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    vocabulary = tuple(lines[:vocabulary_size] if vocabulary_size is not None else lines)
    dtype = dtype or tf().string
    if dtype != tf().string:
        vocabulary = tuple(int(v) for v in vocabulary)
    return _vocab(key, vocabulary, dtype, -1 if default_value is None else default_value, num_oov_buckets)


@export("feature_column.categorical_column_with_identity", v1=("feature_column.categorical_column_with_identity",))
def categorical_column_with_identity(key: str, num_buckets: int, default_value: Any = None) -> IdentityColumn:
    if num_buckets < 1:
        raise ValueError(f"num_buckets {num_buckets} < 1, column_name {key}")
    if default_value is not None and not 0 <= default_value < num_buckets:
        raise ValueError(f"default_value {default_value} not in range [0, {num_buckets}), column_name {key}")
    return IdentityColumn(key, int(num_buckets), default_value)


@export("feature_column.categorical_column_with_hash_bucket", v1=("feature_column.categorical_column_with_hash_bucket",))
def categorical_column_with_hash_bucket(key: str, hash_bucket_size: int, dtype: Any = dtypes.string) -> HashedColumn:
    if hash_bucket_size is None or hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be at least 1. hash_bucket_size: {hash_bucket_size}, key: {key}")
    return HashedColumn(key, int(hash_bucket_size), dtype)


@export("feature_column.weighted_categorical_column", v1=("feature_column.weighted_categorical_column",))
def weighted_categorical_column(categorical_column: Any, weight_feature_key: str,
                                dtype: Any = dtypes.float32) -> WeightedColumn:
    return WeightedColumn(categorical_column, weight_feature_key, dtype)


@export("feature_column.indicator_column", v1=("feature_column.indicator_column",))
def indicator_column(categorical_column: Any) -> IndicatorColumn:
    if not isinstance(categorical_column, CategoricalColumn):
        raise ValueError(f"Unsupported input type. Input must be a CategoricalColumn. Given: {categorical_column}")
    return IndicatorColumn(categorical_column)


@export("feature_column.embedding_column", v1=("feature_column.embedding_column",))
def embedding_column(categorical_column: Any, dimension: int, combiner: str = "mean", initializer: Any = None,
                     ckpt_to_load_from: Any = None, tensor_name_in_ckpt: Any = None, max_norm: Any = None,
                     trainable: bool = True, use_safe_embedding_lookup: bool = True) -> EmbeddingColumn:
    if dimension is None or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', given {combiner!r}")
    if initializer is not None and not callable(initializer):
        raise ValueError("initializer must be callable if specified. Embedding of column_name: "
                         f"{categorical_column.name}")
    if ckpt_to_load_from is not None or max_norm is not None:
        raise NotImplementedError("embedding_column(ckpt_to_load_from=/max_norm=) is not supported by tfcompat; "
                                  "warm-start the Estimator (warm_start_from=) or clip in the model instead")
    return EmbeddingColumn(categorical_column, int(dimension), combiner, initializer, None, None, None, trainable)
