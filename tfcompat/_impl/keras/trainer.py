"""`compile`, `fit`, `evaluate`, `predict`, `*_on_batch`: the training half of `keras.Model`.

    model.compile(optimizer=SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=32, epochs=3, verbose=0)   # history.history["loss"]

The step (forward, loss, gradients, optimizer update, metric updates) runs as one
`tf.function` when the engine has one and `run_eagerly` is False.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import nest

from . import callbacks as callbacks_module, losses as losses_module, metrics as metrics_module
from . import optimizers_accumulators as optimizers  # NOTE: holds `get`, which knows every optimizer
from .common import as_float_tensor, tf
from .progbar import Progbar


def _accuracy_for(y_true: Any, y_pred: Any, name: str) -> Any:
    """Keras's choice for metrics=['accuracy']: binary, sparse categorical or categorical."""
    pred_shape, true_shape = y_pred.shape.as_list(), y_true.shape.as_list()
    if pred_shape and pred_shape[-1] == 1:
        return metrics_module.BinaryAccuracy(name=name)
    if len(true_shape) < len(pred_shape) or (true_shape and true_shape[-1] == 1 and pred_shape[-1] != 1):
        return metrics_module.SparseCategoricalAccuracy(name=name)
    return metrics_module.CategoricalAccuracy(name=name)


class Trainer:
    """Mixed into `Model`: everything `compile` sets up and the loops that use it."""

    def __init__(self) -> None:
        self.compiled = False
        self.optimizer: Any = None
        self.loss: Any = None
        self.stop_training = False
        self.history: Any = None
        self._metric_specs: list = []
        self._compile_metrics: list | None = None
        self._loss_tracker: Any = None
        self._train_fn: Any = None
        self._test_fn: Any = None

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None, metrics: Any = None,
                weighted_metrics: Any = None, run_eagerly: bool = False, steps_per_execution: int = 1,
                jit_compile: Any = "auto", auto_scale_loss: bool = True) -> None:
        """Choose the optimizer, loss and metrics (objects or names such as 'sgd', 'mse', 'accuracy')."""
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self._losses = [losses_module.get(l) for l in loss] if isinstance(loss, (list, tuple)) else \
            ([losses_module.get(loss)] if loss is not None else [])
        self._loss_weights = loss_weights
        self._metric_specs = list(metrics or []) + list(weighted_metrics or [])
        self._compile_metrics = None
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.run_eagerly = run_eagerly
        self.jit_compile = False
        self.compiled = True
        self._train_fn = self._test_fn = None

    # -- metrics -----------------------------------------------------------------------------
    @property
    def metrics(self) -> list:
        out = [self._loss_tracker] if self._loss_tracker is not None else []
        return out + list(self._compile_metrics or [])

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def _resolve_metrics(self, y_true: Any, y_pred: Any) -> None:
        if self._compile_metrics is not None:
            return
        resolved = []
        for spec in self._metric_specs:
            if isinstance(spec, str) and spec in ("accuracy", "acc"):
                resolved.append(_accuracy_for(y_true, y_pred, spec))
            else:
                metric = metrics_module.get(spec)
                if isinstance(spec, str):
                    metric.name = spec   # NOTE: Keras names a metric given by name as spelt ('AUC')
                resolved.append(metric)
        self._compile_metrics = resolved

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None,
                     training: bool = True) -> Any:
        """The compiled loss(es) plus the model's regularization and `add_loss` losses."""
        total = None
        ys, preds = (list(y), list(y_pred)) if len(self._losses) > 1 else ([y], [y_pred])
        weights = self._loss_weights or [1.0] * len(self._losses)
        for fn, yt, yp, w in zip(self._losses, ys, preds, weights):
            value = fn(yt, yp, sample_weight) if sample_weight is not None else fn(yt, yp)
            value = value if w == 1.0 else value * w
            total = value if total is None else total + value
        for extra in self.losses:
            total = extra if total is None else total + tf().cast(extra, total.dtype)
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return total

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict:
        for m in self._compile_metrics or []:
            m.update_state(y, y_pred, sample_weight=sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        return {m.name: m.result() for m in self.metrics}

    # -- steps -------------------------------------------------------------------------------
    def train_step(self, data: Any) -> dict:
        x, y, sample_weight = _unpack(data)
        with tf().GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        variables = self.trainable_variables
        if variables:
            grads = tape.gradient(loss, variables)
            self.optimizer.apply_gradients(zip(grads, variables))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict:
        x, y, sample_weight = _unpack(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        x, _, _ = _unpack(data)
        return self(x, training=False)

    def _compiled(self, step: Any) -> Any:
        function = _function()
        if self.run_eagerly or function is None:
            return step
        traced = function(step)

        def call(data: Any) -> Any:
            logs = traced(data)
            if isinstance(logs, dict) or not self.metrics:
                return logs
            # NOTE: the engine returns a one-entry dict's value bare; name it again
            return dict(zip(self.metrics_names, nest.flatten(logs)))
        return call

    def _prepare(self, data: Any) -> None:
        """Build the model, its metrics and the optimizer eagerly before any step is traced."""
        x, y, _ = _unpack(data)
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")
        if not self.built or self._compile_metrics is None:
            y_pred = self(x, training=False)
            self._resolve_metrics(y, y_pred)
        if self.optimizer is not None and not self.optimizer.built and self.trainable_variables:
            self.optimizer.build(self.trainable_variables)

    def make_train_function(self, force: bool = False) -> Any:
        if self._train_fn is None or force:
            self._train_fn = self._compiled(self.train_step)
        return self._train_fn

    def make_test_function(self, force: bool = False) -> Any:
        if self._test_fn is None or force:
            self._test_fn = self._compiled(self.test_step)
        return self._test_fn

    # -- loops -------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: Any = None, epochs: int = 1, verbose: Any = "auto",
            callbacks: Any = None, validation_split: float = 0.0, validation_data: Any = None,
            shuffle: bool = True, class_weight: Any = None, sample_weight: Any = None, initial_epoch: int = 0,
            steps_per_epoch: Any = None, validation_steps: Any = None, validation_batch_size: Any = None,
            validation_freq: int = 1) -> Any:
        """Train for `epochs` passes over the data; returns a `History`."""
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = _split(x, y, sample_weight, validation_split)
        data = Batches(x, y, sample_weight, batch_size, shuffle)
        verbose = 1 if verbose == "auto" else verbose
        history = callbacks_module.History()
        cbs = callbacks_module.CallbackList(list(callbacks or []) + [history], model=self,
                                            verbose=verbose, epochs=epochs, steps=data.steps)
        self.stop_training = False
        self._prepare(data.first())
        train = self.make_train_function()
        cbs.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            if verbose and epochs > 1:
                print(f"Epoch {epoch + 1}/{epochs}", flush=True)
            bar = Progbar(steps_per_epoch or data.steps, verbose=verbose, stateful_metrics=["all"]) if verbose else None
            logs: dict = {}
            step = -1
            for step, batch in enumerate(data.epoch()):
                cbs.on_train_batch_begin(step)
                logs = train(batch)
                cbs.on_train_batch_end(step, logs)
                if bar is not None and verbose == 1:
                    bar.update(step + 1, logs, finalize=False)
                if steps_per_epoch is not None and step + 1 >= steps_per_epoch:
                    break
            logs = _pythonify(logs)
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                val = self.evaluate(*_as_xy(validation_data), batch_size=validation_batch_size or batch_size,
                                    verbose=0, return_dict=True)
                logs.update({f"val_{k}": v for k, v in val.items()})
            if bar is not None:
                bar.target = bar.target or step + 1
                bar.update(bar.target, logs, finalize=True)
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        self.history = history
        return history

    def evaluate(self, x: Any = None, y: Any = None, batch_size: Any = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: Any = None, callbacks: Any = None, return_dict: bool = False,
                 **kwargs: Any) -> Any:
        """Loss and metrics on the data (a float, a list [loss, metrics...], or a dict)."""
        data = Batches(x, y, sample_weight, batch_size, False)
        self._prepare(data.first())
        test = self.make_test_function()
        self.reset_metrics()
        verbose = 1 if verbose == "auto" else verbose
        bar = Progbar(steps or data.steps, verbose=verbose, stateful_metrics=["all"]) if verbose else None
        logs: dict = {}
        i = -1
        for i, batch in enumerate(data.epoch()):
            logs = test(batch)
            if bar is not None and verbose == 1:
                bar.update(i + 1, logs, finalize=False)
            if steps is not None and i + 1 >= steps:
                break
        logs = _pythonify(logs)
        if bar is not None:
            bar.target = bar.target or i + 1
            bar.update(bar.target, logs, finalize=True)
        return logs if return_dict else self._in_order(logs)

    def _in_order(self, logs: dict) -> Any:
        values = [logs[m.name] for m in self.metrics if m.name in logs]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: Any = None, verbose: Any = "auto", steps: Any = None,
                callbacks: Any = None) -> Any:
        """Model outputs for every sample, as NumPy arrays."""
        data = Batches(x, None, None, batch_size, False)
        verbose = 1 if verbose == "auto" else verbose
        bar = Progbar(steps or data.steps, verbose=verbose) if verbose else None
        outs = []
        for i, batch in enumerate(data.epoch()):
            outs.append(nest.map_structure(lambda t: np.asarray(t), self.predict_step(batch)))
            if bar is not None and verbose == 1:
                bar.update(i + 1, finalize=False)
            if steps is not None and i + 1 >= steps:
                break
        if bar is not None:
            bar.target = bar.target or len(outs)
            bar.update(bar.target, finalize=True)
        first = outs[0]
        flat = [np.concatenate([nest.flatten(o)[k] for o in outs]) for k in range(len(nest.flatten(first)))]
        return nest.pack_sequence_as(first, flat)

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: Any = None,
                       return_dict: bool = False) -> Any:
        batch = Batches(x, y, sample_weight, None, False).whole()
        self._prepare(batch)
        self.reset_metrics()  # NOTE: as Keras 3: each call reports this batch alone
        logs = _pythonify(self.make_train_function()(batch))
        return logs if return_dict else self._in_order(logs)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False) -> Any:
        batch = Batches(x, y, sample_weight, None, False).whole()
        self._prepare(batch)
        self.reset_metrics()
        logs = _pythonify(self.make_test_function()(batch))
        return logs if return_dict else self._in_order(logs)

    def predict_on_batch(self, x: Any) -> Any:
        return nest.map_structure(np.asarray, self.predict_step(Batches(x, None, None, None, False).whole()))

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        from .saving import save_weights  # noqa: PLC0415
        save_weights(self, filepath, overwrite)

    def load_weights(self, filepath: str, skip_mismatch: bool = False, **kwargs: Any) -> None:
        from .saving import load_weights  # noqa: PLC0415
        load_weights(self, filepath, skip_mismatch)


def _function() -> Any:
    """`tf.function` (from the engine while the public name is not exported yet); None without one."""
    function = getattr(tf(), "function", None)
    if function is None:
        try:
            from runtime.function import function  # noqa: PLC0415
        except ImportError:
            return None
    return function


def _batch_size(x: Any) -> Any:
    """The batch size, static when the shape says it (it is, inside a function traced per shape)."""
    first = nest.flatten(x)[0]
    n = first.shape[0] if first.shape.rank else None
    return float(n) if n is not None else tf().shape(first)[0]


def _unpack(data: Any) -> tuple:
    if isinstance(data, tuple):
        return (data + (None, None))[:3]
    return data, None, None


def _as_xy(data: Any) -> tuple:
    return tuple(data) if isinstance(data, (list, tuple)) else (data,)


def _pythonify(logs: Any) -> dict:
    def value(v: Any) -> Any:
        a = np.asarray(v)
        return float(a) if a.ndim == 0 else a   # NOTE: a metric at several thresholds logs an array, as Keras
    return {k: value(v) for k, v in sorted(dict(logs or {}).items())}


def _split(x: Any, y: Any, sw: Any, fraction: float) -> tuple:
    n = len(nest.flatten(x)[0])
    cut = int(n * (1.0 - fraction))
    head = lambda s: None if s is None else nest.map_structure(lambda a: np.asarray(a)[:cut], s)  # noqa: E731
    tail = lambda s: None if s is None else nest.map_structure(lambda a: np.asarray(a)[cut:], s)  # noqa: E731
    return (head(x), head(y), head(sw)), (tail(x), tail(y))


class Batches:
    """(x, y, sample_weight) batches from arrays (sliced in order or shuffled each epoch) or a dataset."""

    def __init__(self, x: Any, y: Any, sample_weight: Any, batch_size: Any, shuffle: Any) -> None:
        self.dataset = None
        if _is_dataset(x):
            self.dataset, self.steps = x, None
            return
        self.x, self.y, self.sw = (None if s is None else nest.map_structure(_host, s) for s in (x, y, sample_weight))
        self.n = len(nest.flatten(self.x)[0])
        self.batch_size = int(batch_size or 32)
        self.steps = -(-self.n // self.batch_size)
        self.shuffle = shuffle
        self._cache: list | None = None

    def _take(self, index: Any) -> tuple:
        pick = lambda s: None if s is None else nest.map_structure(  # noqa: E731
            lambda a: as_float_tensor(a[index]), s)
        batch = (pick(self.x), pick(self.y), pick(self.sw))
        return batch if batch[2] is not None else batch[:2] if batch[1] is not None else (batch[0],)

    def whole(self) -> tuple:
        """All samples as one batch (`train_on_batch` and friends)."""
        return self.first() if self.dataset is not None else self._take(slice(0, self.n))

    def first(self) -> tuple:
        if self.dataset is not None:
            for batch in self.dataset:
                return tuple(batch) if isinstance(batch, (list, tuple)) else (batch,)
        return self._take(slice(0, self.batch_size))

    def epoch(self) -> Any:
        if self.dataset is not None:
            for batch in self.dataset:
                yield tuple(batch) if isinstance(batch, (list, tuple)) else (batch,)
            return
        if self.shuffle:
            order = np.random.permutation(self.n)
            for start in range(0, self.n, self.batch_size):
                yield self._take(order[start:start + self.batch_size])
            return
        if self._cache is None:
            self._cache = [self._take(slice(s, s + self.batch_size)) for s in range(0, self.n, self.batch_size)]
        yield from self._cache


def _host(a: Any) -> Any:
    if hasattr(a, "numpy"):
        return np.asarray(a.numpy())
    return np.asarray(a)


def _is_dataset(x: Any) -> bool:
    return any(c.__name__.endswith("Dataset") for c in type(x).__mro__) and not isinstance(x, np.ndarray)
