"""`tf.keras.optimizers.Adagrad`, `Adadelta`, `Ftrl` and `get`: accumulator-based Keras 3 update rules.

    opt = Adagrad(learning_rate=0.1)          # accumulators start at initial_accumulator_value
    opt = Ftrl(learning_rate=0.2)             # the default optimizer of canned linear estimators
"""
from __future__ import annotations

from typing import Any, Iterable

from .common import optimizer_args, tf
from .optimizers import SGD, Adam, Optimizer, RMSprop, _cast, _exp

@_exp("Adagrad")
class Adagrad(Optimizer):
    """accumulator += g^2;  v -= lr * g / sqrt(accumulator + eps)."""

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 weight_decay: Any = None, clipnorm: Any = None, clipvalue: Any = None,
                 global_clipnorm: Any = None, use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: Any = None, loss_scale_factor: Any = None,
                 gradient_accumulation_steps: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**optimizer_args(locals()))
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def build(self, var_list: Iterable) -> None:
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._accumulators = self._slots_for(var_list, "accumulator", self.initial_accumulator_value)

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        t, dtype = tf(), variable.dtype
        lr, gradient = _cast(learning_rate, dtype), _cast(gradient, dtype)
        acc = self._accumulators[self._var_index(variable)]
        acc.assign_add(t.square(gradient))
        variable.assign_sub((lr * gradient) / t.sqrt(acc + self.epsilon))


@_exp("Adadelta")
class Adadelta(Optimizer):
    """Adadelta: step = -sqrt(acc_delta + eps) / sqrt(acc_grad + eps) * g, scaled by lr."""

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 weight_decay: Any = None, clipnorm: Any = None, clipvalue: Any = None,
                 global_clipnorm: Any = None, use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: Any = None, loss_scale_factor: Any = None,
                 gradient_accumulation_steps: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**optimizer_args(locals()))
        self.rho, self.epsilon = rho, epsilon

    def build(self, var_list: Iterable) -> None:
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self._slots_interleaved(
            var_list, ("accumulated_grad", "accumulated_delta_var"))

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        t, dtype = tf(), variable.dtype
        lr, grad = _cast(learning_rate, dtype), _cast(gradient, dtype)
        i, rho = self._var_index(variable), self.rho
        acc_grad, acc_delta = self._accumulated_grads[i], self._accumulated_delta_vars[i]

        def rms(x: Any) -> Any:
            return t.sqrt(x + self.epsilon)
        acc_grad.assign(rho * acc_grad + (1 - rho) * t.square(grad))
        delta = -((rms(acc_delta) * grad) / rms(acc_grad))
        acc_delta.assign(rho * acc_delta + (1 - rho) * t.square(delta))
        variable.assign_add(lr * delta)


@_exp("Ftrl")
class Ftrl(Optimizer):
    """FTRL-Proximal (Keras 3's update, TF's ResourceApplyFtrlV2 spelt out):

        n' = n + g^2;  z += g + 2 * l2_shrinkage * v - (n'^-p - n^-p) / lr * v   (p = learning_rate_power)
        v = (clip(z, -l1, l1) - z) / (n'^-p / lr + 2 * (l2 + beta / (2 * lr)));  n = n'
    """

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, l2_shrinkage_regularization_strength: float = 0.0,
                 beta: float = 0.0, weight_decay: Any = None, clipnorm: Any = None, clipvalue: Any = None,
                 global_clipnorm: Any = None, use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: Any = None, loss_scale_factor: Any = None,
                 gradient_accumulation_steps: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**optimizer_args(locals()))
        for arg, value, sign in (("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                                 ("learning_rate_power", learning_rate_power, "negative or zero"),
                                 ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
                                 ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
                                 ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
                                  "positive or zero")):
            if (value > 0.0) if sign == "negative or zero" else (value < 0.0):
                raise ValueError(f"`{arg}` needs to be {sign}. Received: {arg}={value}.")
        self.learning_rate_power, self.initial_accumulator_value = learning_rate_power, initial_accumulator_value
        self.l1_regularization_strength, self.l2_regularization_strength = (l1_regularization_strength,
                                                                            l2_regularization_strength)
        self.l2_shrinkage_regularization_strength, self.beta = l2_shrinkage_regularization_strength, beta

    def build(self, var_list: Iterable) -> None:
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._accumulators, self._linears = [], []
        for v in var_list:   # NOTE: Keras's add_optimizer_variables order: accumulator, linear per variable
            self._accumulators.append(self.add_variable_from_reference(v, "accumulator",
                                                                       self.initial_accumulator_value))
            self._linears.append(self.add_variable_from_reference(v, "linear"))

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        t, dtype = tf(), variable.dtype
        lr, gradient = _cast(learning_rate, dtype), _cast(gradient, dtype)
        i = self._var_index(variable)
        accum, linear = self._accumulators[i], self._linears[i]
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        grad_to_use = gradient + (2 * self.l2_shrinkage_regularization_strength) * variable
        new_accum = accum + t.square(gradient)
        linear.assign_add(grad_to_use - ((t.pow(new_accum, power) - t.pow(accum, power)) / lr) * variable)
        quadratic = t.pow(new_accum, power) / lr + 2 * l2
        l1 = self.l1_regularization_strength
        # NOTE: with l1 = 0 the clip is a zero of either sign; TF's kernel yields +0.0 there, so a variable whose
        # linear term is 0 stays 0.0 (not -0.0, which prints differently)
        clipped = t.clip_by_value(linear, -l1, l1) if l1 else t.zeros_like(linear)
        variable.assign((clipped - linear) / quadratic)
        accum.assign(new_accum)

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta, "ftrl": Ftrl}


@_exp("get")
def get(identifier: Any) -> Optimizer:
    """'adam' / an Optimizer -> an Optimizer."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    if isinstance(identifier, dict):
        return _BY_NAME[identifier["class_name"].lower()](**identifier.get("config", {}))
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
