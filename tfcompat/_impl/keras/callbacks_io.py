"""Callbacks that write files: `TensorBoard` (event files) and `ModelCheckpoint` (weights).

    model.fit(data, validation_data=val, callbacks=[TensorBoard("logs"),
              ModelCheckpoint("best.weights.h5", save_weights_only=True, save_best_only=True)])
    # logs/train, logs/validation hold `epoch_loss`, ...; best.weights.h5 the best weights

Constructor signatures and file-path checks are Keras 3's (TF 2.21). TensorBoard writes
through `tf.summary` (the same scalars and histograms Keras writes); ModelCheckpoint saves
with `model.save_weights` (tfcompat's weights archive; see `saving.py`).
"""
from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from ..._export import export
from ..io import summary_v2 as summary
from .callbacks import Callback


def _improves(mode: str, monitor: str, current: float, best: float | None, min_delta: float = 0.0) -> bool:
    """Keras' MonitorCallback rule: `auto` maximises accuracy/auc-like names, minimises the rest."""
    if mode == "auto":
        name = monitor.removeprefix("val_")
        mode = "max" if (name.endswith("acc") or "accuracy" in name or name.endswith("auc")) else "min"
    if best is None:
        return True
    return current - min_delta > best if mode == "max" else current + min_delta < best


@export("keras.callbacks.TensorBoard")
class TensorBoard(Callback):
    """Write epoch (or every `update_freq` batches) logs and weight histograms for TensorBoard."""

    def __init__(self, log_dir: Any = "logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False, update_freq: Any = "epoch",
                 profile_batch: Any = 0, embeddings_freq: int = 0, embeddings_metadata: Any = None) -> None:
        super().__init__()
        if profile_batch not in (0, None, (0, 0)):
            raise NotImplementedError(f"TensorBoard(profile_batch={profile_batch!r}): tfcompat has no profiler; "
                                      "leave profile_batch=0.")
        if embeddings_freq:
            raise NotImplementedError(f"TensorBoard(embeddings_freq={embeddings_freq}): the projector plugin is not "
                                      "implemented; log embeddings with tf.summary.histogram instead.")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq, self.write_graph, self.write_images = histogram_freq, write_graph, write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._train_writer: Any = None
        self._val_writer: Any = None
        self._global_train_batch = 0

    # NOTE: write_graph is accepted and writes nothing: tfcompat runs no TF graph whose
    # GraphDef TensorBoard's graph plugin could show.
    def _writers(self) -> tuple:
        if self._train_writer is None:
            self._train_writer = summary.create_file_writer(os.path.join(self.log_dir, "train"))
            self._val_writer = summary.create_file_writer(os.path.join(self.log_dir, "validation"))
        return self._train_writer, self._val_writer

    def on_train_begin(self, logs: Any = None) -> None:
        self._global_train_batch = 0
        self._writers()

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self._global_train_batch += 1
        if self.update_freq == "epoch" or not logs or self._global_train_batch % int(self.update_freq):
            return
        with self._writers()[0].as_default():
            for name, value in logs.items():
                summary.scalar(f"batch_{name}", float(np.asarray(value)), step=self._global_train_batch)

    def _learning_rate(self) -> dict:
        optimizer = getattr(self.model, "optimizer", None)
        lr = getattr(optimizer, "learning_rate", None)
        if lr is None:
            return {}
        value = lr.numpy() if hasattr(lr, "numpy") else lr
        return {"learning_rate": float(np.asarray(value))}

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        train_writer, val_writer = self._writers()
        logs = dict(logs or {})
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        if train_logs:
            train_logs.update(self._learning_rate())
        for writer, values in ((train_writer, train_logs), (val_writer, val_logs)):
            if values:
                with writer.as_default():
                    for name, value in values.items():
                        summary.scalar(f"epoch_{name}", value, step=epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            with train_writer.as_default():
                for layer in getattr(self.model, "layers", []):
                    for weight in layer.weights:
                        tag = getattr(weight, "path", weight.name).replace(":", "_")
                        summary.histogram(f"{tag}/histogram", weight, step=epoch)

    def on_train_end(self, logs: Any = None) -> None:
        for writer in (self._train_writer, self._val_writer):
            if writer is not None:
                writer.flush()
                writer.close()
        self._train_writer = self._val_writer = None


@export("keras.callbacks.ModelCheckpoint")
class ModelCheckpoint(Callback):
    """Save the weights after every epoch (or the best ones, with `save_best_only`)."""

    def __init__(self, filepath: Any, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", save_freq: Any = "epoch",
                 initial_value_threshold: Any = None) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"ModelCheckpoint mode '{mode}' is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only, self.mode = save_best_only, save_weights_only, mode
        self.save_freq, self.best = save_freq, initial_value_threshold
        self._batches_seen, self._epoch = 0, 0
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer values")
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided "
                                 f"must end in `.weights.h5` (Keras weights format). Received: filepath={self.filepath}")
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(f"The filepath provided must end in `.keras` (Keras model format). Received: "
                             f"filepath={self.filepath}")

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        if isinstance(self.save_freq, int):
            self._batches_seen += 1
            if self._batches_seen >= self.save_freq:
                self._batches_seen = 0
                self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch: int, batch: Any, logs: Any) -> None:
        logs = {k: float(np.asarray(v)) for k, v in (logs or {}).items()}
        fields = dict(logs, epoch=epoch + 1) if batch is None else dict(logs, epoch=epoch + 1, batch=batch + 1)
        try:
            filepath = self.filepath.format(**fields)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}') from None
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=2)
            elif not _improves(self.mode, self.monitor, current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            else:
                if self.verbose > 0:
                    best = "None" if self.best is None else f"{self.best:.5f}"
                    print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                          f"saving model to {filepath}")
                self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        if os.path.isdir(filepath):
            raise IOError(f"Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
                          f"existing directory: {filepath}")
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
