"""`tf.keras.optimizers.Adagrad`, `Adadelta` and `get`: accumulator-based Keras 3 update rules.

    opt = Adagrad(learning_rate=0.1)          # accumulators start at initial_accumulator_value
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


_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta}


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
