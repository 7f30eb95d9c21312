"""`tf.keras.layers.DenseFeatures`: `input_layer` as a Keras layer that owns its embedding weights.

    layer = tf.keras.layers.DenseFeatures([age, tf.feature_column.embedding_column(city, 4)])
    net = layer(features)          # [batch, 1 + 4]; layer.trainable_weights holds city_embedding/embedding_weights

Columns are sorted by name as in `input_layer`; embedding tables are made with `add_weight` on the
first call, so Keras training (and `model.trainable_variables`) sees them.
"""
from __future__ import annotations

import math
from typing import Any

from ..._export import export
from ..keras.base_layer import Layer
from .columns import DenseColumn, EmbeddingColumn, tf
from .layers import _columns, _width


@export("keras.layers.DenseFeatures", v1=("keras.layers.DenseFeatures",))
class DenseFeatures(Layer):
    """Concatenates the dense columns' tensors (`[batch, Σ widths]`) from a features dict."""

    def __init__(self, feature_columns: Any, trainable: bool = True, name: Any = None, partitioner: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._feature_columns = _columns(feature_columns, DenseColumn, "use indicator_column or embedding_column "
                                                                       "for categorical columns")
        self._tables: dict[str, Any] = {}

    def _table(self, column: EmbeddingColumn) -> Any:
        if column.name not in self._tables:
            init = column.initializer or tf().truncated_normal_initializer(stddev=1 / math.sqrt(column.dimension))
            self._tables[column.name] = self.add_weight(
                shape=(column.categorical_column.num_buckets, column.dimension), initializer=init, dtype="float32",
                trainable=column.trainable, name=f"{column.name}/embedding_weights")
        return self._tables[column.name]

    def call(self, features: Any, cols_to_output_tensors: Any = None, training: Any = None) -> Any:
        t = tf()
        if not isinstance(features, dict):
            raise ValueError(f"We expected a dictionary here. Instead we got: {features}")
        outputs = []
        for column in self._feature_columns:
            if isinstance(column, EmbeddingColumn):
                dense = column.dense(features, self._table(column))
            else:
                dense = column.dense(features)
            out = t.reshape(dense, [-1, _width(column)])
            if cols_to_output_tensors is not None:
                cols_to_output_tensors[column] = out
            outputs.append(out)
        return t.concat(outputs, 1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (None, sum(_width(c) for c in self._feature_columns))

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable}
