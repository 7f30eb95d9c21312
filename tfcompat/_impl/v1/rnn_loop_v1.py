"""`dynamic_rnn` over a number of time steps known only at run time: a graph `while_loop`.

    x = tf.placeholder(tf.float32, [None, None, 8])          # any batch, any length per run
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lens, dtype=tf.float32)

As TensorFlow 1 builds it: the inputs are unstacked (time-major) into TensorArrays, the loop
carries (time, state, output TensorArrays), each iteration reads step `t`, calls the cell with
the sequence-length rule of `rnn_v1._step`, and writes its output; the outputs are stacked after.
The loop body is traced into its own function graph, so the cell's variables are made before
the loop (one call outside it, which a session never runs unless fetched) and the body looks
them up in the outer graph's variable store: names and weights are the unrolled path's.
"""
from __future__ import annotations

from typing import Any

from runtime import dispatch, dtypes
from runtime.control_flow_while import while_loop
from runtime.tensor_array import TensorArray

from ._api import v2
from .graph_api import get_default_graph
from .rnn_v1 import _initial_state, _leaves, _lengths, _pack_like, _step
from .variable_scope import _store


def _time_major(x: Any, time_axis: int) -> Any:
    if time_axis == 0:
        return x
    rank = x.shape.rank
    if rank is None:
        raise ValueError(f"dynamic_rnn needs inputs of known rank, saw shape {x.shape}")
    return v2("transpose")(x, [1, 0] + list(range(2, rank)))


def _output_shapes(cell: Any, probe: Any) -> list:
    """[batch, ...] static shapes of the cell's flat outputs (from `output_size`, else a probe call)."""
    try:
        sizes = _leaves(cell.output_size)
    except NotImplementedError:
        sizes = None
    if sizes is not None and all(isinstance(s, int) for s in sizes):
        return [[None, s] for s in sizes]
    return [[None] + o.shape.as_list()[1:] for o in _leaves(probe())]


def dynamic_loop(cell: Any, inputs: Any, flat: list, time_axis: int, sequence_length: Any, initial_state: Any,
                 dtype: Any, parallel_iterations: int, swap_memory: bool) -> tuple:
    """(outputs, final state) of `cell` over `flat` (inputs' leaves) with a run-time number of steps."""
    tm = [_time_major(x, time_axis) for x in flat]
    time_steps = v2("shape")(tm[0], out_type=dtypes.int32)[0]
    batch = tm[0].shape[1] if tm[0].shape.rank is not None else None
    first = _pack_like(inputs, [x[0] for x in tm])
    state = _initial_state(cell, _leaves(first)[0], initial_state, dtype)
    if not getattr(cell, "built", False):
        cell(first, state)   # NOTE: makes the variables here, in the outer graph (never run unless fetched)
    out_dtype = _leaves(state)[0].dtype
    shapes = _output_shapes(cell, lambda: cell(first, state)[0])
    lengths = _lengths(sequence_length)
    in_tas = [TensorArray(x.dtype, size=time_steps, element_shape=x.shape[1:] if x.shape.rank else None).unstack(x)
              for x in tm]
    out_tas = [TensorArray(out_dtype, size=time_steps, element_shape=[batch] + s[1:]) for s in shapes]
    store = _store()

    def body(t: Any, st: Any, tas: list) -> tuple:
        get_default_graph()._v1_var_store = store   # NOTE: the body's graph shares the outer variables
        x_t = _pack_like(inputs, [ta.read(t) for ta in in_tas])
        out, new_st = _step(cell, t, x_t, st, lengths)
        return t + 1, new_st, [ta.write(t, o) for ta, o in zip(tas, _leaves(out))]

    t0 = dispatch.convert_to_tensor(0, dtype=dtypes.int32)
    _, state, out_tas = while_loop(lambda t, *_: t < time_steps, body, (t0, state, out_tas),
                                   parallel_iterations=parallel_iterations, swap_memory=swap_memory, name="while")
    outs = [_time_major(ta.stack(), time_axis) for ta in out_tas]     # stacked [time, batch, ...]
    structure = cell.output_size if not isinstance(cell.output_size, int) else None
    outputs = outs[0] if structure is None else _pack_like(structure, outs)
    return outputs, state
