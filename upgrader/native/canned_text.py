"""The TF2 code a converted canned-estimator program gets once: tf.feature_column and the canned models, written out.

    tf.estimator.DNNClassifier([8], columns)   ->  DNNClassifier([8], columns, loss_reduction="sum")
    tf.feature_column.numeric_column("x")      ->  FeatureColumns.numeric_column("x")

`DNNClassifier` & co. mirror TensorFlow's constructors and return the `Estimator` of estimator_text.py around a
`CannedModel`: TF 1.15's model, defaults (Adagrad 0.05, Ftrl min(0.2, 1/sqrt(columns)), zero-initialized linear
weights, glorot DNN kernels) and variable names. Feature columns become Keras preprocessing layers
(Discretization, StringLookup/IntegerLookup, Hashing) and one-hot/embedding blocks, concatenated in input_layer's
order (sorted by column name), so a LinearRegressor trains to TF's numbers exactly.
"""
from __future__ import annotations

CANNED = '''
class FeatureColumns:
    """tf.feature_column as TF2 code (TensorFlow 2.16 has no input_layer): a column turns a features dict into a
    float32 [batch, width] block (`dense`), as input_layer did, or, if categorical, int64 `ids` (-1: missing)."""

    class Column:
        def __init__(self, name, width=None, size=None, value=None, ids=None, dense=None, dimension=None,
                     initializer=None):
            self.name, self.width, self.size, self.value, self.ids = name, width, size, value, ids
            self.dense, self.dimension, self.initializer = dense, dimension, initializer

    @staticmethod
    def multi_hot(ids, size):
        return tf.reduce_sum(tf.one_hot(ids, size), axis=1)   # an id of -1 is a row of zeros

    @staticmethod
    def numeric_column(key, shape=(1,), default_value=None, dtype=tf.float32, normalizer_fn=None):
        width = 1
        for d in ([shape] if isinstance(shape, int) else shape):
            width *= d

        def value(features):
            x = features[key] if normalizer_fn is None else normalizer_fn(features[key])
            return tf.reshape(tf.cast(x, dtype), [-1, width])
        return FeatureColumns.Column(key, width, value=value, dense=lambda features, weights: value(features))

    @staticmethod
    def bucketized_column(source_column, boundaries):
        buckets = tf.keras.layers.Discretization(bin_boundaries=list(boundaries))
        size = (len(boundaries) + 1) * source_column.width

        def ids(features):   # position i's bucket b is id i * (len(boundaries) + 1) + b
            b = tf.cast(buckets(source_column.value(features)), tf.int64)
            return b + (len(boundaries) + 1) * tf.range(source_column.width, dtype=tf.int64)
        return FeatureColumns.Column(source_column.name + "_bucketized", size, size, ids=ids,
                                     dense=lambda features, weights: FeatureColumns.multi_hot(ids(features), size))

    @staticmethod
    def categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None):
        vocabulary = list(vocabulary_list)
        kind = tf.keras.layers.StringLookup if isinstance(vocabulary[0], (str, bytes)) else tf.keras.layers.IntegerLookup
        lookup = kind(vocabulary=vocabulary, num_oov_indices=1)   # 0: not in the vocabulary -> id -1
        return FeatureColumns.Column(key, size=len(vocabulary), ids=lambda features: tf.cast(
            lookup(tf.reshape(features[key], [-1, 1])), tf.int64) - 1)

    @staticmethod
    def categorical_column_with_identity(key, num_buckets):
        return FeatureColumns.Column(key, size=num_buckets,
                                     ids=lambda features: tf.reshape(tf.cast(features[key], tf.int64), [-1, 1]))

    @staticmethod
    def categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=tf.string):
        hashing = tf.keras.layers.Hashing(num_bins=hash_bucket_size)   # TensorFlow's FarmHash fingerprint, as TF1
        return FeatureColumns.Column(key, size=hash_bucket_size, ids=lambda features: tf.cast(
            hashing(tf.reshape(features[key], [-1, 1])), tf.int64))

    @staticmethod
    def indicator_column(categorical_column):
        c = categorical_column
        return FeatureColumns.Column(c.name + "_indicator", c.size, dense=lambda features, weights: (
            FeatureColumns.multi_hot(c.ids(features), c.size)))

    @staticmethod
    def embedding_column(categorical_column, dimension, combiner="mean", initializer=None):
        c, name = categorical_column, categorical_column.name + "_embedding"

        def dense(features, weights):
            ids = c.ids(features)
            found = tf.cast(ids >= 0, tf.float32)[..., None]
            vectors = tf.reduce_sum(tf.gather(weights[name], tf.maximum(ids, 0)) * found, axis=1)
            count = tf.reduce_sum(found, axis=1)
            return {"sum": vectors, "mean": vectors / tf.maximum(count, 1.0),
                    "sqrtn": vectors / tf.sqrt(tf.maximum(count, 1.0))}[combiner]
        return FeatureColumns.Column(name, dimension, c.size, dense=dense, dimension=dimension, initializer=initializer)


class AccuracyBaseline(tf.keras.metrics.Mean):
    """The accuracy of always predicting the more frequent class: max(label mean, 1 - label mean)."""

    def result(self):
        mean = super().result()
        return tf.maximum(mean, 1.0 - mean)


class CannedModel(tf.Module):
    """A canned estimator's model (TF 1.15's defaults and variable names), called as a model_fn: `kind` "dnn"
    (hidden layers on input_layer) or "linear" (a weight per column); `head` "classifier" or "regressor"."""

    def __init__(self, kind, head, feature_columns, hidden_units=(), n_classes=2, label_dimension=1,
                 optimizer=None, activation_fn=tf.nn.relu, dropout=None, loss_reduction="sum_over_batch_size"):
        super().__init__()
        self.kind, self.head, self.n_classes, self.activation_fn, self.dropout = kind, head, n_classes, activation_fn, dropout
        self.columns = sorted(feature_columns, key=lambda c: c.name)   # input_layer's order
        self.outputs = label_dimension if head == "regressor" else 1 if n_classes == 2 else n_classes
        self.optimizer_arg, self.loss_reduction, self.weights = optimizer, loss_reduction, {}
        scope = "dnn/input_from_feature_columns/input_layer/" if kind == "dnn" else "linear/linear_model/"
        for c in self.columns:
            if c.dimension is not None:
                init = c.initializer or CannedModel.truncated_normal(c.dimension ** -0.5)
                self.add(c.name, scope + c.name + "/embedding_weights", init, [c.size, c.dimension])
        if kind == "linear":
            for c in self.columns:
                self.add(c.name + "/weights", scope + c.name + "/weights", tf.zeros_initializer(), [c.width or c.size, self.outputs])
            self.add("bias", scope + "bias_weights", tf.zeros_initializer(), [self.outputs])
            return
        if any(c.dense is None for c in self.columns):
            raise ValueError("a DNN takes dense columns: wrap categorical columns in indicator_column or embedding_column")
        width = sum(c.width for c in self.columns)
        for i, units in enumerate(list(hidden_units) + [self.outputs]):
            layer = "dnn/logits/" if i == len(hidden_units) else f"dnn/hiddenlayer_{i}/"
            self.add(layer + "kernel", layer + "kernel", CannedModel.glorot_uniform, [width, units])
            self.add(layer + "bias", layer + "bias", tf.zeros_initializer(), [units])
            width = units

    def add(self, key, name, initializer, shape):
        self.weights[key] = tf.Variable(initializer(shape), name=name)

    # TF's random ops, not Keras 3's initializers: an unseeded Keras 3 initializer ignores tf.random.set_seed,
    # so RunConfig(tf_random_seed=...) would not make the model's start repeatable.
    @staticmethod
    def glorot_uniform(shape):
        limit = (6.0 / (shape[0] + shape[1])) ** 0.5
        return tf.random.uniform(shape, -limit, limit)

    @staticmethod
    def truncated_normal(stddev):
        return lambda shape: tf.random.truncated_normal(shape, stddev=stddev)

    def block(self, column, features):
        if column.dense is not None:
            return column.dense(features, self.weights)
        return FeatureColumns.multi_hot(column.ids(features), column.size)

    def logits(self, features, mode):
        if self.kind == "linear":
            return sum(tf.matmul(self.block(c, features), self.weights[c.name + "/weights"])
                       for c in self.columns) + self.weights["bias"]
        x = tf.concat([self.block(c, features) for c in self.columns], axis=1)
        layers = sorted(k[:-len("/kernel")] for k in self.weights if k.startswith("dnn/hiddenlayer_") and k.endswith("/kernel"))
        for layer in sorted(layers, key=lambda k: int(k.rsplit("_", 1)[1])):
            x = self.activation_fn(tf.matmul(x, self.weights[layer + "/kernel"]) + self.weights[layer + "/bias"])
            if self.dropout and mode == "train":
                x = tf.nn.dropout(x, rate=self.dropout)
        return tf.matmul(x, self.weights["dnn/logits/kernel"]) + self.weights["dnn/logits/bias"]

    def __call__(self, features, labels=None, mode="infer"):
        logits = self.logits(features, mode)
        if self.head == "regressor":
            predictions = {"predictions": logits}
        else:
            probabilities = tf.nn.softmax(logits) if self.outputs > 1 else tf.concat([1 - tf.sigmoid(logits), tf.sigmoid(logits)], 1)
            class_ids = tf.argmax(probabilities, axis=1)[:, None]
            all_ids = tf.tile(tf.range(self.n_classes, dtype=tf.int64)[None], [tf.shape(logits)[0], 1])
            predictions = {"logits": logits, "probabilities": probabilities, "class_ids": class_ids,
                           "classes": tf.strings.as_string(class_ids), "all_class_ids": all_ids,
                           "all_classes": tf.strings.as_string(all_ids)}
            if self.outputs == 1:
                predictions["logistic"] = tf.sigmoid(logits)
        if mode == "infer":
            return predictions
        if self.head == "regressor":
            labels = tf.reshape(tf.cast(labels, tf.float32), [-1, self.outputs])
            per_example = tf.square(labels - logits)
        elif self.outputs == 1:
            labels = tf.reshape(tf.cast(labels, tf.float32), [-1, 1])
            per_example = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        else:
            labels = tf.reshape(tf.cast(labels, tf.int64), [-1, 1])
            per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels[:, 0], logits=logits)[:, None]
        reduce = tf.reduce_sum if self.loss_reduction in ("sum", "weighted_sum") else tf.reduce_mean   # Keras's, TF1's SUM
        updates = {"average_loss": (per_example,)}
        if self.head == "regressor":
            updates.update({"label/mean": (labels,), "prediction/mean": (logits,)})
        else:
            updates["accuracy"] = (labels, predictions["class_ids"])
        if self.head == "classifier" and self.outputs == 1:
            updates.update({"precision": (labels, predictions["class_ids"]), "recall": (labels, predictions["class_ids"]),
                            "auc": (labels, predictions["logistic"]), "auc_precision_recall": (labels, predictions["logistic"]),
                            "label/mean": (labels,), "prediction/mean": (predictions["logistic"],),
                            "accuracy_baseline": (labels,)})
        return reduce(per_example), updates

    def metrics(self):
        metrics = {"average_loss": tf.keras.metrics.Mean()}
        if self.head == "regressor":
            return {**metrics, "label/mean": tf.keras.metrics.Mean(), "prediction/mean": tf.keras.metrics.Mean()}
        metrics["accuracy"] = tf.keras.metrics.Accuracy()
        if self.outputs == 1:
            metrics.update({"precision": tf.keras.metrics.Precision(), "recall": tf.keras.metrics.Recall(),
                            "auc": tf.keras.metrics.AUC(), "auc_precision_recall": tf.keras.metrics.AUC(curve="PR"),
                            "label/mean": tf.keras.metrics.Mean(), "prediction/mean": tf.keras.metrics.Mean(),
                            "accuracy_baseline": AccuracyBaseline()})
        return metrics

    def optimizer(self):
        """An optimizer object as given, or by name with the canned default learning rate (TF1's epsilons)."""
        if not isinstance(self.optimizer_arg, str):
            return self.optimizer_arg
        tf1 = self.loss_reduction in ("sum", "weighted_sum")
        # NOTE: TF2's canned DNNs build a named optimizer with Keras's default learning rate; TF1's with 0.05
        rate = {} if self.kind == "dnn" and not tf1 else {
            "learning_rate": 0.05 if self.kind == "dnn" else min(0.2, len(self.columns) ** -0.5)}
        return {"Adagrad": lambda: tf.keras.optimizers.Adagrad(**rate, initial_accumulator_value=0.1,
                                                               epsilon=0.0 if tf1 else 1e-7),
                "Adam": lambda: tf.keras.optimizers.Adam(**rate, epsilon=1e-8 if tf1 else 1e-7),
                "Ftrl": lambda: tf.keras.optimizers.Ftrl(**rate),
                "RMSProp": lambda: tf.keras.optimizers.RMSprop(**rate, epsilon=1e-10 if tf1 else 1e-7),
                "SGD": lambda: tf.keras.optimizers.SGD(**rate)}[self.optimizer_arg]()


def DNNClassifier(hidden_units, feature_columns, model_dir=None, n_classes=2, optimizer="Adagrad",
                  activation_fn=tf.nn.relu, dropout=None, config=None, warm_start_from=None,
                  loss_reduction="sum_over_batch_size"):
    return Estimator(lambda params: CannedModel("dnn", "classifier", feature_columns, hidden_units, n_classes, 1, optimizer,
                                                activation_fn, dropout, loss_reduction), model_dir, config,
                     warm_start_from=warm_start_from)


def DNNRegressor(hidden_units, feature_columns, model_dir=None, label_dimension=1, optimizer="Adagrad",
                 activation_fn=tf.nn.relu, dropout=None, config=None, warm_start_from=None,
                  loss_reduction="sum_over_batch_size"):
    return Estimator(lambda params: CannedModel("dnn", "regressor", feature_columns, hidden_units, 2, label_dimension,
                                                optimizer, activation_fn, dropout, loss_reduction), model_dir, config,
                     warm_start_from=warm_start_from)


def LinearClassifier(feature_columns, model_dir=None, n_classes=2, optimizer="Ftrl", config=None,
                     warm_start_from=None, loss_reduction="sum_over_batch_size"):
    return Estimator(lambda params: CannedModel("linear", "classifier", feature_columns, (), n_classes, 1, optimizer,
                                                loss_reduction=loss_reduction), model_dir, config,
                     warm_start_from=warm_start_from)


def LinearRegressor(feature_columns, model_dir=None, label_dimension=1, optimizer="Ftrl", config=None,
                    warm_start_from=None, loss_reduction="sum_over_batch_size"):
    return Estimator(lambda params: CannedModel("linear", "regressor", feature_columns, (), 2, label_dimension, optimizer,
                                                loss_reduction=loss_reduction), model_dir, config,
                     warm_start_from=warm_start_from)
'''
