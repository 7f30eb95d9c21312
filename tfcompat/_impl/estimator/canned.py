"""TF1's canned estimators: DNN, Linear, DNN+Linear combined and Baseline classifiers/regressors.

    est = tf.estimator.DNNClassifier(hidden_units=[16, 8], feature_columns=cols, n_classes=3)
    est.train(input_fn, steps=100)        # Adagrad(0.05), ReLU, Glorot-uniform kernels: TF 1.15's defaults

Models, variable names (`dnn/hiddenlayer_0/kernel`, `linear/linear_model/age/weights`), default
optimizers and learning rates, and losses (`loss_reduction="weighted_sum"`) are TF 1.15's v1 ones.
"""
from __future__ import annotations

import math
from typing import Any

from ..._export import export
from ..feature_column.layers import _columns, input_layer, linear_logits
from ..feature_column.columns import CategoricalColumn, DenseColumn, tf
from .estimator import Estimator
from .head import RegressionHead, classification_head

_OPTIMIZERS = {"Adagrad": "AdagradOptimizer", "Adam": "AdamOptimizer", "Ftrl": "FtrlOptimizer",
               "RMSProp": "RMSPropOptimizer", "SGD": "GradientDescentOptimizer"}


def get_optimizer(opt: Any, learning_rate: Any) -> Any:
    """An optimizer from a name ('Adagrad', 'Adam', 'Ftrl', 'RMSProp', 'SGD'), an instance or a callable.

    `learning_rate` is used for a name: a float, or {name: rate} (TF2's Keras defaults).
    """
    t = tf()
    if isinstance(opt, str):
        if opt not in _OPTIMIZERS:
            raise ValueError(f"Unsupported optimizer name: {opt}. Supported names are: {sorted(_OPTIMIZERS)}")
        rate = learning_rate[opt] if isinstance(learning_rate, dict) else learning_rate
        return getattr(t.train, _OPTIMIZERS[opt])(learning_rate=rate)
    if callable(opt) and not isinstance(opt, t.train.Optimizer):
        opt = opt()
    if not isinstance(opt, t.train.Optimizer):
        raise ValueError(f"The given object is not an Optimizer instance. Given: {opt} (tfcompat's canned estimators "
                         "take an optimizer name or a tf.compat.v1.train optimizer, not a Keras optimizer object)")
    return opt


def _dnn_logits(features: dict, hidden_units: Any, columns: list, units: int, activation_fn: Any, dropout: Any,
                mode: str) -> Any:
    t = tf()
    with t.variable_scope("input_from_feature_columns"):
        net = input_layer(features, columns)
    for i, n in enumerate(hidden_units):
        net = t.layers.dense(net, n, activation=activation_fn, kernel_initializer=t.glorot_uniform_initializer(),
                             name=f"hiddenlayer_{i}")
        if dropout is not None and mode == "train":
            net = t.layers.dropout(net, rate=dropout, training=True)
    return t.layers.dense(net, units, activation=None, kernel_initializer=t.glorot_uniform_initializer(), name="logits")


def _check_hidden_units(hidden_units: Any) -> list:
    units = list(hidden_units or [])
    if not units or any(int(u) <= 0 for u in units):
        raise ValueError(f"hidden_units must be a non-empty list of positive ints, given {hidden_units}")
    return units


def _head_for(classifier: bool, n: int, weight_column: Any, vocab: Any, loss_reduction: str) -> Any:
    if classifier:
        return classification_head(n, weight_column, vocab, loss_reduction)
    return RegressionHead(n, weight_column, loss_reduction)


def _linear_lr(n_columns: int, cap: float) -> float:
    return min(cap, 1.0 / math.sqrt(n_columns))


def _model_fn(head: Any, dnn: Any = None, linear: Any = None, baseline: bool = False) -> Any:
    """model_fn for DNN (`dnn`), Linear (`linear`), combined (both) or Baseline estimators."""
    def model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
        t = tf()
        if not isinstance(features, dict):
            raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: {type(features)}")
        parts, steps = [], []
        if dnn is not None:
            with t.variable_scope("dnn", values=tuple(features.values())):
                parts.append(_dnn_logits(features, dnn["hidden_units"], dnn["columns"], head.logits_dimension,
                                         dnn["activation_fn"], dnn["dropout"], mode))
            steps.append((dnn["optimizer"], "dnn"))
        if linear is not None:
            with t.variable_scope("linear", values=tuple(features.values())):
                parts.append(linear_logits(features, linear["columns"], head.logits_dimension,
                                           linear["sparse_combiner"]))
            steps.append((linear["optimizer"], "linear"))
        if baseline:
            batch = t.shape(next(iter(features.values())))[0]
            with t.variable_scope("baseline"):
                bias = t.get_variable("bias", [head.logits_dimension], initializer=t.zeros_initializer())
                parts.append(bias * t.ones(t.stack([batch, head.logits_dimension])))
            steps.append((baseline, "baseline"))
        logits = parts[0] if len(parts) == 1 else t.add_n(parts)

        def train_op_fn(loss: Any) -> Any:
            step = t.train.get_global_step()
            if len(steps) == 1:
                return steps[0][0]().minimize(loss, global_step=step)
            ops = [opt().minimize(loss, var_list=t.get_collection(t.GraphKeys.TRAINABLE_VARIABLES, scope=scope))
                   for opt, scope in steps]
            with t.control_dependencies([t.group(*ops)]):
                return step.assign_add(1, read_value=False)
        return head.create_estimator_spec(features, mode, logits, labels, train_op_fn)
    return model_fn


def _dense(columns: Any) -> list:
    return _columns(columns, DenseColumn, "use indicator_column or embedding_column for categorical columns")


def _any(columns: Any) -> list:
    return _columns(columns, (DenseColumn, CategoricalColumn), "dense or categorical")  # type: ignore[arg-type]


class _DNN(Estimator):
    LEARNING_RATE: Any = 0.05

    def __init__(self, classifier: bool, n: int, hidden_units: Any, feature_columns: Any, model_dir: Any,
                 weight_column: Any, label_vocabulary: Any, optimizer: Any, activation_fn: Any, dropout: Any,
                 config: Any, warm_start_from: Any, loss_reduction: str, batch_norm: bool) -> None:
        if batch_norm:
            raise NotImplementedError("DNN estimators with batch_norm=True are not supported by tfcompat; "
                                      "use batch_norm=False or a custom model_fn with tf.layers.batch_normalization")
        head = _head_for(classifier, n, weight_column, label_vocabulary, loss_reduction)
        dnn = {"hidden_units": _check_hidden_units(hidden_units), "columns": _dense(feature_columns),
               "activation_fn": activation_fn or tf().nn.relu, "dropout": dropout,
               "optimizer": lambda: get_optimizer(optimizer, self.LEARNING_RATE)}
        super().__init__(_model_fn(head, dnn=dnn), model_dir, config, None, warm_start_from)


@export(v1=("estimator.DNNClassifier",))
class DNNClassifier(_DNN):
    def __init__(self, hidden_units: Any, feature_columns: Any, model_dir: Any = None, n_classes: int = 2,
                 weight_column: Any = None, label_vocabulary: Any = None, optimizer: Any = "Adagrad",
                 activation_fn: Any = None, dropout: Any = None, input_layer_partitioner: Any = None,
                 config: Any = None, warm_start_from: Any = None, loss_reduction: str = "weighted_sum",
                 batch_norm: bool = False) -> None:
        super().__init__(True, n_classes, hidden_units, feature_columns, model_dir, weight_column, label_vocabulary,
                         optimizer, activation_fn, dropout, config, warm_start_from, loss_reduction, batch_norm)


@export(v1=("estimator.DNNRegressor",))
class DNNRegressor(_DNN):
    def __init__(self, hidden_units: Any, feature_columns: Any, model_dir: Any = None, label_dimension: int = 1,
                 weight_column: Any = None, optimizer: Any = "Adagrad", activation_fn: Any = None, dropout: Any = None,
                 input_layer_partitioner: Any = None, config: Any = None, warm_start_from: Any = None,
                 loss_reduction: str = "weighted_sum", batch_norm: bool = False) -> None:
        super().__init__(False, label_dimension, hidden_units, feature_columns, model_dir, weight_column, None,
                         optimizer, activation_fn, dropout, config, warm_start_from, loss_reduction, batch_norm)


class _Linear(Estimator):
    LEARNING_RATE: Any = None     # None: TF1's min(0.2, 1 / sqrt(number of columns))

    def __init__(self, classifier: bool, n: int, feature_columns: Any, model_dir: Any, weight_column: Any,
                 label_vocabulary: Any, optimizer: Any, config: Any, warm_start_from: Any, loss_reduction: str,
                 sparse_combiner: str) -> None:
        if sparse_combiner not in ("sum", "mean", "sqrtn"):
            raise ValueError(f"sparse_combiner must be one of 'mean', 'sqrtn' or 'sum', given {sparse_combiner!r}")
        head = _head_for(classifier, n, weight_column, label_vocabulary, loss_reduction)
        columns = _any(feature_columns)
        lr = _linear_lr(len(columns), 0.2) if self.LEARNING_RATE is None else self.LEARNING_RATE
        linear = {"columns": columns, "sparse_combiner": sparse_combiner, "optimizer": lambda: get_optimizer(optimizer, lr)}
        super().__init__(_model_fn(head, linear=linear), model_dir, config, None, warm_start_from)


@export(v1=("estimator.LinearClassifier",))
class LinearClassifier(_Linear):
    def __init__(self, feature_columns: Any, model_dir: Any = None, n_classes: int = 2, weight_column: Any = None,
                 label_vocabulary: Any = None, optimizer: Any = "Ftrl", config: Any = None, partitioner: Any = None,
                 warm_start_from: Any = None, loss_reduction: str = "weighted_sum", sparse_combiner: str = "sum") -> None:
        super().__init__(True, n_classes, feature_columns, model_dir, weight_column, label_vocabulary, optimizer, config,
                         warm_start_from, loss_reduction, sparse_combiner)


@export(v1=("estimator.LinearRegressor",))
class LinearRegressor(_Linear):
    def __init__(self, feature_columns: Any, model_dir: Any = None, label_dimension: int = 1, weight_column: Any = None,
                 optimizer: Any = "Ftrl", config: Any = None, partitioner: Any = None, warm_start_from: Any = None,
                 loss_reduction: str = "weighted_sum", sparse_combiner: str = "sum") -> None:
        super().__init__(False, label_dimension, feature_columns, model_dir, weight_column, None, optimizer, config,
                         warm_start_from, loss_reduction, sparse_combiner)


class _Combined(Estimator):
    def __init__(self, classifier: bool, n: int, model_dir: Any, linear_feature_columns: Any, linear_optimizer: Any,
                 dnn_feature_columns: Any, dnn_optimizer: Any, dnn_hidden_units: Any, dnn_activation_fn: Any,
                 dnn_dropout: Any, weight_column: Any, label_vocabulary: Any, config: Any, warm_start_from: Any,
                 loss_reduction: str, batch_norm: bool, linear_sparse_combiner: str) -> None:
        if not linear_feature_columns and not dnn_feature_columns:
            raise ValueError("Either linear_feature_columns or dnn_feature_columns must be defined.")
        if batch_norm:
            raise NotImplementedError("DNNLinearCombined estimators with batch_norm=True are not supported by tfcompat")
        head = _head_for(classifier, n, weight_column, label_vocabulary, loss_reduction)
        dnn = linear = None
        if dnn_feature_columns:
            dnn = {"hidden_units": _check_hidden_units(dnn_hidden_units), "columns": _dense(dnn_feature_columns),
                   "activation_fn": dnn_activation_fn or tf().nn.relu, "dropout": dnn_dropout,
                   "optimizer": lambda: get_optimizer(dnn_optimizer, 0.001)}
        if linear_feature_columns:
            columns = _any(linear_feature_columns)
            lr = _linear_lr(len(columns), 0.005)
            linear = {"columns": columns, "sparse_combiner": linear_sparse_combiner,
                      "optimizer": lambda: get_optimizer(linear_optimizer, lr)}
        super().__init__(_model_fn(head, dnn=dnn, linear=linear), model_dir, config, None, warm_start_from)


@export(v1=("estimator.DNNLinearCombinedClassifier",))
class DNNLinearCombinedClassifier(_Combined):
    def __init__(self, model_dir: Any = None, linear_feature_columns: Any = None, linear_optimizer: Any = "Ftrl",
                 dnn_feature_columns: Any = None, dnn_optimizer: Any = "Adagrad", dnn_hidden_units: Any = None,
                 dnn_activation_fn: Any = None, dnn_dropout: Any = None, n_classes: int = 2, weight_column: Any = None,
                 label_vocabulary: Any = None, input_layer_partitioner: Any = None, config: Any = None,
                 warm_start_from: Any = None, loss_reduction: str = "weighted_sum", batch_norm: bool = False,
                 linear_sparse_combiner: str = "sum") -> None:
        super().__init__(True, n_classes, model_dir, linear_feature_columns, linear_optimizer, dnn_feature_columns,
                         dnn_optimizer, dnn_hidden_units, dnn_activation_fn, dnn_dropout, weight_column,
                         label_vocabulary, config, warm_start_from, loss_reduction, batch_norm, linear_sparse_combiner)


@export(v1=("estimator.DNNLinearCombinedRegressor",))
class DNNLinearCombinedRegressor(_Combined):
    def __init__(self, model_dir: Any = None, linear_feature_columns: Any = None, linear_optimizer: Any = "Ftrl",
                 dnn_feature_columns: Any = None, dnn_optimizer: Any = "Adagrad", dnn_hidden_units: Any = None,
                 dnn_activation_fn: Any = None, dnn_dropout: Any = None, label_dimension: int = 1,
                 weight_column: Any = None, input_layer_partitioner: Any = None, config: Any = None,
                 warm_start_from: Any = None, loss_reduction: str = "weighted_sum", batch_norm: bool = False,
                 linear_sparse_combiner: str = "sum") -> None:
        super().__init__(False, label_dimension, model_dir, linear_feature_columns, linear_optimizer,
                         dnn_feature_columns, dnn_optimizer, dnn_hidden_units, dnn_activation_fn, dnn_dropout,
                         weight_column, None, config, warm_start_from, loss_reduction, batch_norm,
                         linear_sparse_combiner)


@export(v1=("estimator.BaselineClassifier",))
class BaselineClassifier(Estimator):
    def __init__(self, model_dir: Any = None, n_classes: int = 2, weight_column: Any = None,
                 label_vocabulary: Any = None, optimizer: Any = "Ftrl", config: Any = None,
                 loss_reduction: str = "weighted_sum") -> None:
        head = classification_head(n_classes, weight_column, label_vocabulary, loss_reduction)
        super().__init__(_model_fn(head, baseline=lambda: get_optimizer(optimizer, 0.3)), model_dir, config)


@export(v1=("estimator.BaselineRegressor",))
class BaselineRegressor(Estimator):
    def __init__(self, model_dir: Any = None, label_dimension: int = 1, weight_column: Any = None,
                 optimizer: Any = "Ftrl", config: Any = None, loss_reduction: str = "weighted_sum") -> None:
        head = RegressionHead(label_dimension, weight_column, loss_reduction)
        super().__init__(_model_fn(head, baseline=lambda: get_optimizer(optimizer, 0.3)), model_dir, config)
