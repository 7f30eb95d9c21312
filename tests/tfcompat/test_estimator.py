"""tf.estimator on tfcompat: checks TensorFlow makes, log lines, hooks, resume, and checkpoints TF's reader opens.

Whole programs compared with TensorFlow 2.15 are in test_estimator_programs.py; this file pins behaviour
that the programs do not print (errors, log wording, files in model_dir).
"""
from __future__ import annotations

import logging
import os

import numpy as np
import pytest

import tfcompat.compat.v1 as tf

X = np.linspace(-1, 1, 8).astype(np.float32)
Y = (3 * X + 2).astype(np.float32)


def model_fn(features, labels, mode, params):
    x = features["x"]
    w = tf.get_variable("w", [], initializer=tf.constant_initializer(0.5))
    b = tf.get_variable("b", [], initializer=tf.zeros_initializer())
    pred = w * x + b
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": pred})
    loss = tf.losses.mean_squared_error(labels, pred)
    train_op = tf.train.GradientDescentOptimizer(params["lr"]).minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                      eval_metric_ops={"mae": tf.metrics.mean_absolute_error(labels, pred)})


def train_input(batch=4):
    return tf.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=batch, num_epochs=None, shuffle=False)


@pytest.fixture
def est(tmp_path):
    config = tf.estimator.RunConfig(save_checkpoints_steps=4, log_step_count_steps=3)
    return tf.estimator.Estimator(model_fn, model_dir=str(tmp_path), params={"lr": 0.1}, config=config)


@pytest.fixture
def info_logs(caplog):
    logger = logging.getLogger("tensorflow")
    old = logger.level
    logger.setLevel(logging.INFO)
    logger.propagate = True
    caplog.set_level(logging.INFO, logger="tensorflow")
    yield caplog
    logger.propagate = False
    logger.setLevel(old)


def test_train_logs_as_tf115_and_writes_checkpoints(est, info_logs) -> None:
    est.train(train_input(), steps=7)
    text = info_logs.text
    assert "loss = 0.9642857, step = 1" in text              # TF 2.15 logs the same first line
    assert "Saving checkpoints for 0 into" in text and "Saving checkpoints for 4 into" in text
    assert "Loss for final step: 0.35305256." in text
    assert "global_step/sec:" in text
    files = sorted(os.listdir(est.model_dir))
    assert "checkpoint" in files and "model.ckpt-7.index" in files and "model.ckpt-7.data-00000-of-00001" in files
    assert any(f.startswith("events.out.tfevents") for f in files)
    assert est.latest_checkpoint().endswith("model.ckpt-7")
    assert est.get_variable_names() == ["b", "global_step", "w"]


def test_second_train_resumes_and_max_steps_skips(est, info_logs) -> None:
    est.train(train_input(), steps=3)
    w3 = est.get_variable_value("w")
    est.train(train_input(), max_steps=5)
    assert est.get_variable_value("global_step") == 5 and est.get_variable_value("w") != w3
    est.train(train_input(), max_steps=5)
    assert "Skipping training since max_steps has already saved." in info_logs.text


def test_evaluate_and_predict_results(est) -> None:
    est.train(train_input(), steps=7)
    r = est.evaluate(tf.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=3, num_epochs=1, shuffle=False))
    assert list(r) == ["loss", "mae", "global_step"] and r["global_step"] == 7
    np.testing.assert_allclose([r["loss"], r["mae"]], [1.2609254, 0.8580241], rtol=1e-5)   # TF 2.15's values
    assert os.path.isdir(os.path.join(est.model_dir, "eval"))
    preds = list(est.predict(tf.estimator.inputs.numpy_input_fn({"x": X[:3]}, batch_size=2, num_epochs=1,
                                                                shuffle=False)))
    np.testing.assert_allclose([p["y"] for p in preds], [-0.15528405, 0.31305766, 0.78139937], rtol=1e-5)


def test_checkpoint_is_read_by_tensorflow(est, oracle) -> None:
    est.train(train_input(), steps=3)
    reader = oracle.train.load_checkpoint(est.model_dir)
    assert reader.get_tensor("global_step") == 3
    assert float(reader.get_tensor("w")) == pytest.approx(float(est.get_variable_value("w")))
    assert oracle.train.latest_checkpoint(est.model_dir) == est.latest_checkpoint()


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": 2, "max_steps": 3}, "Can not provide both steps and max_steps."),
    ({"steps": 0}, "Must specify steps > 0, given: 0"),
    ({"max_steps": -1}, "Must specify max_steps > 0, given: -1"),
])
def test_train_argument_errors(est, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        est.train(train_input(), **kwargs)


def test_model_fn_and_spec_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="does not include params argument"):
        tf.estimator.Estimator(lambda features, labels, mode: None, params={"a": 1})
    with pytest.raises(ValueError, match="Missing train_op."):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.TRAIN, loss=tf.constant(1.0))
    with pytest.raises(ValueError, match="Missing predictions."):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT)
    with pytest.raises(ValueError, match="Loss must be scalar"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.EVAL, loss=tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="different values"):
        tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "a"),
                               config=tf.estimator.RunConfig(model_dir=str(tmp_path / "b")))
    with pytest.raises(ValueError, match="Can not provide both save_checkpoints_steps and save_checkpoints_secs"):
        tf.estimator.RunConfig(save_checkpoints_steps=1, save_checkpoints_secs=1)
    with pytest.raises(ValueError, match="shuffle must be provided and explicitly set as boolean"):
        tf.estimator.inputs.numpy_input_fn({"x": X}, Y)
    with pytest.raises(ValueError, match="Length of tensors in x and y is mismatched"):
        tf.estimator.inputs.numpy_input_fn({"x": X}, Y[:3], shuffle=False)


def test_run_config_defaults_and_replace() -> None:
    c = tf.estimator.RunConfig()
    assert (c.save_checkpoints_secs, c.save_checkpoints_steps, c.save_summary_steps, c.keep_checkpoint_max,
            c.log_step_count_steps) == (600, None, 100, 5, 100)
    c2 = c.replace(save_checkpoints_steps=10, tf_random_seed=3)
    assert (c2.save_checkpoints_steps, c2.save_checkpoints_secs, c2.tf_random_seed) == (10, None, 3)
    assert c.save_checkpoints_secs == 600


def test_numpy_input_fn_batches_in_order_and_array_features() -> None:
    with tf.Graph().as_default():
        features, labels = tf.estimator.inputs.numpy_input_fn(X[:5], Y[:5], batch_size=2, num_epochs=1,
                                                              shuffle=False)()
        assert not isinstance(features, dict)
        with tf.Session() as sess:
            got = [sess.run([features, labels]) for _ in range(3)]
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run(features)
    assert [f.tolist() for f, _ in got] == [X[:2].tolist(), X[2:4].tolist(), X[4:5].tolist()]


def test_monitored_training_session_hooks_order_and_stop(tmp_path) -> None:
    events = []

    class Record(tf.train.SessionRunHook):
        def begin(self):
            events.append("begin")

        def after_create_session(self, session, coord):
            events.append("created")

        def before_run(self, run_context):
            return tf.train.SessionRunArgs({"step": step})

        def after_run(self, run_context, run_values):
            events.append(int(run_values.results["step"]))

        def end(self, session):
            events.append("end")

    with tf.Graph().as_default():
        step = tf.train.get_or_create_global_step()
        inc = step.assign_add(1)
        with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=2,
                                               hooks=[tf.train.StopAtStepHook(num_steps=3), Record()]) as sess:
            while not sess.should_stop():
                sess.run(inc)
    assert events == ["begin", "created", 1, 2, 3, "end"]
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-3")


def test_nan_tensor_hook_raises() -> None:
    with tf.Graph().as_default():
        tf.train.get_or_create_global_step()
        loss = tf.constant(np.nan)
        with pytest.raises(tf.train.NanLossDuringTrainingError):
            with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss)]) as sess:
                sess.run(loss)


def test_missing_estimator_name_says_what_exists() -> None:
    with pytest.raises(AttributeError, match="not provided by tfcompat's tf.estimator"):
        tf.estimator.BoostedTreesRegressor


def test_export_saved_model_writes_variables_and_signature(est, oracle) -> None:
    import json  # noqa: PLC0415
    est.train(train_input(), steps=3)
    with tf.Graph().as_default():
        fn = tf.estimator.export.build_raw_serving_input_receiver_fn({"x": tf.placeholder(tf.float32, [None])})
    path = est.export_saved_model(os.path.join(est.model_dir, "export"), fn)
    assert isinstance(path, bytes)
    path = path.decode()
    info = json.load(open(os.path.join(path, "tfcompat_export.json")))
    assert info["format"] == "tfcompat-estimator-export/1" and info["global_step"] == 3
    assert info["inputs"]["x"]["dtype"] == "float32" and info["outputs"]["y"]["shape"] == [None]
    assert not os.path.exists(os.path.join(path, "saved_model.pb"))     # not a TensorFlow SavedModel
    reader = oracle.train.load_checkpoint(os.path.join(path, "variables", "variables"))
    assert float(reader.get_tensor("w")) == pytest.approx(float(est.get_variable_value("w")))


def test_pandas_input_fn_batches_columns(est) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"x": X})
    est.train(tf.estimator.inputs.pandas_input_fn(frame, pd.Series(Y), batch_size=4, num_epochs=None, shuffle=False),
              steps=7)
    assert est.get_variable_value("global_step") == 7
    assert float(est.get_variable_value("w")) == pytest.approx(1.639196, rel=1e-5)   # as numpy_input_fn (TF 2.15)
    with pytest.raises(ValueError, match="Index for x and y are mismatched"):
        tf.estimator.inputs.pandas_input_fn(frame, pd.Series(Y, index=range(10, 18)), shuffle=False)


def test_numpy_input_fn_shuffle_is_a_permutation_per_epoch() -> None:
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        features = tf.estimator.inputs.numpy_input_fn({"x": X}, batch_size=3, num_epochs=2, shuffle=True)()
        with tf.Session() as sess:
            rows = []
            while True:
                try:
                    rows.extend(sess.run(features["x"]).tolist())
                except tf.errors.OutOfRangeError:
                    break
    assert len(rows) == 16 and sorted(rows[:8]) == sorted(X.tolist()) == sorted(rows[8:])


def test_train_writes_loss_summaries_tensorflow_reads(tmp_path, oracle) -> None:
    config = tf.estimator.RunConfig(save_summary_steps=2, log_step_count_steps=2)
    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path), params={"lr": 0.1}, config=config)
    est.train(train_input(), steps=5)
    est.evaluate(tf.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=4, num_epochs=1, shuffle=False))
    tags = {}
    for path in (tmp_path.glob("events.out.tfevents*")):
        for event in oracle.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    assert tags["loss"] == [1, 3, 5] and "global_step/sec" in tags
    evals = {}
    for path in (tmp_path / "eval").glob("events.out.tfevents*"):
        for event in oracle.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                evals[value.tag] = (event.step, value.simple_value)
    assert evals["loss"][0] == 5 and set(evals) == {"loss", "mae"}
