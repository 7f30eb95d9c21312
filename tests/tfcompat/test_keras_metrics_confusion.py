"""tf.keras.metrics.AUC, Precision and Recall: TF 2.21's numbers (against the oracle where installed, and
against values recorded from it), thresholds on a bucket edge, sample weights, top_k/class_id, tf.function."""
from __future__ import annotations

import re

import numpy as np
import pytest

import tfcompat as tf

_rng = np.random.RandomState(0)
YT = _rng.randint(0, 2, (40, 1)).astype(np.float32)
YP = _rng.uniform(size=(40, 1)).astype(np.float32)
YP[3], YP[5], YP[7], YP[9] = 0.5, 0.0, 1.0, 100 / 199    # on the default threshold and on AUC bucket edges
SW = _rng.uniform(size=(40,)).astype(np.float32)
TOPK_TRUE, TOPK_PRED = [[0, 0, 1, 1], [1, 0, 1, 1]], [[0.1, 0.2, 0.9, 0.3], [0.6, 0.5, 0.4, 0.1]]

# name -> (metric from the module `m`, update_state arguments, TF 2.21's result rounded to 6 decimals)
CASES = {
    "precision": (lambda m: m.Precision(), (YT, YP), 0.555556),
    "precision_thresholds": (lambda m: m.Precision(thresholds=[0.2, 0.5, 0.9]), (YT, YP), [0.5625, 0.555556, 0.5]),
    "precision_even_thresholds": (lambda m: m.Precision(thresholds=[0.0, 0.5, 1.0]), (YT, YP), [0.564103, 0.555556, 0.0]),
    "precision_weighted": (lambda m: m.Precision(), (YT, YP, SW), 0.512193),
    "precision_top_k": (lambda m: m.Precision(top_k=2), ([[0, 0, 1, 1], [1, 0, 0, 1]], TOPK_PRED), 0.75),
    "precision_int_classes": (lambda m: m.Precision(), (np.array([[0], [1], [1], [1]], np.int64),
                                                        np.array([[1], [0], [1], [1]], np.int64)), 0.666667),
    "recall": (lambda m: m.Recall(), (YT, YP), 0.434783),
    "recall_rank1_weighted": (lambda m: m.Recall(thresholds=0.3), (YT[:, 0], YP[:, 0], SW), 0.59588),
    "recall_class_id": (lambda m: m.Recall(class_id=2), (TOPK_TRUE, TOPK_PRED), 0.5),
    "auc": (lambda m: m.AUC(), (YT, YP), 0.456522),
    "auc_weighted": (lambda m: m.AUC(), (YT, YP, SW), 0.484028),
    "auc_pr": (lambda m: m.AUC(curve="PR"), (YT, YP), 0.588716),
    "auc_pr_minoring": (lambda m: m.AUC(curve="PR", summation_method="minoring"), (YT, YP), 0.529976),
    "auc_majoring_10": (lambda m: m.AUC(summation_method="majoring", num_thresholds=10), (YT, YP), 0.501279),
    "auc_prgain": (lambda m: m.AUC(curve="PRGAIN"), (YT, YP), -0.102348),
    "auc_given_thresholds": (lambda m: m.AUC(thresholds=[0.3, 0.1, 0.6]), (YT, YP), 0.396419),
    "auc_from_logits": (lambda m: m.AUC(from_logits=True), (YT, YP * 4 - 2), 0.4578),
    "auc_docstring": (lambda m: m.AUC(), ([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]), 0.75),
}


def _result(module, name):
    make, args, _ = CASES[name]
    metric = make(module.keras.metrics)
    metric.update_state(*args[:2], **({"sample_weight": args[2]} if len(args) > 2 else {}))
    return np.asarray(metric.result())


@pytest.mark.parametrize("name", sorted(CASES))
def test_metric_matches_recorded_tensorflow(name):
    np.testing.assert_allclose(_result(tf, name), CASES[name][2], atol=2e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_metric_matches_tensorflow(oracle, name):
    np.testing.assert_allclose(_result(tf, name), _result(oracle, name), rtol=1e-6, atol=1e-7)


def test_batches_accumulate_reset_and_trace():
    m = tf.keras.metrics.AUC()
    m.update_state(YT[:20], YP[:20])
    m.update_state(YT[20:], YP[20:])
    assert round(float(m.result()), 6) == 0.456522
    m.reset_state()
    assert float(m.result()) == 0.0
    traced = tf.keras.metrics.Precision(thresholds=[0.2, 0.5, 0.9])

    @tf.function
    def update(y_true, y_pred):
        traced.update_state(y_true, y_pred)
    update(tf.constant(YT), tf.constant(YP))
    np.testing.assert_allclose(traced.result().numpy(), [0.5625, 0.555556, 0.5], atol=2e-6)
    assert [v.name for v in m.variables] == ["true_positives", "false_positives", "true_negatives", "false_negatives"]
    assert len(m.thresholds) == 200 and m.thresholds[0] < 0 < 1 < m.thresholds[-1]


@pytest.mark.parametrize("make, message", [
    (lambda: tf.keras.metrics.AUC(num_thresholds=1),
     "Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=1"),
    (lambda: tf.keras.metrics.AUC(curve="x"), 'Invalid AUC curve value: "x". Expected values are \\["PR", "ROC", "PRGAIN"\\]'),
    (lambda: tf.keras.metrics.AUC(summation_method="y"), 'Invalid AUC summation method value: "y".'),
    (lambda: tf.keras.metrics.Precision(thresholds=[1.5]), "Threshold values must be in \\[0, 1\\]. Received: \\[1.5\\]"),
    (lambda: tf.keras.metrics.AUC(num_labels=3), "`num_labels` is needed only when `multi_label` is True."),
    (lambda: tf.keras.metrics.Recall(class_id=1).update_state([1, 0], [0.3, 0.9]), "When class_id is provided"),
])
def test_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_multi_label_names_the_argument():
    with pytest.raises(NotImplementedError, match="multi_label"):
        tf.keras.metrics.AUC(multi_label=True)


def _fit(t):
    rng = np.random.RandomState(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.float32)[:, None]
    model = t.keras.Sequential([t.keras.Input((3,)), t.keras.layers.Dense(
        1, activation="sigmoid", kernel_initializer=t.keras.initializers.Constant(0.1))])
    model.compile(optimizer=t.keras.optimizers.Ftrl(0.5), loss="binary_crossentropy",
                  metrics=[t.keras.metrics.AUC(), t.keras.metrics.Precision(), t.keras.metrics.Recall(thresholds=[0.3, 0.6])])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False).history
    # NOTE: Keras 3 numbers metric names made earlier in the process (auc_2); the names are not compared
    return {re.sub(r"_\d+$", "", k): np.round(np.asarray(v, np.float64), 4).tolist() for k, v in history.items()}


# Recorded from TensorFlow 2.21 (Keras 3): _fit(tf)
FIT_RECORDED = {"auc": [0.9439, 0.9861], "loss": [0.4989, 0.3131], "precision": [0.8462, 0.9444],
                "recall": [[1.0, 0.5556], [1.0, 0.9167]]}


def test_fit_with_ftrl_and_confusion_metrics_matches_recorded_tensorflow():
    ours = _fit(tf)
    assert sorted(ours) == sorted(FIT_RECORDED)
    for key, want in FIT_RECORDED.items():
        np.testing.assert_allclose(ours[key], want, atol=2e-4)


def test_fit_with_ftrl_and_confusion_metrics_matches_tensorflow(oracle):
    ours, theirs = _fit(tf), _fit(oracle)
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], atol=2e-4)


def test_metrics_and_ftrl_by_name_in_compile():
    """metrics=["AUC", "precision", "recall"], optimizer="ftrl": Keras 3 resolves names to the classes and
    keeps the spelling as the metric's name. History recorded from TensorFlow 2.21."""
    rng = np.random.RandomState(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.float32)[:, None]
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1, activation="sigmoid",
                                                                            kernel_initializer="ones")])
    model.compile(optimizer="ftrl", loss="binary_crossentropy", metrics=["AUC", "precision", "recall"])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False).history
    want = {"AUC": [0.9067, 0.9405], "loss": [0.5633, 0.6593], "precision": [0.9375, 0.9394], "recall": [0.8333, 0.8611]}
    assert sorted(history) == sorted(want)
    for key, values in want.items():
        np.testing.assert_allclose(history[key], values, atol=2e-4)
    assert isinstance(tf.keras.metrics.get("auc"), tf.keras.metrics.AUC)
