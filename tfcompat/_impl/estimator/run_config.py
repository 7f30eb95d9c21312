"""`tf.estimator.RunConfig` and `ModeKeys`: where and how often an Estimator saves, logs and seeds.

    config = tf.estimator.RunConfig(model_dir="/tmp/m", tf_random_seed=1, save_checkpoints_steps=100)
    config.replace(log_step_count_steps=10).save_checkpoints_secs     # None (steps were given)
"""
from __future__ import annotations

import copy
from typing import Any

from ..._export import export

_USE_DEFAULT = object()
_REPLACEABLE = ("model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_steps", "save_checkpoints_secs",
                "session_config", "keep_checkpoint_max", "keep_checkpoint_every_n_hours", "log_step_count_steps",
                "train_distribute", "device_fn", "protocol", "eval_distribute", "experimental_distribute",
                "experimental_max_worker_delay_secs", "session_creation_timeout_secs", "checkpoint_save_graph_def")


@export("estimator.ModeKeys", v1=("estimator.ModeKeys",))
class ModeKeys:
    """The mode a model_fn is called in."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


@export("estimator.RunConfig", v1=("estimator.RunConfig",))
class RunConfig:
    """Checkpoint, summary and logging frequencies, seed and model_dir of an Estimator (one local process)."""

    def __init__(self, model_dir: Any = None, tf_random_seed: Any = None, save_summary_steps: int = 100,
                 save_checkpoints_steps: Any = _USE_DEFAULT, save_checkpoints_secs: Any = _USE_DEFAULT,
                 session_config: Any = None, keep_checkpoint_max: int = 5, keep_checkpoint_every_n_hours: int = 10000,
                 log_step_count_steps: int = 100, train_distribute: Any = None, device_fn: Any = None,
                 protocol: Any = None, eval_distribute: Any = None, experimental_distribute: Any = None,
                 experimental_max_worker_delay_secs: Any = None, session_creation_timeout_secs: int = 7200,
                 checkpoint_save_graph_def: bool = True) -> None:
        if save_checkpoints_steps is _USE_DEFAULT and save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_steps, save_checkpoints_secs = None, 600
        elif save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_secs = None
        elif save_checkpoints_steps is _USE_DEFAULT:
            save_checkpoints_steps = None
        elif save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError("Can not provide both save_checkpoints_steps and save_checkpoints_secs.")
        for name in ("train_distribute", "eval_distribute", "experimental_distribute", "device_fn"):
            if locals()[name] is not None:
                raise NotImplementedError(f"RunConfig({name}=...) is not supported by tfcompat's Estimator (one "
                                          "local process); leave it None")
        values = dict(locals())
        for name in _REPLACEABLE:
            setattr(self, "_" + name, values[name])

    def replace(self, **kwargs: Any) -> "RunConfig":
        """A copy with some properties changed (model_dir, tf_random_seed, save_*, ...)."""
        for name in kwargs:
            if name not in _REPLACEABLE:
                raise ValueError(f"Replacing {name} is not supported. Allowed properties are {set(_REPLACEABLE)}.")
        if kwargs.get("save_checkpoints_steps") is not None and kwargs.get("save_checkpoints_secs") is not None:
            raise ValueError("Can not provide both save_checkpoints_steps and save_checkpoints_secs.")
        new = copy.deepcopy(self)
        if kwargs.get("save_checkpoints_steps") is not None:
            new._save_checkpoints_secs = None
        if kwargs.get("save_checkpoints_secs") is not None:
            new._save_checkpoints_steps = None
        for name, value in kwargs.items():
            setattr(new, "_" + name, value)
        return new

    def __repr__(self) -> str:
        return repr({"_" + n: getattr(self, "_" + n) for n in _REPLACEABLE})

    cluster_spec = property(lambda self: {})
    evaluation_master = property(lambda self: "")
    master = property(lambda self: "")
    is_chief = property(lambda self: True)
    num_ps_replicas = property(lambda self: 0)
    num_worker_replicas = property(lambda self: 1)
    task_id = property(lambda self: 0)
    task_type = property(lambda self: "worker")
    global_id_in_cluster = property(lambda self: 0)
    service = property(lambda self: None)


for _name in _REPLACEABLE:
    setattr(RunConfig, _name, property(lambda self, _n=_name: getattr(self, "_" + _n)))
