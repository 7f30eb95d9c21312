"""`cond`, `while_loop`, `case`, `switch_case`: Python control flow when eager, functional ops in graphs.

    cond(x > 0, lambda: x, lambda: -x)        # graph: If(pred, *captures) holding two sub-graphs
    while_loop(lambda i: i < 10, lambda i: (i + 1,), [0])   # graph: While(...) with cond/body graphs

Eagerly the chosen branch (or each iteration) runs as ordinary ops, so a tape
records exactly what ran. In a graph, each branch/body is traced once into its own
function graph (TensorFlow 2's design); outer values it uses become inputs of the
node. Gradients: `If` differentiates through an `If` of the branch backwards; `While`
re-runs the loop recording every iteration's values, then runs the body's backward
once per iteration in reverse (`WhileGrad`).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import dispatch, dtypes, nest
from .concrete import ConcreteFunction
from .graph import Graph
from .ops.registry import OpDef


def _is_symbolic(x: Any) -> bool:
    return getattr(x, "_is_symbolic", False)


# -- loop-variable structures (TensorArrays flow through as their flow tensor) --------------
def _flatten(structure: Any) -> tuple[list, Callable[[list], Any]]:
    from .tensor_array import TensorArray  # noqa: PLC0415
    leaves = nest.flatten(structure)
    metas = [x._meta() if isinstance(x, TensorArray) else None for x in leaves]
    flat = [x.flow if isinstance(x, TensorArray) else x for x in leaves]

    def rebuild(values: list) -> Any:
        vals = [TensorArray._from_flow(v, m) if m is not None else v for v, m in zip(values, metas)]
        return nest.pack_sequence_as(structure, vals)
    return flat, rebuild


def _trace_branch(fn: Callable, args: list, name: str, shapes: list | None = None) -> tuple:
    """Trace `fn(*placeholders)` into a function graph; returns (graph, placeholders, outputs)."""
    g = Graph(is_function=True, name=name)
    phs = []
    with g.as_default():
        for i, a in enumerate(args):
            ph = g.placeholder(a.dtype, a.shape if shapes is None else shapes[i], name=f"{name}_arg{i}")
            ph._handle_data = a._handle_data
            phs.append(ph)
        out = fn(*phs)
    return g, phs, out


def _merge_shape(a: Any, b: Any) -> Any:
    if a.rank is None or b.rank is None or a.rank != b.rank:
        return None
    return tuple(x if x == y else None for x, y in zip(a.as_list(), b.as_list()))


# -- cond -----------------------------------------------------------------------------------
def _if_kernel(xp: Any) -> Any:
    def kernel(pred: Any, *args: Any, then_f: Any, else_f: Any, n_then: int, out_specs: tuple) -> list:
        if bool(pred):
            return then_f.plan.run(args[:n_then])
        return else_f.plan.run(args[n_then:])
    return kernel


def _if_grad(gs: Any, outs: Any, pred: Any, *caps: Any, then_f: Any, else_f: Any, n_then: int,
             out_specs: tuple) -> tuple:
    from .ops import array  # noqa: PLC0415
    gs = gs if isinstance(gs, tuple) else (gs,)
    outs = outs if isinstance(outs, tuple) else (outs,)
    gs = [array.zeros_like(o) if g is None else g for g, o in zip(gs, outs)]
    then_caps, else_caps = caps[:n_then], caps[n_then:]

    def branch(f: Any, mine: tuple, other: tuple, first: bool) -> Callable:
        def run() -> list:
            got = f.backward(tuple(True for _ in f.outputs))._call_flat(list(mine) + list(gs))
            got = got if isinstance(got, list) else [got]
            got = [_zeros_for(c) if g is None else g for g, c in zip(got, mine)]
            zeros = [_zeros_for(c) for c in other]
            return got + zeros if first else zeros + got
        return run
    diff = [i for i, c in enumerate(caps) if _grad_dtype(c).is_floating]
    if not diff:
        return (None,) * (1 + len(caps))
    res = cond(pred, _select(branch(then_f, then_caps, else_caps, True), diff),
               _select(branch(else_f, else_caps, then_caps, False), diff))
    res = res if isinstance(res, (list, tuple)) else [res]
    full: list = [None] * len(caps)
    for i, r in zip(diff, res):
        full[i] = r
    return (None,) + tuple(full)


def _select(fn: Callable, idx: list) -> Callable:
    return lambda: [fn()[i] for i in idx]


def _grad_dtype(t: Any) -> Any:
    hd = getattr(t, "_handle_data", None)
    return hd[0] if hd is not None else t.dtype


def _zeros_for(t: Any) -> Any:
    from .ops import array  # noqa: PLC0415
    hd = getattr(t, "_handle_data", None)
    if hd is None:
        return array.zeros_like(t)
    from .variables import read_variable_op  # noqa: PLC0415
    return array.zeros_like(dispatch.execute(read_variable_op, (t,)))


def _flow_op(name: str, kernel: Callable, grad: Callable | None, stateful: bool, n_out: Callable) -> OpDef:
    op = OpDef(name, kernel, shape=lambda *s, **a: tuple(sp[1] for sp in a["out_specs"]),
               dtype=lambda *d, **a: tuple(sp[0] for sp in a["out_specs"]), grad=grad, stateful=stateful,
               num_outputs=n_out)
    op.grad_takes_none = True
    return op


_IF = {s: _flow_op("If" if s else "StatelessIf", _if_kernel, _if_grad, s, lambda *x, **a: len(a["out_specs"]))
       for s in (False, True)}


def cond(pred: Any, true_fn: Callable | None = None, false_fn: Callable | None = None, name: str | None = None) -> Any:
    """`tf.cond`: `true_fn()` if pred else `false_fn()`; both are traced when pred is symbolic."""
    if true_fn is None or false_fn is None:
        raise TypeError("cond(): 'true_fn' and 'false_fn' arguments are required (callables)")
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    if not _is_symbolic(pred):
        return true_fn() if bool(pred) else false_fn()
    gname = name or "cond"
    g_then, _, out_t = _trace_branch(true_fn, [], f"{gname}_true")
    g_else, _, out_e = _trace_branch(false_fn, [], f"{gname}_false")
    flat_t, rebuild = _flatten(out_t)
    flat_e, _ = _flatten(out_e)
    try:
        nest.assert_same_structure(nest.flatten(out_t), nest.flatten(out_e), check_types=False)
        if len(flat_t) != len(flat_e):
            raise ValueError("different number of outputs")
    except (ValueError, TypeError) as e:
        raise ValueError(f"true_fn and false_fn arguments to tf.cond must have the same number, type, and overall "
                         f"structure of return values.\n\ntrue_fn output: {out_t}\nfalse_fn output: {out_e}\n\n"
                         f"More info: {e}") from None
    flat_t = [_as_graph_tensor(g_then, v) for v in flat_t]
    flat_e = [_as_graph_tensor(g_else, v) for v in flat_e]
    for a, b in zip(flat_t, flat_e):
        if a.dtype != b.dtype:
            raise TypeError(f"true_fn and false_fn arguments to tf.cond must have the same number, type, and overall "
                            f"structure of return values. true_fn output {a} has dtype {a.dtype.name} but false_fn "
                            f"output {b} has dtype {b.dtype.name}.")
    f_then = ConcreteFunction(g_then, [], flat_t, f"{gname}_true")
    f_else = ConcreteFunction(g_else, [], flat_e, f"{gname}_false")
    specs = tuple((a.dtype, _merge_shape(a.shape, b.shape)) for a, b in zip(flat_t, flat_e))
    op = _IF[bool(f_then.targets or f_else.targets)]
    inputs = (pred,) + tuple(f_then.captured) + tuple(f_else.captured)
    outs = dispatch.execute(op, inputs, {"then_f": f_then, "else_f": f_else, "n_then": len(f_then.captured),
                                          "out_specs": specs}, name or "cond")
    outs = list(outs) if isinstance(outs, (tuple, list)) else []
    return rebuild(outs) if out_t is not None else None


def _as_graph_tensor(g: Graph, v: Any) -> Any:
    with g.as_default():
        if hasattr(v, "_handle"):
            return v.value()
        return g.capture(dispatch.convert_to_tensor(v)) if not (_is_symbolic(v) and v.graph is g) else v


# -- case / switch_case ---------------------------------------------------------------------
def case(pred_fn_pairs: Any, default: Callable | None = None, exclusive: bool = False, strict: bool = False,
         name: str = "case") -> Any:
    """`tf.case`: the fn of the first true predicate (in order), else `default`."""
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    if not pairs:
        if default is None:
            raise ValueError("pred_fn_pairs must not be empty when no default is given")
        return default()
    if default is None:
        pairs, default = pairs[:-1], pairs[-1][1]

    def chain(i: int) -> Any:
        if i == len(pairs):
            return default()
        p, fn = pairs[i]
        return cond(p, fn, lambda: chain(i + 1), name=name)
    return chain(0)


def switch_case(branch_index: Any, branch_fns: Any, default: Callable | None = None, name: str = "switch_case") -> Any:
    """`tf.switch_case`: `branch_fns[branch_index]()`, or `default` (the last branch) when out of range."""
    fns = [fn for _, fn in sorted(branch_fns.items())] if isinstance(branch_fns, dict) else \
        [f[1] if isinstance(f, tuple) else f for f in branch_fns]
    keys = sorted(branch_fns) if isinstance(branch_fns, dict) else list(range(len(fns)))
    default = default or fns[-1]
    if not _is_symbolic(branch_index):
        i = int(branch_index)
        return fns[keys.index(i)]() if i in keys else default()
    from .ops import elementwise  # noqa: PLC0415
    return case([(elementwise.equal(branch_index, np.int32(k) if branch_index.dtype is dtypes.int32 else k), fn)
                 for k, fn in zip(keys, fns)], default=default, name=name)


from .control_flow_while import while_loop  # noqa: E402,F401  (re-exported: tf.while_loop lives here)
