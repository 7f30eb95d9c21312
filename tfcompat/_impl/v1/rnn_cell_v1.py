"""`tf.nn.rnn_cell` (TF1 RNN cells) on `get_variable`, with TF1's variable names and weight layout.

    cell = tf.nn.rnn_cell.BasicLSTMCell(64)          # rnn/basic_lstm_cell/kernel [in+64, 256], gates i, j, f, o
    out, state = cell(x_t, cell.zero_state(batch, tf.float32))      # state: LSTMStateTuple(c, h)

A cell opens its variable scope the first time it is called (`basic_lstm_cell`, then
`basic_lstm_cell_1` for a second cell in the same scope, as TF1's layers do) and
re-enters it with `reuse=True` on later calls, so an unrolled loop shares one set of weights.
"""
from __future__ import annotations

import collections
from typing import Any

from runtime import dispatch, dtypes
from runtime.ops import elementwise as e

from ._api import v1_export, v2
from .initializers_v1 import Constant, Zeros
from .variable_scope import get_variable, variable_scope

_CELL_NAMES = ("nn.rnn_cell.{0}", "contrib.rnn.{0}")


def _export_cell(name: str) -> Any:
    return v1_export(*(n.format(name) for n in _CELL_NAMES))


@_export_cell("LSTMStateTuple")
class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """(c, h): an LSTM's cell state and output."""

    __slots__ = ()

    @property
    def dtype(self) -> Any:
        if self.c.dtype != self.h.dtype:
            raise TypeError(f"Inconsistent internal state: {self.c.dtype} vs {self.h.dtype}")
        return self.c.dtype


def _zeros(batch_size: Any, size: int, dtype: Any) -> Any:
    """zeros([batch_size, size]) for a Python or tensor batch size, with the static shape TF gives."""
    if not dispatch.is_tensor(batch_size):
        return v2("zeros")([int(batch_size), int(size)], dtype=dtype)
    z = v2("zeros")(v2("stack")([batch_size, size]), dtype=dtype)
    if hasattr(z, "set_shape"):
        z.set_shape([None, size])
    return z


@_export_cell("RNNCell")
class RNNCell:
    """Base of TF1 cells: `output, new_state = cell(inputs, state)`; weights made on the first call."""

    _base_name = "rnn_cell"

    def __init__(self, trainable: bool = True, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        self._name = name
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self._scope: Any = None
        self.trainable = trainable
        self.built = False
        self._variables: list = []

    @property
    def state_size(self) -> Any:
        raise NotImplementedError("RNNCell subclasses define state_size")

    @property
    def output_size(self) -> Any:
        raise NotImplementedError("RNNCell subclasses define output_size")

    @property
    def name(self) -> str:
        return self._scope.name.rsplit("/", 1)[-1] if self._scope is not None else (self._name or self._base_name)

    @property
    def variables(self) -> list:
        return list(self._variables)

    weights = variables
    trainable_variables = trainable_weights = variables

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        """Zeros shaped like `state_size` (nested tuples of [batch_size, n])."""
        def build(size: Any) -> Any:
            if isinstance(size, tuple):
                return type(size)(*map(build, size)) if hasattr(size, "_fields") else tuple(map(build, size))
            return _zeros(batch_size, size, dtype)
        return build(self.state_size)

    def get_initial_state(self, inputs: Any = None, batch_size: Any = None, dtype: Any = None) -> Any:
        return self.zero_state(batch_size, dtype)

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> Any:
        if scope is not None:
            with variable_scope(scope, reuse=True if self.built else None):
                return self._call_built(inputs, state)
        if self._scope is None:
            with variable_scope(None, default_name=self._name or self._base_name) as vs:
                self._scope = vs
                return self._call_built(inputs, state)
        with variable_scope(self._scope, reuse=True):
            return self._call_built(inputs, state)

    def _call_built(self, inputs: Any, state: Any) -> Any:
        inputs = dispatch.convert_to_tensor(inputs)
        if not self.built:
            depth = inputs.shape[-1]
            if depth is None:
                raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {inputs.shape}")
            self._build(int(depth), inputs.dtype)
            self.built = True
        return self.call(inputs, state)

    def _var(self, name: str, shape: list, dtype: Any, initializer: Any = None) -> Any:
        v = get_variable(name, shape, dtype=dtype, initializer=initializer, trainable=self.trainable)
        self._variables.append(v)
        return v

    def _build(self, depth: int, dtype: Any) -> None:
        raise NotImplementedError

    def call(self, inputs: Any, state: Any) -> Any:
        raise NotImplementedError


def _linear(args: list, kernel: Any, bias: Any) -> Any:
    x = args[0] if len(args) == 1 else v2("concat")(args, 1)
    return v2("nn.bias_add")(v2("linalg.matmul")(x, kernel), bias)


def _activation(fn: Any) -> Any:
    return e.tanh if fn is None else fn


@_export_cell("BasicRNNCell")
class BasicRNNCell(RNNCell):
    """h' = activation([x, h] @ kernel + bias); output = h'."""

    _base_name = "basic_rnn_cell"

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._num_units, self._activation = int(num_units), _activation(activation)

    state_size = output_size = property(lambda self: self._num_units)

    def _build(self, depth: int, dtype: Any) -> None:
        self._kernel = self._var("kernel", [depth + self._num_units, self._num_units], dtype)
        self._bias = self._var("bias", [self._num_units], dtype, Zeros())

    def call(self, inputs: Any, state: Any) -> Any:
        out = self._activation(_linear([inputs, state], self._kernel, self._bias))
        return out, out


@_export_cell("GRUCell")
class GRUCell(RNNCell):
    """r, u = sigmoid([x, h] @ gates); c = act([x, r*h] @ candidate); h' = u*h + (1-u)*c."""

    _base_name = "gru_cell"

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None, kernel_initializer: Any = None,
                 bias_initializer: Any = None, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._num_units, self._activation = int(num_units), _activation(activation)
        self._kernel_init, self._bias_init = kernel_initializer, bias_initializer

    state_size = output_size = property(lambda self: self._num_units)

    def _build(self, depth: int, dtype: Any) -> None:
        n = self._num_units
        with variable_scope("gates"):
            self._gate_kernel = self._var("kernel", [depth + n, 2 * n], dtype, self._kernel_init)
            self._gate_bias = self._var("bias", [2 * n], dtype, self._bias_init or Constant(1.0))
        with variable_scope("candidate"):
            self._cand_kernel = self._var("kernel", [depth + n, n], dtype, self._kernel_init)
            self._cand_bias = self._var("bias", [n], dtype, self._bias_init or Zeros())

    def call(self, inputs: Any, state: Any) -> Any:
        value = e.sigmoid(_linear([inputs, state], self._gate_kernel, self._gate_bias))
        r, u = v2("split")(value, 2, axis=1)
        c = self._activation(_linear([inputs, r * state], self._cand_kernel, self._cand_bias))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


@_export_cell("BasicLSTMCell")
class BasicLSTMCell(RNNCell):
    """i, j, f, o = split([x, h] @ kernel + bias); c' = c*sig(f + forget_bias) + sig(i)*act(j); h' = act(c')*sig(o)."""

    _base_name = "basic_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True, activation: Any = None,
                 reuse: Any = None, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._num_units, self._forget_bias = int(num_units), forget_bias
        self._state_is_tuple, self._activation = state_is_tuple, _activation(activation)

    @property
    def state_size(self) -> Any:
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    output_size = property(lambda self: self._num_units)

    def _build(self, depth: int, dtype: Any) -> None:
        self._kernel = self._var("kernel", [depth + self._num_units, 4 * self._num_units], dtype)
        self._bias = self._var("bias", [4 * self._num_units], dtype, Zeros())

    def _split_state(self, state: Any) -> tuple:
        if self._state_is_tuple:
            return state[0], state[1]
        return tuple(v2("split")(state, 2, axis=1))

    def _join_state(self, c: Any, h: Any) -> Any:
        return LSTMStateTuple(c, h) if self._state_is_tuple else v2("concat")([c, h], 1)

    def call(self, inputs: Any, state: Any) -> Any:
        c, h = self._split_state(state)
        i, j, f, o = v2("split")(_linear([inputs, h], self._kernel, self._bias), 4, axis=1)
        new_c = c * e.sigmoid(f + self._forget_bias) + e.sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * e.sigmoid(o)
        return new_h, self._join_state(new_c, new_h)


@_export_cell("LSTMCell")
class LSTMCell(BasicLSTMCell):
    """BasicLSTMCell plus optional peepholes (w_f_diag, w_i_diag, w_o_diag), cell clipping and projection."""

    _base_name = "lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: Any = None, initializer: Any = None,
                 num_proj: Any = None, proj_clip: Any = None, num_unit_shards: Any = None, num_proj_shards: Any = None,
                 forget_bias: float = 1.0, state_is_tuple: bool = True, activation: Any = None, reuse: Any = None,
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(num_units, forget_bias, state_is_tuple, activation, reuse, name, dtype, **kwargs)
        self._use_peepholes, self._cell_clip, self._initializer = use_peepholes, cell_clip, initializer
        self._num_proj, self._proj_clip = num_proj, proj_clip

    @property
    def state_size(self) -> Any:
        n, m = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(n, m) if self._state_is_tuple else n + m

    output_size = property(lambda self: self._num_proj or self._num_units)

    def _split_state(self, state: Any) -> tuple:
        if self._state_is_tuple:
            return state[0], state[1]
        return tuple(v2("split")(state, [self._num_units, self.output_size], axis=1))

    def _build(self, depth: int, dtype: Any) -> None:
        n, init = self._num_units, self._initializer
        self._kernel = self._var("kernel", [depth + self.output_size, 4 * n], dtype, init)
        self._bias = self._var("bias", [4 * n], dtype, Zeros())
        if self._use_peepholes:
            self._w_f, self._w_i, self._w_o = (self._var(k, [n], dtype, init)
                                               for k in ("w_f_diag", "w_i_diag", "w_o_diag"))
        if self._num_proj is not None:
            with variable_scope("projection"):
                self._proj = self._var("kernel", [n, self._num_proj], dtype, init)

    def call(self, inputs: Any, state: Any) -> Any:
        c_prev, m_prev = self._split_state(state)
        i, j, f, o = v2("split")(_linear([inputs, m_prev], self._kernel, self._bias), 4, axis=1)
        if self._use_peepholes:
            c = (e.sigmoid(f + self._forget_bias + self._w_f * c_prev) * c_prev +
                 e.sigmoid(i + self._w_i * c_prev) * self._activation(j))
        else:
            c = e.sigmoid(f + self._forget_bias) * c_prev + e.sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = v2("clip_by_value")(c, -self._cell_clip, self._cell_clip)
        m = (e.sigmoid(o + self._w_o * c) if self._use_peepholes else e.sigmoid(o)) * self._activation(c)
        if self._num_proj is not None:
            m = v2("linalg.matmul")(m, self._proj)
            if self._proj_clip is not None:
                m = v2("clip_by_value")(m, -self._proj_clip, self._proj_clip)
        return m, self._join_state(c, m)


@_export_cell("MultiRNNCell")
class MultiRNNCell(RNNCell):
    """Cells stacked: cell k reads cell k-1's output; variables under `multi_rnn_cell/cell_k/`."""

    _base_name = "multi_rnn_cell"

    def __init__(self, cells: Any, state_is_tuple: bool = True) -> None:
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        self._cells, self._state_is_tuple = list(cells), state_is_tuple

    @property
    def state_size(self) -> Any:
        sizes = tuple(c.state_size for c in self._cells)
        return sizes if self._state_is_tuple else sum(sizes)

    output_size = property(lambda self: self._cells[-1].output_size)

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        states = tuple(c.zero_state(batch_size, dtype) for c in self._cells)
        return states if self._state_is_tuple else v2("concat")(list(states), 1)

    def _call_built(self, inputs: Any, state: Any) -> Any:
        self.built = True
        return self.call(inputs, state)

    def call(self, inputs: Any, state: Any) -> Any:
        cur, new_states, start = inputs, [], 0
        for k, cell in enumerate(self._cells):
            with variable_scope(f"cell_{k}"):
                if self._state_is_tuple:
                    s = state[k]
                else:
                    size = cell.state_size
                    s = state[:, start:start + size]
                    start += size
                cur, ns = cell(cur, s)
                new_states.append(ns)
        return cur, (tuple(new_states) if self._state_is_tuple else v2("concat")(new_states, 1))

    @property
    def variables(self) -> list:
        return [v for c in self._cells for v in c.variables]


@_export_cell("DropoutWrapper")
class DropoutWrapper(RNNCell):
    """Dropout on a cell's inputs, outputs and (new) state, with TF1's keep probabilities."""

    def __init__(self, cell: Any, input_keep_prob: Any = 1.0, output_keep_prob: Any = 1.0, state_keep_prob: Any = 1.0,
                 variational_recurrent: bool = False, input_size: Any = None, dtype: Any = None, seed: Any = None,
                 dropout_state_filter_visitor: Any = None) -> None:
        super().__init__(dtype=dtype)
        for k, p in (("input", input_keep_prob), ("output", output_keep_prob), ("state", state_keep_prob)):
            if isinstance(p, (int, float)) and not 0.0 < p <= 1.0:
                raise ValueError(f"Parameter {k}_keep_prob must be between 0 and 1: {p}")
        if variational_recurrent:
            raise NotImplementedError("DropoutWrapper(variational_recurrent=True) is not provided by tfcompat yet")
        self._cell, self._seed = cell, seed
        self._keep = (input_keep_prob, output_keep_prob, state_keep_prob)

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)
    wrapped_cell = property(lambda self: self._cell)

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        return self._cell.zero_state(batch_size, dtype)

    def _drop(self, x: Any, keep: Any) -> Any:
        if isinstance(keep, (int, float)) and float(keep) == 1.0:
            return x
        from ... import _export  # noqa: PLC0415
        return _export.V1["nn.dropout"](x, keep_prob=keep, seed=self._seed)

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> Any:
        keep_in, keep_out, keep_state = self._keep
        output, new_state = self._cell(self._drop(inputs, keep_in), state, scope=scope)
        if not (isinstance(keep_state, (int, float)) and float(keep_state) == 1.0):
            def drop_state(s: Any) -> Any:
                if isinstance(s, LSTMStateTuple):  # NOTE: TF's default filter keeps the memory c intact
                    return LSTMStateTuple(s.c, self._drop(s.h, keep_state))
                if isinstance(s, tuple):
                    return tuple(drop_state(v) for v in s)
                return self._drop(s, keep_state)
            new_state = drop_state(new_state)
        return self._drop(output, keep_out), new_state

    @property
    def variables(self) -> list:
        return self._cell.variables


@_export_cell("ResidualWrapper")
class ResidualWrapper(RNNCell):
    """output = cell's output + inputs."""

    def __init__(self, cell: Any, residual_fn: Any = None) -> None:
        super().__init__()
        self._cell, self._fn = cell, residual_fn or (lambda x, y: x + y)

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> Any:
        output, new_state = self._cell(inputs, state, scope=scope)
        return self._fn(inputs, output), new_state

