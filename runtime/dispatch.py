"""`execute`: the one place a kernel runs, and the interpreter stack that decides how.

    AddV2(x, y)  ->  call()  ->  stack[-1].process(AddV2, (x, y), {}, name)

The eager interpreter evaluates now; a tape interpreter (autodiff) evaluates via
the interpreter beneath it and records; a graph interpreter (graph) adds a node.
This is the hot path of eager code: no shape inference, no extra allocation.
"""
from __future__ import annotations

import abc
import contextlib
import threading
from typing import Any, Iterator

import numpy as np

from . import backend, dtypes
from .errors import InvalidArgumentError, OpError
from .dtypes import from_numpy
from .tensor import Tensor


class Interpreter(abc.ABC):
    """What `execute` does with an op; subclasses: eager, tape, graph."""

    is_eager = True

    @abc.abstractmethod
    def process(self, op: Any, inputs: tuple, attrs: dict, name: str | None) -> Any:
        """Run, record or stage `op` on already-converted `inputs`; return its output(s)."""

    def constant(self, array: Any, name: str | None = None) -> Any:
        return Tensor(array if backend._device is None else backend.place_constant(array))

    def variable_name(self, name: str) -> str:
        """The full name of a new variable (`scope/name:0`)."""
        return "".join(s + "/" for s in _state.scope) + name + ":0"

    def init_variable(self, variable: Any, initial: Any) -> None:
        """Give a new variable its first value (a graph defers this to its initializer)."""
        variable._value.value = initial._value

    def after_assign(self, variable: Any, result: Any, read_value: bool) -> Any:
        """What `v.assign*(...)` returns: the variable itself when eager."""
        return variable if read_value else None


class EagerInterpreter(Interpreter):
    """Evaluates each op immediately."""

    def process(self, op: Any, inputs: tuple, attrs: dict, name: str | None) -> Any:
        n = len(inputs)  # NOTE: no list comprehension frame for the usual one or two inputs
        arrays = (inputs[0]._value, inputs[1]._value) if n == 2 else (inputs[0]._value,) if n == 1 \
            else [t._value for t in inputs]
        if backend._device is not None:
            return _process_placed(op, arrays, attrs)
        try:
            out = op.cpu(*arrays, **attrs)
        except OpError as e:
            raise type(e)(None, None, f"{e.message} [Op:{op.name}]") from None
        except (ValueError, IndexError) as e:
            raise op_error(op, arrays, e) from None
        if op.num_outputs == 1:
            return Tensor(out)
        return tuple(Tensor(o) for o in out) if op.num_outputs else None



def _process_placed(op: Any, arrays: Any, attrs: dict) -> Any:
    """The eager path with a device backend: run where placement says, inputs copied there."""
    kernel, arrays, on_dev = backend.place(op, arrays)
    try:
        out = backend.settle(op, kernel(*arrays, **attrs), on_dev, arrays)
    except OpError as e:
        raise type(e)(None, None, f"{e.message} [Op:{op.name}]") from None
    except (ValueError, IndexError) as e:
        raise op_error(op, arrays, e) from None
    if op.num_outputs == 1:
        return Tensor(out)
    return tuple(Tensor(o) for o in out) if op.num_outputs else None


def op_error(op: Any, arrays: list, e: Exception) -> InvalidArgumentError:
    """A kernel's NumPy error as TensorFlow words it: `Incompatible shapes: [2,3] vs. [4] [Op:AddV2]`."""
    text = str(e)
    if "broadcast" in text and len(arrays) >= 2:
        shapes = " vs. ".join("[" + ",".join(map(str, getattr(a, "shape", ()))) + "]" for a in arrays)
        text = f"Incompatible shapes: {shapes}"
    return InvalidArgumentError(None, None, f"{text} [Op:{op.name}]")


class _State(threading.local):
    def __init__(self) -> None:
        self.stack: list[Interpreter] = [EAGER]
        self.scope: list[str] = []


EAGER = EagerInterpreter()
_state = _State()


def current() -> Interpreter:
    return _state.stack[-1]


def executing_eagerly() -> bool:
    return _state.stack[-1].is_eager


@contextlib.contextmanager
def interpreting(interpreter: Interpreter) -> Iterator[Interpreter]:
    """Run the body with `interpreter` on top of the stack."""
    stack = _state.stack
    stack.append(interpreter)
    try:
        yield interpreter
    finally:
        stack.remove(interpreter) if stack[-1] is not interpreter else stack.pop()


def call(op: Any, inputs: tuple, attrs: dict, name: str | None) -> Any:
    """Convert inputs (Python scalars adopt the other operand's dtype), check dtypes, execute."""
    for t in inputs:
        if type(t) is not Tensor:
            inputs = _convert_inputs(op, inputs)
            break
    else:
        if op.same_dtype and len(inputs) > 1:
            first = inputs[0]._value.dtype
            for i in range(1, len(inputs)):
                if inputs[i]._value.dtype != first:
                    raise _dtype_mismatch(op, inputs, i)
    return _state.stack[-1].process(op, inputs, attrs, name)


def execute(op: Any, inputs: tuple, attrs: dict | None = None, name: str | None = None) -> Any:
    """Run `op` on already-converted tensors under the current interpreter."""
    return _state.stack[-1].process(op, inputs, attrs or {}, name)


def _convert_inputs(op: Any, inputs: tuple) -> tuple:
    want = None
    if op.same_dtype:
        for t in inputs:
            if type(t) is Tensor:
                want = from_numpy(t._value.dtype)
                break
            d = getattr(t, "dtype", None)
            if d is not None and not isinstance(t, (np.ndarray, np.generic)):
                want = dtypes.as_dtype(d)
                break
    out = []
    for t in inputs:
        if type(t) is Tensor and (want is None or from_numpy(t._value.dtype) is want):
            out.append(t)  # NOTE: eager fast path: a tensor of the wanted dtype passes through
            continue
        read = getattr(t, "_as_tensor", None)
        if read is not None:  # variables: read once (a tape sees the read), then check as usual
            t = read()
            if type(t) is Tensor and (want is None or from_numpy(t._value.dtype) is want):
                out.append(t)
                continue
        if want is not None and getattr(t, "_is_symbolic", False) and t.dtype is not want:
            out.append(t)  # NOTE: a graph tensor keeps its dtype; the check below raises TF's TypeError
            continue
        out.append(convert_to_tensor(t, dtype=want))
    out = tuple(out)
    if op.same_dtype:
        first = out[0].dtype
        for i in range(1, len(out)):
            if out[i].dtype is not first:
                raise _dtype_mismatch(op, out, i)
    return out


def _dtype_mismatch(op: Any, inputs: tuple, i: int) -> Exception:
    want, got = inputs[0].dtype, inputs[i].dtype
    if any(getattr(t, "_is_symbolic", False) for t in inputs):  # building a graph: TF's TypeError
        arg = ("x", "y")[i] if len(inputs) == 2 else f"#{i}"
        first = "x" if len(inputs) == 2 else "#0"
        return TypeError(f"Input '{arg}' of '{op.name}' Op has type {got.name} that does not match type "
                         f"{want.name} of argument '{first}' (cast one operand with tf.cast)")
    return InvalidArgumentError(
        None, None,
        f"cannot compute {op.name} as input #{i}(zero-based) was expected to be a {want.name} tensor "
        f"but is a {got.name} tensor [Op:{op.name}] (cast one operand with tf.cast)")


# -- conversion -----------------------------------------------------------------------------
def is_tensor(value: Any) -> bool:
    return isinstance(value, Tensor) or getattr(value, "_is_symbolic", False)


def convert_to_tensor(value: Any, dtype: Any = None, name: str | None = None,
                      dtype_hint: Any = None) -> Any:
    """`tf.convert_to_tensor`: tensors pass through, variables are read, the rest become constants."""
    if type(value) is float and dtype is not None:  # NOTE: fast path for `g * lr`-style scalars
        d = dtypes.as_dtype(dtype)
        if d.is_floating or d.is_complex:
            return _state.stack[-1].constant(d._np.type(value), name)
    if type(value) is Tensor or getattr(value, "_is_symbolic", False):
        if dtype is not None and dtypes.as_dtype(dtype) is not value.dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                             f"for Tensor with dtype {value.dtype.name}: {value!r}")
        return value
    convert = getattr(value, "_as_tensor", None)
    if convert is not None:  # variables and other tensor-like objects
        return convert_to_tensor(convert(), dtype=dtype, name=name)
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        from .ops import array  # noqa: PLC0415  (packing needs an op)
        return array.stack([convert_to_tensor(v, dtype=dtype or dtype_hint) for v in value])
    return _state.stack[-1].constant(to_array(value, dtype, dtype_hint), name)


def _contains_tensor(value: Any) -> bool:
    return any(is_tensor(v) or hasattr(v, "_as_tensor") or
               (isinstance(v, (list, tuple)) and _contains_tensor(v)) for v in value)


def to_array(value: Any, dtype: Any = None, dtype_hint: Any = None) -> Any:
    """A Python/NumPy value as an array of TensorFlow's dtype for it (see dtypes)."""
    if value is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) to a "
                         "Tensor.")
    if dtype is None:
        d = dtypes.dtype_of_value(value)
        if dtype_hint is not None and not isinstance(value, (np.ndarray, np.generic)):
            hint = dtypes.as_dtype(dtype_hint)
            if _fits(value, d, hint):
                d = hint
    else:
        d = dtypes.as_dtype(dtype)
        _check_convertible(value, d)
    if d is dtypes.string:
        return _string_array(value)
    if backend.is_gpu_array(value):
        return value.astype(d.as_numpy_dtype, copy=False)
    return np.asarray(value, dtype=d.as_numpy_dtype)


def _fits(value: Any, found: dtypes.DType, hint: dtypes.DType) -> bool:
    if found is hint or hint is dtypes.string or found is dtypes.string:
        return found is hint
    return not (found.is_floating and (hint.is_integer or hint.is_bool))


def _check_convertible(value: Any, d: dtypes.DType) -> None:
    if isinstance(value, (np.ndarray, np.generic)) or backend.is_gpu_array(value):
        return
    found = dtypes.dtype_of_value(value) if not isinstance(value, (list, tuple)) or value else d
    bad = ((found.is_floating or found.is_complex) and (d.is_integer or d.is_bool)) or \
          (found is dtypes.string) != (d is dtypes.string) or (found.is_complex and d.is_floating)
    if bad:
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {d.name}")


def _string_array(value: Any) -> np.ndarray:
    arr = np.asarray(value, dtype=object)
    encode = np.frompyfunc(lambda s: s.encode() if isinstance(s, str) else s, 1, 1)
    return encode(arr).astype(object) if arr.ndim else np.asarray(encode(arr), dtype=object)


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str | None = None) -> Any:
    """`tf.constant`: a new constant (a graph node when building a graph)."""
    if is_tensor(value):
        value = value.numpy() if not getattr(value, "_is_symbolic", False) else value
        if getattr(value, "_is_symbolic", False):
            raise TypeError("tf.constant cannot be built from a symbolic tensor; use tf.identity")
    array = to_array(value, dtype)
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        if array.size == 1:
            array = np.broadcast_to(array.reshape(()), shape).copy()
        elif array.size == int(np.prod(shape)):
            array = array.reshape(shape)
        else:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor "
                            f"{value!r} (converted from {value!r}) has {array.size} elements, "
                            f"but got `shape` {shape} with {int(np.prod(shape))} elements).")
    return _state.stack[-1].constant(array, name)
