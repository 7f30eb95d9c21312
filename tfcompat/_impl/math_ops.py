"""`tf.math`: elementwise math, comparisons and logic with TensorFlow's names and signatures.

    tf.math.maximum(x, 0.0);  tf.math.is_nan(x);  tf.add(1.0, x)

Most functions are one op; `_unary`/`_binary` publish those with TF's `(x, name=None)`
and `(x, y, name=None)` signatures. v1 names are listed only where TF 1 exports the
very same function (`same_object_as` in TensorFlow's API tables, tests/data/tfapi).
"""
from __future__ import annotations

from typing import Any, Callable

from runtime import dispatch, dtypes
from runtime.ops import composite, composite_math as cm, elementwise as e

from .._export import export


def _unary(opdef: Any, *names: str, v1: Any = None) -> Callable[..., Any]:
    def fn(x: Any, name: str | None = None) -> Any:
        return opdef(x, name=name)
    fn.__name__ = fn.__qualname__ = names[0].rsplit(".", 1)[-1]
    fn.__doc__ = f"tf.{names[0]}(x): elementwise {opdef.name}."
    return export(*names, v1=v1)(fn)


def _binary(opdef: Any, *names: str, v1: Any = None, default: str | None = None) -> Callable[..., Any]:
    def fn(x: Any, y: Any, name: str | None = None) -> Any:
        return opdef(x, y, name=name or default)
    fn.__name__ = fn.__qualname__ = names[0].rsplit(".", 1)[-1]
    fn.__doc__ = f"tf.{names[0]}(x, y): elementwise {opdef.name} with broadcasting; dtypes must match."
    return export(*names, v1=v1)(fn)


# -- arithmetic -----------------------------------------------------------------------------
add = _binary(e.add, "math.add", "add", v1=("add",), default="Add")  # NOTE: TF names AddV2 "Add"
subtract = _binary(e.subtract, "math.subtract", "subtract")
multiply = _binary(e.multiply, "math.multiply", "multiply", v1=("multiply",))
maximum = _binary(e.maximum, "math.maximum", "maximum", v1=("maximum",))
minimum = _binary(e.minimum, "math.minimum", "minimum", v1=("minimum",))
floordiv = _binary(e.floordiv, "math.floordiv", v1=("floordiv", "math.floordiv"))
floormod = _binary(e.mod, "math.floormod", "math.mod", v1=("floormod", "mod"))
pow = _binary(e.pow_, "math.pow", "pow")  # noqa: A001  (TF's name)
squared_difference = _binary(e.squared_difference, "math.squared_difference",
                             v1=("math.squared_difference", "squared_difference"))
divide_no_nan = _binary(e.div_no_nan, "math.divide_no_nan", v1=("div_no_nan",))


@export("math.divide", "divide", v1=("divide",))
def divide(x: Any, y: Any, name: str | None = None) -> Any:
    """tf.divide(x, y): Python `/` semantics (integers divide as floats)."""
    return composite.truediv(x, y, name=name or "truediv")


@export("math.truediv", "truediv")
def truediv(x: Any, y: Any, name: str | None = None) -> Any:
    """tf.truediv(7, 2) == 3.5 (int32 divides as float64, as TensorFlow does)."""
    return composite.truediv(x, y, name=name or "truediv")


@export("math.atan2", "atan2")
def atan2(y: Any, x: Any, name: str | None = None) -> Any:
    """tf.math.atan2(y, x): the angle of (x, y), elementwise."""
    return e.atan2(y, x, name=name)


@export("math.add_n", "add_n")
def add_n(inputs: Any, name: str | None = None) -> Any:
    """tf.add_n([a, b, c]) == a + b + c."""
    return cm.add_n(list(inputs))


# -- unary ----------------------------------------------------------------------------------
negative = _unary(e.negative, "math.negative", "negative", v1=("negative",))
abs = _unary(e.abs_, "math.abs", "abs", v1=("abs",))  # noqa: A001
sign = _unary(e.sign, "math.sign", "sign", v1=("sign",))
square = _unary(e.square, "math.square", "square", v1=("square",))
sqrt = _unary(e.sqrt, "math.sqrt", "sqrt", v1=("sqrt",))
rsqrt = _unary(e.rsqrt, "math.rsqrt", v1=("rsqrt",))
reciprocal = _unary(e.reciprocal, "math.reciprocal", v1=("reciprocal",))
exp = _unary(e.exp, "math.exp", "exp", v1=("exp",))
expm1 = _unary(e.expm1, "math.expm1", v1=("expm1",))
log = _unary(e.log, "math.log", v1=("log",))
log1p = _unary(e.log1p, "math.log1p", v1=("log1p",))
sin = _unary(e.sin, "math.sin", "sin", v1=("sin",))
cos = _unary(e.cos, "math.cos", "cos", v1=("cos",))
tan = _unary(e.tan, "math.tan", "tan", v1=("tan",))
tanh = _unary(e.tanh, "math.tanh", "nn.tanh", "tanh", v1=("tanh",))
sigmoid = _unary(e.sigmoid, "math.sigmoid", "nn.sigmoid", "sigmoid", v1=("sigmoid",))
erf = _unary(e.erf, "math.erf", v1=("erf",))
floor = _unary(e.floor, "math.floor", "floor", v1=("floor",))
ceil = _unary(e.ceil, "math.ceil", v1=("ceil",))
round = _unary(e.round_, "math.round", "round", v1=("round",))  # noqa: A001  (banker's rounding, as TF)
is_nan = _unary(e.is_nan, "math.is_nan", v1=("debugging.is_nan", "is_nan", "math.is_nan"))
is_finite = _unary(e.is_finite, "math.is_finite", v1=("debugging.is_finite", "is_finite", "math.is_finite"))
is_inf = _unary(e.is_inf, "math.is_inf", v1=("debugging.is_inf", "is_inf", "math.is_inf"))


# -- comparison and logic -------------------------------------------------------------------
equal = _binary(e.equal, "math.equal", "equal")
not_equal = _binary(e.not_equal, "math.not_equal", "not_equal")
less = _binary(e.less, "math.less", "less")
less_equal = _binary(e.less_equal, "math.less_equal", "less_equal")
greater = _binary(e.greater, "math.greater", "greater")
greater_equal = _binary(e.greater_equal, "math.greater_equal", "greater_equal")
logical_and = _binary(e.logical_and, "math.logical_and", "logical_and")
logical_or = _binary(e.logical_or, "math.logical_or", "logical_or")
logical_not = _unary(e.logical_not, "math.logical_not", "logical_not")


@export("math.logical_xor", v1=("logical_xor", "math.logical_xor"))
def logical_xor(x: Any, y: Any, name: str = "LogicalXor") -> Any:
    """tf.math.logical_xor(x, y) == (x | y) & ~(x & y)."""
    return cm.logical_xor(x, y)


@export("cast", "dtypes.cast")
def cast(x: Any, dtype: Any, name: str | None = None) -> Any:
    """tf.cast(x, tf.int32): convert elementwise; floats truncate toward zero."""
    x = dispatch.convert_to_tensor(x)
    dtype = dtypes.as_dtype(dtype)
    return x if x.dtype is dtype else e.cast(x, DstT=dtype, name=name)
