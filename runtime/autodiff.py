"""Reverse-mode autodiff: `GradientTape` as an interpreter that records ops.

    with GradientTape() as tape:          # pushes a TapeInterpreter
        y = x * x                         # evaluated beneath, recorded here
    tape.gradient(y, x)                   # walks the records backwards with ops

Gradients are computed with ops, so an outer tape records them (second order), and
inside a traced function they become graph nodes. Undoing broadcasting happens
once, here (`_fit_to`), not in each op's gradient.
"""
from __future__ import annotations

from enum import Enum
from typing import Any, Callable, Sequence

from . import dispatch, dtypes, nest
from .dispatch import Interpreter
from .tensor import Tensor


class UnconnectedGradients(Enum):
    NONE = "none"
    ZERO = "zero"


class TapeInterpreter(Interpreter):
    """Evaluates through the interpreter below it and records ops touching watched values."""

    def __init__(self, tape: "GradientTape", parent: Interpreter) -> None:
        self.tape, self.parent = tape, parent
        self.is_eager = parent.is_eager

    def process(self, op: Any, inputs: tuple, attrs: dict, name: str | None) -> Any:
        out = self.parent.process(op, inputs, attrs, name)
        tape = self.tape
        if tape._recording:
            watched = tape._watched
            if op.name == "ReadVariableOp" and tape._watch_accessed and inputs[0].trainable:
                tape._watch_variable(inputs[0])
            for t in inputs:
                if id(t) in watched:
                    tape._record(op, inputs, attrs, out)
                    break
        return out

    def constant(self, array: Any, name: str | None = None) -> Any:
        return self.parent.constant(array, name)

    def variable_name(self, name: str) -> str:
        return self.parent.variable_name(name)

    def init_variable(self, variable: Any, initial: Any) -> None:
        self.parent.init_variable(variable, initial)

    def after_assign(self, variable: Any, result: Any, read_value: bool) -> Any:
        return self.parent.after_assign(variable, result, read_value)


class GradientTape:
    """`tf.GradientTape`: records operations for automatic differentiation."""

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._watched: dict[int, Any] = {}
        self._records: list[tuple] = []
        self._recording = False
        self._interp: TapeInterpreter | None = None
        self._used = False

    # -- recording ---------------------------------------------------------------------------
    def __enter__(self) -> "GradientTape":
        self._interp = TapeInterpreter(self, dispatch.current())
        dispatch._state.stack.append(self._interp)
        self._recording = True
        return self

    def __exit__(self, *exc: Any) -> None:
        self._recording = False
        stack = dispatch._state.stack
        if self._interp in stack:
            stack.remove(self._interp)
        self._interp = None   # NOTE: the interpreter refers back to the tape: keeping it made a reference cycle
                              # that held every recorded tensor until the cyclic GC ran

    def _record(self, op: Any, inputs: tuple, attrs: dict, out: Any) -> None:
        outs = out if isinstance(out, tuple) else (out,)
        self._records.append((op, inputs, attrs, outs))
        for o in outs:
            self._watched[id(o)] = o

    def _watch_variable(self, variable: Any) -> None:
        self._watched[id(variable)] = variable

    def watch(self, tensor: Any) -> None:
        """Track `tensor` (or a structure of tensors/variables) as a source."""
        for t in nest.flatten(tensor):
            if not (dispatch.is_tensor(t) or hasattr(t, "_handle")):
                raise ValueError(f"Passed in object {t!r} of type '{type(t).__name__}', not tf.Tensor "
                                 "or tf.Variable or ExtensionType.")
            if dispatch.is_tensor(t) and not (t.dtype.is_floating or t.dtype.is_complex):
                import logging  # noqa: PLC0415
                logging.getLogger("tfcompat").warning(
                    "The dtype of the watched tensor must be floating (e.g. tf.float32), got %r", t.dtype)
            self._watched[id(t)] = t

    def watched_variables(self) -> tuple:
        return tuple(v for v in self._watched.values() if hasattr(v, "_handle"))

    def stop_recording(self) -> "_StopRecording":
        """Context manager: ops inside it are not recorded (`with tape.stop_recording():`)."""
        return _StopRecording(self)

    def reset(self) -> None:
        self._records.clear()
        self._watched.clear()

    # -- differentiation ---------------------------------------------------------------------
    def gradient(self, target: Any, sources: Any, output_gradients: Any = None,
                 unconnected_gradients: Any = UnconnectedGradients.NONE) -> Any:
        """d(sum of target) / d(each source), shaped like `sources`."""
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients (or jacobians); create it with persistent=True to call it again.")
        self._used = True
        targets = nest.flatten(target)
        flat_sources = nest.flatten(sources)
        out_grads = nest.flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        with _StopRecording(self):
            grads = backward(self._records, targets, out_grads, flat_sources, self._watched)
        if not self._persistent:
            self._records.clear()  # NOTE: as TF, a used tape lets go of its values (optimizers may update in place)
        if unconnected_gradients is not UnconnectedGradients.NONE and \
                UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.ZERO:
            grads = [_zeros_for(s) if g is None else g for g, s in zip(grads, flat_sources)]
        return nest.pack_sequence_as(sources, grads)

    def jacobian(self, target: Any, sources: Any, unconnected_gradients: Any = UnconnectedGradients.NONE,
                 parallel_iterations: Any = None, experimental_use_pfor: bool = True) -> Any:
        """d target[i...] / d source[j...], shaped target.shape + source.shape, per source."""
        from .ops import array, elementwise as math  # noqa: PLC0415
        flat_sources = nest.flatten(sources)
        size = int(target.shape.num_elements())
        rows: list[list[Any]] = [[] for _ in flat_sources]
        connected = [False] * len(flat_sources)
        with _StopRecording(self):
            for i in range(size):
                seed = array.reshape(array.one_hot_flat(i, size, target.dtype), target.shape.as_list())
                grads = backward(self._records, [target], [seed], flat_sources, self._watched)
                for k, (g, s) in enumerate(zip(grads, flat_sources)):
                    connected[k] = connected[k] or g is not None
                    rows[k].append(g if g is not None else _zeros_for(s))
        self._used = True
        zero = UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.ZERO
        out = []
        for row, s, conn in zip(rows, flat_sources, connected):
            stacked = array.reshape(array.stack(row), target.shape.as_list() + s.shape.as_list())
            out.append(stacked if zero or conn else None)
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target: Any, source: Any, unconnected_gradients: Any = UnconnectedGradients.NONE,
                       parallel_iterations: Any = None, experimental_use_pfor: bool = True) -> Any:
        """d target[b, i...] / d source[b, j...] for independent batch rows b."""
        from .ops import array  # noqa: PLC0415
        batch = target.shape[0]
        inner = target.shape[1:].as_list()
        n = 1
        for d in inner:
            n *= d
        cols = []
        with _StopRecording(self):
            for i in range(n):
                seed = array.reshape(array.tile(array.one_hot_flat(i, n, target.dtype)[None], [batch, 1]),
                                     [batch] + inner)
                g = backward(self._records, [target], [seed], [source], self._watched)[0]
                cols.append(g if g is not None else _zeros_for(source))
        self._used = True
        jac = array.stack(cols, axis=1)  # [batch, n, *source.shape[1:]]
        return array.reshape(jac, [batch] + inner + source.shape[1:].as_list())


class _StopRecording:
    def __init__(self, tape: GradientTape) -> None:
        self.tape, self.was = tape, False

    def __enter__(self) -> None:
        self.was, self.tape._recording = self.tape._recording, False

    def __exit__(self, *exc: Any) -> None:
        self.tape._recording = self.was


def _zeros_for(source: Any) -> Any:
    from .ops import array  # noqa: PLC0415
    return array.zeros_like(source._as_tensor() if hasattr(source, "_handle") else source)


def backward(records: Sequence[tuple], targets: list, seeds: list, sources: list,
             watched: dict | None = None) -> list:
    """Walk `records` in reverse from `targets` (seeded with `seeds` or ones) to `sources`.

    Only values in `watched` (when given) and floating/complex values receive gradients,
    as in TensorFlow: constants and integers are not differentiated.
    """
    array, math = _OPS or _load_ops()
    differentiable = _differentiable
    grads: dict[int, Any] = {}
    for t, seed in zip(targets, seeds):
        if t is None:
            continue
        g = array.ones_like(t) if seed is None else dispatch.convert_to_tensor(seed, dtype=t.dtype)
        grads[id(t)] = math.add(grads[id(t)], g) if id(t) in grads else g
    keep = {id(s) for s in sources}
    for op, inputs, attrs, outs in reversed(records):
        if len(outs) == 1:  # NOTE: the common case, without list building (eager hot path)
            key = id(outs[0])
            g = grads.get(key) if key in keep else grads.pop(key, None)
            if g is None or not op.differentiable:
                continue
            if op.grad is None:
                _check_has_grad(op)
            if op.grad_wanted:   # NOTE: e.g. a first layer's input gradient, on data nobody differentiates
                wanted = tuple((watched is None or id(x) in watched) and differentiable(x) for x in inputs)
                in_grads = op.grad(g, outs[0], *inputs, wanted=wanted, **attrs)
            else:
                in_grads = op.grad(g, outs[0], *inputs, **attrs)
        else:
            gs = [grads.get(id(o)) if id(o) in keep else grads.pop(id(o), None) for o in outs]
            if all(g is None for g in gs) or not op.differentiable:
                continue
            _check_has_grad(op)
            if not getattr(op, "grad_takes_none", False):  # NOTE: call ops skip zeros for unused outputs
                gs = [array.zeros_like(o) if g is None else g for g, o in zip(gs, outs)]
            in_grads = op.grad(tuple(gs), outs, *inputs, **attrs)
        if len(in_grads) != len(inputs):
            raise AssertionError(f"gradient of {op.name} returned {len(in_grads)} entries for "
                                 f"{len(inputs)} inputs")
        for x, gx in zip(inputs, in_grads):
            if gx is None or (watched is not None and id(x) not in watched) or not differentiable(x):
                continue
            gx = _fit_to(gx, x)
            key = id(x)
            grads[key] = math.add(grads[key], gx) if key in grads else gx
    return [grads.get(id(s)) if _differentiable(s) else None for s in sources]


def _check_has_grad(op: Any) -> None:
    if op.grad is None:
        raise LookupError(f"gradient registry has no entry for: {op.name} (no gradient is defined "
                          "for this op; wrap the computation in tf.stop_gradient if none is needed)")


_OPS: tuple = ()
_DIFF_NP: dict = {}  # NumPy dtype -> whether values of it get gradients


def _load_ops() -> tuple:
    """(array, elementwise) op modules, imported on first use (they import this module's users)."""
    global _OPS
    from .ops import array, elementwise  # noqa: PLC0415
    _OPS = (array, elementwise)
    return _OPS


def _differentiable(x: Any) -> bool:
    if type(x) is Tensor:  # NOTE: eager fast path: one dict lookup per NumPy dtype
        npd = x._value.dtype
        ok = _DIFF_NP.get(npd)
        if ok is None:
            d = dtypes.from_numpy(npd)
            ok = _DIFF_NP[npd] = d.is_floating or d.is_complex or d is dtypes.variant
        return ok
    hd = getattr(x, "_handle_data", None)  # a graph's resource tensor: its variable's dtype
    d = x.dtype if hd is None else hd[0]
    return d.is_floating or d.is_complex or d is dtypes.variant


def _fit_to(g: Any, x: Any) -> Any:
    """Undo broadcasting: sum `g` down to `x`'s shape (statically when both are known)."""
    array = (_OPS or _load_ops())[0]
    if type(g) is Tensor:  # NOTE: eager fast path: compare array shapes, no TensorShape objects
        xv = x._value if type(x) is Tensor else getattr(getattr(x, "_handle", None), "value", None)
        if xv is not None:
            shape = xv.shape
            return g if g._value.shape == shape else array.sum_to_shape(g, shape=shape)
    if getattr(x, "_handle_data", None) is not None:  # a graph's resource tensor: the variable's gradient
        return g
    gs, xs = g.shape, x.shape
    if gs.is_fully_defined() and xs.is_fully_defined():
        if gs.as_tuple() == xs.as_tuple():
            return g
        return array.sum_to_shape(g, shape=xs.as_tuple())
    return array.sum_to_shape_like(g, x._as_tensor() if hasattr(x, "_handle") else x)


# -- tf.custom_gradient ---------------------------------------------------------------------
def custom_gradient(f: Callable[..., Any]) -> Callable[..., Any]:
    """`tf.custom_gradient`: `f(*x)` returns `(y, grad_fn)`; tapes use `grad_fn(dy)` for y."""
    import functools  # noqa: PLC0415
    from .ops.registry import OpDef  # noqa: PLC0415

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        tapes = [i.tape for i in dispatch._state.stack if isinstance(i, TapeInterpreter)]
        saved = [t._recording for t in tapes]
        for t in tapes:
            t._recording = False
        try:
            y, grad_fn = f(*args, **kwargs)
        finally:
            for t, s in zip(tapes, saved):
                t._recording = s
        inputs = tuple(dispatch.convert_to_tensor(a) if not hasattr(a, "_handle") else a
                       for a in args)
        flat_y = tuple(nest.flatten(y))

        def grad(g: Any, out: Any, *xs: Any) -> tuple:
            res = grad_fn(*(g if isinstance(g, tuple) else (g,)))
            res = list(res) if isinstance(res, (list, tuple)) else [res]
            return tuple(res[: len(xs)]) + (None,) * (len(xs) - len(res))

        opdef = OpDef.__new__(OpDef)
        opdef.__dict__.update(name="CustomGradient", grad=grad, differentiable=True,
                              num_outputs=len(flat_y))
        for tape in tapes:
            if tape._recording and any(id(x) in tape._watched for x in inputs):
                tape._record(opdef, inputs, {}, flat_y if len(flat_y) > 1 else flat_y[0])
        return y
    return wrapped
