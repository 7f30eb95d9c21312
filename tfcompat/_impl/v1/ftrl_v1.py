"""`tf.train.FtrlOptimizer`: Follow-the-regularized-leader, the default optimizer of TF1's linear estimators.

    opt = tf.train.FtrlOptimizer(0.2)     # accum starts at 0.1, learning_rate_power -0.5, no l1/l2
    train_op = opt.minimize(loss, global_step=step)

Per step (TensorFlow's ResourceApplyFtrlV2 with l2_shrinkage = 0):
accum' = accum + g^2;  linear += g - (accum'^-p - accum^-p) / lr * var;
var = (sign(linear) * l1 - linear) / (accum'^-p / lr + 2 * l2) if |linear| > l1 else 0.
"""
from __future__ import annotations

from typing import Any

from runtime.ops import elementwise as e

from ._api import v1_export
from .graph_api import get_default_graph
from .optimizers import Optimizer, _update


@v1_export("train.FtrlOptimizer")
class FtrlOptimizer(Optimizer):
    """FTRL-Proximal with TF1's defaults; slots `<var>/Ftrl` (accumulator) and `<var>/Ftrl_1` (linear)."""

    def __init__(self, learning_rate: Any, learning_rate_power: float = -0.5, initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0, l2_regularization_strength: float = 0.0,
                 use_locking: bool = False, name: str = "Ftrl", accum_name: Any = None, linear_name: Any = None,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: Any = None) -> None:
        if initial_accumulator_value < 0.0:
            raise ValueError(f"initial_accumulator_value {initial_accumulator_value} needs to be positive or zero")
        if learning_rate_power > 0.0:
            raise ValueError(f"learning_rate_power {learning_rate_power} needs to be negative or zero")
        if l1_regularization_strength < 0.0 or l2_regularization_strength < 0.0:
            raise ValueError("l1_regularization_strength and l2_regularization_strength need to be positive or zero")
        if l2_shrinkage_regularization_strength or beta:
            raise NotImplementedError("FtrlOptimizer(l2_shrinkage_regularization_strength=/beta=) is not supported "
                                      "by tfcompat; leave them at 0/None")
        super().__init__(use_locking, name)
        self._learning_rate, self._power = learning_rate, learning_rate_power
        self._init, self._l1, self._l2 = initial_accumulator_value, l1_regularization_strength, \
            l2_regularization_strength
        self._accum_name, self._linear_name = accum_name or self._name, linear_name or self._name + "_1"

    def _create_slots(self, var_list: list) -> None:
        for v in var_list:
            self._zeros_slot(v, "accum", self._accum_name, self._init)
            self._zeros_slot(v, "linear", self._linear_name)

    def _apply_dense(self, grad: Any, var: Any) -> Any:
        accum, linear = self.get_slot(var, "accum"), self.get_slot(var, "linear")
        lr = self._lr(self._learning_rate, var.dtype)
        p = -self._power
        old, new = accum.value(), accum.value() + e.square(grad)
        new_linear = linear.value() + grad - (e.pow_(new, p) - e.pow_(old, p)) / lr * var.value()
        quadratic = e.pow_(new, p) / lr + 2.0 * self._l2
        shrunk = (e.sign(new_linear) * self._l1 - new_linear) / quadratic
        new_var = e.select(e.greater(e.abs_(new_linear), self._l1), shrunk, e.zeros_like_e(new_linear)) \
            if self._l1 else shrunk
        g = get_default_graph()
        updates = [_update(accum, "assign", new), _update(linear, "assign", new_linear)]
        with g.control_dependencies(updates):
            return _update(var, "assign", new_var)
