"""Names rebound to successive graph tensors: each version is an entity of its own.

TF1 scripts often rebind one name while building the graph:

    h = tf.layers.dense(x, 4, name="fc1")   # version 0: entity 'h'
    h = tf.nn.relu(h)                        # version 1: entity 'h_1'; `h` read later means 'h_1'

`rebind` renames (SSA style) every later *read* of the name to the new version's key, in the `ast`
only: rules edit the source by spans, so the text keeps the user's names. `finish` then decides how
each version is written: a version read only by the next one is computed as a statement inside the
next one's function (`h = fc1(x)`), the last version's function keeps the user's name, and a version
read anywhere else gets a function of its own (`h_1`).

Versions that stay statements are spelled apart in the source itself (`Respell`, then the file is
analysed again): a constant version that a function reads after the rebinding (`c` -> `c_0`), and
every earlier binding of a variable, optimizer or gradient list (`W = tf.Variable(...)` twice ->
`W_0`, `W`). A name bound to data instead goes to native/rebind_data.py (`X` -> `X_value`).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from upgrader.native.random_constants import check as random_constants
from upgrader.native.rebind_data import Respell, data_rebinds
from upgrader.native.sessions import pending_resets
from upgrader.native.naming import given_name, layer_name as plain_layer_name, per_analysis, tree_names, tree_nodes

if TYPE_CHECKING:
    from .model import Entity, Program

_DEFERRED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)   # bodies that read globals when called
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass
class Chain:
    """The versions of one rebound name, in statement order."""

    name: str                 # the user's name
    keys: list[str]           # the entity key of each version; keys[0] == name
    stmts: list[ast.stmt]     # the statement binding each version
    folded: set[str] = field(default_factory=set)   # versions computed as a statement in the next version's function


def _fresh(prog: Program, base: str) -> str:
    used = tree_names(prog) | set(prog.entities)
    while base in used:
        base += "_"
    return base


def _reads_graph(prog: Program, value: ast.expr) -> bool:
    return any(prog.key(n) is not None or (isinstance(n, ast.Name) and n.id in prog.entities)
               for n in ast.walk(value) if isinstance(n, (ast.Name, ast.Attribute)))


def rebind(prog: Program, stmt: ast.Assign, name: str) -> str | None:
    """`name = <value>` binds a graph name again: the new version's key (later reads now say it), or None if blocked."""
    if not _reads_graph(prog, stmt.value):   # data from here on: it takes a name of its own (native/rebind_data.py)
        prog.rebound.append((stmt, name))
        return None
    chain = prog.chains.get(name) or Chain(name, [name], [prog.entities[name].stmt])
    current = chain.keys[-1]
    old = prog.entities[current]
    if old.kind not in ("tensor", "placeholder") or old.default:   # a variable, an optimizer, gradients...
        if not _respell_version(prog, chain, len(chain.keys) - 1, stmt):
            what = "placeholder_with_default" if old.default else old.kind
            prog.block(stmt, f"'{name}' (a graph {what}) is assigned again, and its first binding is not one "
                             "native mode can rename: give the new value its own name")
        return None
    for node, reads in _deferred(prog):
        if node.lineno < stmt.lineno and any(n.id == current for n in reads):
            prog.block(node, f"'{name}' is read inside this {type(node).__name__.lower()} and rebound at line "
                             f"{stmt.lineno}: which version it reads depends on when it is called")
            return None
    key = _fresh(prog, f"{name}_{len(chain.keys)}")
    end = (stmt.end_lineno, stmt.end_col_offset)
    reads = _reads(prog)
    later = [n for n in reads.get(current, ()) if (n.lineno, n.col_offset) >= end]
    for node in later:
        node.id = key
    reads[current] = [n for n in reads.get(current, ()) if (n.lineno, n.col_offset) < end]
    reads[key] = later
    chain.keys.append(key)
    chain.stmts.append(stmt)
    prog.chains[name] = chain
    return key


def _reads(prog: Program) -> dict[str, list[ast.Name]]:
    """The module's reads by their current spelling, kept up to date by `rebind` (one index, not a walk per rebind)."""
    def build() -> dict[str, list[ast.Name]]:
        found: dict[str, list[ast.Name]] = {}
        for n in tree_nodes(prog):
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store):
                found.setdefault(n.id, []).append(n)
        return found
    return per_analysis(prog, "_reads_by_name", build)


def _deferred(prog: Program) -> list[tuple[ast.AST, list[ast.Name]]]:
    """Functions, lambdas and classes with the names they read (listed once per analysis)."""
    return per_analysis(prog, "_deferred_reads", lambda: [
        (node, [n for n in ast.walk(node) if isinstance(n, ast.Name) and n.id not in _locals(node)])
        for node in tree_nodes(prog) if isinstance(node, _DEFERRED)])


def _locals(node: ast.AST) -> set[str]:
    """A function's parameters and the names it binds itself (not in nested scopes, not declared global)."""
    if isinstance(node, ast.ClassDef):
        return set()
    a = node.args
    out = {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x]}
    todo, declared = list(node.body) if isinstance(node.body, list) else [node.body], set()
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.Global, ast.Nonlocal)):
            declared.update(n.names)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            out.add(n.id)
        if not isinstance(n, _DEFERRED + _COMPREHENSIONS):   # NOTE: a nested scope's own names are its own
            todo.extend(ast.iter_child_nodes(n))
    return out - declared


def layer_name(prog: Program, call: ast.Call, key: str) -> str:
    """The Keras layer object's name; in a rebound chain the tf.layers name ('dense', 'dense_1'), not '<tensor>_layer'."""
    name = next((c.name for c in prog.chains.values() if key in c.keys), key)
    if name not in _rebound(prog):
        return plain_layer_name(prog, call, key)
    given = given_name(call)
    used = tree_names(prog) | set(prog.entities)
    if isinstance(given, str) and given.isidentifier() and given != name and given not in used:
        return given
    base = (prog.call_key(call) or "layer").rsplit(".", 1)[-1]
    found, i = base, 0
    while found in used:
        i += 1
        found = f"{base}_{i}"
    return found


def _rebound(prog: Program) -> set[str]:
    """Names bound twice by `name = ...` at module level (scope blocks included): their layers are named by kind."""
    seen: set[str] = set()
    twice: set[str] = set()
    todo = list(prog.tree.body)
    while todo:
        stmt = todo.pop(0)
        if isinstance(stmt, ast.With):
            todo[:0] = stmt.body
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            (twice if stmt.targets[0].id in seen else seen).add(stmt.targets[0].id)
    return twice


def chain_of(prog: Program, entity: Entity) -> tuple[Chain, int] | None:
    """The chain `entity` is a version of, and which version, or None."""
    chain = prog.chains.get(entity.name)
    if chain is None:
        return None
    return next(((chain, i) for i, k in enumerate(chain.keys) if prog.entities.get(k) is entity), None)


def local_name(prog: Program, key: str) -> str | None:
    """A folded version is read, inside the next version's function, as the local variable of the user's name."""
    return next((c.name for c in prog.chains.values() if key in c.folded), None)


def finish(prog: Program) -> None:
    """After `_resolve`: check every version is a tensor, fold what can be folded, name the functions."""
    reads: dict[str, int] = {}
    for node in tree_nodes(prog):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Store):
            reads[node.id] = reads.get(node.id, 0) + 1
    for chain in prog.chains.values():
        versions = [prog.entities.get(k) for k in chain.keys]
        bad = next((i for i, e in enumerate(versions) if i and (e is None or e.kind != "tensor")), None)
        if bad is not None:
            what = f"a graph {versions[bad].kind}" if versions[bad] is not None else "a value that is not a graph tensor"
            prog.block(chain.stmts[bad], f"'{chain.name}' is rebound to {what}; native mode rebinds a name only to "
                                         "graph tensors: give the value its own name")
            continue
        owned = _owned(versions[0])
        if not owned:
            _fold(prog, chain, versions, reads)
        for i, (key, e) in enumerate(zip(chain.keys, versions)):
            if key not in chain.folded and not (i == 0 and owned):
                last = i == len(versions) - 1 and not owned
                e.func = chain.name if last else key if i else _fresh(prog, f"{chain.name}_0")
            e.name = chain.name
    random_constants(prog)
    prog.rebound += data_rebinds(prog)
    if not prog.rebound:   # NOTE: a later session's resets name variables: only once every version has its name
        prog.rebound += pending_resets(prog)
    _rename_in_blockers(prog)


def _owned(first: Entity) -> bool:
    """The first version keeps the user's name: a placeholder (its functions' parameter) or a tensor bound with
    others (`outputs, state = tf.nn.dynamic_rnn(...)`, whose rule names the functions after the targets).

    Later versions then get versioned functions and none is folded: a local `outputs` would hide that name.
    """
    stmt = first.stmt
    return first.kind == "placeholder" or not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                                              and isinstance(stmt.targets[0], ast.Name))


def _fold(prog: Program, chain: Chain, versions: list[Entity], reads: dict[str, int]) -> None:
    """Fold each version read only by the next one into the next one's function (last to first).

    A constant version stays the statement it is, computed where it is written; if a function reads it and is
    called after the name is bound again, that version gets a name of its own (`own_name`).
    """
    computed = [False] * len(versions)   # written inside a function: its own or a later version's
    for i in range(len(versions) - 1, -1, -1):
        e, key = versions[i], chain.keys[i]
        nxt = versions[i + 1] if i + 1 < len(versions) else None
        only_next = nxt is not None and reads.get(key, 0) == _reads_in(nxt.stmt.value, key)
        if only_next and computed[i + 1] and not e.first and not e.value:
            chain.folded.add(key)
            computed[i] = True
            continue
        computed[i] = not _constant(e)
        if nxt is not None and not computed[i] and _read_late(prog, key, chain.stmts[i + 1]):
            own_name(prog, chain, i)


def _read_late(prog: Program, key: str, rebinding: ast.stmt) -> bool:
    """A function reading version `key` (directly, or through the functions it calls) is called after `rebinding`.

    Module-level code reads a constant version where it stands, in statement order; only a function (a tensor
    fed by placeholders or reading variables) reads the global when it is called.
    """
    users: dict[str, list[str]] = {}
    for name, e in prog.entities.items():
        for d in e.deps:
            users.setdefault(d, []).append(name)
    readers, todo = set(), [u for u in users.get(key, ()) if not _constant(prog.entities[u])]
    while todo:
        name = todo.pop()
        if name not in readers:
            readers.add(name)
            todo += users.get(name, ())
    if not readers:
        return False
    inside = {id(n) for r in readers for n in ast.walk(prog.entities[r].stmt)}
    end = (rebinding.end_lineno, rebinding.end_col_offset)
    return any(isinstance(n, ast.Name) and n.id in readers and id(n) not in inside
               and (n.lineno, n.col_offset) >= end for n in tree_nodes(prog))


def _respell_version(prog: Program, chain: Chain, i: int, rebinding: ast.stmt) -> bool:
    """A graph object other than a tensor, bound again: its version `i` gets a name of its own (`W` -> `W_0`).

    Variables, optimizers and gradient lists are objects made once, where they are written; every function that
    reads one reads that object. Spelling each version with its own name says so (the file is analysed again).
    """
    key, stmt = chain.keys[i], chain.stmts[i]
    stores = [n for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id == chain.name]
    if not stores:
        return False
    end = (rebinding.end_lineno, rebinding.end_col_offset)
    reads = [n for n in _reads(prog).get(key, []) if (n.lineno, n.col_offset) < end]
    new, k = f"{chain.name}_{i}", i
    while new in tree_names(prog) or any(r.new == new for r in prog.rebound if isinstance(r, Respell)):
        k += 1
        new = f"{chain.name}_{k}"
    prog.rebound.append(Respell(tuple((n.lineno, n.col_offset, n.end_col_offset) for n in stores + reads), new))
    return True


def own_name(prog: Program, chain: Chain, i: int) -> None:
    """Version `i` and its reads are spelled with a name of its own (`c` -> `c_0`), and the file analysed again."""
    key, stmt = chain.keys[i], chain.stmts[i]
    nodes = [n for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id == chain.name]
    nodes += _reads(prog).get(key, [])
    prog.rebound.append(Respell(tuple((n.lineno, n.col_offset, n.end_col_offset) for n in nodes),
                                _fresh(prog, f"{chain.name}_{i}")))


def _constant(e: Entity) -> bool:
    """Computed once, eagerly (no placeholder, no variable): the statement stays as it is written."""
    return e.kind == "tensor" and not e.params and not e.variables


def _reads_in(node: ast.AST, key: str) -> int:
    return sum(1 for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == key)


def _rename_in_blockers(prog: Program) -> None:
    """Reports name what the user wrote: 'h', not the version key 'h_1'."""
    keys = {k: c.name for c in prog.chains.values() for k in c.keys[1:]}
    if not keys:
        return
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(keys, key=len, reverse=True))) + r")\b")
    prog.blockers[:] = [type(b)(b.line, pattern.sub(lambda m: keys[m.group()], b.reason)) for b in prog.blockers]
