"""`tf.train.Saver`: variables of a session to TensorFlow checkpoint bundles and back.

    saver = tf.train.Saver(max_to_keep=2)
    path = saver.save(sess, "/tmp/model", global_step=3)      # "/tmp/model-3" (.index + .data-*)
    saver.restore(sess, tf.train.latest_checkpoint("/tmp"))

The files are TensorFlow's bundle format, so checkpoints written by TensorFlow 1.x
restore here and ours restore in TensorFlow. Keys are variable names without ":0".
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from runtime import backend
from runtime.errors import InvalidArgumentError, NotFoundError

from ..io.bundle import data_path, index_path, read_bundle, write_bundle
from ..io.checkpoint_state import get_checkpoint_state, update_checkpoint_state
from ._api import v1_export
from .variables_v1 import global_variables


def _key(v: Any) -> str:
    return v.name.split(":")[0]


class Saver:
    """Saves and restores variables (all global variables, a list, or a {checkpoint key: variable} dict)."""

    def __init__(self, var_list: Any = None, reshape: bool = False, sharded: bool = False, max_to_keep: int = 5,
                 keep_checkpoint_every_n_hours: float = 10000.0, name: str | None = None, restore_sequentially: bool = False,
                 saver_def: Any = None, builder: Any = None, defer_build: bool = False, allow_empty: bool = False,
                 write_version: Any = 2, pad_step_number: bool = False, save_relative_paths: bool = False,
                 filename: str | None = None) -> None:
        self._var_list = var_list
        self._max_to_keep = max_to_keep
        self._pad = pad_step_number
        self._allow_empty = allow_empty
        self._last: list[str] = []
        self._vars = self._mapping() if not defer_build else None

    def _mapping(self) -> dict[str, Any]:
        var_list = self._var_list if self._var_list is not None else global_variables()
        if isinstance(var_list, dict):
            mapping = dict(var_list)
        else:
            mapping = {}
            for v in var_list:
                k = _key(v)
                if k in mapping:
                    raise ValueError(f"At least two variables have the same name: {k}")
                mapping[k] = v
        if not mapping and not self._allow_empty:
            raise ValueError("No variables to save")
        return mapping

    def build(self) -> None:
        self._vars = self._mapping()

    # -- save --------------------------------------------------------------------------------
    def save(self, sess: Any, save_path: str, global_step: Any = None, latest_filename: str | None = None,
             meta_graph_suffix: str = "meta", write_meta_graph: bool = True, write_state: bool = True,
             strip_default_attrs: bool = False, save_debug_info: bool = False) -> str:
        """Write every variable's value in `sess`; returns the checkpoint prefix."""
        if self._vars is None:
            self.build()
        if global_step is not None:
            step = global_step if isinstance(global_step, (int, np.integer)) else int(sess.run(global_step))
            prefix = f"{save_path}-{step:08d}" if self._pad else f"{save_path}-{step}"
        else:
            prefix = save_path
        keys = list(self._vars)
        values = sess.run([self._vars[k] for k in keys])
        write_bundle(prefix, dict(zip(keys, values)))
        if write_state:
            save_dir = os.path.dirname(prefix) or "."
            if prefix in self._last:
                self._last.remove(prefix)
            self._last.append(prefix)
            while self._max_to_keep and len(self._last) > self._max_to_keep:
                self._delete(self._last.pop(0))
            update_checkpoint_state(save_dir, prefix, self._last, latest_filename=latest_filename) \
                if latest_filename else update_checkpoint_state(save_dir, prefix, self._last)
        return prefix

    @staticmethod
    def _delete(prefix: str) -> None:
        for path in (index_path(prefix), data_path(prefix), prefix + ".meta"):
            if os.path.exists(path):
                os.remove(path)

    @property
    def last_checkpoints(self) -> list[str]:
        return list(self._last)

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time: Any) -> None:
        self._last = [p for p, _ in last_checkpoints_with_time]

    def recover_last_checkpoints(self, checkpoint_paths: Any) -> None:
        self._last = list(checkpoint_paths)

    # -- restore -----------------------------------------------------------------------------
    def restore(self, sess: Any, save_path: str) -> None:
        """Assign every saved variable its value from the checkpoint at `save_path`, in `sess`."""
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        if self._vars is None:
            self.build()
        if not os.path.exists(index_path(save_path)):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path}")
        try:
            stored = read_bundle(save_path)
        except FileNotFoundError as e:
            raise NotFoundError(None, None, "Restoring from checkpoint failed. This is most likely due to a Variable "
                                "name or other graph key that is missing from the checkpoint. Original error: "
                                f"{e.filename}; No such file or directory") from None
        if sess.graph._v1_session is not sess:
            sess._activate()
        for key, var in self._vars.items():
            if key not in stored:
                raise NotFoundError(None, None, f"Key {key} not found in checkpoint")
            value = stored[key]
            if not var.shape.is_compatible_with(value.shape):
                raise InvalidArgumentError(None, None, f"Restoring from checkpoint failed. This is most likely due "
                                           f"to a mismatch between the current graph and the graph from the "
                                           f"checkpoint. Assign requires shapes of both tensors to match. lhs shape= "
                                           f"{var.shape.as_list()} rhs shape= {list(value.shape)} ({key})")
            if np.asarray(value).dtype != var.dtype.as_numpy_dtype:
                raise InvalidArgumentError(None, None, "Restoring from checkpoint failed. This is most likely due to "
                                           "a mismatch between the current graph and the graph from the checkpoint. "
                                           f"tensor_name = {key}; expected dtype {var.dtype.name} does not equal "
                                           f"original dtype {_tf_name(np.asarray(value).dtype)}")
            var._handle.value = backend.place_constant(np.asarray(value, dtype=var.dtype.as_numpy_dtype))

    def as_saver_def(self) -> Any:
        return None

    def export_meta_graph(self, filename: str | None = None, **kwargs: Any) -> Any:
        return None


v1_export("train.Saver")(Saver)


def _tf_name(dtype: Any) -> str:
    """TF's spelling of a dtype in kernel messages: float, double, int32..."""
    return {"float32": "float", "float64": "double"}.get(np.dtype(dtype).name, np.dtype(dtype).name)


@v1_export("train.get_checkpoint_mtimes")
def get_checkpoint_mtimes(checkpoint_prefixes: list) -> list:
    return [os.path.getmtime(index_path(p)) for p in checkpoint_prefixes if os.path.exists(index_path(p))]


_ = get_checkpoint_state
