"""Native mode on Estimator programs (fixtures/programs/estimator/): each converts or falls back naming why,
and a converted program prints on real TensorFlow 2.21 (Keras 3) and on tfcompat's v2 API what the original
printed on TensorFlow 2.15, the last release with tf.estimator (its *.expected.txt).
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import warm_python
from tests.oracle_python import oracle_python
from tests.output_compare import differences
from upgrader.engine import upgrade_source

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = sorted((ROOT / "fixtures" / "programs" / "estimator").glob("*.py"))
CONVERTS = ("canned_linear_metrics", "canned_native", "checkpoint_saver_hook", "custom_hooks", "dnn_classifier_columns",
            "estimator_checkpoints", "model_fn_layers", "model_fn_regression", "monitored_stop_at_step",
            "train_and_evaluate_hooks", "train_and_evaluate_native", "train_hooks", "v2_canned_estimators",
            "v2_estimator_datasets", "warm_start")
ON_TFCOMPAT = CONVERTS   # NOTE: canned_native's support code needs Keras preprocessing layers, Ftrl and AUC/Precision/Recall
# program -> (line, what the report names): why the file stays in compat form
FALLBACKS = {
    "canned_linear_baseline": (69, "tf.estimator.DNNLinearCombinedRegressor has no native conversion"),
    "early_stopping": (24, "tf.estimator.experimental.stop_if_no_decrease_hook has no native conversion"),
    "keras_layers_v1_graph": (27, "tf.global_variables (graph collections)"),   # prints TF1 variable names
    "monitored_training_session": (43, "the hook tf.train.NanTensorHook(loss) has no native form"),
}


def _blockers(result) -> list:
    return [d for d in result.warnings if d.rule == "native"]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_program_converts_or_names_its_blocker(program: Path) -> None:
    source = program.read_text()
    result = upgrade_source(source, "native")
    if program.stem in CONVERTS:
        assert not _blockers(result), _blockers(result)
        names = {n.attr for n in ast.walk(ast.parse(result.code)) if isinstance(n, ast.Attribute)}
        assert not names & {"estimator", "v1", "get_variable", "metrics_v1"}, result.code
        assert upgrade_source(result.code, "native").code == result.code, "not idempotent"
        return
    line, what = FALLBACKS[program.stem]
    blockers = _blockers(result)
    assert blockers and blockers[0].line == line and what in blockers[0].message, blockers
    assert "class Estimator:" not in result.code, "a fallback is the file in compat form, not half converted"
    assert ("estimator." in result.code) == ("estimator." in source)


def _run(python: str, args: list[str], path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    return warm_python.run([python, *args, str(path)], capture_output=True, text=True, timeout=600, env=env, cwd=path.parent)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("estimator")
    paths = {}
    for stem in CONVERTS:
        paths[stem] = out / f"{stem}.py"
        paths[stem].write_text(upgrade_source((ROOT / "fixtures" / "programs" / "estimator" / f"{stem}.py").read_text(),
                                              "native").code)
    return paths


def _expected(stem: str) -> str:
    return (ROOT / "fixtures" / "programs" / "estimator" / f"{stem}.expected.txt").read_text()


@pytest.mark.oracle
@pytest.mark.parametrize("stem", CONVERTS)
def test_converted_program_prints_tf215s_numbers_on_tf221(stem: str, converted: dict[str, Path]) -> None:
    """Fixed initial values and data: the TF2 loop computes TF 1.15's Estimator numbers (loss, metrics, steps).

    canned_native: LinearRegressor/LinearClassifier start at zero as in TF, so their numbers are TF's; the DNNs
    start from random values (TF's and Keras's generators differ), so the program prints what can be compared:
    metric names, prediction keys and shapes, variable names, that the loss decreased. dnn_classifier_columns and
    v2_canned_estimators warm-start DNNClassifiers from fixed values: their losses are TF 2.15's (TF1 and TF2 code).
    """
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (set TFCOMPAT_ORACLE_PYTHON)")
    run = _run(py, [], converted[stem])
    assert run.returncode == 0, run.stderr[-2000:]
    assert differences(_expected(stem), run.stdout) is None, run.stdout


@pytest.mark.parametrize("stem", ON_TFCOMPAT)
def test_converted_program_on_tfcompat_v2(stem: str, converted: dict[str, Path]) -> None:
    run = _run(sys.executable, ["-m", "tfcompat.cli", "run", "--api", "v2"], converted[stem])
    assert run.returncode == 0, run.stderr[-2000:]
    assert differences(_expected(stem), run.stdout) is None, run.stdout


MODEL_FN = '''import tensorflow as tf


def model_fn(features, labels, mode):
    {body}
    loss = tf.losses.mean_squared_error(labels, pred)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, predictions=pred)


est = tf.estimator.Estimator(model_fn, "/tmp/m")
{driver}
'''


@pytest.mark.parametrize("body, driver, reason", [
    ('pred = [tf.layers.dense(features, 1) for _ in range(2)][0]', '', "tf.layers.dense in a loop, comprehension"),
    ('pred = tf.layers.batch_normalization(features)', '', "tf.layers.batch_normalization in model_fn 'model_fn' has no"),
    ('pred = tf.layers.dense(tf.layers.dense(features, 4), 1)', '', "a tf.layers call inside another's arguments"),
    ('pred = tf.layers.dense(features, tf.shape(features)[1])', '', "tf.layers.dense's argument in model_fn 'model_fn' reads"),
    ('w = tf.get_variable("w", [features.shape[1], 1])\n    pred = tf.matmul(features, w)', '',
     "tf.get_variable in model_fn 'model_fn' reads ['features']"),
    ('pred = features\n    tf.metrics.mean(pred)', '', "tf.metrics.mean is not one of model_fn 'model_fn''s eval_metric_ops"),
    ('pred = features', 'print(est)', "Estimator 'est' is used as"),
    ('pred = features', 'est.train(None, saving_listeners=[])', "est.train arguments ['saving_listeners']"),
    ('pred = tf.layers.dense(features, 1)', 'est2 = tf.estimator.Estimator(model_fn, "/tmp/n", warm_start_from="/tmp/m")',
     "warm_start_from with tf.layers in model_fn 'model_fn'"),
    ('pred = features', 'est.train(None, hooks=[tf.train.LoggingTensorHook(["nowhere"], 2)])',
     "LoggingTensorHook names tensor 'nowhere', which no model_fn statement makes"),
    ('pred = tf.identity(features, name="p")', 'est.train(None, hooks=[tf.train.LoggingTensorHook(["p"], 2, at_end=True)])',
     "LoggingTensorHook(at_end=True) has no native form"),
    ('pred = features', 'est.train(None, hooks=[tf.train.LoggingTensorHook(names, 2)])', "a dict or list literal of tensor names"),
    ('pred = features', 'est.train(None, hooks=[tf.train.CheckpointSaverHook("/tmp/c", save_steps=2, saver=s)])',
     "CheckpointSaverHook arguments ['saver'] have no native form"),
    ('pred = features', 'est.train(None, hooks=[tf.train.SummarySaverHook(save_steps=2)])',
     "tf.train.SummarySaverHook has no native form in a converted Estimator"),
    ('pred = features', 'est.export_saved_model("/tmp/e", None)', "native mode converts ['evaluate'"),
    ('pred = features', 'x = tf.estimator.inputs.numpy_input_fn({"x": 1}, shuffle=flag)', "shuffle=True or shuffle=False"),
    ('pred = features', 'tf.estimator.train_and_evaluate(est, spec, tf.estimator.EvalSpec(f, hooks=[hook]))',
     "tf.estimator.EvalSpec arguments ['hooks'] have no native form"),
])
def test_what_blocks_a_model_fn(body: str, driver: str, reason: str) -> None:
    result = upgrade_source(MODEL_FN.format(body=body, driver=driver), "native")
    assert any(reason in d.message for d in _blockers(result)), [d.message for d in result.warnings]


def test_no_predict_branch_returns_predictions_once_computed() -> None:
    """A single EstimatorSpec with predictions and loss: infer mode returns before the loss needs labels."""
    code = upgrade_source(MODEL_FN.format(body='w = tf.get_variable("w", [], initializer=tf.ones_initializer())\n'
                                               '    pred = w * features', driver="est.train(None, steps=1)"), "native").code
    body = code[code.index("def __call__"):code.index("def optimizer")]
    assert body.index('if mode == "infer":\n            return pred') < body.index("loss = ")
    assert 'self.w = tf.Variable(tf.ones_initializer()([]), name="w")' in code


CANNED = '''import tensorflow as tf

columns = [tf.feature_column.numeric_column("x")]
est = tf.estimator.{call}
'''


@pytest.mark.parametrize("call, reason", [
    ('DNNClassifier([4], columns, weight_column="w")', "DNNClassifier arguments ['weight_column'] have no native form"),
    ('LinearRegressor(columns, optimizer="Nadam")', "name one of ['Adagrad', 'Adam', 'Ftrl', 'RMSProp', 'SGD']"),
    ('BaselineClassifier()', "tf.estimator.BaselineClassifier has no native conversion"),
])
def test_what_blocks_a_canned_estimator(call: str, reason: str) -> None:
    result = upgrade_source(CANNED.format(call=call), "native")
    assert any(reason in d.message for d in _blockers(result)), [d.message for d in result.warnings]


def test_canned_loss_reduction_follows_the_tensorflow_version_of_the_code() -> None:
    """TF1's canned estimators sum the batch loss; TF2's average it (code spelling tf.compat.v1 is TF2 code)."""
    tf1 = upgrade_source(CANNED.format(call="LinearRegressor(columns)"), "native").code
    assert 'est = LinearRegressor(columns, loss_reduction="sum")' in tf1
    tf2 = upgrade_source(CANNED.format(call="LinearRegressor(columns)") + "tf.compat.v1.set_random_seed(1)\n", "native")
    assert "est = LinearRegressor(columns)\n" in tf2.code and "tf.random.set_seed(1)" in tf2.code


SPEC_HOOKS = '''import tensorflow as tf


def model_fn(features, labels, mode):
    w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
    loss = tf.losses.mean_squared_error(labels, w * features)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, training_hooks=[{hook}])


est = tf.estimator.Estimator(model_fn)
'''


@pytest.mark.parametrize("hook, reason", [
    ('tf.train.LoggingTensorHook([loss], every_n_iter=2)', "converts as a dict literal"),
    ('tf.train.SummarySaverHook(save_steps=2)', "the training hook tf.train.SummarySaverHook(save_steps=2) has no"),
    ('tf.train.LoggingTensorHook({"m": tf.metrics.mean(loss)[0]}, every_n_iter=2)', "tf.metrics.mean is not one of"),
    ('tf.train.LoggingTensorHook({"l": loss}, every_n_iter=int(loss))', "LoggingTensorHook's every_n_iter in model_fn"),
])
def test_what_blocks_an_estimator_spec_training_hook(hook: str, reason: str) -> None:
    result = upgrade_source(SPEC_HOOKS.format(hook=hook), "native")
    assert any(reason in d.message for d in _blockers(result)), [d.message for d in result.warnings]


def test_estimator_spec_training_hooks_are_made_by_the_model_for_each_train_call() -> None:
    code = upgrade_source(SPEC_HOOKS.format(hook='tf.train.LoggingTensorHook({"l": loss}, every_n_iter=2)'), "native").code
    assert 'return loss, {}, {"training_hooks/l": loss}' in code
    assert 'return [LoggingTensorHook({"l": "training_hooks/l"}, every_n_iter=2)]' in code
    assert 'self.model.training_hooks() if hasattr(self.model, "training_hooks")' in code
