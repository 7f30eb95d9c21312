"""`tf.feature_column.input_layer` and `linear_model` (TF1): feature columns to a dense tensor / logits.

    net = tf.feature_column.input_layer(features, [age, tf.feature_column.indicator_column(color)])
    logits = tf.feature_column.linear_model(features, [age, color], units=1)   # weights per column + bias

Columns are processed in order of name, each in its own variable scope, so variable names are
TensorFlow's (`input_layer/color_embedding/embedding_weights`, `linear_model/age/weights`).
"""
from __future__ import annotations

from typing import Any

from ..._export import export
from .columns import CategoricalColumn, DenseColumn, FeatureColumn, combine, tf


def _columns(feature_columns: Any, kind: type, what: str) -> list:
    if isinstance(feature_columns, FeatureColumn):
        feature_columns = [feature_columns]
    columns = list(feature_columns or [])
    if not columns:
        raise ValueError("feature_columns must not be empty.")
    kind_name = getattr(kind, "__name__", "FeatureColumn")
    for c in columns:
        if not isinstance(c, kind):
            raise ValueError(f"Items of feature_columns must be a {kind_name} ({what}). Given (type "
                             f"{type(c).__name__}): {c}.")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ValueError(f"Duplicate feature column name found for columns: {sorted(names)}.")
    return sorted(columns, key=lambda c: c.name)


def _features(features: Any) -> dict:
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: {type(features)}")
    return features


@export(v1=("feature_column.input_layer",))
def input_layer(features: Any, feature_columns: Any, weight_collections: Any = None, trainable: bool = True,
                cols_to_vars: Any = None, cols_to_output_tensors: Any = None) -> Any:
    """The dense columns' tensors, each flattened to [batch, n], concatenated in order of column name."""
    t = tf()
    features = _features(features)
    columns = _columns(feature_columns, DenseColumn, "use indicator_column or embedding_column for categorical "
                                                     "columns")
    outputs = []
    with t.variable_scope(None, default_name="input_layer", values=list(features.values())):
        for column in columns:
            with t.variable_scope(None, default_name=column._var_scope_name):
                before = set(id(v) for v in t.global_variables())
                out = t.reshape(column.dense(features), [-1, _width(column)])
                if cols_to_vars is not None:
                    cols_to_vars[column] = [v for v in t.global_variables() if id(v) not in before]
                if cols_to_output_tensors is not None:
                    cols_to_output_tensors[column] = out
                outputs.append(out)
        return t.concat(outputs, 1)


def _width(column: DenseColumn) -> int:
    from .columns import BucketizedColumn, EmbeddingColumn, IndicatorColumn, NumericColumn  # noqa: PLC0415
    if isinstance(column, NumericColumn):
        return column.num_elements
    if isinstance(column, BucketizedColumn):
        return column.num_buckets
    if isinstance(column, IndicatorColumn):
        return column.categorical_column.num_buckets
    if isinstance(column, EmbeddingColumn):
        return column.dimension
    raise TypeError(f"unknown dense column {column}")


def linear_logits(features: dict, columns: list, units: int, sparse_combiner: str, trainable: bool = True,
                  cols_to_vars: Any = None, scope: str = "linear_model") -> Any:
    """Σ column·weights + bias_weights, one zero-initialised `weights` variable per column (TF1's linear_model)."""
    t = tf()
    parts = []
    with t.variable_scope(None, default_name=scope, values=list(features.values())):
        for column in columns:
            with t.variable_scope(None, default_name=column._var_scope_name):
                if isinstance(column, CategoricalColumn):
                    w = t.get_variable("weights", [column.num_buckets, units], initializer=t.zeros_initializer(),
                                       trainable=trainable)
                    ids, valid, weights = column.ids(features)
                    parts.append(combine(w, ids, valid, weights, sparse_combiner))
                else:
                    w = t.get_variable("weights", [_width(column), units], initializer=t.zeros_initializer(),
                                       trainable=trainable)
                    parts.append(t.matmul(t.reshape(column.dense(features), [-1, _width(column)]), w))
                if cols_to_vars is not None:
                    cols_to_vars[column] = [w]
        bias = t.get_variable("bias_weights", [units], initializer=t.zeros_initializer(), trainable=trainable)
        if cols_to_vars is not None:
            cols_to_vars["bias"] = [bias]
        return t.nn.bias_add(t.add_n(parts) if len(parts) > 1 else parts[0], bias, name="weighted_sum")


@export(v1=("feature_column.linear_model",))
def linear_model(features: Any, feature_columns: Any, units: int = 1, sparse_combiner: str = "sum",
                 weight_collections: Any = None, trainable: bool = True, cols_to_vars: Any = None) -> Any:
    """Logits [batch, units] of a linear model on the columns (categorical ones weighted per id)."""
    if sparse_combiner not in ("sum", "mean", "sqrtn"):
        raise ValueError(f"sparse_combiner must be one of 'mean', 'sqrtn' or 'sum', given {sparse_combiner!r}")
    columns = _columns(feature_columns, (DenseColumn, CategoricalColumn), "dense or categorical")  # type: ignore[arg-type]
    return linear_logits(_features(features), columns, units, sparse_combiner, trainable, cols_to_vars)


@export(v1=("tables_initializer", "initializers.tables_initializer"))
def tables_initializer(name: str = "init_all_tables") -> Any:
    """An op initialising the graph's lookup tables: a no-op here (vocabulary columns use constant tables)."""
    t = tf()
    inits = t.get_collection("table_initializer")
    return t.group(*inits, name=name) if inits else t.no_op(name=name)
