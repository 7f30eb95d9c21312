"""Elementwise fusion: a chain like `relu(x * a + b)` becomes one pass over memory.

    FusedGroup(steps=((Mul, (IN0, IN1)), (AddV2, (TMP0, IN2)), (Relu, (TMP1,))), ...)

A group is backend-neutral data: a list of (op, input refs), where a ref is an input
of the group (`("in", i)`) or the output of an earlier step (`("tmp", j)`); the last
step's value is the group's output. The NumPy backend compiles it into a function
that walks the arrays in cache-sized chunks with in-place (`out=`) ufuncs on buffers
the plan owns (never inputs); large regular groups of exact ops run instead as one compiled C loop
(`fusion_native`) when a C compiler is available; a CuPy backend can compile the same group into one
`ElementwiseKernel`. Small or irregular (broadcasting) inputs run the ops unfused.
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from . import fusion_native

CHUNK_BYTES = 1 << 17        # per buffer (32K float32): a chunk's buffers stay in L2 (1 MiB per core here)
MIN_FUSED_SIZE = 1 << 15     # below this many elements, per-chunk overhead beats the memory saved
MIN_THREADED_SIZE = 1 << 20  # from this many elements, the chunks are split across threads (ufuncs drop the GIL)
THREADS = os.cpu_count() or 1
_POOL: list = []


def _pool() -> ThreadPoolExecutor:
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(THREADS - 1, thread_name_prefix="tfcompat-fused"))
    return _POOL[0]

# NOTE: kernels of these ops are exactly these ufuncs for floating inputs (the only groups fused).
UFUNCS: dict[str, Any] = {
    "AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply, "RealDiv": np.true_divide,
    "Maximum": np.maximum, "Minimum": np.minimum, "Neg": np.negative, "Abs": np.absolute,
    "Square": np.square, "Exp": np.exp, "Log": np.log, "Tanh": np.tanh, "Sqrt": np.sqrt,
    "Sin": np.sin, "Cos": np.cos, "Reciprocal": np.reciprocal, "Expm1": np.expm1, "Log1p": np.log1p,
}
_SPECIAL = {"Relu": "np.maximum({0}, _zero, out={out})"}


@dataclass(frozen=True, eq=False)
class FusedGroup:
    """One fused elementwise computation: `steps` is a tuple of (op, refs, attrs)."""

    steps: tuple
    n_inputs: int
    dtype: Any
    names: tuple

    @property
    def name(self) -> str:
        return self.names[-1]

    @property
    def op(self) -> Any:
        return self.steps[-1][0]

    def __repr__(self) -> str:
        return "Fused[" + ", ".join(s[0].name for s in self.steps) + "]"


def fusable(node: Any) -> bool:
    op = node.op
    if op.stateful or len(node.outputs) != 1 or not op.elementwise or node.attrs:
        return False
    if op.name not in UFUNCS and op.name not in _SPECIAL:
        return False
    return node.outputs[0].dtype.is_floating and all(t.dtype is node.outputs[0].dtype for t in node.inputs)


def identity_input(node: Any, ins: list, consts: dict) -> str | None:
    """The input a node returns unchanged, or None: `x * 1`, `1 * x` and `x / 1` where the ones are a
    constant that does not broadcast x to a bigger shape (the `ones * y` a gradient of
    `reduce_sum(f(y))` starts with). Exact for every value (NaN, -0, inf), so the plan reads x instead.

        Mul(c=ones([64, 200, 32]), y[64, 200, 32]) -> y
    """
    op = node.op
    if op.name not in ("Mul", "RealDiv") or node.control_inputs or len(node.outputs) != 1:
        return None
    for i in ((0, 1) if op.name == "Mul" else (1,)):
        c, x = consts.get(ins[i]), node.inputs[1 - i]
        if isinstance(c, (np.ndarray, np.generic)) and x.dtype is node.outputs[0].dtype \
                and _keeps_shape(np.shape(c), x.shape.dims) and _all_ones(np.asarray(c)):
            return ins[1 - i]
    return None


def _keeps_shape(cshape: tuple, xdims: Any) -> bool:
    """Broadcasting a constant of shape cshape against x gives x's shape (x's static dims)."""
    if xdims is None or len(cshape) > len(xdims):
        return False
    return all(c == 1 or c == d for c, d in zip(reversed(cshape), reversed(xdims)))


def _all_ones(c: np.ndarray) -> bool:
    if c.size == 0 or c.dtype.kind not in "iufc":
        return False
    if c.size == 1 or not any(c.strides):     # one value (a broadcast view of it)
        return bool(c.reshape(-1)[:1] == 1)
    return c.size <= 1 << 20 and bool(np.all(c == 1))


def fuse(steps: list, fetched: set, compile: Any = None) -> list:
    """Replace chains of fusable steps (each inner value used once, not fetched) by FusedGroups,
    each with its kernel from `compile(group)` (default: the NumPy backend's)."""
    uses: dict[str, int] = {}
    for s in steps:
        for n in set(s[2]):     # NOTE: per consuming step: x + x reads its producer's value once per element
            uses[n] = uses.get(n, 0) + 1
    producer = {s[3][0]: i for i, s in enumerate(steps) if len(s[3]) == 1}
    ok = [not isinstance(s[0], FusedGroup) and hasattr(s[0], "op") and fusable(s[0]) for s in steps]
    absorbed: set[int] = set()
    out = []
    members_of: dict[int, list[int]] = {}
    for i, s in enumerate(steps):
        if not ok[i]:
            continue
        members = [i]
        for n in s[2]:
            j = producer.get(n)
            if j is not None and ok[j] and uses[n] == 1 and n not in fetched and j not in absorbed \
                    and steps[j][0].outputs[0].dtype is s[0].outputs[0].dtype:
                members = members_of.pop(j, [j]) + members
                absorbed.add(j)
        members_of[i] = members
    for i, s in enumerate(steps):
        if i in absorbed:
            continue
        members = members_of.get(i)
        if members is None or len(members) < 2:
            out.append(s)
            continue
        out.append(_group(steps, sorted(members), compile or compile_numpy))
    return out


def _group(steps: list, members: list, compile: Any) -> list:
    local: dict[str, tuple] = {}
    inputs: list[str] = []
    gsteps = []
    for k, i in enumerate(members):
        node, _, ins, outs, _ = steps[i]
        refs = []
        for n in ins:
            if n in local:
                refs.append(local[n])
            else:
                if n not in inputs:
                    inputs.append(n)
                refs.append(("in", inputs.index(n)))
        gsteps.append((node.op, tuple(refs), dict(node.attrs)))
        local[outs[0]] = ("tmp", k)
    last = steps[members[-1]][0]
    group = FusedGroup(tuple(gsteps), len(inputs), last.outputs[0].dtype,
                       tuple(steps[i][0].name for i in members))
    return [group, compile(group), inputs, list(steps[members[-1]][3]), False]


# -- the NumPy backend ---------------------------------------------------------------------
class _Pool:
    """Output buffers the plan owns; one is reused only when nothing outside holds it."""

    __slots__ = ("bufs",)

    def __init__(self) -> None:
        self.bufs: list[np.ndarray] = []

    def take(self, shape: tuple, dtype: Any) -> np.ndarray:
        for b in self.bufs:
            # NOTE: refs = the list, `b`, getrefcount's argument; a returned tensor or a view adds more.
            if b.shape == shape and b.dtype == dtype and sys.getrefcount(b) == 3:
                return b
        b = np.empty(shape, dtype)
        if len(self.bufs) < 3:
            self.bufs.append(b)
        return b


def compile_numpy(group: FusedGroup) -> Any:
    """A function of the group's inputs: chunked in-place ufuncs when big and regular, else unfused."""
    n_in, steps = group.n_inputs, group.steps
    args = ", ".join(f"i{k}" for k in range(n_in))
    ns: dict[str, Any] = {"np": np, "_pool": _Pool(), "_dtype": group.dtype.as_numpy_dtype,
                          "_zero": group.dtype.as_numpy_dtype(0)}
    slow = []
    for j, (op, refs, attrs) in enumerate(steps):
        ns[f"k{j}"] = partial(op.cpu, **attrs) if attrs else op.cpu
        slow.append(f"t{j} = k{j}({', '.join(_ref(r, 'i', 't') for r in refs)})")
    dest = _destinations(steps)
    n_tmp = max([d for d in dest if isinstance(d, int)], default=-1) + 1
    chunk = max(CHUNK_BYTES // np.dtype(ns["_dtype"]).itemsize, 1024)
    fast = []
    for j, (op, refs, _) in enumerate(steps):
        ins = [f"x{r[1]}" if r[0] == "in" else _buf(dest[r[1]]) for r in refs]
        out = _buf(dest[j])
        if op.name in _SPECIAL:
            fast.append(_SPECIAL[op.name].format(*ins, out=out))
        else:
            ns[f"u{j}"] = UFUNCS[op.name]
            fast.append(f"u{j}({', '.join(ins)}, out={out})")
    lines = [f"def fused({args}):",
             "    if " + " and ".join(f"i{k}.size < {MIN_FUSED_SIZE}" for k in range(n_in)) + ":",
             "        " + "; ".join(slow),  # NOTE: small inputs first, with no other work
             f"        return t{len(steps) - 1}",
             "    big = max((" + "".join(f"i{k}, " for k in range(n_in)) + "), key=np.size)",
             "    n = big.size",
             "    if not (" + " and ".join(f"_ok(i{k}, big)" for k in range(n_in)) + "):",
             "        " + "; ".join(slow),
             f"        return t{len(steps) - 1}",
             "    res = _pool.take(big.shape, _dtype)",
             f"    if _native is not None and n >= {fusion_native.MIN_NATIVE_SIZE} and "
             "_native(n, (" + "".join(f"i{k}, " for k in range(n_in)) + "), res):",
             "        return res",
             "    o = res.reshape(-1)"]
    lines += [f"    x{k}f = i{k}.reshape(-1) if i{k}.size == n else i{k}.reshape(())" for k in range(n_in)]
    lines += ["    def part(lo, hi):"]
    lines += [f"        T{k} = np.empty({chunk}, _dtype)" for k in range(n_tmp)]
    lines += [f"        for s in range(lo, hi, {chunk}):",
              f"            e = s + {chunk} if s + {chunk} < hi else hi",
              "            O = o[s:e]"]
    lines += [f"            T{k}c = T{k}[:e - s]" for k in range(n_tmp)]
    lines += [f"            x{k} = x{k}f[s:e] if x{k}f.ndim else x{k}f" for k in range(n_in)]
    lines += ["            " + f for f in fast]
    lines += [f"    if n < {MIN_THREADED_SIZE} or _threads < 2:",
              "        part(0, n)",
              "        return res",
              f"    step = -(-n // (_threads * {chunk})) * {chunk}  # NOTE: whole chunks per thread",
              "    futures = [_tpool().submit(part, lo, min(lo + step, n)) for lo in range(step, n, step)]",
              "    part(0, min(step, n))",
              "    for f in futures:",
              "        f.result()",
              "    return res"]
    ns["_ok"], ns["_tpool"], ns["_threads"] = _ok, _pool, THREADS
    ns["_native"] = fusion_native.kernel_for(group)
    scope: dict[str, Any] = {}
    body = "".join("    " + ln + "\n" for ln in lines)
    exec(compile(f"def _make({', '.join(ns)}):\n{body}    return fused\n", "<tfcompat fused>", "exec"), scope)  # noqa: S102
    fn = scope["_make"](**ns)
    fn.group = group
    return fn


def _ok(a: Any, big: Any) -> bool:
    if a.dtype != big.dtype:
        return False
    if a.size == 1:
        return a.ndim <= big.ndim
    return a.shape == big.shape and a.flags.c_contiguous


def _ref(r: tuple, inp: str, tmp: str) -> str:
    return f"{inp if r[0] == 'in' else tmp}{r[1]}"


def _buf(d: Any) -> str:
    return "O" if d == "out" else f"T{d}c"


def _destinations(steps: tuple) -> list:
    """Where each step writes: the root into the output chunk, a step's first temporary input into
    its consumer's buffer (in place), any other temporary into a scratch buffer of its own."""
    dest: list[Any] = [None] * len(steps)
    dest[-1] = "out"
    scratch = 0
    for j in range(len(steps) - 1, -1, -1):
        first, seen = True, set()
        for r in steps[j][1]:
            if r[0] != "tmp" or r[1] in seen:   # x + x: one buffer for both reads
                continue
            seen.add(r[1])
            if first:
                dest[r[1]] = dest[j]
                first = False
            else:
                dest[r[1]] = scratch
                scratch += 1
    return dest
