"""TF1's `tf.cond`, `tf.while_loop`, `tf.case` and the functional `map_fn`/`foldl`/`foldr`/`scan`.

    tf.cond(x > 0, lambda: [x], lambda: [-x])             # TF1 unpacks a 1-element result (strict=False)
    tf.while_loop(lambda i: i < 10, lambda i: i + 1, [i])  # -> a tensor, not [tensor] (return_same_structure=False)
    tf.map_fn(lambda t: t * t, elems)                      # a While over TensorArrays, as TF does

All run on `runtime.control_flow` (If/While nodes holding traced branch graphs); only
TF1's argument names and result-packing rules live here.
"""
from __future__ import annotations

from typing import Any, Callable

from runtime import control_flow, dispatch, dtypes, nest
from runtime.tensor_array_api import TensorArray

from ._api import pick, shared_export, v1_export


def _unpack_if_singleton(res: Any) -> Any:
    if isinstance(res, (list, tuple)) and len(res) == 1:
        return res[0]
    return res


def _as_tensor_fn(fn: Callable) -> Callable:
    """A branch returning an Operation yields a tensor that runs it (TF1 uses the pivot for ops)."""
    def run() -> Any:
        out = fn()
        return nest.map_structure(_op_to_tensor, out) if out is not None else out
    return run


def _op_to_tensor(v: Any) -> Any:
    from runtime.graph import Node  # noqa: PLC0415
    if isinstance(v, Node):
        from runtime.ops import array  # noqa: PLC0415
        from .graph_api import control_dependencies  # noqa: PLC0415
        with control_dependencies([v]):
            return array.identity(dispatch.convert_to_tensor(True))
    return v


@v1_export("cond")
def cond(pred: Any, true_fn: Callable | None = None, false_fn: Callable | None = None, strict: bool = False,
         name: str | None = None, fn1: Callable | None = None, fn2: Callable | None = None) -> Any:
    """true_fn() if pred else false_fn(); a 1-element list/tuple result is unpacked unless strict."""
    true_fn = pick("cond", true_fn, fn1, "true_fn", "fn1")
    false_fn = pick("cond", false_fn, fn2, "false_fn", "fn2")
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, bool) and not dispatch.executing_eagerly():
        raise TypeError("'pred' must not be a Python bool.")
    res = control_flow.cond(pred, _as_tensor_fn(true_fn), _as_tensor_fn(false_fn), name)
    return res if strict else _unpack_if_singleton(res)


@v1_export("while_loop")
def while_loop(cond: Callable, body: Callable, loop_vars: Any, shape_invariants: Any = None,
               parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
               name: str | None = None, maximum_iterations: Any = None, return_same_structure: bool = False) -> Any:
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`; a 1-element result is unpacked."""
    res = control_flow.while_loop(cond, body, loop_vars, shape_invariants, parallel_iterations, back_prop,
                                  swap_memory, maximum_iterations, name)
    if isinstance(loop_vars, tuple) and isinstance(res, list):
        res = type(loop_vars)(*res) if hasattr(loop_vars, "_fields") else tuple(res)
    return res if return_same_structure else _unpack_if_singleton(res)


@v1_export("case")
def case(pred_fn_pairs: Any, default: Callable | None = None, exclusive: bool = False, strict: bool = False,
         name: str = "case") -> Any:
    """The fn of the first true predicate, else `default`; a 1-element result is unpacked unless strict."""
    if default is None and not pred_fn_pairs:
        raise ValueError("pred_fn_pairs must not be empty when no default is given")
    res = control_flow.case(pred_fn_pairs, default, exclusive, strict, name)
    return res if strict else _unpack_if_singleton(res)


# -- map_fn / foldl / foldr / scan: a While over TensorArrays ---------------------------------
def _flat_tensors(elems: Any) -> list:
    return [dispatch.convert_to_tensor(e) for e in nest.flatten(elems)]


def _length(flat: list) -> Any:
    n = flat[0].shape[0] if flat[0].shape.rank else None
    if n is not None:
        return n
    from runtime.ops import array  # noqa: PLC0415
    return array.shape(flat[0])[0]


def _unstacked(flat: list, n: Any) -> list:
    return [TensorArray(e.dtype, size=n, element_shape=e.shape[1:] if e.shape.rank else None).unstack(e)
            for e in flat]


def _loop(n: Any, body: Callable, init: list, name: str, reverse: bool = False) -> list:
    start = (n - 1) if reverse else 0
    step = -1 if reverse else 1
    if isinstance(n, int):
        i0 = dispatch.convert_to_tensor(start)
    else:
        i0 = start if reverse else dispatch.convert_to_tensor(0)
    out = control_flow.while_loop(lambda i, *_: (i >= 0) if reverse else (i < n),
                                  lambda i, *vs: [i + step] + list(body(i, list(vs))), [i0] + list(init),
                                  name=name)
    return list(out)[1:]


def _sig_dtypes(sig: Any, default: list) -> tuple[Any, list]:
    if sig is None:
        return None, [e.dtype for e in default]
    return sig, [dtypes.as_dtype(getattr(d, "dtype", d)) for d in nest.flatten(sig)]


@shared_export(v1=("map_fn",))
def map_fn(fn: Callable, elems: Any, dtype: Any = None, parallel_iterations: Any = None, back_prop: bool = True,
           swap_memory: bool = False, infer_shape: bool = True, name: str | None = None,
           fn_output_signature: Any = None) -> Any:
    """[fn(elems[0]), fn(elems[1]), ...] stacked; `dtype` gives the output structure when it differs."""
    flat = _flat_tensors(elems)
    n = _length(flat)
    sig, out_dtypes = _sig_dtypes(fn_output_signature if fn_output_signature is not None else dtype, flat)
    inputs = _unstacked(flat, n)

    def body(i: Any, tas: list) -> list:
        y = fn(nest.pack_sequence_as(elems, [ta.read(i) for ta in inputs]))
        return [ta.write(i, v) for ta, v in zip(tas, nest.flatten(y))]
    tas = _loop(n, body, [TensorArray(d, size=n, infer_shape=infer_shape) for d in out_dtypes], name or "map")
    return nest.pack_sequence_as(elems if sig is None else sig, [ta.stack() for ta in tas])


def _fold(fn: Callable, elems: Any, initializer: Any, name: str, reverse: bool) -> Any:
    flat = _flat_tensors(elems)
    n = _length(flat)
    inputs = _unstacked(flat, n)
    if initializer is None:
        init = nest.pack_sequence_as(elems, [ta.read(n - 1 if reverse else 0) for ta in inputs])
        n_run = n - 1
    else:
        init, n_run = initializer, n
    acc_flat = _flat_tensors(init)

    def body(i: Any, accs: list) -> list:
        x = nest.pack_sequence_as(elems, [ta.read(i) for ta in inputs])
        return [dispatch.convert_to_tensor(v) for v in nest.flatten(fn(nest.pack_sequence_as(init, accs), x))]
    if reverse:
        out = _loop(n_run, body, acc_flat, name, reverse=True)
    else:
        out = _loop_from(0 if initializer is not None else 1, n, body, acc_flat, name)
    return nest.pack_sequence_as(init, out)


def _loop_from(start: int, n: Any, body: Callable, init: list, name: str) -> list:
    out = control_flow.while_loop(lambda i, *_: i < n, lambda i, *vs: [i + 1] + list(body(i, list(vs))),
                                  [dispatch.convert_to_tensor(start)] + list(init), name=name)
    return list(out)[1:]


@shared_export(v1=("foldl",))
def foldl(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10, back_prop: bool = True,
          swap_memory: bool = False, name: str | None = None) -> Any:
    """fn(...fn(fn(init, elems[0]), elems[1])..., elems[n-1]); init defaults to elems[0]."""
    return _fold(fn, elems, initializer, name or "foldl", reverse=False)


@shared_export(v1=("foldr",))
def foldr(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10, back_prop: bool = True,
          swap_memory: bool = False, name: str | None = None) -> Any:
    """foldl from the end: fn(...fn(init, elems[n-1])..., elems[0]); init defaults to elems[n-1]."""
    return _fold(fn, elems, initializer, name or "foldr", reverse=True)


@shared_export(v1=("scan",))
def scan(fn: Callable, elems: Any, initializer: Any = None, parallel_iterations: int = 10, back_prop: bool = True,
         swap_memory: bool = False, infer_shape: bool = True, reverse: bool = False, name: str | None = None) -> Any:
    """Every intermediate accumulator of foldl (or foldr with reverse=True), stacked."""
    flat = _flat_tensors(elems)
    n = _length(flat)
    inputs = _unstacked(flat, n)
    first = (n - 1) if reverse else 0
    init = nest.pack_sequence_as(elems, [ta.read(first) for ta in inputs]) if initializer is None else initializer
    acc_flat = _flat_tensors(init)
    outs = [TensorArray(a.dtype, size=n, infer_shape=infer_shape) for a in acc_flat]
    if initializer is None:
        outs = [ta.write(first, a) for ta, a in zip(outs, acc_flat)]
    k = len(acc_flat)

    def body(i: Any, vs: list) -> list:
        accs, tas = vs[:k], vs[k:]
        x = nest.pack_sequence_as(elems, [ta.read(i) for ta in inputs])
        new = [dispatch.convert_to_tensor(v) for v in nest.flatten(fn(nest.pack_sequence_as(init, accs), x))]
        return new + [ta.write(i, v) for ta, v in zip(tas, new)]
    start = first + (-1 if reverse else 1) if initializer is None else first
    out = control_flow.while_loop(
        (lambda i, *_: i >= 0) if reverse else (lambda i, *_: i < n),
        lambda i, *vs: [i + (-1 if reverse else 1)] + body(i, list(vs)),
        [dispatch.convert_to_tensor(start)] + acc_flat + outs, name=name or "scan")
    return nest.pack_sequence_as(init, [ta.stack() for ta in list(out)[1 + k:]])
