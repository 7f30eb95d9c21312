"""What every converter shares: fresh names, AST builders, and the converter registry.

    @converter(order=40)
    def convert_ifs(fn: ast.FunctionDef, ctx: Context) -> None: ...

Converters are found by walking `runtime.autograph.converters` (add a file, not a list
entry) and run in `order`, each on one function at a time.
"""
from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from typing import Callable

AG = "ag__"


@dataclass
class Context:
    """Per-conversion state: the names already taken in the source, so new ones never clash."""

    taken: set[str] = field(default_factory=set)
    recursive: bool = True  # False: calls stay direct (`tf.autograph.to_graph(f, recursive=False)`)

    def new_name(self, base: str) -> str:
        """`loop_body`, then `loop_body_1`, `loop_body_2`, ...; never a name the source uses."""
        name, i = base, 0
        while name in self.taken:
            i += 1
            name = f"{base}_{i}"
        self.taken.add(name)
        return name


Converter = Callable[[ast.FunctionDef, Context], None]
CONVERTERS: list[tuple[int, str, Converter]] = []


def converter(order: int) -> Callable[[Converter], Converter]:
    """Register a function-level rewrite; lower `order` runs first."""
    def register(fn: Converter) -> Converter:
        CONVERTERS.append((order, fn.__module__, fn))
        CONVERTERS.sort(key=lambda c: (c[0], c[1]))
        return fn
    return register


# -- AST builders ---------------------------------------------------------------------------
def stmts(code: str, **exprs: ast.AST) -> list[ast.stmt]:
    """Parse `code`, then replace each bare name `NAME` given in `exprs` by that expression."""
    tree = ast.parse(textwrap.dedent(code))

    class Fill(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            return exprs[node.id] if node.id in exprs else node

    return Fill().visit(tree).body


def expr(code: str, **exprs: ast.AST) -> ast.expr:
    return stmts(code, **exprs)[0].value  # type: ignore[attr-defined]


def ag_call(func: str, *args: ast.expr) -> ast.Call:
    """`ag__.func(*args)`."""
    return ast.Call(func=ast.Attribute(value=ast.Name(AG, ast.Load()), attr=func, ctx=ast.Load()),
                    args=list(args), keywords=[])


def names_tuple(names: tuple[str, ...] | list[str], ctx: ast.expr_context | None = None) -> ast.Tuple:
    ctx = ctx or ast.Load()
    return ast.Tuple([ast.Name(n, type(ctx)()) for n in names], type(ctx)())


def strings_tuple(names: tuple[str, ...] | list[str]) -> ast.Tuple:
    return ast.Tuple([ast.Constant(n) for n in names], ast.Load())


def function(name: str, params: list[str], body: list[ast.stmt], nonlocals: tuple[str, ...] = (),
             globals_: tuple[str, ...] = ()) -> ast.FunctionDef:
    """`def name(params): global ...; nonlocal ...; body` (body `pass` when empty)."""
    head: list[ast.stmt] = [ast.Global(list(globals_))] if globals_ else []
    head += [ast.Nonlocal(list(nonlocals))] if nonlocals else []
    fn = ast.FunctionDef(
        name=name, args=ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params], vararg=None,
                                      kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=head + (body or [ast.Pass()]), decorator_list=[], returns=None, type_comment=None)
    fn.ag_generated = True  # type: ignore[attr-defined]
    return fn


def plain(state: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The plain names of a state (not `self.x` / `d['k']`): the ones a closure declares `nonlocal`."""
    return tuple(n for n in state if n.isidentifier())


def _state_load(name: str) -> ast.expr:
    """`x`, or `ag__.ldu(lambda: self.x, 'self.x')` for a composite (Undefined when it does not exist yet)."""
    if name.isidentifier():
        return ast.Name(name, ast.Load())
    return expr(f"{AG}.ldu(lambda: {name}, {name!r})")


def _state_store(name: str) -> ast.expr:
    target = ast.parse(name, mode="eval").body
    for n in ast.walk(target):
        if hasattr(n, "ctx"):
            n.ctx = ast.Load()
    target.ctx = ast.Store()  # type: ignore[attr-defined]
    return target


def state_functions(ctx: Context, state: tuple[str, ...]) -> tuple[str, str, list[ast.stmt]]:
    """`get_state` / `set_state` closures over the carried names (the staging helpers use them)."""
    get, put = ctx.new_name("get_state"), ctx.new_name("set_state")
    getter = function(get, [], [ast.Return(ast.Tuple([_state_load(n) for n in state], ast.Load()))])
    param = "vars_" if "vars_" not in state else ctx.new_name("vars_")
    if state:
        targets = ast.Tuple([_state_store(n) for n in state], ast.Store())
        assign = ast.Assign([targets], ast.Name(param, ast.Load()))
        setter = function(put, [param], [assign], nonlocals=plain(state))
    else:
        setter = function(put, [param], [])
    return get, put, [getter, setter]


def undefined_assigns(names: tuple[str, ...]) -> list[ast.stmt]:
    """`y = ag__.Undefined('y')` for each name that may be unbound before a staged construct."""
    return [ast.Assign([ast.Name(n, ast.Store())], ag_call("Undefined", ast.Constant(n))) for n in names]


def not_(flag: str) -> ast.expr:
    return ast.UnaryOp(ast.Not(), ast.Name(flag, ast.Load()))


def walk_scope(node: ast.AST):
    """Like `ast.walk`, but does not enter nested functions, classes or lambdas."""
    todo = list(ast.iter_child_nodes(node))
    while todo:
        n = todo.pop()
        yield n
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(n))


class ScopeTransformer(ast.NodeTransformer):
    """Visits one function's code: enters the helpers converters generate, not user-nested scopes."""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        return self.generic_visit(node) if getattr(node, "ag_generated", False) else node

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return node

    def run(self, fn: ast.FunctionDef) -> None:
        """Transform `fn`'s body in place."""
        self.generic_visit(fn)


def body_function(name: str, params: list[str], node: ast.stmt, body: list[ast.stmt]) -> ast.FunctionDef:
    """A branch or loop body of `node`: carries its state, re-declares the user's global/nonlocal names."""
    nonlocals = plain(node.ag_state) + tuple(node.ag_nonlocals)  # type: ignore[attr-defined]
    return function(name, params, body, nonlocals, tuple(node.ag_globals))  # type: ignore[attr-defined]
