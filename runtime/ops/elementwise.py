"""Elementwise primitives: unary math, binary arithmetic, comparison, logic, cast, select.

Each block is the op's whole story: kernel, gradient (with ops), reference, test cases.
Shape rules: unary ops keep the shape, binary ops broadcast.
"""
from __future__ import annotations

import math as _pymath
from functools import partial

import numpy as np

from .. import dtypes, threads
from ..errors import InvalidArgumentError, UnimplementedError
from .registry import broadcast_shapes, op, same_shape
from .testcases import bools, floats, ints, positive, unit_interval


def _floating_only(name, fn):
    """Wrap a kernel so integer inputs fail as TensorFlow fails (no kernel), not silently promote."""
    def kernel(x, **attrs):
        if x.dtype.kind not in "fc":
            raise InvalidArgumentError(
                None, None, f"Value for attr 'T' of {dtypes.from_numpy(x.dtype).name} is not in the list of "
                f"allowed values: bfloat16, half, float, double, complex64, complex128; NodeDef: {{{{node {name}}}}}"
                f" (cast to a floating dtype with tf.cast first)")
        return fn(x, **attrs)
    return kernel


def _split_large(**defaults):
    """An `op` decorator whose NumPy kernel runs large arrays across threads (runtime/threads.py)."""
    def declare(name, **spec):
        register = op(name, **{**defaults, **spec})

        def wrap(impl):
            def split_impl(xp):
                kernel = impl(xp)
                return threads.split_elementwise(kernel) if xp is np else kernel
            split_impl.__doc__ = impl.__doc__
            return register(split_impl)
        return wrap
    return declare


unary = _split_large(shape=same_shape, elementwise=True, cases=floats(1))
binary = _split_large(shape=broadcast_shapes, same_dtype=True, elementwise=True, cases=floats(2))
compare = partial(op, shape=broadcast_shapes, same_dtype=True, elementwise=True, differentiable=False,
                  dtype=lambda *_, **__: dtypes.bool_, cases=floats(2))


# -- unary math -----------------------------------------------------------------------------
@unary("Neg", grad=lambda g, y, x: (-g,), ref=np.negative, cases=floats(1) + ints(1))
def negative(xp):
    return xp.negative


@unary("Abs", grad=lambda g, y, x: (g * sign(x),), ref=np.abs, cases=floats(1) + ints(1))
def abs_(xp):
    return xp.abs


@unary("Sign", grad=lambda g, y, x: (zeros_like_e(x),), ref=np.sign, cases=floats(1) + ints(1))
def sign(xp):
    return xp.sign


@unary("Square", grad=lambda g, y, x: (g * (x + x),), ref=np.square, cases=floats(1) + ints(1))
def square(xp):
    return xp.square


@unary("Sqrt", grad=lambda g, y, x: (g * 0.5 / y,), ref=np.sqrt, cases=positive(1))
def sqrt(xp):
    return _floating_only("Sqrt", xp.sqrt)


@unary("Rsqrt", grad=lambda g, y, x: (g * -0.5 * y * y * y,), ref=lambda x: 1 / np.sqrt(x), cases=positive(1))
def rsqrt(xp):
    return _floating_only("Rsqrt", lambda x: xp.reciprocal(xp.sqrt(x)))


@unary("Reciprocal", grad=lambda g, y, x: (-g * y * y,), ref=np.reciprocal, cases=positive(1))
def reciprocal(xp):
    return _floating_only("Reciprocal", xp.reciprocal)


@unary("Exp", grad=lambda g, y, x: (g * y,), ref=np.exp)
def exp(xp):
    return _floating_only("Exp", xp.exp)


@unary("Expm1", grad=lambda g, y, x: (g * (y + 1),), ref=np.expm1)
def expm1(xp):
    return _floating_only("Expm1", xp.expm1)


@unary("Log", grad=lambda g, y, x: (g / x,), ref=np.log, cases=positive(1))
def log(xp):
    return _floating_only("Log", xp.log)


@unary("Log1p", grad=lambda g, y, x: (g / (x + 1),), ref=np.log1p, cases=positive(1))
def log1p(xp):
    return _floating_only("Log1p", xp.log1p)


@unary("Sin", grad=lambda g, y, x: (g * cos(x),), ref=np.sin)
def sin(xp):
    return _floating_only("Sin", xp.sin)


@unary("Cos", grad=lambda g, y, x: (-g * sin(x),), ref=np.cos)
def cos(xp):
    return _floating_only("Cos", xp.cos)


@unary("Tan", grad=lambda g, y, x: (g * (y * y + 1),), ref=np.tan, cases=unit_interval(1))
def tan(xp):
    return _floating_only("Tan", xp.tan)


@unary("Tanh", grad=lambda g, y, x: (g * (1 - y * y),), ref=np.tanh)
def tanh(xp):
    return _floating_only("Tanh", xp.tanh)


def _sigmoid(xp):
    def kernel(x):
        # NOTE: exp(-|x|) never overflows; split by sign for a stable logistic.
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return _floating_only("Sigmoid", kernel)


sigmoid = unary("Sigmoid", grad=lambda g, y, x: (g * y * (1 - y),), ref=lambda x: 1 / (1 + np.exp(-x)))(_sigmoid)


def _erf_ref(x):
    return np.vectorize(_pymath.erf, otypes=[x.dtype])(x) if np.ndim(x) else x.dtype.type(_pymath.erf(x))


@unary("Erf", grad=lambda g, y, x: (g * (2 / _pymath.sqrt(_pymath.pi)) * exp(-square(x)),), ref=_erf_ref)
def erf(xp):
    if xp is np:
        try:
            from scipy.special import erf as sp_erf  # noqa: PLC0415  (fast path when SciPy is present)
            return _floating_only("Erf", lambda x: sp_erf(x).astype(x.dtype, copy=False))
        except ImportError:
            return _floating_only("Erf", _erf_ref)
    from .. import backend  # noqa: PLC0415
    return backend.scipy_special(xp).erf


@unary("Floor", grad=lambda g, y, x: (None,), ref=np.floor)
def floor(xp):
    return xp.floor


@unary("Ceil", grad=lambda g, y, x: (None,), ref=np.ceil)
def ceil(xp):
    return xp.ceil


@unary("Round", grad=lambda g, y, x: (None,), ref=np.round)
def round_(xp):
    return xp.round  # NOTE: banker's rounding, as TensorFlow's Round


@unary("Relu", grad=lambda g, y, x: (relu_grad(g, y),), ref=lambda x: np.maximum(x, 0),
       cases=floats(1) + ints(1))
def relu(xp):
    def kernel(x, out=None):
        return xp.maximum(x, x.dtype.type(0), out=out)
    kernel.takes_out = True   # runtime/threads.py: split slices write straight into the output
    return kernel


@op("ReluGrad", shape=broadcast_shapes, same_dtype=True, elementwise=True, cases=floats(2),
    grad=lambda g, y, dy, x: (relu_grad(g, x), zeros_like_e(x)),
    ref=lambda dy, x: np.where(x > 0, dy, 0).astype(dy.dtype))
def relu_grad(xp):
    """d relu: ReluGrad(dy, y) = dy where y > 0."""
    return lambda dy, y: dy * (y > 0)


@unary("IsNan", differentiable=False, dtype=lambda *_: dtypes.bool_, ref=np.isnan)
def is_nan(xp):
    return xp.isnan


@unary("IsFinite", differentiable=False, dtype=lambda *_: dtypes.bool_, ref=np.isfinite)
def is_finite(xp):
    return xp.isfinite


@unary("IsInf", differentiable=False, dtype=lambda *_: dtypes.bool_, ref=np.isinf)
def is_inf(xp):
    return xp.isinf


@unary("ZerosLike", differentiable=False, ref=np.zeros_like, cases=floats(1) + ints(1))
def zeros_like_e(xp):
    return xp.zeros_like


@unary("OnesLike", differentiable=False, ref=np.ones_like, cases=floats(1) + ints(1))
def ones_like_e(xp):
    return xp.ones_like


# -- binary arithmetic ----------------------------------------------------------------------
@binary("AddV2", grad=lambda g, z, x, y: (g, g), ref=np.add, cases=floats(2) + ints(2))
def add(xp):
    return xp.add


@binary("Sub", grad=lambda g, z, x, y: (g, -g), ref=np.subtract, cases=floats(2) + ints(2))
def subtract(xp):
    return xp.subtract


@binary("Mul", grad=lambda g, z, x, y: (g * y, g * x), ref=np.multiply, cases=floats(2) + ints(2))
def multiply(xp):
    return xp.multiply


@binary("RealDiv", grad=lambda g, z, x, y: (g / y, -g * z / y), ref=np.divide, cases=positive(2))
def real_div(xp):
    return lambda x, y: xp.divide(x, y).astype(x.dtype, copy=False)


@binary("DivNoNan", grad=lambda g, z, x, y: (div_no_nan(g, y), -div_no_nan(g * z, y)),
        ref=lambda x, y: np.where(y == 0, 0, x / np.where(y == 0, 1, y)).astype(x.dtype), cases=positive(2))
def div_no_nan(xp):
    def kernel(x, y):
        safe = xp.where(y == 0, xp.ones_like(y), y)
        return xp.where(y == 0, xp.zeros_like(x), x / safe).astype(x.dtype, copy=False)
    return kernel


def _int_div(xp, f):
    """An integer division kernel that fails on a zero divisor, as TF's does (NumPy returns 0)."""
    def kernel(x, y):
        if y.dtype.kind in "iu" and not xp.all(y):
            raise InvalidArgumentError(None, None, "Integer division by zero")
        return f(x, y)
    return kernel


@binary("FloorDiv", differentiable=False, ref=np.floor_divide, cases=positive(2) + ints(2, low=1))
def floordiv(xp):
    return _int_div(xp, xp.floor_divide)


@binary("FloorMod", grad=lambda g, z, x, y: (g, -g * floordiv(x, y)), ref=np.mod,
        cases=positive(2) + ints(2, low=1))
def mod(xp):
    return _int_div(xp, xp.mod)


def _pow_grad(g, z, x, y):
    # NOTE: d/dy x**y = z * log(x) is only real for x > 0; TF uses 0 elsewhere.
    safe_log = log(select(greater(x, zeros_like_e(x)), x, ones_like_e(x)))
    return g * y * pow_(x, y - 1), g * z * safe_log


@binary("Pow", grad=_pow_grad, ref=np.power, cases=positive(2))
def pow_(xp):
    return xp.power


@binary("Maximum", grad=lambda g, z, x, y: (g * cast(greater_equal(x, y), DstT=g.dtype),
                                            g * cast(less(x, y), DstT=g.dtype)),
        ref=np.maximum, cases=floats(2) + ints(2))
def maximum(xp):
    return xp.maximum


@binary("Minimum", grad=lambda g, z, x, y: (g * cast(less_equal(x, y), DstT=g.dtype),
                                            g * cast(greater(x, y), DstT=g.dtype)),
        ref=np.minimum, cases=floats(2) + ints(2))
def minimum(xp):
    return xp.minimum


@binary("SquaredDifference", grad=lambda g, z, x, y: (2 * g * (x - y), -2 * g * (x - y)),
        ref=lambda x, y: np.square(x - y))
def squared_difference(xp):
    return lambda x, y: xp.square(x - y)


@binary("Atan2", grad=lambda g, z, x, y: (g * y / (x * x + y * y), -g * x / (x * x + y * y)),
        ref=np.arctan2)
def atan2(xp):
    return xp.arctan2


# -- comparison and logic -------------------------------------------------------------------
@compare("Equal", ref=np.equal, cases=floats(2) + ints(2))
def equal(xp):
    return xp.equal


@compare("NotEqual", ref=np.not_equal, cases=floats(2) + ints(2))
def not_equal(xp):
    return xp.not_equal


@compare("Less", ref=np.less, cases=floats(2) + ints(2))
def less(xp):
    return xp.less


@compare("LessEqual", ref=np.less_equal, cases=floats(2) + ints(2))
def less_equal(xp):
    return xp.less_equal


@compare("Greater", ref=np.greater, cases=floats(2) + ints(2))
def greater(xp):
    return xp.greater


@compare("GreaterEqual", ref=np.greater_equal, cases=floats(2) + ints(2))
def greater_equal(xp):
    return xp.greater_equal


@compare("LogicalAnd", ref=np.logical_and, cases=bools(2))
def logical_and(xp):
    return xp.logical_and


@compare("LogicalOr", ref=np.logical_or, cases=bools(2))
def logical_or(xp):
    return xp.logical_or


@unary("LogicalNot", differentiable=False, ref=np.logical_not, cases=bools(1))
def logical_not(xp):
    return xp.logical_not


@compare("BitwiseAnd", dtype=None, ref=np.bitwise_and, cases=ints(2) + bools(2))
def bitwise_and(xp):
    return xp.bitwise_and


@compare("BitwiseOr", dtype=None, ref=np.bitwise_or, cases=ints(2) + bools(2))
def bitwise_or(xp):
    return xp.bitwise_or


@compare("BitwiseXor", dtype=None, ref=np.bitwise_xor, cases=ints(2) + bools(2))
def bitwise_xor(xp):
    return xp.bitwise_xor


@unary("Invert", differentiable=False, ref=np.invert, cases=ints(1) + bools(1))
def invert(xp):
    return xp.invert


# -- cast and select ------------------------------------------------------------------------
def _cast_grad(g, y, x, DstT):
    src = x.dtype
    return (cast(g, DstT=src),) if (src.is_floating or src.is_complex) and DstT.is_floating else (None,)


@op("Cast", shape=same_shape, elementwise=True, dtype=lambda x, DstT: DstT, grad=_cast_grad,
    ref=lambda x, DstT: x.astype(DstT.as_numpy_dtype),
    cases=lambda rng: [((rng.standard_normal((2, 3)).astype(np.float32),), {"DstT": dtypes.float64})])
def cast(xp):
    """Cast(x, DstT=tf.int32): elementwise conversion; float -> int truncates toward zero."""
    def kernel(x, DstT):
        if DstT is dtypes.string or x.dtype.kind == "O":
            src = "string" if x.dtype.kind == "O" else dtypes.from_numpy(x.dtype).name.replace("float32", "float")
            raise UnimplementedError(None, None, f"Cast {src} to {DstT.name.replace('float32', 'float')} is not "
                                     "supported (use tf.strings.as_string / tf.strings.to_number)")
        return xp.asarray(x).astype(DstT.as_numpy_dtype, copy=False)
    return kernel


def _select_shape(c, x, y, **_):
    return broadcast_shapes(c, x, y)


@op("SelectV2", shape=_select_shape, dtype=lambda c, x, y: x, elementwise=True,
    grad=lambda g, z, c, x, y: (None, select(c, g, zeros_like_e(g)), select(c, zeros_like_e(g), g)),
    ref=np.where, cases=lambda rng: [((rng.standard_normal((2, 3)) > 0, rng.standard_normal((2, 3)).astype(
        np.float32), rng.standard_normal((2, 3)).astype(np.float32)), {})])
def select(xp):
    """SelectV2(cond, x, y): x where cond else y, broadcasting all three."""
    return xp.where


def count_nonzero_py(t) -> int:
    """How many entries of an eager tensor are non-zero, as a Python int (tape.jacobian's None test)."""
    return int(np.count_nonzero(np.asarray(t)))
