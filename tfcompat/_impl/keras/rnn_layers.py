"""Recurrent layers: SimpleRNN, LSTM, GRU (and their cells), unrolled over a static time axis.

    LSTM(8, return_sequences=True, return_state=True)(x)  ->  [outputs (b, t, 8), h (b, 8), c (b, 8)]
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..._export import export
from . import activations, initializers
from .base_layer import Layer
from .common import tf


class _Cell(Layer):
    gates = 1

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer, self.recurrent_regularizer = kernel_regularizer, recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint, self.recurrent_constraint = kernel_constraint, recurrent_constraint
        self.bias_constraint = bias_constraint
        self.dropout, self.recurrent_dropout, self.seed = dropout, recurrent_dropout, seed

    def _bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def _bias_init(self) -> Any:
        return self.bias_initializer

    def build(self, input_shape: Any) -> None:
        n = self.gates * self.units
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], n), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(self.units, n),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(name="bias", shape=self._bias_shape(), initializer=self._bias_init(),
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    @property
    def state_size(self) -> Any:
        return self.units

    def get_initial_state(self, batch_size: Any = None) -> list:
        return [tf().zeros([batch_size, self.units])]

    def _drop(self, x: Any, rate: float, training: Any) -> Any:
        return tf().nn.dropout(x, rate=rate) if training and rate > 0 else x


@export("keras.layers.SimpleRNNCell")
class SimpleRNNCell(_Cell):
    """h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)."""

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: Any = None, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)

    def call(self, sequence: Any, states: Any, training: Any = False) -> tuple:
        t = tf()
        prev = states[0] if isinstance(states, (list, tuple)) else states
        h = t.matmul(self._drop(sequence, self.dropout, training), self.kernel)
        if self.bias is not None:
            h = h + self.bias
        out = self.activation(h + t.matmul(self._drop(prev, self.recurrent_dropout, training),
                                           self.recurrent_kernel))
        return out, [out]


@export("keras.layers.LSTMCell")
class LSTMCell(_Cell):
    """Gates i, f, c, o from x @ kernel + h @ recurrent_kernel + bias; c = f c + i tanh(.), h = o tanh(c)."""

    gates = 4

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: Any = None, **kwargs: Any) -> None:
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)
        self.unit_forget_bias = unit_forget_bias

    def _bias_init(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, units = self.bias_initializer, self.units

        def init(shape: Any, dtype: Any = None) -> Any:
            b = np.asarray(base((units * 4,), dtype=dtype)).copy()
            b[units:2 * units] = 1.0
            return tf().constant(b)
        return init

    @property
    def state_size(self) -> Any:
        return [self.units, self.units]

    def get_initial_state(self, batch_size: Any = None) -> list:
        return [tf().zeros([batch_size, self.units]), tf().zeros([batch_size, self.units])]

    def call(self, inputs: Any, states: Any, training: Any = False) -> tuple:
        t = tf()
        h_prev, c_prev = states
        z = t.matmul(self._drop(inputs, self.dropout, training), self.kernel) + \
            t.matmul(self._drop(h_prev, self.recurrent_dropout, training), self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        z0, z1, z2, z3 = t.split(z, 4, axis=-1)
        i, f = self.recurrent_activation(z0), self.recurrent_activation(z1)
        c = f * c_prev + i * self.activation(z2)
        o = self.recurrent_activation(z3)
        h = o * self.activation(c)
        return h, [h, c]


@export("keras.layers.GRUCell")
class GRUCell(_Cell):
    """Keras 3's GRU (reset_after=True): h = z h_prev + (1 - z) tanh(x_h + r (h_prev @ U_h + b_h))."""

    gates = 3

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, reset_after: bool = True, seed: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)
        self.reset_after = reset_after

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs: Any, states: Any, training: Any = False) -> tuple:
        t = tf()
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        x = t.matmul(self._drop(inputs, self.dropout, training), self.kernel)
        hr = self._drop(h_prev, self.recurrent_dropout, training)
        if self.reset_after:
            inner = t.matmul(hr, self.recurrent_kernel)
            if self.bias is not None:
                x, inner = x + self.bias[0], inner + self.bias[1]
            x_z, x_r, x_h = t.split(x, 3, axis=-1)
            r_z, r_r, r_h = t.split(inner, 3, axis=-1)
            z = self.recurrent_activation(x_z + r_z)
            r = self.recurrent_activation(x_r + r_r)
            hh = self.activation(x_h + r * r_h)
        else:
            if self.bias is not None:
                x = x + self.bias
            x_z, x_r, x_h = t.split(x, 3, axis=-1)
            u_z, u_r, u_h = t.split(self.recurrent_kernel, 3, axis=-1)
            z = self.recurrent_activation(x_z + t.matmul(hr, u_z))
            r = self.recurrent_activation(x_r + t.matmul(hr, u_r))
            hh = self.activation(x_h + t.matmul(r * hr, u_h))
        h = z * h_prev + (1 - z) * hh
        return h, [h]


@export("keras.layers.StackedRNNCells")
class StackedRNNCells(Layer):
    """Cells run one after another at each step; the state is one state list per cell."""

    def __init__(self, cells: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cells = list(cells)

    @property
    def state_size(self) -> list:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> int:
        return self.cells[-1].units

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        for cell in self.cells:
            if not cell.built:
                cell.build(shape)
                cell.built = True
            shape = shape[:-1] + (cell.units,)
        self.built = True

    def get_initial_state(self, batch_size: Any = None) -> list:
        return [c.get_initial_state(batch_size) for c in self.cells]

    def call(self, inputs: Any, states: Any, training: Any = False) -> tuple:
        new_states = []
        for cell, state in zip(self.cells, states):
            inputs, state = cell.call(inputs, state, training=training)
            new_states.append(state)
        return inputs, new_states


def _masked(keep: Any, new: Any, old: Any) -> Any:
    """`new` where the step is valid (keep: (batch, 1) bool), else `old`, leaf by leaf (nested state lists)."""
    if isinstance(new, (list, tuple)):
        return [_masked(keep, n, o) for n, o in zip(new, old)]
    return tf().where(keep, new, old)


@export("keras.layers.RNN")
class RNN(Layer):
    """Runs `cell` (or a list of cells, stacked) over the time axis (axis 1) of a (batch, time, features) input.

    With `mask` (batch, time), a masked step keeps the previous state and outputs the previous
    output, or zeros with `zero_output_for_mask=True` (TF1 dynamic_rnn's sequence_length rule).
    A time axis unknown while tracing runs as a while_loop over TensorArrays.
    """

    def __init__(self, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell = StackedRNNCells(cell) if isinstance(cell, (list, tuple)) else cell
        self.return_sequences, self.return_state, self.go_backwards = return_sequences, return_state, go_backwards
        self.zero_output_for_mask = zero_output_for_mask

    def build(self, input_shape: Any) -> None:
        if not self.cell.built:
            self.cell.build(tuple(input_shape[:1]) + tuple(input_shape[2:]))
            self.cell.built = True
        self.built = True

    def _step(self, x: Any, keep: Any, states: Any, prev: Any, kw: dict) -> tuple:
        out, new = self.cell.call(x, states, **kw)
        if keep is None:
            return out, new
        fallback = tf().zeros_like(out) if self.zero_output_for_mask else prev
        return tf().where(keep, out, fallback), _masked(keep, new, states)

    def call(self, sequences: Any, initial_state: Any = None, mask: Any = None, training: Any = None) -> Any:
        t = tf()
        batch = sequences.shape[0] if sequences.shape[0] is not None else t.shape(sequences)[0]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else \
            ([initial_state] if initial_state is not None else self.cell.get_initial_state(batch))
        kw = {} if training is None else {"training": training}
        keep = None if mask is None else t.expand_dims(t.cast(mask, "bool"), -1)   # (batch, time, 1)
        if sequences.shape[1] is None:
            result, states = self._loop(sequences, keep, states, kw)
        else:
            steps = t.unstack(sequences, axis=1)
            keeps = t.unstack(keep, num=len(steps), axis=1) if keep is not None else [None] * len(steps)
            if self.go_backwards:
                steps, keeps = steps[::-1], keeps[::-1]
            outputs, out = [], None
            for x, k in zip(steps, keeps):
                out, states = self._step(x, k, states, out if out is not None else 0.0, kw)
                outputs.append(out)
            result = t.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return [result] + list(states) if self.return_state else result

    def _loop(self, sequences: Any, keep: Any, states: Any, kw: dict) -> tuple:
        """(outputs or last output, final states) over a run-time number of steps."""
        t = tf()
        major = t.transpose(sequences, [1, 0] + list(range(2, len(sequences.shape))))
        keeps = t.transpose(keep, [1, 0, 2]) if keep is not None else None
        if self.go_backwards:
            major, keeps = t.reverse(major, [0]), (t.reverse(keeps, [0]) if keeps is not None else None)
        n = t.shape(major)[0]
        xs = t.TensorArray(major.dtype, size=n).unstack(major)
        ks = t.TensorArray("bool", size=n).unstack(keeps) if keeps is not None else None
        first, _ = self.cell.call(major[0], states, **kw)   # NOTE: only its shape: the zeros of step -1's output
        prev0 = t.zeros_like(first)

        def body(i: Any, st: Any, prev: Any, ta: Any) -> tuple:
            out, new = self._step(xs.read(i), ks.read(i) if ks is not None else None, st, prev, kw)
            return i + 1, new, out, ta.write(i, out)

        out_ta = t.TensorArray(prev0.dtype, size=n)
        _, states, last, out_ta = t.while_loop(lambda i, *_: i < n, body, (t.constant(0), states, prev0, out_ta))
        if not self.return_sequences:
            return last, states
        result = t.transpose(out_ta.stack(), [1, 0, 2])
        if hasattr(result, "set_shape"):   # NOTE: a stacked TensorArray has no static shape; TF's RNN keeps it
            result.set_shape([sequences.shape[0], None] + list(prev0.shape[1:]))
        return result, states


_RUN_KEYS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask")
_LAYER_KEYS = ("name", "trainable", "dtype", "input_shape", "input_dim", "batch_size", "activity_regularizer")


class _RNNLayer(RNN):
    """`units` and the cell's arguments build the cell; the rest configure the RNN around it."""

    cell_class: Any = None

    def _setup(self, args: dict) -> None:
        kwargs = args.pop("kwargs")
        args.pop("self"), args.pop("__class__", None)
        args.pop("use_cudnn", None)  # NOTE: there is no cuDNN kernel here; every setting runs the same math
        run = {k: args.pop(k) if k in args else kwargs.pop(k) for k in _RUN_KEYS if k in args or k in kwargs}
        layer_kwargs = {k: kwargs.pop(k) for k in _LAYER_KEYS if k in kwargs}
        layer_kwargs["activity_regularizer"] = args.pop("activity_regularizer")
        cell = self.cell_class(name=f"{self.cell_class.__name__.lower()}", **args, **kwargs)
        RNN.__init__(self, cell, **run, **layer_kwargs)
        self.units = args["units"]


@export("keras.layers.SimpleRNN")
class SimpleRNN(_RNNLayer):
    cell_class = SimpleRNNCell

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 seed: Any = None, **kwargs: Any) -> None:
        self._setup(dict(locals()))


@export("keras.layers.LSTM")
class LSTM(_RNNLayer):
    cell_class = LSTMCell

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: Any = None, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 use_cudnn: Any = "auto", **kwargs: Any) -> None:
        self._setup(dict(locals()))


@export("keras.layers.GRU")
class GRU(_RNNLayer):
    cell_class = GRUCell

    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid",
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, recurrent_constraint: Any = None, bias_constraint: Any = None,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: Any = None, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 reset_after: bool = True, use_cudnn: Any = "auto", **kwargs: Any) -> None:
        self._setup(dict(locals()))
