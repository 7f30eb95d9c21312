"""TF1 optimizers (`tf.train.*Optimizer`) with TF1's update math, slot names and `global_step`.

    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss, global_step=step)
    # slots: 'w/Adam:0' (m), 'w/Adam_1:0' (v); non-slot 'beta1_power:0', 'beta2_power:0'
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, graph_rules
from runtime.ops import elementwise as e, training

from ._api import v1_export
from .graph_api import get_default_graph, group
from .variables_v1 import VariableV1, trainable_variables


@v1_export("gradients")
def gradients(ys: Any, xs: Any, grad_ys: Any = None, name: str = "gradients", colocate_gradients_with_ops: bool = False,
              gate_gradients: bool = False, aggregation_method: Any = None, stop_gradients: Any = None,
              unconnected_gradients: Any = "none") -> list:
    """tf.gradients(loss, [w, b]) -> [dloss/dw, dloss/db] as graph tensors (None when unconnected)."""
    return graph_rules.gradients(ys, xs, grad_ys, stop_gradients, unconnected_gradients)


@v1_export("hessians")
def hessians(ys: Any, xs: Any, name: str = "hessians", colocate_gradients_with_ops: bool = False,
             gate_gradients: bool = False, aggregation_method: Any = None) -> list:
    """Second derivatives of sum(ys) for each x, shaped x.shape + x.shape."""
    from runtime.ops import array  # noqa: PLC0415
    xs_list = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    out = []
    for x, g in zip(xs_list, gradients(ys, xs_list)):
        n = int(np.prod(x.shape.as_list()))
        flat = array.reshape(g, [n])
        rows = [gradients(flat[i], x)[0] for i in range(n)]
        rows = [array.zeros_like(x.value() if hasattr(x, "_handle") else x) if r is None else r for r in rows]
        out.append(array.reshape(array.stack(rows), x.shape.as_list() + x.shape.as_list()))
    return out


class Optimizer:
    """`tf.train.Optimizer`: compute_gradients, apply_gradients, minimize, slots."""

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2

    def __init__(self, use_locking: bool, name: str) -> None:
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking, self._name = use_locking, name
        self._slots: dict[str, dict[int, Any]] = {}
        self._non_slot: dict[str, Any] = {}

    def get_name(self) -> str:
        return self._name

    # -- the TF1 API -------------------------------------------------------------------------
    def minimize(self, loss: Any, global_step: Any = None, var_list: Any = None, gate_gradients: int = 1,
                 aggregation_method: Any = None, colocate_gradients_with_ops: bool = False, name: str | None = None,
                 grad_loss: Any = None) -> Any:
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(f"No gradients provided for any variable, check your graph for ops that do not "
                             f"support gradients, between variables {[v.name for _, v in grads_and_vars]} "
                             f"and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss: Any, var_list: Any = None, gate_gradients: int = 1,
                          aggregation_method: Any = None, colocate_gradients_with_ops: bool = False,
                          grad_loss: Any = None) -> list:
        """[(gradient or None, variable)] for the trainable variables (or `var_list`)."""
        if callable(loss):
            raise NotImplementedError("compute_gradients with a callable loss needs eager execution")
        var_list = list(var_list) if var_list is not None else trainable_variables()
        var_list += [v for v in get_default_graph().get_collection("trainable_resource_variables")
                     if v not in var_list] if var_list is None else []
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = gradients(loss, var_list, grad_ys=grad_loss)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars: Any, global_step: Any = None, name: str | None = None) -> Any:
        """An op applying each (gradient, variable) update, then incrementing `global_step`."""
        grads_and_vars = [(g, v) for g, v in grads_and_vars]
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            raise ValueError(f"No gradients provided for any variable: {[v.name for _, v in grads_and_vars]}.")
        g = get_default_graph()
        self._create_slots([v for _, v in pairs])
        with g.name_scope(name or self._name) as scope:
            self._prepare()
            updates = [self._apply_dense(dispatch.convert_to_tensor(grad), var) for grad, var in pairs]
            updates = [u for u in updates if u is not None]
            finish = self._finish(updates)
            if global_step is None:
                return finish if finish is not None else group(*updates, name=scope.rstrip("/").split("/")[-1])
            with g.control_dependencies([finish] if finish is not None else updates):
                return global_step.assign_add(1, read_value=False, name=name)

    # -- slots -------------------------------------------------------------------------------
    def _zeros_slot(self, var: Any, slot: str, op_name: str, value: float = 0.0) -> Any:
        slots = self._slots.setdefault(slot, {})
        if id(var) not in slots:
            base = var.name.split(":")[0]
            init = np.full(var.shape.as_list(), value, dtype=var.dtype.as_numpy_dtype)
            with get_default_graph().name_scope(""):
                slots[id(var)] = VariableV1(init, trainable=False, name=f"{base}/{op_name}")
        return slots[id(var)]

    def _non_slot_variable(self, name: str, value: float, like: Any) -> Any:
        if name not in self._non_slot:
            with get_default_graph().name_scope(""):
                self._non_slot[name] = VariableV1(np.asarray(value, dtype=like.dtype.as_numpy_dtype),
                                                  trainable=False, name=name)
        return self._non_slot[name]

    def get_slot(self, var: Any, name: str) -> Any:
        return self._slots.get(name, {}).get(id(var))

    def get_slot_names(self) -> list:
        return sorted(self._slots)

    def variables(self) -> list:
        return list(self._non_slot.values()) + [v for s in self._slots.values() for v in s.values()]

    # -- per-optimizer math ------------------------------------------------------------------
    def _create_slots(self, var_list: list) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad: Any, var: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define _apply_dense")

    def _finish(self, updates: list) -> Any:
        return None

    def _lr(self, value: Any, dtype: Any) -> Any:
        value = value() if callable(value) else value
        return dispatch.convert_to_tensor(value, dtype=dtype) if not dispatch.is_tensor(value) else \
            (value if value.dtype is dtype else e.cast(value, DstT=dtype))


def _update(var: Any, method: str, value: Any) -> Any:
    return getattr(var, method)(value, read_value=False)


@v1_export("train.GradientDescentOptimizer")
class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * grad."""

    def __init__(self, learning_rate: Any, use_locking: bool = False, name: str = "GradientDescent") -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _apply_dense(self, grad: Any, var: Any) -> Any:  # as TF: ResourceApplyGradientDescent
        return training.apply(training.resource_apply_gradient_descent, var, self._lr(self._learning_rate, var.dtype),
                              grad, use_locking=self._use_locking)


@v1_export("train.MomentumOptimizer")
class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= lr * accum (nesterov: lr * (grad + momentum * accum))."""

    def __init__(self, learning_rate: Any, momentum: Any, use_locking: bool = False, name: str = "Momentum",
                 use_nesterov: bool = False) -> None:
        super().__init__(use_locking, name)
        self._learning_rate, self._momentum, self._nesterov = learning_rate, momentum, use_nesterov

    def _create_slots(self, var_list: list) -> None:
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad: Any, var: Any) -> Any:  # as TF: ResourceApplyMomentum
        accum = self.get_slot(var, "momentum")
        lr, mom = self._lr(self._learning_rate, var.dtype), self._lr(self._momentum, var.dtype)
        return training.apply(training.resource_apply_momentum, var, accum, lr, grad, mom,
                              use_locking=self._use_locking, use_nesterov=bool(self._nesterov))


@v1_export("train.AdamOptimizer")
class AdamOptimizer(Optimizer):
    """TF1 Adam: lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t); var -= lr_t * m / (sqrt(v) + epsilon)."""

    def __init__(self, learning_rate: Any = 0.001, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-08,
                 use_locking: bool = False, name: str = "Adam") -> None:
        super().__init__(use_locking, name)
        self._lr_v, self._beta1, self._beta2, self._eps = learning_rate, beta1, beta2, epsilon

    def _create_slots(self, var_list: list) -> None:
        first = min(var_list, key=lambda v: v.name)
        self._non_slot_variable("beta1_power", self._beta1, first)
        self._non_slot_variable("beta2_power", self._beta2, first)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name + "_1")

    def _apply_dense(self, grad: Any, var: Any) -> Any:
        d = var.dtype
        lr, b1, b2, eps = (self._lr(x, d) for x in (self._lr_v, self._beta1, self._beta2, self._eps))
        b1p, b2p = self._non_slot["beta1_power"].value(), self._non_slot["beta2_power"].value()
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        return training.apply(training.resource_apply_adam, var, m, v, b1p, b2p, lr, b1, b2, eps, grad,
                              use_locking=self._use_locking)  # as TF: ResourceApplyAdam

    def _finish(self, updates: list) -> Any:
        g = get_default_graph()
        b1p, b2p = self._non_slot["beta1_power"], self._non_slot["beta2_power"]
        with g.control_dependencies(updates):
            u1 = _update(b1p, "assign", b1p.value() * self._lr(self._beta1, b1p.dtype))
            u2 = _update(b2p, "assign", b2p.value() * self._lr(self._beta2, b2p.dtype))
        return group(*updates, u1, u2, name=self._name)


@v1_export("train.AdagradOptimizer")
class AdagradOptimizer(Optimizer):
    """accum += grad^2; var -= lr * grad / sqrt(accum) (accumulators start at 0.1)."""

    def __init__(self, learning_rate: Any, initial_accumulator_value: float = 0.1, use_locking: bool = False,
                 name: str = "Adagrad") -> None:
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate, self._init = learning_rate, initial_accumulator_value

    def _create_slots(self, var_list: list) -> None:
        for v in var_list:
            self._zeros_slot(v, "accumulator", self._name, self._init)

    def _apply_dense(self, grad: Any, var: Any) -> Any:
        acc = self.get_slot(var, "accumulator")
        new_acc = acc.value() + e.square(grad)
        a = _update(acc, "assign", new_acc)
        with get_default_graph().control_dependencies([a]):
            return _update(var, "assign_sub", self._lr(self._learning_rate, var.dtype) * grad / e.sqrt(new_acc))


@v1_export("train.RMSPropOptimizer")
class RMSPropOptimizer(Optimizer):
    """ms = decay*ms + (1-decay)*g^2 (ms starts at ones); mom = momentum*mom + lr*g/sqrt(ms+eps); var -= mom."""

    def __init__(self, learning_rate: Any, decay: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-10,
                 use_locking: bool = False, centered: bool = False, name: str = "RMSProp") -> None:
        super().__init__(use_locking, name)
        self._learning_rate, self._decay, self._momentum, self._eps = learning_rate, decay, momentum, epsilon
        self._centered = centered

    def _create_slots(self, var_list: list) -> None:
        for v in var_list:
            self._zeros_slot(v, "rms", self._name, 1.0)
            if self._centered:
                self._zeros_slot(v, "mg", self._name + "_1")
            self._zeros_slot(v, "momentum", self._name + ("_2" if self._centered else "_1"))

    def _apply_dense(self, grad: Any, var: Any) -> Any:
        d = var.dtype
        lr, rho, mom_c, eps = (self._lr(x, d) for x in (self._learning_rate, self._decay, self._momentum, self._eps))
        ms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if not self._centered:  # as TF: ResourceApplyRMSProp
            return training.apply(training.resource_apply_rms_prop, var, ms, mom, lr, rho, mom_c, eps, grad,
                                  use_locking=self._use_locking)
        ms_t = ms.value() * rho + e.square(grad) * (1 - rho)
        deps = [_update(ms, "assign", ms_t)]
        denom = ms_t
        if self._centered:
            mg = self.get_slot(var, "mg")
            mg_t = mg.value() * rho + grad * (1 - rho)
            deps.append(_update(mg, "assign", mg_t))
            denom = ms_t - e.square(mg_t)
        mom_t = mom.value() * mom_c + lr * grad / e.sqrt(denom + eps)
        deps.append(_update(mom, "assign", mom_t))
        with get_default_graph().control_dependencies(deps):
            return _update(var, "assign_sub", mom_t)


@v1_export("train.AdadeltaOptimizer")
class AdadeltaOptimizer(Optimizer):
    """accum = rho*accum + (1-rho)*g^2; update = sqrt(accum_update+eps)/sqrt(accum+eps)*g; var -= lr*update."""

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-08,
                 use_locking: bool = False, name: str = "Adadelta") -> None:
        super().__init__(use_locking, name)
        self._learning_rate, self._rho, self._eps = learning_rate, rho, epsilon

    def _create_slots(self, var_list: list) -> None:
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name + "_1")

    def _apply_dense(self, grad: Any, var: Any) -> Any:
        d = var.dtype
        lr, rho, eps = (self._lr(x, d) for x in (self._learning_rate, self._rho, self._eps))
        acc, acc_up = self.get_slot(var, "accum"), self.get_slot(var, "accum_update")
        acc_t = acc.value() * rho + e.square(grad) * (1 - rho)
        update = e.sqrt(acc_up.value() + eps) / e.sqrt(acc_t + eps) * grad
        acc_up_t = acc_up.value() * rho + e.square(update) * (1 - rho)
        deps = [_update(acc, "assign", acc_t), _update(acc_up, "assign", acc_up_t)]
        with get_default_graph().control_dependencies(deps):
            return _update(var, "assign_sub", update * lr)


v1_export("train.Optimizer")(Optimizer)
