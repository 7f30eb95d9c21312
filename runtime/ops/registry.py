"""The op registry: each op is declared once, in one block.

    @op("Exp", grad=lambda g, y, x: (g * y,), ref=np.exp, cases=floats(1))
    def exp(xp):
        return xp.exp

The decorated function receives an array module (`numpy`, `cupy`) and returns the
kernel for that backend; kernels take arrays (and attrs as keywords) and return
arrays. The returned `OpDef` is callable: `exp(x)` runs the op through
`dispatch.execute`, under whichever interpreter (eager, tape, graph) is active.

A gradient is `grad(g, out, *inputs, **attrs) -> one entry per input` (None when not
differentiable), written with ops so it can itself be traced and differentiated.
For multi-output ops `g` and `out` are tuples. Gradients may return a gradient
of the broadcast shape; autodiff reduces it to the input's shape.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

import numpy as np

REGISTRY: dict[str, "OpDef"] = {}

ShapeRule = Callable[..., Any]  # (*input_shapes, **attrs) -> shape tuple (or tuple of them)
DtypeRule = Callable[..., Any]  # (*input_dtypes, **attrs) -> DType (or tuple of them)


@dataclass(eq=False)
class OpDef:
    """One primitive: kernel factory, shape and dtype rules, gradient, NumPy reference."""

    name: str
    impl: Callable[[ModuleType], Callable[..., Any]]
    shape: ShapeRule | None = None
    dtype: DtypeRule | None = None
    grad: Callable[..., Any] | None = None
    ref: Callable[..., Any] | None = None
    cases: Callable[[np.random.Generator], list] | None = None
    same_dtype: bool = False       # all inputs must share a dtype; Python scalars adopt it
    num_outputs: Any = 1           # int, or callable(*inputs, **attrs) for variadic ops
    stateful: bool = False         # side effects or randomness: never folded, merged or pruned
    elementwise: bool = False      # a candidate for elementwise fusion
    differentiable: bool = True    # False: gradients stop here silently (comparisons, shapes)
    grad_wanted: bool = False      # grad takes wanted=(bool per input: is its gradient needed?), None for the rest
    value_inputs: tuple = ()       # inputs whose constant value (or None) the shape rule gets, not their shape
    host_only: str = ""            # why the op has no device kernel (it runs on the host, with a warning)
    host_output: bool = False      # the output stays in host memory (shape metadata), as TF's HostMemory
    cpu: Callable[..., Any] = field(init=False, repr=False)
    _kernels: dict = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.cpu = self.impl(np)
        self._kernels[np] = self.cpu

    def kernel(self, xp: ModuleType) -> Callable[..., Any]:
        """This op's kernel for array module `xp`, built on first use."""
        k = self._kernels.get(xp)
        if k is None:
            k = self._kernels[xp] = self.impl(xp)
        return k

    def __call__(self, *inputs: Any, name: str | None = None, **attrs: Any) -> Any:
        return _dispatch.call(self, inputs, attrs, name)

    def __repr__(self) -> str:
        return f"<op {self.name}>"


def op(name: str, **spec: Any) -> Callable[[Callable[[ModuleType], Callable]], OpDef]:
    """Declare and register an op; see the module docstring."""
    def register(impl: Callable[[ModuleType], Callable]) -> OpDef:
        if name in REGISTRY:
            raise ValueError(f"op {name!r} is declared twice")
        opdef = OpDef(name, impl, **spec)
        opdef.__doc__ = impl.__doc__
        REGISTRY[name] = opdef
        return opdef
    return register


# -- shape rules shared by many ops ---------------------------------------------------------
def same_shape(x: Any, *_: Any, **__: Any) -> Any:
    return x


def broadcast_shapes(*shapes: Any, **_: Any) -> Any:
    """Static broadcasting with unknown dimensions (None) and unknown ranks (None)."""
    if any(s is None for s in shapes):
        return None
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(rank):
        dims = [s[i - rank + len(s)] for s in shapes if i - rank + len(s) >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            from ..errors import invalid  # noqa: PLC0415
            raise invalid("Incompatible shapes: " + " vs. ".join(_fmt(s) for s in shapes))
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def _fmt(shape: Any) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def scalar_shape(*_: Any, **__: Any) -> tuple:
    return ()


from .. import dispatch as _dispatch  # noqa: E402  (dispatch imports nothing from ops)
