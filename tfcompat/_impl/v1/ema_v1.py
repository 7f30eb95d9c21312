"""`tf.train.ExponentialMovingAverage`: shadow variables that track `shadow -= (1 - decay) * (shadow - var)`.

    ema = tf.train.ExponentialMovingAverage(0.999, num_updates=global_step)
    with tf.control_dependencies([train_op]): train_op = ema.apply(tf.trainable_variables())
    saver = tf.train.Saver(ema.variables_to_restore())     # restore the averages into the model

A shadow is named `<var op name>/ExponentialMovingAverage`, starts at the variable's
value (zeros for a tensor) and is non-trainable; averaged variables join
MOVING_AVERAGE_VARIABLES. `num_updates` caps the decay at (1 + n) / (10 + n).
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch, dtypes

from ._api import shared_export, v2


def _op_name(x: Any) -> str:
    return x.name.split(":")[0]


def _shadow(prefix: str, name: str, initial: Any, dtype: Any) -> Any:
    from .graph_api import get_default_graph  # noqa: PLC0415
    from .variables_v1 import VariableV1  # noqa: PLC0415
    g = get_default_graph()
    with g.control_dependencies(None), g.name_scope(prefix + "/"):
        return VariableV1(initial() if callable(initial) else initial, trainable=False, name=name, dtype=dtype)


@shared_export(v1=("train.ExponentialMovingAverage",))
class ExponentialMovingAverage:
    """Maintains moving averages of variables (and tensors) with an exponential decay."""

    def __init__(self, decay: Any, num_updates: Any = None, zero_debias: bool = False,
                 name: str = "ExponentialMovingAverage") -> None:
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}

    @property
    def name(self) -> str:
        return self._name

    def _key(self, var: Any) -> Any:
        return var.ref() if hasattr(var, "ref") else id(var)

    def apply(self, var_list: Any = None) -> Any:
        """Create shadows (first call per variable) and return the op that updates all of them."""
        from .control_flow_v1 import cond  # noqa: PLC0415
        from .graph_api import add_to_collection, group, name_scope  # noqa: PLC0415
        from .variables_v1 import is_variable_initialized, trainable_variables  # noqa: PLC0415
        var_list = trainable_variables() if var_list is None else list(var_list)
        debiased = set()
        for var in var_list:
            if var.dtype.base_dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if self._key(var) in self._averages:
                raise ValueError(f"Moving average already computed for: {var.name}")
            if hasattr(var, "assign"):
                def init(v: Any = var) -> Any:
                    return cond(is_variable_initialized(v), v.read_value, lambda: v.initial_value)
                avg = _shadow(_op_name(var), self._name, init, var.dtype.base_dtype)
                add_to_collection("moving_average_variables", var)
            else:
                t = dispatch.convert_to_tensor(var)
                avg = _shadow(_op_name(t), self._name, lambda: v2("zeros")(t.shape.as_list(), t.dtype), t.dtype)
                if self._zero_debias:
                    debiased.add(self._key(var))
            self._averages[self._key(var)] = avg
        with name_scope(self._name) as scope:
            decay = dispatch.convert_to_tensor(self._decay, dtype=dtypes.float32)
            if self._num_updates is not None:
                n = v2("cast")(self._num_updates, dtypes.float32)
                decay = v2("math.minimum")(decay, (1.0 + n) / (10.0 + n))
            updates = [self._update(var, decay, self._key(var) in debiased) for var in var_list]
            return group(*updates)  # NOTE: TF names this op exactly `scope`; tfcompat: `<scope>/group_deps`

    def _update(self, var: Any, decay: Any, zero_debias: bool) -> Any:
        avg = self._averages[self._key(var)]
        value = var.read_value() if hasattr(var, "read_value") else dispatch.convert_to_tensor(var)
        one_minus = 1.0 - v2("cast")(decay, avg.dtype.base_dtype)
        if not zero_debias:
            return avg.assign_sub((avg.read_value() - value) * one_minus)
        prefix = _op_name(avg)
        biased = _shadow(prefix, "biased", lambda: v2("zeros")(avg.shape.as_list(), avg.dtype), avg.dtype)
        step = _shadow(prefix, "local_step", lambda: v2("zeros")([], avg.dtype), avg.dtype)
        new_biased = biased.assign_sub((biased.read_value() - value) * one_minus)
        new_step = step.assign_add(1.0)
        factor = 1.0 - v2("math.pow")(1.0 - one_minus, new_step)
        return avg.assign(new_biased / factor)

    def average(self, var: Any) -> Any:
        """The shadow variable of `var` (None if `apply` was not called for it)."""
        return self._averages.get(self._key(var))

    def average_name(self, var: Any) -> str:
        """The name the shadow of `var` has (or will have): `<var op name>/<name>`."""
        avg = self.average(var)
        return _op_name(avg) if avg is not None else f"{_op_name(var)}/{self._name}"

    def variables_to_restore(self, moving_avg_variables: Any = None) -> dict:
        """{checkpoint name: variable} restoring each average into its variable, others as themselves."""
        from .variables_v1 import global_variables, moving_average_variables, trainable_variables  # noqa: PLC0415
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        chosen = {id(v): v for v in moving_avg_variables}
        name_map = {self.average_name(v): v for v in chosen.values()}
        for v in global_variables():
            if id(v) not in chosen and _op_name(v) not in name_map:
                name_map[_op_name(v)] = v
        return name_map
