"""`while_loop`: a Python loop when eager; in a graph a `While` node holding cond and body graphs.

    while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), [0, 0])

Gradient (`WhileGrad`): run the loop again from the same inputs keeping every
iteration's loop values, then apply the body's traced backward once per iteration,
last iteration first, summing the gradients of captured values.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import backend, dispatch, nest
from .concrete import ConcreteFunction
from .control_flow import _as_graph_tensor, _flatten, _flow_op, _is_symbolic, _trace_branch
from .ops.registry import OpDef
from .shape import TensorShape


def _run_loop(args: tuple, cond_f: Any, body_f: Any, n: int, nc: int, max_iter: Any, keep: bool) -> tuple:
    vals = list(args[:n])
    cc, bc = list(args[n:n + nc]), list(args[n + nc:])
    limit = None if max_iter is None else int(max_iter)
    states = []
    i = 0
    while (limit is None or i < limit) and bool(cond_f.plan.run(vals + cc)[0]):
        if keep:
            states.append(vals)
        vals = list(body_f.plan.run(vals + bc))
        i += 1
    return vals, states


def _while_kernel(xp: Any) -> Any:
    def kernel(*args: Any, cond_f: Any, body_f: Any, n: int, nc: int, max_iter: Any, out_specs: tuple) -> list:
        return _run_loop(args, cond_f, body_f, n, nc, max_iter, False)[0]
    return kernel


def _add(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return b if a is None else a
    if isinstance(a, np.ndarray) and a.dtype == object:  # NOTE: boxed TensorList gradients; 0-d `+` unboxes
        from .tensor_array import TList, _box, _items  # noqa: PLC0415
        return _box((TList(_items(a)) + TList(_items(b))).items)
    return a + b


def _zeros(a: Any) -> Any:
    if hasattr(a, "read"):  # a variable's handle: the gradient has its value's shape
        a = a.read()
    if isinstance(a, np.ndarray) and a.dtype == object:
        from .tensor_array import _zeros_for_list  # noqa: PLC0415
        return _zeros_for_list(a)
    return backend.xp_for(a).zeros_like(a)


def _is_list(a: Any) -> bool:
    """A TensorArray's flow (a boxed list); its missing gradient arrives as zeros_like's boxed 0."""
    if isinstance(a, np.ndarray) and a.dtype == object:
        a = a[()] if a.ndim == 0 else None
    return type(a).__name__ == "TList"


def _while_grad_kernel(xp: Any) -> Any:
    def kernel(*args: Any, cond_f: Any, body_f: Any, n: int, nc: int, max_iter: Any, out_specs: tuple) -> list:
        inputs, gys = args[:len(args) - n], list(args[len(args) - n:])
        _, states = _run_loop(inputs, cond_f, body_f, n, nc, max_iter, True)
        bc = list(inputs[n + nc:])
        bwd = body_f.backward(tuple(True for _ in range(n)))
        g_vars = [None if _is_list(v) and not _is_list(g) else g for g, v in zip(gys, inputs[:n])]
        g_caps: list = [None] * len(bc)
        for vals in reversed(states):
            feed = vals + bc + [_zeros(v) if g is None else g for g, v in zip(g_vars, vals)]
            got = bwd.plan.run(feed)
            it = iter(got)
            grads = [next(it) if t is not None else None for t in bwd._flat]
            g_vars = grads[:n]
            g_caps = [_add(a, b) for a, b in zip(g_caps, grads[n:])]
        out = [_zeros(v) if g is None else g for g, v in zip(g_vars, inputs[:n])]
        out += [_zeros(c) for c in inputs[n:n + nc]]
        out += [_zeros(c) if g is None else g for g, c in zip(g_caps, bc)]
        return out
    return kernel


def _while_grad(gs: Any, outs: Any, *inputs: Any, **attrs: Any) -> tuple:
    from .ops import array  # noqa: PLC0415
    gs = gs if isinstance(gs, tuple) else (gs,)
    outs = outs if isinstance(outs, tuple) else (outs,)
    gs = tuple(array.zeros_like(o) if g is None and o.dtype.is_floating else g for g, o in zip(gs, outs))
    if any(g is None for g in gs):  # NOTE: integer loop values (counters) carry no gradient: feed zeros
        gs = tuple(array.zeros_like(o) if g is None else g for g, o in zip(gs, outs))
    specs = tuple((_grad_dtype(t), t.shape.as_tuple() if _grad_dtype(t) is t.dtype else
                   _handle_shape(t)) for t in inputs)
    res = dispatch.execute(_WHILE_GRAD, tuple(inputs) + gs, dict(attrs, out_specs=specs), "WhileGrad")
    return tuple(res)


def _keep(v: Any) -> bool:
    return _is_symbolic(v) or type(v).__name__ in ("TensorArray", "Tensor")


def _grad_dtype(t: Any) -> Any:
    hd = getattr(t, "_handle_data", None)
    return hd[0] if hd is not None else t.dtype


def _handle_shape(t: Any) -> Any:
    s = t._handle_data[1]
    return s.as_tuple() if isinstance(s, TensorShape) else s


_WHILE = {s: _flow_op("While" if s else "StatelessWhile", _while_kernel, _while_grad, s,
                      lambda *x, **a: a["n"]) for s in (False, True)}
_WHILE_GRAD: OpDef = _flow_op("WhileGrad", _while_grad_kernel, None, False, lambda *x, **a: len(a["out_specs"]))


def while_loop(cond: Callable, body: Callable, loop_vars: Any, shape_invariants: Any = None,
               parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
               maximum_iterations: Any = None, name: str | None = None) -> Any:
    """`tf.while_loop`: repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`."""
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    single = not isinstance(loop_vars, (list, tuple))
    structure = [loop_vars] if single else list(loop_vars)
    if dispatch.executing_eagerly() and not any(_is_symbolic(v) for v in nest.flatten(structure)):
        # NOTE: eagerly a Python loop; a tape records each iteration's ops
        values = nest.map_structure(lambda v: v if _keep(v) else dispatch.convert_to_tensor(v), structure)
        i = 0
        while (maximum_iterations is None or i < int(maximum_iterations)) and \
                bool(cond(*values) if not single else cond(values[0])):
            out = body(*values) if not single else body(values[0])
            values = [out] if single else list(out)
            i += 1
        return values[0] if single else type(loop_vars)(values) if isinstance(loop_vars, tuple) else values
    flat, rebuild = _flatten(structure)
    flat = [v if _is_symbolic(v) else (v.value() if hasattr(v, "_handle") else dispatch.convert_to_tensor(v))
            for v in flat]

    def call(fn: Callable, values: list) -> Any:
        vs = rebuild(values)
        return fn(*vs) if not single else fn(vs[0])

    flat = [v if _is_symbolic(v) else dispatch.convert_to_tensor(v) for v in flat]
    inv = nest.flatten(shape_invariants) if shape_invariants is not None else None
    shapes = [TensorShape(s) for s in inv] if inv is not None and len(inv) == len(flat) else [v.shape for v in flat]
    gname = name or "while"
    g_cond, c_phs, c_out = _trace_branch(lambda *a: call(cond, list(a)), flat, f"{gname}_cond", shapes)
    g_body, b_phs, b_out = _trace_branch(lambda *a: call(body, list(a)), flat, f"{gname}_body", shapes)
    b_flat, _ = _flatten([b_out] if single else list(b_out) if isinstance(b_out, (list, tuple)) else [b_out])
    if len(b_flat) != len(flat):
        raise ValueError(f"The two structures don't have the same nested structure: loop_vars has {len(flat)} "
                         f"tensors, body returned {len(b_flat)}.")
    b_flat = [_as_graph_tensor(g_body, v) for v in b_flat]
    for v, o, s in zip(flat, b_flat, shapes):
        if not s.is_compatible_with(o.shape) or (inv is None and s.rank != o.shape.rank):
            raise ValueError(f"Input tensor '{v.name}' enters the loop with shape {s}, but has shape {o.shape} "
                             "after one iteration. To allow the shape to vary across iterations, use the "
                             "`shape_invariants` argument of tf.while_loop to specify a less-specific shape.")
    c_val = _as_graph_tensor(g_cond, c_out)
    cond_f = ConcreteFunction(g_cond, c_phs, c_val, f"{gname}_cond")
    body_f = ConcreteFunction(g_body, b_phs, b_flat, f"{gname}_body")
    body_f.saved = []
    max_iter = None
    if maximum_iterations is not None:
        max_iter = int(maximum_iterations) if not _is_symbolic(maximum_iterations) else None
        if max_iter is None:  # NOTE: a symbolic bound becomes part of the condition
            raise TypeError("maximum_iterations must be a Python int or an eager tensor in this runtime")
    specs = tuple((v.dtype, s.as_tuple()) for v, s in zip(flat, shapes))
    op = _WHILE[bool(cond_f.targets or body_f.targets)]
    inputs = tuple(flat) + tuple(cond_f.captured) + tuple(body_f.captured)
    outs = dispatch.execute(op, inputs, {"cond_f": cond_f, "body_f": body_f, "n": len(flat),
                                         "nc": len(cond_f.captured), "max_iter": max_iter, "out_specs": specs},
                            gname)
    result = rebuild(list(outs))
    return result[0] if single else result
