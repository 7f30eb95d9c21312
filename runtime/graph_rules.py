"""Static inference for graph nodes, the stable text form of a node, and symbolic `gradients`.

    infer(MatMul, (x[2,3], w[3,None]), {})  ->  ([float32], [(2, None)])
    node_text(n)  ->  "MatMul_1 = MatMul[transpose_a=False](x:0, w:0) : float32 (2, None)"
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes, nest
from .errors import OpError
from .ops.registry import OpDef


def _const_value(t: Any) -> Any:
    """What is statically known of `t`'s value: the constant, or for an integer scalar or vector
    built from shapes (Shape, Pack, ConcatV2, StridedSlice, Cast...) a Python int or a list with
    None where an entry is only known at run time (TensorFlow's partial shape values); else None."""
    node = t.op
    kind = node.op.name
    if kind == "Const":
        return node.attrs["value"]
    if kind == "Shape":
        return None if node.inputs[0].shape.rank is None else list(node.inputs[0].shape.as_tuple())
    if kind == "Size" and node.inputs[0].shape.is_fully_defined():
        return node.inputs[0].shape.num_elements()
    if kind == "Rank" and node.inputs[0].shape.rank is not None:
        return node.inputs[0].shape.rank
    if kind in ("Identity", "Cast", "StopGradient") and t.dtype.is_integer:
        value = _const_value(node.inputs[0])
        return value if value is None or isinstance(value, (list, int)) else \
            np.asarray(value).astype(t.dtype.as_numpy_dtype)
    if kind == "Pack" and node.attrs.get("axis", 0) == 0 and all(i.shape.rank == 0 for i in node.inputs):
        return [_scalar(_const_value(i)) for i in node.inputs]
    if kind == "ConcatV2" and all(i.shape.rank == 1 for i in node.inputs):
        parts = [_const_value(i) for i in node.inputs]
        return None if any(p is None for p in parts) else [e for p in parts for e in _entries(p)]
    if kind == "StridedSlice" and len(node.inputs) == 1 and node.inputs[0].shape.rank == 1:
        value = _const_value(node.inputs[0])
        if isinstance(value, list):
            from .ops.indexing import build_index  # noqa: PLC0415
            out = np.asarray(value, dtype=object)[build_index(node.attrs["spec"], ())]
            return out.tolist() if isinstance(out, np.ndarray) else out
    return None


def _shape_value(t: Any) -> Any:
    """`_const_value`, or for a vector of known length whose entries are unknown, that many Nones
    (TensorFlow reads a shape tensor [n] of unknown value as n unknown dimensions)."""
    value = _const_value(t)
    if value is None and t.shape.rank == 1 and t.shape[0] is not None and t.dtype.is_integer:
        return [None] * t.shape[0]
    return value


def _entries(value: Any) -> list:
    return value if isinstance(value, list) else [_scalar(v) for v in np.reshape(value, -1)]


def _scalar(value: Any) -> Any:
    return None if value is None or np.ndim(value) != 0 or isinstance(value, list) else int(value)


def infer(op: OpDef, inputs: tuple, attrs: dict, node_name: str | None = None) -> tuple[list, list]:
    """Output dtypes and static shapes (tuples with None, or None for unknown rank); a shape error
    names the node (`node_name`, the user's name when given) as TensorFlow does."""
    if op.name == "ReadVariableOp":
        d, s = inputs[0]._handle_data or (dtypes.float32, None)
        return [d], [s.as_tuple() if hasattr(s, "as_tuple") else s]
    n = op.num_outputs(*inputs, **attrs) if callable(op.num_outputs) else op.num_outputs
    if op.dtype is not None:
        d = op.dtype(*(t.dtype for t in inputs), **attrs)
    else:
        d = inputs[0].dtype if inputs else dtypes.float32
    dts = list(d) if isinstance(d, (tuple, list)) else [d] * n
    shapes: Any = None
    if op.shape is not None:
        args = [_shape_value(t) if i in op.value_inputs else t.shape.as_tuple() for i, t in enumerate(inputs)]
        try:
            shapes = op.shape(*args, **attrs)
        except OpError as e:
            names = ", ".join(t.name for t in inputs)
            shown = ", ".join(_dims(t.shape.as_tuple()) for t in inputs)
            raise ValueError(f"{e.message} for '{{{{node {node_name or op.name}}}}} = {op.name}({names})' with "
                             f"input shapes: {shown}.") from None
        except (TypeError, ValueError, IndexError, AttributeError):
            shapes = None  # NOTE: a rule not written for unknown dims: the shape is unknown, not an error
    if n == 1 and callable(op.num_outputs) and shapes and isinstance(shapes[0], (tuple, list, type(None))):
        shapes = [_tuple(shapes[0])]
    elif n == 1:
        shapes = [_tuple(shapes)]
    else:
        shapes = [None] * n if shapes is None else [_tuple(s) for s in shapes]
    return dts[:n], shapes


def _tuple(s: Any) -> Any:
    try:
        return None if s is None else tuple(None if d is None else int(d) for d in s)
    except (TypeError, ValueError):
        return None


def _dims(s: Any) -> str:
    return "?" if s is None else "[" + ",".join("?" if d is None else str(d) for d in s) + "]"


# -- text ----------------------------------------------------------------------------------
def _attr_text(v: Any) -> str:
    if isinstance(v, np.ndarray) or isinstance(v, np.generic):
        a = np.asarray(v)
        if a.size <= 8:
            return np.array2string(a, separator=",").replace("\n", "").replace(" ", "") if a.ndim else repr(a.item())
        return f"<{a.dtype}{list(a.shape)}>"
    if isinstance(v, dtypes.DType):
        return v.name
    if type(v).__name__ == "TensorShape":
        return str(v)
    if hasattr(v, "text_name"):
        return v.text_name
    if hasattr(v, "name") and hasattr(v, "read"):  # a ResourceHandle
        return v.name
    return repr(v)


def node_text(n: Any) -> str:
    attrs = ",".join(f"{k}={_attr_text(v)}" for k, v in sorted(n.attrs.items()) if k != "dtype" or n.op.name
                     == "Placeholder")
    ins = ", ".join(t.name for t in n.inputs)
    if n.control_inputs:
        ins += (", " if ins else "") + ", ".join("^" + c.name for c in n.control_inputs)
    outs = "; ".join(f"{t.dtype.name} {t.shape}" for t in n.outputs) or "()"
    dev = f" @{n.device}" if n.device else ""
    return f"{n.name} = {n.type}{'[' + attrs + ']' if attrs else ''}({ins}) : {outs}{dev}"


# -- symbolic gradients --------------------------------------------------------------------
def gradients(ys: Any, xs: Any, grad_ys: Any = None, stop_gradients: Any = None,
              unconnected_gradients: str = "none") -> list:
    """d(sum of ys)/d(each x) as new nodes of the ys' graph (`tf.gradients`)."""
    from .autodiff import backward  # noqa: PLC0415
    from .ops import array  # noqa: PLC0415
    ys_flat = [y.value() if hasattr(y, "_handle") else y for y in nest.flatten(ys)]  # variables: their reads
    xs_flat = nest.flatten(xs)
    unconnected_gradients = getattr(unconnected_gradients, "value", unconnected_gradients)
    graph = next((y.graph for y in ys_flat if getattr(y, "_is_symbolic", False)), None)
    if graph is None:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. Use "
                           "tf.GradientTape instead.")
    xs_t = [graph.capture(x) if hasattr(x, "_handle") or not getattr(x, "_is_symbolic", False) else x
            for x in xs_flat]
    seeds = nest.flatten(grad_ys) if grad_ys is not None else [None] * len(ys_flat)
    stops = {id(t) for t in nest.flatten(stop_gradients)} if stop_gradients is not None else set()
    records = _between(graph, xs_t, ys_flat, stops)
    with graph.as_default(), graph.name_scope("gradients"):
        grads = backward(records, ys_flat, seeds, xs_t)
        if str(getattr(unconnected_gradients, "value", unconnected_gradients)) == "zero":
            grads = [array.zeros_like(x) if g is None else g for g, x in zip(grads, xs_t)]
    return grads


def _between(graph: Any, xs: list, ys: list, stops: set) -> list:
    """Records (op, inputs, attrs, outputs) of the nodes on a path from some x to some y."""
    reach = {id(x) for x in xs}
    fwd = []
    for node in graph.nodes:
        if any(id(t) in reach for t in node.inputs) and not any(id(o) in stops for o in node.outputs):
            fwd.append(node)
            reach.update(id(o) for o in node.outputs)
    need = {id(y) for y in ys}
    out = []
    for node in reversed(fwd):
        if any(id(o) in need for o in node.outputs):
            out.append(node)
            need.update(id(t) for t in node.inputs)
    out.reverse()
    return [(n.op, n.inputs, n.attrs, n.outputs) for n in out]
