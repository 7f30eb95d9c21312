"""Source to converted function: parse, run the converters, compile next to the original's closure.

    def f(x):                                def tf__f(x):
        if x > 0:                                def get_state(): ...
            x = -x             ->                ...
        return x                                 ag__.if_stmt(x > 0, if_body, else_body, ...)
                                                 return x

The converted function uses the original's globals dict itself (so later global
assignments are seen) and the original's closure cells, plus one cell for `ag__`.
"""
from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
import types
import weakref
from dataclasses import dataclass
from typing import Any, Callable

from . import converters  # noqa: F401  (registers the converters)
from . import conversion, loops, operators
from .context import AG, CONVERTERS, Context, walk_scope

AG_MODULE = types.SimpleNamespace(
    if_stmt=operators.if_stmt, if_exp=operators.if_exp, and_=operators.and_, or_=operators.or_,
    not_=operators.not_, while_stmt=loops.while_stmt, for_stmt=loops.for_stmt,
    Undefined=operators.Undefined, UndefinedReturnValue=operators.UndefinedReturnValue,
    retval=operators.retval, ldu=operators.ldu, converted_call=conversion.converted_call)


class SourceUnavailable(ValueError):
    """The function's source cannot be found (builtins, lambdas, code made by exec)."""


@dataclass(frozen=True)
class Converted:
    """One function's converted code: the text `to_code` shows, and the compiled code object."""

    source: str
    code: types.CodeType


_CACHE: "weakref.WeakKeyDictionary[types.CodeType, dict[bool, Converted]]" = weakref.WeakKeyDictionary()


def parse(fn: types.FunctionType) -> ast.FunctionDef:
    """The function's definition, dedented, without decorators or docstring."""
    if fn.__name__ == "<lambda>":
        raise SourceUnavailable(f"AutoGraph does not convert lambdas: {fn!r}")
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as e:
        raise SourceUnavailable(f"could not get the source code of {fn.__qualname__}: {e}") from None
    node = ast.parse(source).body[0]
    if not isinstance(node, ast.FunctionDef) or node.name != fn.__name__:
        raise SourceUnavailable(f"the source of {fn.__qualname__} is not a plain `def`")
    node.decorator_list = []
    return node


def transform(node: ast.FunctionDef, recursive: bool = True) -> ast.FunctionDef:
    """Run every converter on `node` (nested functions first, each as its own scope)."""
    taken = {AG} | {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    taken |= {n.arg for n in ast.walk(node) if isinstance(n, ast.arg)}
    taken |= {n.name for n in ast.walk(node) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    _convert_scope(node, Context(taken=taken, recursive=recursive))
    node.name = "tf__" + node.name
    return ast.fix_missing_locations(node)


def _convert_scope(node: ast.FunctionDef, ctx: Context) -> None:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        node.body = body[1:] or [ast.Pass()]
    for inner in list(walk_scope(node)):
        if isinstance(inner, ast.FunctionDef):
            _convert_scope(inner, ctx)
    for _, _, convert in CONVERTERS:
        convert(node, ctx)


def _explicit_super(node: ast.FunctionDef) -> None:
    """`super()` needs the compiler's implicit `__class__`; spell it out so the closure provides it."""
    if not node.args.args:
        return
    first = node.args.args[0].arg
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "super" and not n.args:
            n.args = [ast.Name("__class__", ast.Load()), ast.Name(first, ast.Load())]


def converted_code(fn: types.FunctionType, recursive: bool = True) -> Converted:
    """The (cached) conversion of `fn`'s code."""
    per_code = _CACHE.setdefault(fn.__code__, {})
    if recursive in per_code:
        return per_code[recursive]
    node = parse(fn)
    if "__class__" in fn.__code__.co_freevars:
        _explicit_super(node)
    node = transform(node, recursive)
    source = ast.unparse(node)
    factory = ast.parse(
        "def ag__factory():\n" + "".join(f"    {n} = None\n" for n in (AG,) + fn.__code__.co_freevars) +
        f"    return {node.name}\n")
    factory.body[0].body.insert(-1, node)  # type: ignore[attr-defined]
    filename = f"<autograph {fn.__module__}.{fn.__qualname__}>"
    module_code = compile(ast.fix_missing_locations(factory), filename, "exec")
    linecache.cache[filename] = (len(source), None, ast.unparse(factory).splitlines(True), filename)
    code = _find_code(_find_code(module_code, "ag__factory"), node.name)
    per_code[recursive] = Converted(source, code)
    return per_code[recursive]


def _find_code(code: types.CodeType, name: str) -> types.CodeType:
    return next(c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == name)


def convert_function(fn: types.FunctionType, recursive: bool = True) -> types.FunctionType:
    """A new function running `fn`'s converted code with `fn`'s globals, closure and defaults."""
    code = converted_code(fn, recursive).code
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    ag_cell = types.CellType(AG_MODULE)
    closure = tuple(ag_cell if n == AG else cells[n] for n in code.co_freevars)
    new = types.FunctionType(code, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__qualname__, new.__doc__, new.__module__ = fn.__qualname__, fn.__doc__, fn.__module__
    new.__dict__.update(fn.__dict__)
    new.__wrapped__ = fn  # type: ignore[attr-defined]
    return new


def unwrap(entity: Any) -> tuple[types.FunctionType, Callable[[Any], Any]]:
    """The plain function behind `entity` and how to rewrap a converted one (methods stay bound)."""
    python_function = getattr(entity, "python_function", None)  # a tf.function
    if python_function is not None:
        entity = python_function
    if inspect.ismethod(entity):
        owner = entity.__self__
        return entity.__func__, lambda f: types.MethodType(f, owner)
    if isinstance(entity, types.FunctionType):
        return entity, lambda f: f
    raise TypeError(f"AutoGraph converts Python functions and methods, not {type(entity).__name__}: {entity!r}")
