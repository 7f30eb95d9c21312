"""`tf.estimator.Estimator`: train, evaluate and predict a model_fn, with checkpoints in model_dir.

    def model_fn(features, labels, mode, params):
        ...
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, predictions=pred)
    est = tf.estimator.Estimator(model_fn, model_dir="/tmp/m", params={"lr": 0.1})
    est.train(input_fn, steps=100)        # INFO:tensorflow:loss = 0.52, step = 1 ... model.ckpt-100
    est.evaluate(eval_input_fn)           # {"loss": 0.01, "global_step": 100, ...}
    for p in est.predict(pred_input_fn):  # one dict per example
        ...

Each call builds a fresh graph, restores the latest checkpoint of model_dir (a second `train`
resumes) and runs under a MonitoredSession with TF 1.15's hooks and log lines.
"""
from __future__ import annotations

import copy
import os
import tempfile
import time
from typing import Any, Iterator

from runtime.graph import Graph

from ..._export import export
from ..io.checkpoint_state import latest_checkpoint, list_variables, load_checkpoint
from ..io.logging_api import get_logger
from ..v1.basic_hooks import CheckpointSaverHook, FinalOpsHook, LoggingTensorHook, NanTensorHook, StopAtStepHook
from ..v1.graph_api import group, set_random_seed
from ..v1.metrics_v1 import mean as metric_mean
from ..v1.monitored_session import ChiefSessionCreator, MonitoredSession, MonitoredTrainingSession, Scaffold
from ..v1.saver import Saver
from ..v1.session_run_hook import global_step_read
from ..v1.summary_v1 import scalar as summary_scalar
from ..v1.train_utils import create_global_step
from . import estimator_util as util
from .run_config import ModeKeys, RunConfig


def _log() -> Any:
    return get_logger()


@export("estimator.Estimator", v1=("estimator.Estimator",))
class Estimator:
    """Trains, evaluates and predicts with `model_fn(features, labels, mode, params, config)`."""

    def __init__(self, model_fn: Any, model_dir: Any = None, config: Any = None, params: Any = None,
                 warm_start_from: Any = None) -> None:
        config = RunConfig() if config is None else config
        if not isinstance(config, RunConfig):
            raise ValueError(f"config must be an instance of `RunConfig`, but provided {config}.")
        model_dir = os.fspath(model_dir) if model_dir is not None else None
        if model_dir and config.model_dir and model_dir != config.model_dir:
            raise ValueError(f"`model_dir` are set both in constructor and `RunConfig`, but with different values. In "
                             f"constructor: '{model_dir}', in `RunConfig`: '{config.model_dir}' ")
        model_dir = model_dir or config.model_dir
        if not model_dir:
            model_dir = tempfile.mkdtemp()
            _log().warning("Using temporary folder as model directory: %s", model_dir)
        self._config = config.replace(model_dir=model_dir)
        _log().info("Using config: %s", self._config)
        util.verify_model_fn_args(model_fn, params)
        self._model_fn = model_fn
        self._params = copy.deepcopy(params or {})
        if warm_start_from is not None and not isinstance(warm_start_from, (str, os.PathLike)):
            raise NotImplementedError("warm_start_from=WarmStartSettings(...) is not supported by tfcompat; pass the "
                                      "checkpoint path or directory as a string (all matching variables warm-start)")
        self._warm_start_from = warm_start_from

    model_dir = property(lambda self: self._config.model_dir)
    config = property(lambda self: copy.deepcopy(self._config))
    params = property(lambda self: copy.deepcopy(self._params))
    model_fn = property(lambda self: self._model_fn)

    # -- checkpoints ---------------------------------------------------------------------------
    def latest_checkpoint(self) -> Any:
        return latest_checkpoint(self.model_dir)

    def get_variable_names(self) -> list[str]:
        """Names of the variables in the latest checkpoint of model_dir."""
        self._require_checkpoint()
        return [name for name, _ in list_variables(self.model_dir)]

    def get_variable_value(self, name: str) -> Any:
        """The value (a numpy array) of variable `name` in the latest checkpoint."""
        path = self._require_checkpoint()
        return load_checkpoint(path).get_tensor(name)

    def _require_checkpoint(self) -> str:
        path = self.latest_checkpoint()
        if path is None:
            raise ValueError(f"Could not find trained model in model_dir: {self.model_dir}.")
        return path

    # -- graphs ----------------------------------------------------------------------------------
    def _new_graph(self) -> tuple[Graph, Any]:
        g = Graph()
        with g.as_default():
            if self._config.tf_random_seed is not None:
                set_random_seed(self._config.tf_random_seed)
            step = create_global_step(g)
        return g, step

    def _call_model_fn(self, features: Any, labels: Any, mode: str) -> Any:
        return util.call_model_fn(self._model_fn, features, labels, mode, self.params, self.config)

    def _call_input_fn(self, input_fn: Any, mode: str) -> tuple:
        return util.call_input_fn(input_fn, mode, self.params, self.config)

    # -- train ---------------------------------------------------------------------------------
    def train(self, input_fn: Any, hooks: Any = None, steps: Any = None, max_steps: Any = None,
              saving_listeners: Any = None) -> "Estimator":
        """Train until `steps` more steps, `max_steps` in all, or the input runs out; returns self."""
        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        if max_steps is not None:
            path = self.latest_checkpoint()
            if path is not None and int(load_checkpoint(path).get_tensor("global_step")) >= max_steps:
                _log().info("Skipping training since max_steps has already saved.")
                return self
        hooks = list(hooks or [])
        if steps is not None or max_steps is not None:
            hooks.append(StopAtStepHook(steps, max_steps))
        loss = self._train_model(input_fn, hooks, list(saving_listeners or []))
        _log().info("Loss for final step: %s.", loss)
        return self

    def _train_model(self, input_fn: Any, hooks: list, saving_listeners: list) -> Any:
        g, global_step = self._new_graph()
        config = self._config
        with g.as_default():
            read = global_step_read(g)
            features, labels = self._call_input_fn(input_fn, ModeKeys.TRAIN)
            with g.control_dependencies([read]):
                spec = self._call_model_fn(features, labels, ModeKeys.TRAIN)
            summary_scalar("loss", spec.loss)
            # NOTE: TF's order: the hooks given to train() see a step before the NaN check, the model_fn's after it
            worker_hooks = list(hooks) + [NanTensorHook(spec.loss),
                                          LoggingTensorHook({"loss": spec.loss, "step": global_step},
                                                            every_n_iter=config.log_step_count_steps)]
            worker_hooks += list(spec.training_hooks)
            scaffold = self._scaffold(spec.scaffold, g)
            chief_hooks = list(spec.training_chief_hooks)
            has_saver_hook = any(isinstance(h, CheckpointSaverHook) for h in worker_hooks + chief_hooks)
            if (config.save_checkpoints_steps or config.save_checkpoints_secs) and not has_saver_hook:
                chief_hooks.append(CheckpointSaverHook(self.model_dir, save_secs=config.save_checkpoints_secs,
                                                       save_steps=config.save_checkpoints_steps, scaffold=scaffold,
                                                       listeners=saving_listeners))
            loss = None
            with MonitoredTrainingSession(checkpoint_dir=self.model_dir, scaffold=scaffold, hooks=worker_hooks,
                                          chief_only_hooks=chief_hooks, save_checkpoint_secs=0,
                                          save_summaries_steps=config.save_summary_steps, config=config.session_config,
                                          log_step_count_steps=config.log_step_count_steps) as sess:
                while not sess.should_stop():
                    _, loss = sess.run([spec.train_op, spec.loss])
        return loss

    def _scaffold(self, scaffold: Any, g: Graph) -> Scaffold:
        scaffold = scaffold or Scaffold()
        if scaffold.saver is None and not g.get_collection("savers"):
            g.add_to_collection("savers", Saver(sharded=True, max_to_keep=self._config.keep_checkpoint_max,
                                                keep_checkpoint_every_n_hours=self._config.keep_checkpoint_every_n_hours,
                                                defer_build=True, save_relative_paths=True))
        if self._warm_start_from is not None and self.latest_checkpoint() is None:
            scaffold = Scaffold(init_fn=self._warm_start_fn(scaffold.init_fn), copy_from_scaffold=scaffold)
        return scaffold

    def _warm_start_fn(self, user_init_fn: Any) -> Any:
        source = os.fspath(self._warm_start_from)
        path = latest_checkpoint(source) if os.path.isdir(source) else source
        _log().info("Warm-starting from: %s", path)

        def init_fn(scaffold: Any, sess: Any) -> None:
            stored = dict(list_variables(path))
            wanted = {v.name.split(":")[0]: v for v in sess.graph.get_collection("trainable_variables")}
            for name in wanted:      # NOTE: TF warm-starts every trainable variable, and each must be there
                if name not in stored:
                    raise ValueError(f"Tensor {name} is not found in {path} checkpoint {stored}")
            Saver(wanted).restore(sess, path)
            if user_init_fn is not None:
                user_init_fn(scaffold, sess)
        return init_fn

    # -- evaluate --------------------------------------------------------------------------------
    def evaluate(self, input_fn: Any, steps: Any = None, hooks: Any = None, checkpoint_path: Any = None,
                 name: Any = None) -> dict:
        """Run the eval metrics over the input (or `steps` batches); returns them with `loss` and `global_step`."""
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        checkpoint_path = checkpoint_path or self.latest_checkpoint()
        if checkpoint_path is None:
            _log().info("Could not find trained model in model_dir: %s, running initialization to evaluate.",
                        self.model_dir)
        g, global_step = self._new_graph()
        with g.as_default():
            features, labels = self._call_input_fn(input_fn, ModeKeys.EVAL)
            spec = self._call_model_fn(features, labels, ModeKeys.EVAL)
            if "loss" in spec.eval_metric_ops:
                raise ValueError('Metric with name "loss" is not allowed, because Estimator already defines a default '
                                 "metric with the same name.")
            metrics = dict(spec.eval_metric_ops)
            metrics["loss"] = metric_mean(spec.loss)
            update_op = group(*[metrics[k][1] for k in sorted(metrics)])
            values = {k: metrics[k][0] for k in sorted(metrics)}
            values["global_step"] = global_step
            final = FinalOpsHook(values)
            all_hooks = [final] + list(hooks or []) + list(spec.evaluation_hooks)
            if steps is not None:
                all_hooks.insert(0, util.StopAfterNEvalsHook(steps))
            _log().info("Starting evaluation at %s", time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime()))
            start = time.time()
            creator = ChiefSessionCreator(scaffold=spec.scaffold, checkpoint_filename_with_path=checkpoint_path,
                                          config=self._config.session_config)
            with MonitoredSession(session_creator=creator, hooks=all_hooks) as sess:
                while not sess.should_stop():
                    sess.run(update_op)
        _log().info("Inference Time : %.5fs", time.time() - start)
        _log().info("Finished evaluation at %s", time.strftime("%Y-%m-%d-%H:%M:%S", time.localtime()))
        results = final.final_ops_values
        _log().info("Saving dict for global step %d: %s", results["global_step"], util.dict_to_str(results))
        util.write_eval_summary(util.eval_dir(self.model_dir, name), results, checkpoint_path)
        return results

    def eval_dir(self, name: Any = None) -> str:
        return util.eval_dir(self.model_dir, name)

    # -- predict ---------------------------------------------------------------------------------
    def predict(self, input_fn: Any, predict_keys: Any = None, hooks: Any = None, checkpoint_path: Any = None,
                yield_single_examples: bool = True) -> Iterator[Any]:
        """Yield predictions (one per example, or one batch at a time) until the input runs out."""
        checkpoint_path = checkpoint_path or self.latest_checkpoint()
        if checkpoint_path is None:
            _log().info("Could not find trained model in model_dir: %s, running initialization to predict.",
                        self.model_dir)
        g, _ = self._new_graph()
        with g.as_default():
            features, _labels = self._call_input_fn(input_fn, ModeKeys.PREDICT)
            spec = self._call_model_fn(features, None, ModeKeys.PREDICT)
            predictions = util.extract_keys(spec.predictions, predict_keys)
            creator = ChiefSessionCreator(scaffold=spec.scaffold, checkpoint_filename_with_path=checkpoint_path,
                                          config=self._config.session_config)
            hooks = list(hooks or []) + list(spec.prediction_hooks)
            monitored = MonitoredSession(session_creator=creator, hooks=hooks)
        with monitored as sess:
            while not sess.should_stop():
                with g.as_default():
                    values = sess.run(predictions)
                if not yield_single_examples:
                    yield values
                elif not isinstance(values, dict):
                    yield from values
                else:
                    for i in range(util.batch_length(values)):
                        yield {k: v[i] for k, v in values.items()}

    # -- export ----------------------------------------------------------------------------------
    def export_saved_model(self, export_dir_base: Any, serving_input_receiver_fn: Any, assets_extra: Any = None,
                           as_text: bool = False, checkpoint_path: Any = None, experimental_mode: str = ModeKeys.PREDICT) -> bytes:
        """Write the PREDICT graph's variables and serving signature to `export_dir_base/<timestamp>`."""
        from .export import export_saved_model  # noqa: PLC0415
        return export_saved_model(self, export_dir_base, serving_input_receiver_fn, assets_extra, as_text,
                                  checkpoint_path, experimental_mode)

    def export_savedmodel(self, export_dir_base: Any, serving_input_receiver_fn: Any, assets_extra: Any = None,
                          as_text: bool = False, checkpoint_path: Any = None, strip_default_attrs: bool = False) -> bytes:
        return self.export_saved_model(export_dir_base, serving_input_receiver_fn, assets_extra, as_text,
                                       checkpoint_path)
