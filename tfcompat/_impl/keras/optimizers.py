"""`tf.keras.optimizers` (also `tf.optimizers`): Keras 3 update rules on `tf.Variable`s.

    opt = Adam(learning_rate=1e-3)
    opt.apply_gradients(zip(grads, variables))   # slots made on the first call; iterations += 1

Slot variables are created on first use (or by `build(var_list)`), with their initial
values computed outside any function being traced.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from runtime import dispatch
from runtime.ops import training
from runtime.variables import Variable

from ..._export import export
from .base_layer import init_scope
from .common import KerasVariable, optimizer_args, snake, tf
from .schedules import LearningRateSchedule


def _exp(name: str) -> Any:
    return export(f"keras.optimizers.{name}", f"optimizers.{name}", v1=(f"keras.optimizers.{name}",))


@_exp("Optimizer")
class Optimizer:
    """Base optimizer: `update_step(gradient, variable, learning_rate)` is the rule; the rest is shared.

    Checkpoints see what TensorFlow's Keras 3 optimizer exposes: `_iterations`, `_learning_rate`,
    `_trainable_variables` and `_variables` (iterations, learning rate, then the slots in Keras's
    creation order), so `tf.train.Checkpoint` keys match TensorFlow's (`optimizer/_variables/2/...`).
    """

    _TF_MODULE_IGNORED_PROPERTIES = ("_slots", "_index", "_step_cache")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None:
            def build_then_restore(self: Any, var_list: Iterable) -> None:
                build(self, var_list)
                from ..checkpoint_api import restore_deferred  # noqa: PLC0415
                restore_deferred()  # NOTE: slots a checkpoint restored before they existed get their values now
            build_then_restore.__doc__ = build.__doc__
            cls.build = build_then_restore  # type: ignore[method-assign]

    def __init__(self, learning_rate: Any = 0.001, weight_decay: Any = None, clipnorm: Any = None,
                 clipvalue: Any = None, global_clipnorm: Any = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: Any = None, loss_scale_factor: Any = None,
                 gradient_accumulation_steps: Any = None, name: str | None = None, **kwargs: Any) -> None:
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set.")
        self.name = name or snake(type(self).__name__)
        self.weight_decay, self.clipnorm, self.clipvalue = weight_decay, clipnorm, clipvalue
        self.global_clipnorm, self.use_ema, self.loss_scale_factor = global_clipnorm, use_ema, loss_scale_factor
        self.built = False
        self._index: dict[int, int] = {}
        self._slots: list = []
        with init_scope():
            self._iterations = KerasVariable(np.int64(0), name="iteration", path=f"{self.name}/iteration",
                                             trainable=False)
            if isinstance(learning_rate, LearningRateSchedule):
                self._learning_rate: Any = learning_rate
            else:
                self._learning_rate = KerasVariable(np.float32(learning_rate), name="learning_rate",
                                                    path=f"{self.name}/learning_rate", trainable=False)
        self._variables: list = [self._iterations] + ([] if isinstance(self._learning_rate, LearningRateSchedule)
                                                      else [self._learning_rate])

    # -- state -------------------------------------------------------------------------------
    @property
    def iterations(self) -> KerasVariable:
        return self._iterations

    @property
    def learning_rate(self) -> Any:
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, LearningRateSchedule) or isinstance(self._learning_rate, LearningRateSchedule):
            self._learning_rate = value
        else:
            self._learning_rate.assign(np.float32(value))

    def _current_learning_rate(self) -> Any:
        if isinstance(self._learning_rate, LearningRateSchedule):
            return self._learning_rate(self._iterations)
        return self._learning_rate.value()

    @property
    def variables(self) -> list:
        own = [self._iterations]
        if not isinstance(self._learning_rate, LearningRateSchedule):
            own.append(self._learning_rate)
        return own + list(self._slots)

    def build(self, var_list: Iterable) -> None:
        """Create slot variables for `var_list` (subclasses add theirs after calling this)."""
        var_list = list(var_list)
        for i, v in enumerate(var_list):
            self._index[id(v)] = i
        self._trainable_variables = var_list
        self.built = True

    def add_variable_from_reference(self, reference_variable: Any, name: str | None = None,
                                    initializer: Any = "zeros") -> KerasVariable:
        """A slot shaped like `reference_variable`, zeros (or a constant) at first."""
        value = np.zeros(tuple(reference_variable.shape.as_list()), reference_variable.dtype.as_numpy_dtype)
        if not isinstance(initializer, str):
            value = value + np.asarray(initializer, value.dtype)
        base = getattr(reference_variable, "path", reference_variable.name.split(":")[0]).replace("/", "_")
        with init_scope():
            slot = KerasVariable(value, name=f"{base}_{name}", path=f"{self.name}/{base}_{name}", trainable=False)
        self._slots.append(slot)
        self._variables.append(slot)
        return slot

    def _slots_for(self, var_list: list, name: str, initializer: Any = "zeros") -> list:
        return [self.add_variable_from_reference(v, name, initializer) for v in var_list]

    def _slots_interleaved(self, var_list: list, names: tuple) -> tuple:
        """One list per name, created variable by variable (Keras's add_optimizer_variables order)."""
        out: tuple = tuple([] for _ in names)
        for v in var_list:
            for slots, name in zip(out, names):
                slots.append(self.add_variable_from_reference(v, name))
        return out

    def _var_index(self, variable: Any) -> int:
        return self._index[id(variable)]

    _get_variable_index = _var_index

    # -- applying ----------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable) -> Any:
        """Update each variable from its gradient (pairs with a None gradient are skipped)."""
        pairs = list(grads_and_vars)
        return self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads: list, trainable_variables: Any = None) -> Any:
        grads = list(grads)
        variables = list(trainable_variables) if trainable_variables is not None else None
        if variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built "
                                 "on a list of variables. Call `optimizer.build(trainable_variables)` first.")
            variables = [None] * len(grads)
        if not self.built:
            self.build(variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not pairs:
            raise ValueError(f"No gradients provided for any variable: {[v.name for v in variables]}")
        missing = [v for v in (v for _, v in pairs) if id(v) not in self._index]
        if missing:
            raise KeyError(f"The optimizer cannot recognize variable {missing[0].name}. This usually means you are "
                           "trying to call the optimizer to update different parts of the model separately. "
                           "Please call `optimizer.build(variables)` with the full list of trainable variables "
                           "before the training loop or use a separate optimizer instance per variable set.")
        grads = self._clip([dispatch.convert_to_tensor(g) for g, _ in pairs])
        self._step_cache: dict = {}  # NOTE: per-apply scalars shared by all variables of one dtype
        lr = self._current_learning_rate()
        for g, (_, v) in zip(grads, pairs):
            if self.weight_decay:
                v.assign_sub(v * tf().cast(lr * self.weight_decay, v.dtype))
            self.update_step(g, v, lr)
            if v.constraint is not None:  # NOTE: Keras projects a constrained variable after its update
                v.assign(v.constraint(v))
        self._step_cache = {}
        self._iterations.assign_add(np.int64(1))
        return self._iterations

    def _clip(self, grads: list) -> list:
        t = tf()
        if self.clipnorm is not None:
            return [t.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.clipvalue is not None:
            return [t.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.global_clipnorm is not None:
            return list(t.clip_by_global_norm(grads, self.global_clipnorm)[0])
        return grads

    def minimize(self, loss: Any, var_list: Any, tape: Any = None) -> Any:
        """Keras 2's helper (TF 2.0-era code calls it): gradients of `loss()` for `var_list`, then apply them."""
        var_list = var_list() if callable(var_list) else list(var_list)
        if tape is None:
            with tf().GradientTape() as tape:
                value = loss()
        else:
            value = loss
        return self.apply_gradients(zip(tape.gradient(value, var_list), var_list))

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define update_step(gradient, variable, learning_rate)")

    def get_config(self) -> dict:
        lr = self._learning_rate
        return {"name": self.name, "learning_rate": lr.get_config() if isinstance(lr, LearningRateSchedule)
                else float(lr.numpy()), "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config: dict) -> "Optimizer":
        return cls(**config)


def _cast(x: Any, dtype: Any) -> Any:
    return tf().cast(x, dtype)


def _fusable(*variables: Any) -> bool:
    """Whether a fused `ResourceApply*` op may update these (plain resource variables)."""
    return all(isinstance(v, Variable) for v in variables)


def _py(x: Any) -> Any:
    """A Python float hyperparameter as float64, so the kernel rounds `1 - x` as Keras' Python does."""
    return np.float64(x) if isinstance(x, (int, float)) else None


@_exp("SGD")
class SGD(Optimizer):
    """v -= lr * g; with momentum m = momentum * m - lr * g, v += m (nesterov: v += momentum * m - lr * g)."""

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: Any = None, clipnorm: Any = None, clipvalue: Any = None,
                 global_clipnorm: Any = None, use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: Any = None, loss_scale_factor: Any = None,
                 gradient_accumulation_steps: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**optimizer_args(locals()))
        if not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum, self.nesterov = momentum, nesterov

    def build(self, var_list: Iterable) -> None:
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self.momentums = self._slots_for(var_list, "momentum") if self.momentum != 0 else []

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        lr = _cast(learning_rate, variable.dtype)
        gradient = _cast(gradient, variable.dtype)
        if self.momentum == 0:
            if _fusable(variable):  # var -= g * lr, one pass
                training.apply(training.resource_apply_gradient_descent, variable, lr, gradient)
            else:
                variable.assign_sub(gradient * lr)
            return
        m = self.momentums[self._var_index(variable)]
        momentum = _cast(self.momentum, variable.dtype)
        if _fusable(variable, m):  # m = m * momentum - g * lr; v += m (nesterov: m * momentum - g * lr)
            training.apply(training.resource_apply_keras_momentum, variable, m, lr, gradient, momentum,
                           use_nesterov=bool(self.nesterov))
            return
        m.assign(m * momentum - gradient * lr)
        if self.nesterov:
            variable.assign_add(m * momentum - gradient * lr)
        else:
            variable.assign_add(m)


@_exp("Adam")
class Adam(Optimizer):
    """Adam with Keras 3's bias correction folded into the step size alpha."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, weight_decay: Any = None, clipnorm: Any = None, clipvalue: Any = None,
                 global_clipnorm: Any = None, use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: Any = None, loss_scale_factor: Any = None,
                 gradient_accumulation_steps: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**optimizer_args(locals()))
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, var_list: Iterable) -> None:
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._momentums, self._velocities = self._slots_interleaved(var_list, ("momentum", "velocity"))
        self._velocity_hats = self._slots_for(var_list, "velocity_hat") if self.amsgrad else []

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        t, dtype = tf(), variable.dtype
        gradient = _cast(gradient, dtype)
        cache = getattr(self, "_step_cache", {})
        if dtype not in cache:
            step = _cast(self._iterations + 1, dtype)
            cache[dtype] = (_cast(learning_rate, dtype), t.pow(_cast(self.beta_1, dtype), step),
                            t.pow(_cast(self.beta_2, dtype), step))
        lr, beta_1_power, beta_2_power = cache[dtype]
        i = self._var_index(variable)
        m, v = self._momentums[i], self._velocities[i]
        b1, b2, eps = _py(self.beta_1), _py(self.beta_2), _py(self.epsilon)
        if not self.amsgrad and _fusable(variable, m, v) and None not in (b1, b2, eps):
            # NOTE: ResourceApplyAdam's math and order are exactly the ops below (bit-identical)
            training.apply(training.resource_apply_adam, variable, m, v, beta_1_power, beta_2_power, lr,
                           b1, b2, eps, gradient)
            return
        alpha = lr * t.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((t.square(gradient) - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[i]
            v_hat.assign(t.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub((m * alpha) / (t.sqrt(v) + self.epsilon))


@_exp("RMSprop")
class RMSprop(Optimizer):
    """velocity = rho * velocity + (1 - rho) * g^2;  v -= lr * g / sqrt(velocity + eps)."""

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, weight_decay: Any = None, clipnorm: Any = None, clipvalue: Any = None,
                 global_clipnorm: Any = None, use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: Any = None, loss_scale_factor: Any = None,
                 gradient_accumulation_steps: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**optimizer_args(locals()))
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, var_list: Iterable) -> None:
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._velocities = self._slots_for(var_list, "velocity")
        self._momentums = self._slots_for(var_list, "momentum") if self.momentum > 0 else []
        self._average_gradients = self._slots_for(var_list, "average_gradient") if self.centered else []

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        t, dtype = tf(), variable.dtype
        lr, gradient = _cast(learning_rate, dtype), _cast(gradient, dtype)
        i = self._var_index(variable)
        velocity, rho = self._velocities[i], self.rho
        velocity.assign(rho * velocity + (1 - rho) * t.square(gradient))
        if self.centered:
            average_grad = self._average_gradients[i]
            average_grad.assign(rho * average_grad + (1 - rho) * gradient)
            denominator = velocity - t.square(average_grad) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = (lr * gradient) / t.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[i]
            momentum.assign(self.momentum * momentum + increment)
            variable.assign_sub(momentum)
        else:
            variable.assign_sub(increment)
