"""Static facts the control-flow converters need: what a block assigns and reads, liveness, definedness.

    y = 0
    if x > 0:            # If.ag_state == ("y",): assigned in a branch and live after the statement
        y = 1; t = 2     # t is assigned but never read again: it stays local to the branch
    return y

`annotate(fn)` runs on a function whose `break`/`continue`/`return` were already
lowered to flags, and stores on every `If`, `While` and `For`:
`ag_state` (the names the staged construct carries in and out, sorted) and
`ag_undefined` (those of them that may be unbound before it, so the converter
binds them to `ag__.Undefined(name)`). Nested functions are separate scopes.

Attribute and constant-subscript targets (`self.total = ...`, `self.d['k'] = ...`) are
carried too, by their source text, as TensorFlow carries its composite names: they are
visible outside the function, so they are carried whenever the construct assigns them.
"""
from __future__ import annotations

import ast
from typing import Iterable

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Names(ast.NodeVisitor):
    """Collects names stored and loaded, without entering nested scopes for stores."""

    def __init__(self) -> None:
        self.stored: set[str] = set()
        self.loaded: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        (self.loaded if isinstance(node.ctx, ast.Load) else self.stored).add(node.id)

    def _def(self, node: ast.AST) -> None:
        self.stored.add(node.name)  # type: ignore[attr-defined]
        inner = _Names()
        for child in ast.iter_child_nodes(node):
            inner.visit(child)
        self.loaded |= inner.loaded  # free reads of a nested function keep names alive

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _def

    def visit_Lambda(self, node: ast.Lambda) -> None:
        inner = _Names()
        inner.visit(node.body)
        self.loaded |= inner.loaded - {a.arg for a in node.args.args}

    def _comprehension(self, node: ast.AST) -> None:
        inner = _Names()
        for child in ast.iter_child_nodes(node):
            inner.visit(child)
        self.loaded |= inner.loaded - inner.stored

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.stored.add(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import  # type: ignore[assignment]

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.stored.add(node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.globals |= set(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.nonlocals |= set(node.names)

    @property
    def declared(self) -> set[str]:
        return self.globals | self.nonlocals


def _qualified(node: ast.expr) -> bool:
    """`a`, `a.b`, `a['k']`, `a.b[0].c`: a name followed by attributes and constant subscripts."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Subscript) and not (isinstance(node.slice, ast.Constant)
                                                    and isinstance(node.slice.value, (str, int))):
            return False
        node = node.value
    return isinstance(node, ast.Name)


def composites(nodes: Iterable[ast.AST] | ast.AST) -> set[str]:
    """The attribute / constant-subscript targets stored in `nodes` (not in nested scopes), as source text.

    Those whose root name `nodes` rebinds are left out: that name is carried (or local) as a whole.
    """
    todo = [nodes] if isinstance(nodes, ast.AST) else list(nodes)
    rebound = assigned(todo)
    found: set[str] = set()
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.ctx, ast.Store) and _qualified(n) \
                and _root(n) not in rebound:
            found.add(ast.unparse(n))
        todo.extend(c for c in ast.iter_child_nodes(n) if not isinstance(c, _SCOPES))
    return found


def _root(node: ast.expr) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id  # type: ignore[attr-defined]


def is_composite(name: str) -> bool:
    """`self.total` or `d['k']` rather than a plain name."""
    return not name.isidentifier()


def names(nodes: Iterable[ast.AST] | ast.AST) -> _Names:
    found = _Names()
    for node in [nodes] if isinstance(nodes, ast.AST) else nodes:
        found.visit(node)
    return found


def assigned(nodes: Iterable[ast.AST] | ast.AST) -> set[str]:
    return names(nodes).stored


def reads(nodes: Iterable[ast.AST] | ast.AST | None) -> set[str]:
    return set() if nodes is None else names(nodes).loaded


# -- liveness (backward, may) ---------------------------------------------------------------
def _live_block(stmts: list[ast.stmt], live: set[str]) -> set[str]:
    for stmt in reversed(stmts):
        live = _live_stmt(stmt, live)
    return live


def _live_stmt(s: ast.stmt, live: set[str]) -> set[str]:
    if isinstance(s, ast.If):
        s.ag_live_out = set(live)  # type: ignore[attr-defined]
        body, orelse = _live_block(s.body, live), _live_block(s.orelse, live)
        s.ag_live_in = body | orelse  # type: ignore[attr-defined]
        return reads(s.test) | body | orelse
    if isinstance(s, (ast.While, ast.For)):
        s.ag_live_out = set(live)  # type: ignore[attr-defined]
        targets = assigned(s.target) if isinstance(s, ast.For) else set()
        test = reads(s.test) if isinstance(s, ast.While) else reads(getattr(s, "ag_extra_test", None))
        head = live | test
        while True:  # NOTE: fixed point over the back edge
            new = head | (_live_block(s.body, head) - targets) | test
            if new == head:
                break
            head = new
        s.ag_live_in = head  # type: ignore[attr-defined]
        entry = head | _live_block(s.orelse, live)
        return entry | (reads(s.iter) if isinstance(s, ast.For) else set())
    if isinstance(s, ast.Return):
        return reads(s.value)
    if isinstance(s, (ast.Assign, ast.AnnAssign)):
        kills = {t.id for t in (s.targets if isinstance(s, ast.Assign) else [s.target]) if isinstance(t, ast.Name)}
        return (live - kills) | reads(s)
    if isinstance(s, ast.With):
        return (_live_block(s.body, live) - assigned(s.items)) | reads(s.items)
    if isinstance(s, ast.Try):
        around = live | reads(s)  # NOTE: any statement of a try may be the last one run
        for block in [s.body, s.orelse, s.finalbody] + [h.body for h in s.handlers]:
            _live_block(block, around)
        return around
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (live - {s.name}) | reads(s)
    return live | reads(s)


# -- definedness (forward, may) and the carried state --------------------------------------
def _state(s: ast.stmt, modified: set[str], declared: _Names, blocks: list) -> tuple[str, ...]:
    """The carried names (and composites); names declared `global`/`nonlocal` are re-declared instead."""
    s.ag_globals = tuple(sorted(modified & declared.globals))  # type: ignore[attr-defined]
    s.ag_nonlocals = tuple(sorted(modified & declared.nonlocals))  # type: ignore[attr-defined]
    carried = s.ag_live_out | s.ag_live_in  # type: ignore[attr-defined]
    return tuple(sorted(((modified & carried) - declared.declared) | composites(blocks)))


def _undefined(state: tuple[str, ...], defined: set[str]) -> tuple[str, ...]:
    """Plain names that may be unbound; composites are checked when read (`ag__.ldu`)."""
    return tuple(n for n in state if n not in defined and not is_composite(n))


def _defined_block(stmts: list[ast.stmt], defined: set[str], declared: _Names) -> set[str]:
    for stmt in stmts:
        defined = _defined_stmt(stmt, defined, declared)
    return defined


def _defined_stmt(s: ast.stmt, defined: set[str], declared: _Names) -> set[str]:
    if isinstance(s, ast.If):
        s.ag_state = _state(s, assigned(s.body + s.orelse), declared, s.body + s.orelse)  # type: ignore[attr-defined]
        s.ag_undefined = _undefined(s.ag_state, defined)  # type: ignore[attr-defined]
        # NOTE: each branch becomes a function; what it binds beyond the state is local to it.
        _defined_block(s.body, defined, declared)
        _defined_block(s.orelse, defined, declared)
        return defined | set(s.ag_state)  # type: ignore[attr-defined]
    if isinstance(s, (ast.While, ast.For)):
        # NOTE: the loop target is local to the body, unless it is read after the loop (as Python allows)
        targets = assigned(s.target) if isinstance(s, ast.For) else set()
        local = targets - s.ag_live_out  # type: ignore[attr-defined]
        body = s.body + ([s.target] if isinstance(s, ast.For) else [])
        s.ag_state = _state(s, (assigned(s.body) | targets) - local, declared, body)  # type: ignore[attr-defined]
        s.ag_undefined = _undefined(s.ag_state, defined)  # type: ignore[attr-defined]
        inner = defined | set(s.ag_state)  # type: ignore[attr-defined]
        _defined_block(s.body, inner | targets, declared)
        return _defined_block(s.orelse, inner, declared)
    if isinstance(s, (ast.With, ast.Try)):
        blocks = [s.body] + ([s.orelse, s.finalbody] + [h.body for h in s.handlers] if isinstance(s, ast.Try) else [])
        out = set(defined) | assigned(getattr(s, "items", []))
        for block in blocks:
            out |= _defined_block(block, out, declared)
        return out
    return defined | assigned(s)


def annotate(fn: ast.FunctionDef) -> None:
    """Store `ag_state` / `ag_undefined` on every If, While and For of `fn` (not nested functions)."""
    _live_block(fn.body, set())
    args = fn.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    _defined_block(fn.body, params, names(fn.body))
