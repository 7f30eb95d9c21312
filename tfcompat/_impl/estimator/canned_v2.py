"""TF2's `tf.estimator` canned estimators: the TF1 models with TF2's defaults (loss averaged over the batch).

    est = tf.estimator.DNNClassifier([16], cols)     # under TF2: loss_reduction="sum_over_batch_size"

Same models and variable names as the v1 classes in canned.py; an optimizer given by name gets TF2's
rate (DNN: the Keras optimizer's default, 0.001 for Adagrad; Linear: 0.2). The TF2 classes lack
`input_layer_partitioner`/`partitioner`. Keras optimizer objects are not accepted (pass the name, or a
tf.compat.v1.train optimizer).
"""
from __future__ import annotations

from typing import Any

from ..._export import export
from . import canned

SOBS = "sum_over_batch_size"
KERAS_DEFAULT_RATES = {"Adagrad": 0.001, "Adam": 0.001, "Ftrl": 0.001, "RMSProp": 0.001, "SGD": 0.01}


@export("estimator.DNNClassifier", v1=())
class DNNClassifier(canned.DNNClassifier):
    LEARNING_RATE = KERAS_DEFAULT_RATES     # NOTE: TF2's DNN gets the Keras optimizer's own default rate
    def __init__(self, hidden_units: Any, feature_columns: Any, model_dir: Any = None, n_classes: int = 2,
                 weight_column: Any = None, label_vocabulary: Any = None, optimizer: Any = "Adagrad",
                 activation_fn: Any = None, dropout: Any = None, config: Any = None, warm_start_from: Any = None,
                 loss_reduction: str = SOBS, batch_norm: bool = False) -> None:
        super().__init__(hidden_units, feature_columns, model_dir, n_classes, weight_column, label_vocabulary,
                         optimizer, activation_fn, dropout, None, config, warm_start_from, loss_reduction, batch_norm)


@export("estimator.DNNRegressor", v1=())
class DNNRegressor(canned.DNNRegressor):
    LEARNING_RATE = KERAS_DEFAULT_RATES
    def __init__(self, hidden_units: Any, feature_columns: Any, model_dir: Any = None, label_dimension: int = 1,
                 weight_column: Any = None, optimizer: Any = "Adagrad", activation_fn: Any = None, dropout: Any = None,
                 config: Any = None, warm_start_from: Any = None, loss_reduction: str = SOBS,
                 batch_norm: bool = False) -> None:
        super().__init__(hidden_units, feature_columns, model_dir, label_dimension, weight_column, optimizer,
                         activation_fn, dropout, None, config, warm_start_from, loss_reduction, batch_norm)


@export("estimator.LinearClassifier", v1=())
class LinearClassifier(canned.LinearClassifier):
    LEARNING_RATE = 0.2
    def __init__(self, feature_columns: Any, model_dir: Any = None, n_classes: int = 2, weight_column: Any = None,
                 label_vocabulary: Any = None, optimizer: Any = "Ftrl", config: Any = None, warm_start_from: Any = None,
                 loss_reduction: str = SOBS, sparse_combiner: str = "sum") -> None:
        super().__init__(feature_columns, model_dir, n_classes, weight_column, label_vocabulary, optimizer, config,
                         None, warm_start_from, loss_reduction, sparse_combiner)


@export("estimator.LinearRegressor", v1=())
class LinearRegressor(canned.LinearRegressor):
    LEARNING_RATE = 0.2
    def __init__(self, feature_columns: Any, model_dir: Any = None, label_dimension: int = 1, weight_column: Any = None,
                 optimizer: Any = "Ftrl", config: Any = None, warm_start_from: Any = None, loss_reduction: str = SOBS,
                 sparse_combiner: str = "sum") -> None:
        super().__init__(feature_columns, model_dir, label_dimension, weight_column, optimizer, config, None,
                         warm_start_from, loss_reduction, sparse_combiner)


@export("estimator.BaselineClassifier", v1=())
class BaselineClassifier(canned.BaselineClassifier):
    def __init__(self, model_dir: Any = None, n_classes: int = 2, weight_column: Any = None,
                 label_vocabulary: Any = None, optimizer: Any = "Ftrl", config: Any = None,
                 loss_reduction: str = SOBS) -> None:
        super().__init__(model_dir, n_classes, weight_column, label_vocabulary, optimizer, config, loss_reduction)


@export("estimator.BaselineRegressor", v1=())
class BaselineRegressor(canned.BaselineRegressor):
    def __init__(self, model_dir: Any = None, label_dimension: int = 1, weight_column: Any = None,
                 optimizer: Any = "Ftrl", config: Any = None, loss_reduction: str = SOBS) -> None:
        super().__init__(model_dir, label_dimension, weight_column, optimizer, config, loss_reduction)


@export("estimator.DNNLinearCombinedClassifier", v1=())
class DNNLinearCombinedClassifier(canned.DNNLinearCombinedClassifier):
    def __init__(self, model_dir: Any = None, linear_feature_columns: Any = None, linear_optimizer: Any = "Ftrl",
                 dnn_feature_columns: Any = None, dnn_optimizer: Any = "Adagrad", dnn_hidden_units: Any = None,
                 dnn_activation_fn: Any = None, dnn_dropout: Any = None, n_classes: int = 2, weight_column: Any = None,
                 label_vocabulary: Any = None, config: Any = None, warm_start_from: Any = None,
                 loss_reduction: str = SOBS, batch_norm: bool = False, linear_sparse_combiner: str = "sum") -> None:
        super().__init__(model_dir, linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer,
                         dnn_hidden_units, dnn_activation_fn, dnn_dropout, n_classes, weight_column, label_vocabulary,
                         None, config, warm_start_from, loss_reduction, batch_norm, linear_sparse_combiner)


@export("estimator.DNNLinearCombinedRegressor", v1=())
class DNNLinearCombinedRegressor(canned.DNNLinearCombinedRegressor):
    def __init__(self, model_dir: Any = None, linear_feature_columns: Any = None, linear_optimizer: Any = "Ftrl",
                 dnn_feature_columns: Any = None, dnn_optimizer: Any = "Adagrad", dnn_hidden_units: Any = None,
                 dnn_activation_fn: Any = None, dnn_dropout: Any = None, label_dimension: int = 1,
                 weight_column: Any = None, config: Any = None, warm_start_from: Any = None,
                 loss_reduction: str = SOBS, batch_norm: bool = False, linear_sparse_combiner: str = "sum") -> None:
        super().__init__(model_dir, linear_feature_columns, linear_optimizer, dnn_feature_columns, dnn_optimizer,
                         dnn_hidden_units, dnn_activation_fn, dnn_dropout, label_dimension, weight_column, None,
                         config, warm_start_from, loss_reduction, batch_norm, linear_sparse_combiner)
