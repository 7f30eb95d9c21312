"""`Estimator.export_saved_model` in tfcompat's own export format, and `tf.estimator.export` receivers.

    fn = tf.estimator.export.build_raw_serving_input_receiver_fn({"x": tf.placeholder(tf.float32, [None])})
    path = est.export_saved_model("/tmp/export", fn)      # b"/tmp/export/1700000000"

NOTE: this is NOT a TensorFlow SavedModel (no saved_model.pb: tfcompat's graphs are not TensorFlow
GraphDefs, so TensorFlow Serving cannot load it). The directory holds `variables/variables.{index,data-*}`
(a TensorFlow checkpoint bundle of the exported model's variables: tf.train.load_checkpoint reads it)
and `tfcompat_export.json` (format, global step, serving inputs and prediction outputs: names, dtypes,
shapes), plus `assets.extra/` when `assets_extra` is given.
"""
from __future__ import annotations

import collections
import json
import os
import shutil
import time
from typing import Any

from runtime.graph import Graph

from ..._export import export
from ..feature_column.columns import tf
from ..io.logging_api import get_logger
from ..v1.monitored_session import ChiefSessionCreator, Scaffold
from ..v1.saver import Saver
from ..v1.train_utils import create_global_step
from .run_config import ModeKeys

FORMAT = "tfcompat-estimator-export/1"


@export("estimator.export.ServingInputReceiver", v1=("estimator.export.ServingInputReceiver",))
class ServingInputReceiver(collections.namedtuple("ServingInputReceiver",
                                                  ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """The features a model_fn gets at serving time and the tensors a request feeds."""

    def __new__(cls, features: Any, receiver_tensors: Any, receiver_tensors_alternatives: Any = None) -> Any:
        if features is None:
            raise ValueError("features must be defined.")
        features = features if isinstance(features, dict) else {"feature": features}
        if receiver_tensors is None:
            raise ValueError("receiver_tensors must be defined.")
        receiver_tensors = receiver_tensors if isinstance(receiver_tensors, dict) else {"input": receiver_tensors}
        return super().__new__(cls, features, receiver_tensors, receiver_tensors_alternatives)


@export("estimator.export.build_raw_serving_input_receiver_fn",
        v1=("estimator.export.build_raw_serving_input_receiver_fn",))
def build_raw_serving_input_receiver_fn(features: dict, default_batch_size: Any = None) -> Any:
    """A receiver fn feeding one placeholder per feature (shaped like `features`' tensors)."""
    def serving_input_receiver_fn() -> ServingInputReceiver:
        t = tf()
        receivers = {}
        for name, value in features.items():
            shape = [default_batch_size] + value.shape.as_list()[1:] if value.shape.rank else None
            receivers[name] = t.placeholder(value.dtype, shape=shape, name=name)
        return ServingInputReceiver(receivers, dict(receivers))
    return serving_input_receiver_fn


@export("estimator.export.build_parsing_serving_input_receiver_fn",
        v1=("estimator.export.build_parsing_serving_input_receiver_fn",))
def build_parsing_serving_input_receiver_fn(feature_spec: dict, default_batch_size: Any = None) -> Any:
    """A receiver fn parsing serialized tf.Example protos (`input_example_tensor`) with `feature_spec`."""
    def serving_input_receiver_fn() -> ServingInputReceiver:
        t = tf()
        examples = t.placeholder(t.string, shape=[default_batch_size], name="input_example_tensor")
        return ServingInputReceiver(t.parse_example(examples, feature_spec), {"examples": examples})
    return serving_input_receiver_fn


def _describe(tensors: dict) -> dict:
    return {k: {"dtype": v.dtype.name, "shape": None if v.shape.rank is None else v.shape.as_list(),
                "name": getattr(v, "name", None)} for k, v in sorted(tensors.items())}


def export_saved_model(est: Any, export_dir_base: Any, serving_input_receiver_fn: Any, assets_extra: Any,
                       as_text: bool, checkpoint_path: Any, mode: str) -> bytes:
    """Write `export_dir_base/<timestamp>/` (see the module doc); returns its path as bytes, as TensorFlow does."""
    if mode != ModeKeys.PREDICT:
        raise NotImplementedError(f"export_saved_model(experimental_mode={mode!r}) is not supported by tfcompat; "
                                  "export the PREDICT graph (the default)")
    if serving_input_receiver_fn is None:
        raise ValueError("An input_receiver_fn must be defined.")
    checkpoint_path = checkpoint_path or est.latest_checkpoint()
    if not checkpoint_path:
        raise ValueError(f"Couldn't find trained model at {est.model_dir}.")
    g = Graph()
    with g.as_default():
        step = create_global_step(g)
        receiver = serving_input_receiver_fn()
        spec = est._call_model_fn(receiver.features, None, ModeKeys.PREDICT)
        predictions = spec.predictions if isinstance(spec.predictions, dict) else {"output": spec.predictions}
        saver = Saver(allow_empty=True)
        sess = ChiefSessionCreator(scaffold=Scaffold(saver=saver), checkpoint_filename_with_path=checkpoint_path,
                                   config=est.config.session_config).create_session()
        export_dir = os.path.join(os.fspath(export_dir_base), str(int(time.time())))
        while os.path.exists(export_dir):   # NOTE: two exports in one second get distinct directories
            export_dir = export_dir[:-1] + str(int(export_dir[-1]) + 1) if export_dir[-1] != "9" else export_dir + "0"
        os.makedirs(os.path.join(export_dir, "variables"))
        saver.save(sess, os.path.join(export_dir, "variables", "variables"), write_state=False)
        info = {"format": FORMAT, "global_step": int(sess.run(step)), "checkpoint": os.path.basename(checkpoint_path),
                "inputs": _describe(receiver.receiver_tensors), "outputs": _describe(predictions),
                "note": "tfcompat export: variables/ is a TensorFlow checkpoint bundle; there is no saved_model.pb "
                        "(not loadable by TensorFlow Serving or tf.saved_model.load)"}
        sess.close()
    with open(os.path.join(export_dir, "tfcompat_export.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2 if as_text else None, sort_keys=True)
    for dest, source in (assets_extra or {}).items():
        target = os.path.join(export_dir, "assets.extra", dest)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(source, target)
    get_logger().info("SavedModel written to: %s (tfcompat's export format: variables + tfcompat_export.json)",
                      export_dir)
    return export_dir.encode()
