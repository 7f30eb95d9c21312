"""A strict stand-in for CuPy, so the device path is tested on machines without a GPU.

    TFCOMPAT_TEST_DEVICE=strict python -m pytest tests/runtime/test_registry.py

`StrictArray` holds a NumPy array but behaves like a `cupy.ndarray` where it matters:
`np.asarray(x)` raises (use `.get()`, as with CuPy), NumPy functions and ufuncs refuse it
(kernels must call their `xp`), mixing it with a host `np.ndarray` in an operator or an
`xp` function raises, reductions return 0-d arrays, and object/string dtypes are refused.
`xp` is the matching module: NumPy's functions less the names CuPy lacks (recorded from
CuPy 14.2), taking and returning strict arrays. `STATS` counts host<->device copies so tests
can assert that a compiled step makes none.
"""
from __future__ import annotations

import operator
from types import ModuleType
from typing import Any

import numpy as np

# NOTE: recorded from CuPy 14.2.0 (`dir(numpy)` less `dir(cupy)`); a kernel using one of these
# would fail on a real GPU, so it fails here too.
NOT_IN_CUPY = frozenset("""
False_ ScalarType True_ asmatrix block bmat busday_count busday_offset busdaycalendar bytes_ char
character clongdouble complex256 core ctypeslib datetime64 datetime_as_string datetime_data dtypes
einsum_path emath errstate f2py flexible float128 frompyfunc fromregex geomspace get_include
getbufsize geterr geterrcall histogram_bin_edges info insert is_busday isnat little_endian
longdouble ma matrix matvec memmap nanpercentile nanquantile ndenumerate nditer nested_iters object_
polyder polydiv polyint rec recarray record sctypeDict setbufsize seterr seterrcall show_runtime
spacing str_ strings test timedelta64 typecodes unstack vecdot vecmat void vectorize
""".split())
NOT_IN_CUPY_LINALG = frozenset(
    "diagonal matrix_norm multi_dot outer svdvals tensordot test trace vecdot vector_norm".split())
NOT_ON_CUPY_NDARRAY = frozenset("ctypes getfield resize setfield setflags to_device".split())
CUPY_GENERATOR = frozenset("""beta binomial chisquare dirichlet exponential f gamma geometric
hypergeometric integers logseries poisson power random standard_exponential standard_gamma
standard_normal uniform""".split())

STATS = {"to_device": 0, "to_host": 0}
_IMPLICIT = ("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct a "
             "NumPy array explicitly (tfcompat: runtime.backend.to_host).")


class StrictArray:
    """A device array (NumPy underneath) that refuses implicit conversion to the host, like CuPy's."""

    __slots__ = ("_a",)
    __array_ufunc__ = None  # NOTE: np.add(x, ...) and `host_array + x` raise TypeError
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, array: np.ndarray) -> None:
        if array.dtype.kind in "OUSVMm":
            raise TypeError(f"Unsupported dtype {array.dtype} (a GPU array holds numbers only)")
        self._a = array

    def __array__(self, *_: Any, **__: Any) -> np.ndarray:
        raise TypeError(_IMPLICIT)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        raise TypeError(f"numpy.{func.__name__} got a device array: a device kernel must call its "
                        f"`xp.{func.__name__}`, or copy explicitly with runtime.backend.to_host")

    # -- metadata --------------------------------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: StrictArray(self._a.T))
    device = "strict:0"

    # -- explicit copies to the host (the only ways out) -------------------------------------------
    def get(self, *_: Any, **__: Any) -> np.ndarray:
        STATS["to_host"] += 1
        return self._a.copy()

    def item(self, *args: Any) -> Any:
        STATS["to_host"] += 1
        return self._a.item(*args)

    def tolist(self) -> Any:
        STATS["to_host"] += 1
        return self._a.tolist()

    def __int__(self) -> int:
        return int(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __bool__(self) -> bool:
        return bool(self.item())

    def __repr__(self) -> str:
        return repr(self._a)

    def __str__(self) -> str:
        return str(self._a)

    def __reduce__(self) -> tuple:
        return StrictArray, (self._a,)

    # -- containers ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Any:
        return (_wrap(r) for r in self._a)

    def __getitem__(self, key: Any) -> Any:
        return _wrap(self._a[_unwrap(key)])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._a[_unwrap(key)] = _unwrap(value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in NOT_ON_CUPY_NDARRAY:
            raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")
        return _wrap_callable(getattr(self._a, name))


def _binary(fn: Any, reflected: bool = False) -> Any:
    def method(self: StrictArray, other: Any) -> Any:
        other = _unwrap(other, True)
        return _wrap(fn(other, self._a) if reflected else fn(self._a, other))
    return method


def _inplace(fn: Any) -> Any:
    def method(self: StrictArray, other: Any) -> StrictArray:
        fn(self._a, _unwrap(other))
        return self
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
              "lshift", "rshift"):
    _fn = getattr(operator, _name + "_") if _name in ("and", "or") else getattr(operator, _name)
    setattr(StrictArray, f"__{_name}__", _binary(_fn))
    setattr(StrictArray, f"__r{_name}__", _binary(_fn, reflected=True))
    setattr(StrictArray, f"__i{_name}__", _inplace(getattr(operator, f"i{_name}")))
for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(StrictArray, f"__{_name}__", _binary(getattr(operator, _name)))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(StrictArray, f"__{_name}__", (lambda f: lambda self: _wrap(f(self._a)))(getattr(operator, _name)))


def _unwrap(x: Any, data: bool = False) -> Any:
    """A strict array's NumPy array; refuses host arrays that CuPy would refuse (data, not shapes)."""
    t = type(x)
    if t is StrictArray:
        return x._a
    if t is np.ndarray:
        # NOTE: CuPy takes small integer host arrays where it wants a shape, axes or a permutation,
        # and 0-d ones as scalars, except as a ufunc's operands (`data`).
        if not data and (x.ndim == 0 or (x.dtype.kind in "iu" and x.ndim == 1)):
            return x
        raise TypeError(f"Unsupported type {t} (a host array of {x.dtype}{list(x.shape)} reached a device "
                        "kernel: copy it with runtime.backend.to_device, or make it with xp)")
    if t in (tuple, list):
        return t(_unwrap(v, data) for v in x)
    if t is dict:
        return {k: _unwrap(v, data) for k, v in x.items()}
    return x


def _wrap(x: Any) -> Any:
    t = type(x)
    if t is np.ndarray:
        return StrictArray(x)
    if isinstance(x, np.generic) and t is not np.str_ and t is not np.bytes_ and t is not np.object_:
        return StrictArray(np.asarray(x))  # NOTE: CuPy returns 0-d arrays, not NumPy scalars
    if t in (tuple, list):
        return t(_wrap(v) for v in x)
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # namedtuples (linalg results)
        return t(*(_wrap(v) for v in x))
    return x


class _Ufunc:
    """A ufunc over strict arrays: host array operands are refused, as CuPy's ufuncs refuse them."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self._u, self.__name__, self.nin, self.nout = ufunc, ufunc.__name__, ufunc.nin, ufunc.nout

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(self._u(*_unwrap(args, True), **_unwrap(kwargs)))

    def at(self, a: StrictArray, indices: Any, b: Any = None) -> None:
        self._u.at(_unwrap(a, True), _unwrap(indices), *(() if b is None else (_unwrap(b, True),)))

    def __getattr__(self, name: str) -> Any:  # reduce, accumulate, outer, reduceat
        return _wrap_callable(getattr(self._u, name))


def _wrap_callable(attr: Any) -> Any:
    if isinstance(attr, np.ufunc):
        return _Ufunc(attr)
    if not callable(attr) or isinstance(attr, type):
        return _wrap(attr) if isinstance(attr, np.ndarray) else attr

    def call(*args: Any, **kwargs: Any) -> Any:
        return _wrap(attr(*_unwrap(args), **_unwrap(kwargs)))
    call.__name__ = getattr(attr, "__name__", "call")
    return call


class _Module(ModuleType):
    """NumPy (or one of its submodules) less `missing`, over strict arrays."""

    def __init__(self, name: str, base: Any, missing: frozenset, only: frozenset | None = None) -> None:
        super().__init__(name)
        self._base, self._missing, self._only = base, missing, only
        self._cache: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in self._missing or (self._only is not None and name not in self._only):
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}' (CuPy lacks it)")
        hit = self._cache.get(name)
        if hit is None:
            hit = self._cache[name] = _wrap_callable(getattr(self._base, name))
        return hit


def asarray(a: Any, dtype: Any = None, order: Any = None) -> StrictArray:
    """Host data to the device (a counted copy), or a device array as it is."""
    if type(a) is StrictArray:
        return a if dtype is None or a.dtype == dtype else StrictArray(a._a.astype(dtype))
    STATS["to_device"] += 1
    return StrictArray(np.array(_unwrap_any(a), dtype=dtype, order=order or "K"))


def _unwrap_any(a: Any) -> Any:
    if type(a) in (list, tuple):
        return [_unwrap_any(v) for v in a]
    return a._a if type(a) is StrictArray else a


def _generator(*args: Any, **kwargs: Any) -> Any:
    return _Module("cupy.random.Generator", np.random.default_rng(*args, **kwargs), frozenset(), CUPY_GENERATOR)


xp = _Module("cupy", np, NOT_IN_CUPY)
xp.__dict__.update(
    STRICT=True, ndarray=StrictArray, asarray=asarray, array=asarray, get_array_module=lambda *a: xp,
    asnumpy=lambda a: a.get() if type(a) is StrictArray else np.asarray(a),
    linalg=_Module("cupy.linalg", np.linalg, NOT_IN_CUPY_LINALG), fft=_Module("cupy.fft", np.fft, frozenset()),
    random=_Module("cupy.random", np.random, frozenset({"Generator", "PCG64", "SeedSequence", "bit_generator"})),
)
xp.random.__dict__["default_rng"] = _generator


def scipy_special() -> ModuleType:
    """The stand-in for `cupyx.scipy.special` (SciPy's functions over strict arrays; without SciPy,
    `erf` from the math module, which is all the kernels use)."""
    try:
        import scipy.special as base  # noqa: PLC0415  (only the strict test device needs it)
    except ImportError:
        import math  # noqa: PLC0415
        base = ModuleType("special")
        base.erf = lambda x: np.vectorize(math.erf, otypes=[x.dtype])(x)  # type: ignore[attr-defined]
    return _Module("cupyx.scipy.special", base, frozenset())
