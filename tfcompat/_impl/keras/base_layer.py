"""`tf.keras.layers.Layer`: builds on first call, owns weights, tracks sublayers.

    class Linear(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 4))
        def call(self, x):
            return tf.matmul(x, self.w)
    Linear()(np.ones((2, 3)))   # build((2, 3)), then call: float64 input cast to float32
"""
from __future__ import annotations

import contextlib
import functools
import inspect
from typing import Any, Iterator

import numpy as np

from runtime import dispatch, nest
from runtime.variables import Variable

from ..._export import export
from . import initializers, regularizers
from .common import CALL_CONTEXT, KerasVariable, as_float_tensor, floatx, snake, tf, unique_name

_KNOWN_KWARGS = ("input_shape", "input_dim", "batch_size", "batch_input_shape", "input_length", "weights")


def init_scope() -> Any:
    """Where initial values are computed: outside any function being traced (eager)."""
    scope = getattr(tf(), "init_scope", None)
    return scope() if scope is not None else contextlib.nullcontext()


def is_keras_tensor(x: Any) -> bool:
    return getattr(x, "_is_keras_tensor", False)


@export("keras.layers.Layer", "keras.Layer", v1=("keras.layers.Layer",))
class Layer:
    """Base layer: `build(input_shape)` once, then `call(inputs, ...)`."""

    _TF_MODULE_IGNORED_PROPERTIES = ("_init_args", "_built_input_shape")  # NOTE: saving metadata, not state

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Record the arguments each layer is constructed with: its config for `model.save`."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        @functools.wraps(init)
        def recording_init(self: Any, *args: Any, **kw: Any) -> None:
            if "_init_args" not in self.__dict__:  # NOTE: the outermost constructor's arguments only
                object.__setattr__(self, "_init_args", (args, dict(kw)))
            init(self, *args, **kw)
        cls.__init__ = recording_init  # type: ignore[method-assign]

    def __init__(self, *, activity_regularizer: Any = None, trainable: bool = True, dtype: Any = None,
                 autocast: bool = True, name: str | None = None, **kwargs: Any) -> None:
        unknown = [k for k in kwargs if k not in _KNOWN_KWARGS]
        if unknown:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{ {k: kwargs[k] for k in unknown} }")
        d = object.__setattr__
        d(self, "_layers", [])
        d(self, "_own_variables", [])
        d(self, "_regularized", [])
        d(self, "_call_losses", [])
        d(self, "_trainable", trainable)
        d(self, "built", False)
        self.name = name or unique_name(snake(type(self).__name__))
        self._dtype = (dtype.name if hasattr(dtype, "name") else dtype) or floatx()
        self.autocast = autocast
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.supports_masking = False
        self._last_output_shape: Any = None
        shape = kwargs.get("input_shape")
        if kwargs.get("input_dim") is not None:
            shape = (kwargs["input_dim"],)
        if kwargs.get("batch_input_shape") is not None:
            shape = tuple(kwargs["batch_input_shape"])[1:]
        self._input_shape_arg = tuple(shape) if shape is not None else None
        self._batch_size_arg = kwargs.get("batch_size")
        params = inspect.signature(self.call).parameters
        self._call_has_training_arg = "training" in params
        self._call_has_kwargs = any(p.kind is p.VAR_KEYWORD for p in params.values())

    # -- tracking ----------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_") or name in ("_layers",):
            self._track(value)
        object.__setattr__(self, name, value)

    def _track(self, value: Any) -> None:
        if isinstance(value, Layer):
            if "_layers" in self.__dict__ and value is not self and \
                    all(value is not l for l in self._layers):
                self._layers.append(value)
        elif isinstance(value, Variable):
            if "_own_variables" in self.__dict__ and all(value is not v for v in self._own_variables):
                self._own_variables.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self._track(v)
        elif isinstance(value, dict):
            for k in sorted(value, key=str):
                self._track(value[k])

    # -- weights -----------------------------------------------------------------------------
    def add_weight(self, shape: Any = None, initializer: Any = None, dtype: Any = None, trainable: bool = True,
                   autocast: bool = True, regularizer: Any = None, constraint: Any = None,
                   aggregation: str = "none", overwrite_with_gradient: bool = False,
                   name: str | None = None) -> KerasVariable:
        """A new variable owned by this layer (`initializer` defaults to glorot_uniform / zeros)."""
        shape = tuple(int(s) for s in (shape or ()))
        dtype = dtype.name if hasattr(dtype, "name") else (dtype or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        init = initializers.get(initializer)
        name = name or unique_name("variable")
        with init_scope():
            value = init(shape, dtype=dtype)
            v = KerasVariable(value, name=name, path=f"{self.name}/{name}", trainable=trainable,
                              dtype=dtype, constraint=constraint)
        reg = regularizers.get(regularizer)
        if reg is not None:
            v.regularizer = reg
            self._regularized.append((v, reg))
        self._own_variables.append(v)
        return v

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        object.__setattr__(self, "_trainable", bool(value))
        for layer in self._layers:
            layer.trainable = value

    def _all_weights(self) -> list:
        seen: set = set()
        out = []
        for v in self._own_variables + [w for layer in self._layers for w in layer.weights]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def weights(self) -> list:
        return self._all_weights()

    variables = weights

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        own = [v for v in self._own_variables if v.trainable]
        return _unique(own + [w for layer in self._layers for w in layer.trainable_weights])

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list:
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights: list) -> None:
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of "
                             f"length {len(weights)}, but the layer was expecting {len(own)} weights.")
        for v, w in zip(own, weights):
            w = np.asarray(w)
            if tuple(v.shape.as_list()) != w.shape:
                raise ValueError(f"Layer {self.name} weight shape {tuple(v.shape.as_list())} is not compatible "
                                 f"with provided weight shape {w.shape}.")
            v.assign(w.astype(v.dtype.as_numpy_dtype))

    def count_params(self) -> int:
        return int(sum(np.prod(v.shape.as_list(), dtype=np.int64) for v in self.weights))

    @property
    def losses(self) -> list:
        out = [reg(v) for v, reg in self._regularized] + list(self._call_losses)
        for layer in self._layers:
            out.extend(layer.losses)
        return out

    def add_loss(self, loss: Any) -> None:
        self._call_losses.append(loss)

    @property
    def layers(self) -> list:
        return list(self._layers)

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype

    # -- building and calling ----------------------------------------------------------------
    def build(self, input_shape: Any = None) -> None:
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` method implemented.")

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def _build_for(self, inputs: Any) -> None:
        shapes = nest.map_structure(lambda t: tuple(t.shape.as_list()) if hasattr(t, "shape") else None, inputs)
        object.__setattr__(self, "_built_input_shape", (None,) + shapes[1:] if isinstance(shapes, tuple) and shapes
                           and all(isinstance(d, (int, type(None))) for d in shapes) else None)
        self.build(shapes)
        object.__setattr__(self, "built", True)
        from ..checkpoint_api import _PENDING, restore_deferred  # noqa: PLC0415
        if _PENDING:
            restore_deferred()  # NOTE: weights restored from a checkpoint before this layer was built

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args and any(is_keras_tensor(t) for t in nest.flatten(args[0])):
            from .functional import call_symbolic  # noqa: PLC0415
            return call_symbolic(self, args, kwargs)
        if "inputs" in kwargs and not args:
            args = (kwargs.pop("inputs"),)
        inputs = self._convert_inputs(args[0])
        args = (inputs,) + args[1:]
        if not self.built:
            self._build_for(inputs)
        training = kwargs.pop("training", None)
        if training is None and CALL_CONTEXT.training:
            training = CALL_CONTEXT.training[-1]
        if self._call_has_training_arg and training is not None:
            kwargs["training"] = training
        if "mask" in kwargs and not self._call_accepts("mask"):
            del kwargs["mask"]
        self._call_losses.clear()
        CALL_CONTEXT.training.append(training)
        try:
            outputs = self.call(*args, **kwargs)
        finally:
            CALL_CONTEXT.training.pop()
        if self.activity_regularizer is not None:
            for o in nest.flatten(outputs):
                self.add_loss(self.activity_regularizer(o) / tf().cast(tf().shape(o)[0], o.dtype))
        first = nest.flatten(outputs)[0] if nest.flatten(outputs) else None
        if first is not None and getattr(getattr(first, "shape", None), "rank", None) is not None:
            self._last_output_shape = tuple(first.shape.as_list())
        return outputs

    def _call_accepts(self, name: str) -> bool:
        return self._call_has_kwargs or name in inspect.signature(self.call).parameters

    def _convert_inputs(self, inputs: Any) -> Any:
        def convert(x: Any) -> Any:
            if x is None or isinstance(x, (str, bytes)):
                return x
            if self.autocast:
                return as_float_tensor(x, self._dtype)
            return dispatch.convert_to_tensor(x)
        if isinstance(inputs, (list, tuple, dict)):
            return nest.map_structure(convert, inputs)
        return convert(inputs)

    # -- misc --------------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        return cls(**config)

    @property
    def output_shape(self) -> Any:
        if self._last_output_shape is None:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no defined output shape.")
        return (None,) + tuple(self._last_output_shape[1:])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _unique(vs: list) -> list:
    seen: set = set()
    out = []
    for v in vs:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


@contextlib.contextmanager
def training_scope(training: Any) -> Iterator[None]:
    CALL_CONTEXT.training.append(training)
    try:
        yield
    finally:
        CALL_CONTEXT.training.pop()
