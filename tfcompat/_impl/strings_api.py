"""`tf.strings`: elementwise byte-string ops on NumPy object arrays of `bytes`, in eager code and graphs.

    tf.strings.join(["a", "b"], separator="-")          # b'a-b'
    tf.strings.regex_replace("a1b22", r"\\d+", "#")      # b'a#b#'
    tf.strings.to_number(["1.5", "2"])                   # [1.5, 2.]

Each op is a `String*` graph op (not differentiable) whose kernel maps a Python
function over the broadcast inputs.
"""
from __future__ import annotations

import builtins
import re
from typing import Any, Callable

import numpy as np

from runtime import backend, dispatch, dtypes
from runtime.errors import InvalidArgumentError
from runtime.function_print import format_array
from runtime.ops.registry import OpDef, broadcast_shapes

from .._export import export


def _b(v: Any) -> bytes:
    return v if isinstance(v, bytes) else str(v).encode()


def _op(name: str, out: Any, shape: Any = broadcast_shapes) -> OpDef:
    """An op applying attr `fn` elementwise (broadcasting) and returning `out` (a dtype or dtype rule)."""
    def impl(xp: Any) -> Callable:
        def kernel(*arrays: Any, fn: Callable, otype: Any) -> Any:
            arrays = np.broadcast_arrays(*[np.asarray(backend.to_host(a)) for a in arrays])  # NOTE: host op
            res = np.empty(arrays[0].shape, dtype=object)
            for idx in np.ndindex(res.shape):
                res[idx] = fn(*[a[idx] for a in arrays])
            return res if otype == dtypes.string else res.astype(otype.as_numpy_dtype)
        return kernel
    return OpDef(name, impl, shape=shape, dtype=lambda *d, **a: a["otype"], differentiable=False)


_OPS: dict[str, OpDef] = {}


def _apply(name: str, fn: Callable, inputs: list, otype: Any = dtypes.string, op_name: str | None = None) -> Any:
    opdef = _OPS.get(name) or _OPS.setdefault(name, _op(name, otype))
    return dispatch.execute(opdef, tuple(inputs), {"fn": fn, "otype": otype}, op_name or name)


def _s(x: Any) -> Any:
    return dispatch.convert_to_tensor(x, dtype=dtypes.string)


@export("strings.join", v1=("strings.join", "string_join"))
def join(inputs: Any, separator: str = "", name: str | None = None) -> Any:
    """Elementwise concatenation of the (broadcast) string tensors with `separator` between."""
    sep = _b(separator)
    return _apply("StringJoin", lambda *parts: sep.join(_b(p) for p in parts), [_s(x) for x in inputs], op_name=name)


@export("strings.length", v1=())
def length(input: Any, unit: str = "BYTE", name: str | None = None) -> Any:  # noqa: A002
    """Length in bytes ('BYTE') or code points ('UTF8_CHAR'), int32."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"unit must be one of ['BYTE', 'UTF8_CHAR'], got {unit!r}")
    fn = (lambda s: len(_b(s))) if unit == "BYTE" else (lambda s: len(_b(s).decode("utf-8", "replace")))
    return _apply("StringLength", fn, [_s(input)], dtypes.int32, name)


@export("strings.lower")
def lower(input: Any, encoding: str = "", name: str | None = None) -> Any:  # noqa: A002
    """ASCII lower case ('utf-8' encoding: Unicode lower case)."""
    fn = (lambda s: _b(s).decode().lower().encode()) if encoding else (lambda s: _b(s).lower())
    return _apply("StringLower", fn, [_s(input)], op_name=name)


@export("strings.upper")
def upper(input: Any, encoding: str = "", name: str | None = None) -> Any:  # noqa: A002
    """ASCII upper case ('utf-8' encoding: Unicode upper case)."""
    fn = (lambda s: _b(s).decode().upper().encode()) if encoding else (lambda s: _b(s).upper())
    return _apply("StringUpper", fn, [_s(input)], op_name=name)


@export("strings.strip", v1=("strings.strip", "string_strip"))
def strip(input: Any, name: str | None = None) -> Any:  # noqa: A002
    """Leading and trailing whitespace removed."""
    return _apply("StringStrip", lambda s: _b(s).strip(), [_s(input)], op_name=name)


@export("strings.to_number", v1=())
def to_number(input: Any, out_type: Any = dtypes.float32, name: str | None = None) -> Any:  # noqa: A002
    """Parse numbers; InvalidArgumentError for text that is not one."""
    otype = dtypes.as_dtype(out_type)

    def parse(s: Any) -> Any:
        text = _b(s).decode("utf-8", "replace")
        try:
            return int(text, 10) if otype.is_integer else float(text)
        except ValueError:
            raise InvalidArgumentError(None, None, f"StringToNumberOp could not correctly convert string: {text}")
    return _apply("StringToNumber", parse, [_s(input)], otype, name)


@export("strings.as_string", "as_string", v1=("strings.as_string", "as_string", "dtypes.as_string"))
def as_string(input: Any, precision: int = -1, scientific: bool = False, shortest: bool = False,  # noqa: A002
              width: int = -1, fill: str = "", name: str | None = None) -> Any:
    """Numbers/bools as text: floats '%f' (precision, 'e' when scientific, 'g' when shortest)."""
    x = dispatch.convert_to_tensor(input)
    if len(fill) > 1:
        raise InvalidArgumentError(None, None, f"Fill string must be one or fewer characters: {fill}")
    flags = ("0" if fill == "0" else "") + (str(width) if width > -1 else "")
    if x.dtype.is_floating:
        spec = "%" + flags + (f".{precision}" if precision > -1 else "") + ("e" if scientific else "g" if shortest else "f")
        fn = lambda v: (spec % float(v)).encode()  # noqa: E731
    elif x.dtype == dtypes.bool_:
        fn = lambda v: (b"true" if v else b"false")  # noqa: E731
    elif x.dtype == dtypes.string:
        raise InvalidArgumentError(None, None, "Value for attr 'T' of string is not in the list of allowed values")
    else:
        fn = lambda v: (("%" + flags + "d") % int(v)).encode()  # noqa: E731
    return _apply("AsString", fn, [x], op_name=name)


@export("strings.substr", v1=())
def substr(input: Any, pos: Any, len: Any, unit: str = "BYTE", name: str | None = None) -> Any:  # noqa: A002
    """input[pos:pos+len] (negative pos counts from the end); pos out of range is an error."""
    def cut(s: Any, p: Any, n: Any) -> bytes:
        data = _b(s) if unit == "BYTE" else _b(s).decode("utf-8")
        p, n = int(p), int(n)
        if p > builtins.len(data) or p < -builtins.len(data):
            raise InvalidArgumentError(None, None, f"pos {p} out of range for string at index 0")
        p = p + builtins.len(data) if p < 0 else p
        out = data[p:p + max(n, 0)]
        return out if unit == "BYTE" else out.encode()
    return _apply("Substr", cut, [_s(input), dispatch.convert_to_tensor(pos), dispatch.convert_to_tensor(len)],
                  op_name=name)


def _pattern(pattern: Any) -> "re.Pattern":
    if dispatch.is_tensor(pattern):
        pattern = pattern.numpy()
    return re.compile(_b(pattern).decode())


@export("strings.regex_replace", v1=("strings.regex_replace", "regex_replace"))
def regex_replace(input: Any, pattern: Any, rewrite: Any, replace_global: bool = True,  # noqa: A002
                  name: str | None = None) -> Any:
    """Replace matches of the RE2 `pattern` by `rewrite` (\\1 backreferences); all of them by default."""
    rx, rw = _pattern(pattern), _b(rewrite.numpy() if dispatch.is_tensor(rewrite) else rewrite).decode()
    count = 0 if replace_global else 1
    return _apply("StaticRegexReplace", lambda s: rx.sub(rw, _b(s).decode(), count=count).encode(),
                  [_s(input)], op_name=name)


@export("strings.regex_full_match")
def regex_full_match(input: Any, pattern: Any, name: str | None = None) -> Any:  # noqa: A002
    """True where the whole string matches the RE2 `pattern`."""
    rx = _pattern(pattern)
    return _apply("StaticRegexFullMatch", lambda s: rx.fullmatch(_b(s).decode()) is not None, [_s(input)],
                  dtypes.bool_, name)


@export("strings.format")
def format(template: str, inputs: Any, placeholder: str = "{}", summarize: int = 3,  # noqa: A001
           name: str | None = None) -> Any:
    """A scalar string: `template` with each `placeholder` replaced by a tensor printed as tf.print does."""
    tensors = [dispatch.convert_to_tensor(t) for t in (inputs if isinstance(inputs, (list, tuple)) else [inputs])]
    pieces = template.split(placeholder)
    if len(pieces) - 1 != len(tensors):
        raise ValueError(f"num placeholders in template and num inputs must match: {len(pieces) - 1} vs. "
                         f"{len(tensors)}")

    def render(*arrays: Any) -> bytes:
        out = pieces[0]
        for a, piece in zip(arrays, pieces[1:]):
            out += format_array(a, summarize) + piece
        return out.encode()
    op = _OPS.get("StringFormat") or _OPS.setdefault("StringFormat", OpDef(
        "StringFormat", lambda xp: lambda *arrays, fn: np.array(fn(*arrays), dtype=object),
        shape=lambda *s, **a: (), dtype=lambda *d, **a: dtypes.string, differentiable=False))
    return dispatch.execute(op, tuple(tensors), {"fn": render}, name or "StringFormat")


@export("strings.split", v1=())
def split(input: Any, sep: Any = None, maxsplit: int = -1, name: str | None = None) -> Any:  # noqa: A002
    """A scalar string split into a 1-D string tensor (sep None: runs of whitespace)."""
    x = _s(input)
    if x.shape.rank != 0:
        raise NotImplementedError(f"tf.strings.split of a rank-{x.shape.rank} tensor returns a tf.RaggedTensor, "
                                  "which tfcompat does not provide; split each string in Python instead: "
                                  "[s.split() for s in t.numpy().ravel()]")
    if getattr(x, "_is_symbolic", False):
        raise NotImplementedError("tf.strings.split inside a tf.function (a result of unknown length) is not "
                                  "provided by tfcompat; split eagerly or with Python str.split on .numpy()")
    s, sp = _b(x.numpy()), None if sep is None else _b(sep)
    parts = s.split(sp, maxsplit) if maxsplit is not None and maxsplit >= 0 else s.split(sp)
    return dispatch.convert_to_tensor(np.array(parts, dtype=object).reshape(-1), dtype=dtypes.string)
