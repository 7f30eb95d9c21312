"""`tf.nn.dynamic_rnn`, `static_rnn`, `bidirectional_dynamic_rnn`: a cell applied along time.

    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lens, dtype=tf.float32)
    # outputs [batch, time, units]: zero after each sequence's length; state: the last valid step's

With a static number of time steps the loop is unrolled (one cell call per step, all sharing
the cell's variables; measured faster here, training ~2.4x); with one known only at run time
(a `[None, None, F]` placeholder) `rnn_loop_v1` builds TensorFlow's while loop over time.
Both build the same values, gradients and variables.
TF's sequence-length rule, step by step: where `t >= sequence_length`, the output is zero
and the state is copied through unchanged.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.ops import elementwise as e

from ._api import v1_export, v2
from .variable_scope import variable_scope


def _map(fn: Any, *structs: Any) -> Any:
    """Apply `fn` leafwise over equal nested tuples (namedtuples kept)."""
    first = structs[0]
    if isinstance(first, (tuple, list)):
        items = [_map(fn, *parts) for parts in zip(*structs)]
        return type(first)(*items) if hasattr(first, "_fields") else type(first)(items)
    return fn(*structs)


def _leaves(x: Any) -> list:
    return [y for v in x for y in _leaves(v)] if isinstance(x, (tuple, list)) else [x]


def _initial_state(cell: Any, first_input: Any, initial_state: Any, dtype: Any) -> Any:
    if initial_state is not None:
        return initial_state
    if dtype is None:
        raise ValueError("If there is no initial_state, you must give a dtype.")
    batch = first_input.shape[0]
    if batch is None:
        batch = v2("shape")(first_input)[0]
    return cell.zero_state(batch, dtypes.as_dtype(dtype))


def _step(cell: Any, t: Any, x_t: Any, state: Any, sequence_length: Any) -> tuple:
    """One cell call with TF's `_rnn_step` rule: where `t >= sequence_length` the output is zero
    and the state is copied through. `t` is a Python int (unrolled) or an int32 scalar (loop)."""
    out, new_state = cell(x_t, state)
    if sequence_length is not None:
        done = v2("expand_dims")(e.greater_equal(t, sequence_length), 1)   # [batch, 1]
        out = _map(lambda o: e.select(done, v2("zeros_like")(o), o), out)
        new_state = _map(lambda old, new: e.select(done, old, new), state, new_state)
    return out, new_state


def _lengths(sequence_length: Any) -> Any:
    if sequence_length is None:
        return None
    return v2("cast")(dispatch.convert_to_tensor(sequence_length), dtypes.int32)


def _run(cell: Any, steps: list, state: Any, sequence_length: Any) -> tuple:
    """The unrolled loop."""
    outputs = []
    sequence_length = _lengths(sequence_length)
    for t, x_t in enumerate(steps):
        out, state = _step(cell, t, x_t, state, sequence_length)
        outputs.append(out)
    return outputs, state


def _time_steps(x: Any, time_axis: int) -> int | None:
    """The static number of time steps, or None when it is only known at run time."""
    n = x.shape[time_axis] if x.shape.rank is not None else None
    return None if n is None else int(n)


@v1_export("nn.dynamic_rnn")
def dynamic_rnn(cell: Any, inputs: Any, sequence_length: Any = None, initial_state: Any = None, dtype: Any = None,
                parallel_iterations: Any = None, swap_memory: bool = False, time_major: bool = False,
                scope: Any = None) -> tuple:
    """(outputs [batch, time, out] (or time-major), final state) of `cell` run over `inputs`.

    A static number of time steps unrolls the loop (faster here); an unknown one builds a
    graph `while_loop` over time with TensorArrays (`rnn_loop_v1`), as TensorFlow 1 does.
    The two build the same values, gradients and variables."""
    flat = [dispatch.convert_to_tensor(x) for x in _leaves(inputs)]
    time_axis = 0 if time_major else 1
    n = _time_steps(flat[0], time_axis)
    with variable_scope(scope or "rnn"):
        if n is None:
            from .rnn_loop_v1 import dynamic_loop  # noqa: PLC0415
            return dynamic_loop(cell, inputs, flat, time_axis, sequence_length, initial_state, dtype,
                                parallel_iterations or 32, swap_memory)
        per_input = [v2("unstack")(x, num=n, axis=time_axis) for x in flat]
        steps = [_pack_like(inputs, [p[t] for p in per_input]) for t in range(n)]
        state = _initial_state(cell, _leaves(steps[0])[0], initial_state, dtype)
        outputs, state = _run(cell, steps, state, sequence_length)
        stacked = _map(lambda *os: v2("stack")(list(os), axis=time_axis), *outputs)
    return stacked, state


def _pack_like(structure: Any, flat: list) -> Any:
    it = iter(flat)
    return _map(lambda _: next(it), structure) if isinstance(structure, (tuple, list)) else flat[0]


@v1_export("nn.static_rnn", "contrib.rnn.static_rnn")
def static_rnn(cell: Any, inputs: Any, initial_state: Any = None, dtype: Any = None, sequence_length: Any = None,
               scope: Any = None) -> tuple:
    """(list of outputs, final state) for a Python list of [batch, depth] inputs."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    steps = [_map(dispatch.convert_to_tensor, x) for x in inputs]
    with variable_scope(scope or "rnn"):
        state = _initial_state(cell, _leaves(steps[0])[0], initial_state, dtype)
        return _run(cell, steps, state, sequence_length)


@v1_export("reverse_sequence")
def reverse_sequence(input: Any, seq_lengths: Any, seq_axis: Any = None, batch_axis: Any = None,  # noqa: A002
                     name: str | None = None, seq_dim: Any = None, batch_dim: Any = None) -> Any:
    """Reverse the first `seq_lengths[b]` entries of each batch row `b` along `seq_axis`."""
    x = dispatch.convert_to_tensor(input)
    seq_axis = seq_axis if seq_axis is not None else seq_dim
    batch_axis = (batch_axis if batch_axis is not None else batch_dim) or 0
    if seq_axis is None:
        raise ValueError("reverse_sequence needs seq_axis")
    perm = [batch_axis, seq_axis] + [a for a in range(x.shape.rank) if a not in (batch_axis, seq_axis)]
    xt = v2("transpose")(x, perm)                                # [batch, time, ...]
    n = _time_steps(xt, 1)
    lens = v2("expand_dims")(v2("cast")(dispatch.convert_to_tensor(seq_lengths), dtypes.int32), 1)   # [batch, 1]
    t = dispatch.convert_to_tensor(np.arange(n, dtype=np.int32)[None, :]) if n is not None else \
        v2("expand_dims")(v2("range")(v2("shape")(xt)[1]), 0)     # NOTE: time steps known at run time
    idx = e.select(e.less(t, lens), lens - 1 - t, t + 0 * lens)  # [batch, time]
    out = v2("gather")(xt, idx, axis=1, batch_dims=1)
    inverse = list(np.argsort(perm))
    return v2("transpose")(out, inverse, name=name or "ReverseSequence")


def _reverse(x: Any, lengths: Any, time_axis: int) -> Any:
    if lengths is None:
        return v2("reverse")(x, [time_axis])
    return reverse_sequence(x, lengths, seq_axis=time_axis, batch_axis=1 - time_axis)


@v1_export("nn.bidirectional_dynamic_rnn")
def bidirectional_dynamic_rnn(cell_fw: Any, cell_bw: Any, inputs: Any, sequence_length: Any = None,
                              initial_state_fw: Any = None, initial_state_bw: Any = None, dtype: Any = None,
                              parallel_iterations: Any = None, swap_memory: bool = False, time_major: bool = False,
                              scope: Any = None) -> tuple:
    """((outputs_fw, outputs_bw), (state_fw, state_bw)); the backward pass reads each sequence reversed."""
    time_axis = 0 if time_major else 1
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            out_fw, st_fw = dynamic_rnn(cell_fw, inputs, sequence_length, initial_state_fw, dtype,
                                        time_major=time_major, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            rev = _map(lambda x: _reverse(dispatch.convert_to_tensor(x), sequence_length, time_axis), inputs)
            out_bw, st_bw = dynamic_rnn(cell_bw, rev, sequence_length, initial_state_bw, dtype,
                                        time_major=time_major, scope=bw_scope)
    out_bw = _map(lambda o: _reverse(o, sequence_length, time_axis), out_bw)
    return (out_fw, out_bw), (st_fw, st_bw)


@v1_export("nn.static_bidirectional_rnn", "contrib.rnn.static_bidirectional_rnn")
def static_bidirectional_rnn(cell_fw: Any, cell_bw: Any, inputs: Any, initial_state_fw: Any = None,
                             initial_state_bw: Any = None, dtype: Any = None, sequence_length: Any = None,
                             scope: Any = None) -> tuple:
    """(outputs (fw and bw concatenated per step), state_fw, state_bw)."""
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            out_fw, st_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype, sequence_length, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            stacked = v2("stack")(list(inputs), axis=1)
            rev = v2("unstack")(_reverse(stacked, sequence_length, 1), num=len(inputs), axis=1)
            out_bw, st_bw = static_rnn(cell_bw, rev, initial_state_bw, dtype, sequence_length, scope=bw_scope)
    out_bw = v2("unstack")(_reverse(v2("stack")(out_bw, axis=1), sequence_length, 1), num=len(inputs), axis=1)
    return [v2("concat")([f, b], 1) for f, b in zip(out_fw, out_bw)], st_fw, st_bw

