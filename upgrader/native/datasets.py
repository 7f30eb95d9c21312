"""TF1 dataset iterators in the native analysis: what get_next() binds, and where each element is pulled.

In TF1 every `sess.run` (or `.eval()`) that needs a get_next() tensor pulls one new element, shared by all
the fetches of that call, and OutOfRangeError ends the data. Native code binds the element to Python names:

    it = ds.make_one_shot_iterator(); bx, by = it.get_next()   ->  prog.iterators["it"].elements == ("bx", "by")
    while True: try: sess.run(train) except OutOfRangeError: break   ->  Loop: `for bx, by in ds:`
    for i in range(3): sess.run(train)                        ->  Pull: `bx, by = next(it)` before the call

`plan(prog)` finds every loop, pull and initializer run in the session's code; what it cannot prove raises `Blocked`.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from upgrader.native.naming import tree_nodes

MAKERS = {"make_one_shot_iterator": True, "make_initializable_iterator": False}
OUT_OF_RANGE = "tf.errors.OutOfRangeError"
LOOPS = (ast.For, ast.While)
COMPOUND = (ast.For, ast.While, ast.If, ast.With, ast.Try)


@dataclass
class Iterator:
    """A v1 iterator: made from `dataset` at `stmt`, its element bound to `elements` by get_next()."""
    name: str                  # '' when chained: `ds.make_one_shot_iterator().get_next()`
    dataset: ast.expr          # the dataset expression (usually a Name)
    one_shot: bool
    stmt: ast.stmt
    call: ast.Call             # the make_*_iterator call
    elements: tuple[str, ...] = ()
    target: ast.expr | None = None   # get_next()'s assignment target, as written ('bx, by')
    get_next: ast.stmt | None = None
    inits: dict[str, ast.expr] = field(default_factory=dict)   # Iterator.from_structure: initializer -> dataset
    init_stmts: list[ast.stmt] = field(default_factory=list)   # their `init = it.make_initializer(ds)` statements


@dataclass(frozen=True)
class Loop:
    """`while True: try: <pull> ... except OutOfRangeError: break` (or the try around the while): a for loop."""
    stmt: ast.stmt
    iterator: str
    groups: tuple[tuple[ast.stmt, ...], ...]   # the for loop's body, as statement runs; the pull comes first
    handler: tuple[ast.stmt, ...]              # what ran when the data ended (without its `break`)
    broken: bool                               # the body breaks out itself: the handler goes in `else:`
    nested: bool                               # inside another loop


@dataclass
class Plan:
    loops: dict[int, Loop] = field(default_factory=dict)
    inits: dict[int, tuple[str, ast.Call]] = field(default_factory=dict)   # stmt id -> (iterator, sess.run call)
    pulls: dict[int, tuple[str, ...]] = field(default_factory=dict)        # stmt id -> iterators it pulls from
    bound: set[int] = field(default_factory=set)     # pulls whose element a for loop binds
    touched: set[int] = field(default_factory=set)   # compound statements with any of the above inside
    direct: set[str] = field(default_factory=set)    # iterators whose loops iterate the dataset itself
    paired: dict[int, int] = field(default_factory=dict)   # loop stmt id -> the initializer run it follows


def _blocked(line: int, reason: str) -> Exception:
    from upgrader.native.base import Blocked   # NOTE: base imports model, which imports this module
    return Blocked(line, reason)


def iterator_statement(prog: Any, stmt: ast.stmt) -> bool:
    """Record `it = ds.make_*_iterator()` / `x, y = it.get_next()` (True), else False (model.py's hook)."""
    from upgrader.native.reinit_iterators import reinit_statement
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1) or reinit_statement(prog, stmt):
        return isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
    target, call = stmt.targets[0], stmt.value
    f = getattr(call, "func", None)
    if isinstance(call, ast.Call) and isinstance(f, ast.Attribute) and f.attr == "get_next" and not call.args and not call.keywords:
        inner = f.value
        if isinstance(inner, ast.Name) and inner.id in prog.iterators:
            it = prog.iterators[inner.id]
        elif (it := _maker(prog, stmt, inner, "")) is None:
            return False
        _elements(prog, stmt, it, target)
        return True
    if isinstance(target, ast.Name) and (it := _maker(prog, stmt, call, target.id)) is not None:
        prog.iterators[target.id] = it
        prog.entities[target.id] = _entity(target.id, stmt)
        prog.order.append(target.id)
        return True
    for n in ast.walk(call):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MAKERS:
            prog.block(n, f"{n.func.attr}() inside an expression: native mode converts an iterator made as a "
                          f"statement's whole value (it = ds.{n.func.attr}())")
            return True
    return False


def _entity(name: str, stmt: ast.stmt, kind: str = "iterator") -> Any:
    from upgrader.native.model import Entity   # NOTE: model imports this module
    return Entity(name, kind, stmt, func=name)


def _maker(prog: Any, stmt: ast.stmt, call: ast.AST, name: str) -> Iterator | None:
    """`ds.make_one_shot_iterator()` or `tf.data.make_one_shot_iterator(ds)` -> an Iterator; None for other calls."""
    if not isinstance(call, ast.Call):
        return None
    key = prog.call_key(call) or ""
    if key.startswith("tf.data.make_") and key.rsplit(".", 1)[-1] in MAKERS and len(call.args) == 1 and not call.keywords:
        dataset, one_shot = call.args[0], MAKERS[key.rsplit(".", 1)[-1]]
    elif isinstance(call.func, ast.Attribute) and call.func.attr in MAKERS and prog.key(call.func.value) is None:
        dataset, one_shot = call.func.value, MAKERS[call.func.attr]
        if call.args or call.keywords:
            prog.block(call, f".{call.func.attr}() with arguments (shared_name) is not converted natively")
    else:
        return None
    it = Iterator(name, dataset, one_shot, stmt, call)
    ds = prog.entities.get(dataset.id) if isinstance(dataset, ast.Name) else None
    graph = [n.id for n in ast.walk(dataset) if isinstance(n, ast.Name) and n.id in prog.entities]
    if ds is None and graph:
        prog.block(call, "a dataset expression that uses graph tensors inline: assign the dataset to a name first")
    elif ds is not None and ds.kind != "tensor":
        prog.block(call, f"'{dataset.id}' (a graph {ds.kind}) is not a dataset native mode can iterate")
    elif ds is not None and one_shot and ds.params:
        prog.block(call, f"one-shot iterator over '{dataset.id}', which is built from placeholders "
                         f"({', '.join(ds.params)}); TF1 cannot capture them either (use make_initializable_iterator)")
    elif not name and not one_shot:
        prog.block(call, "an initializable iterator with no name cannot be initialised: assign it to a name")
    return it


def _elements(prog: Any, stmt: ast.stmt, it: Iterator, target: ast.expr) -> None:
    names = [target] if isinstance(target, ast.Name) else list(target.elts) if isinstance(target, (ast.Tuple, ast.List)) else []
    if not names or not all(isinstance(n, ast.Name) for n in names):
        prog.block(stmt, "get_next() assigned to something other than a name or a flat tuple of names")
        return
    if it.get_next is not None:
        prog.block(stmt, f"a second get_next() on '{it.name}': each would pull its own element in TF1")
        return
    it.elements, it.target, it.get_next = tuple(n.id for n in names), target, stmt
    if not it.name:
        prog.iterators["<" + ",".join(it.elements) + ">"] = it
    for n in it.elements:
        if n in prog.entities:
            prog.block(stmt, f"'{n}' is assigned twice while the graph is built; native mode needs one name per tensor")
        prog.entities[n] = _entity(n, stmt, "placeholder")
        prog.order.append(n)
        prog.flags.add(n)   # NOTE: passed as they come from the dataset: no convert_to_tensor, no TensorSpec


def handled_call(prog: Any, node: ast.AST) -> bool:
    """True for a make_*_iterator call that `iterator_statement` recorded (not a blocker)."""
    return any(it.call is node for it in prog.iterators.values())


def bound(prog: Any) -> dict[str, str]:
    """Element name -> the Python name holding it where a sess.run is rewritten (the same name)."""
    return {e: e for it in prog.iterators.values() for e in it.elements}


def owner(prog: Any) -> dict[str, str]:   # element name -> its iterator's key
    return {e: k for k, it in prog.iterators.items() for e in it.elements}


def _fetched(call: ast.Call, session: str | None) -> ast.AST | None:
    f = call.func
    if not isinstance(f, ast.Attribute):
        return None
    if isinstance(f.value, ast.Name) and f.value.id == session and f.attr == "run":
        return call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "fetches"), None)
    if f.attr == "eval" and isinstance(f.value, ast.Name):
        return f.value
    return None


def pulls_of(prog: Any, call: ast.Call) -> tuple[str, ...]:
    """The iterators a sess.run/.eval call takes an element from (every one its fetches depend on)."""
    fetches = _fetched(call, prog.session_name)
    if fetches is None:
        return ()
    of = owner(prog)
    needed: set[str] = set()
    for n in ast.walk(fetches):
        e = prog.entities.get(n.id) if isinstance(n, ast.Name) else None
        if e is not None:
            needed |= {n.id} if n.id in of else set(e.params)
    feed = next((k.value for k in call.keywords if k.arg == "feed_dict"), call.args[1] if len(call.args) > 1 else None)
    for k in feed.keys if isinstance(feed, ast.Dict) else []:
        if isinstance(k, ast.Name) and k.id in of:
            raise _blocked(k.lineno, f"feed_dict feeds '{k.id}', a get_next() element: native code binds it from the dataset")
    return tuple(dict.fromkeys(of[n] for n in sorted(needed) if n in of))


def _calls(prog: Any, node: ast.AST) -> list[ast.Call]:   # every sess.run / .eval call under `node`
    return [n for n in ast.walk(node) if isinstance(n, ast.Call) and _fetched(n, prog.session_name) is not None]


def _pull_calls(prog: Any, node: ast.AST) -> list[tuple[ast.Call, tuple[str, ...]]]:
    return [(c, p) for c in _calls(prog, node) if (p := pulls_of(prog, c))]


def _simple_pull(prog: Any, stmt: ast.stmt) -> tuple[str, ...]:
    """The iterators the one pulling call of a simple statement takes from; Blocked where TF1's order is unclear."""
    found = _pull_calls(prog, stmt)
    if len(found) > 1:
        raise _blocked(stmt.lineno, "two sess.run/eval calls that each take a dataset element in one statement: "
                                   "split them into separate statements")
    call = found[0][0]
    for n in ast.walk(stmt):
        if isinstance(n, (ast.Lambda, ast.IfExp, ast.BoolOp, ast.comprehension, ast.ListComp, ast.GeneratorExp,
                          ast.SetComp, ast.DictComp)) and any(c is call for c in ast.walk(n)):
            raise _blocked(stmt.lineno, "a sess.run that takes a dataset element runs conditionally or repeatedly "
                                       "inside an expression; native mode binds one element per statement")
    return found[0][1]


def _breaks(stmts: list[ast.stmt], kinds: tuple[type, ...] = (ast.Break,)) -> bool:
    """A break (or continue) that leaves the loop these statements are the body of."""
    for s in stmts:
        if isinstance(s, kinds):
            return True
        if isinstance(s, LOOPS):
            if _breaks(s.orelse, kinds):
                return True
        elif isinstance(s, (ast.If, ast.With, ast.Try)):
            blocks = [s.body, getattr(s, "orelse", []), getattr(s, "finalbody", [])]
            blocks += [h.body for h in getattr(s, "handlers", [])]
            if any(_breaks(b, kinds) for b in blocks):
                return True
    return False


def _oor_handler(prog: Any, t: ast.AST) -> ast.ExceptHandler | None:
    if not isinstance(t, ast.Try) or len(t.handlers) != 1 or t.orelse or t.finalbody:
        return None
    h = t.handlers[0]
    return h if h.type is not None and prog.key(h.type) == OUT_OF_RANGE and h.name is None else None


def _true(node: ast.expr) -> bool:   # `while True:` / `while 1:`
    return isinstance(node, ast.Constant) and (node.value is True or node.value == 1)


def as_loop(prog: Any, s: ast.stmt, nested: bool) -> Loop | None:
    """`s` as a for loop over one iterator's elements, when TF1's loop provably is one; else None."""
    if isinstance(s, ast.While) and _true(s.test) and not s.orelse and (h := _oor_handler(prog, s.body[0])):
        if not h.body or not isinstance(h.body[-1], ast.Break) or _breaks(h.body[:-1], (ast.Break, ast.Continue)):
            return None
        in_try, groups, handler = s.body[0].body, (tuple(s.body[0].body), tuple(s.body[1:])), tuple(h.body[:-1])
    elif (h := _oor_handler(prog, s)) and len(s.body) == 1 and isinstance(w := s.body[0], ast.While) and _true(
            w.test) and not w.orelse:
        in_try, groups, handler = w.body, (tuple(w.body),), tuple(x for x in h.body if not isinstance(x, ast.Pass))
    else:
        return None
    first = in_try[0]
    if isinstance(first, COMPOUND) or len(_calls(prog, first)) != 1 or not _pull_calls(prog, first):
        return None
    its = _simple_pull(prog, first)
    if len(its) != 1 or any(_pull_calls(prog, x) for x in in_try[1:]):
        return None   # NOTE: a second pull inside the try would also end the loop in TF1; next() keeps that
    return Loop(s, its[0], tuple(g for g in groups if g), handler, _breaks([x for g in groups for x in g]), nested)


def plan(prog: Any, session: list[ast.stmt]) -> Plan:
    """Where the session's code takes dataset elements; see the module docstring."""
    p = Plan()
    _visit(prog, p, session, False)
    for fn in session:   # a def that runs the session (native/session_defs.py): its body pairs its own runs
        if isinstance(fn, ast.FunctionDef) and _visit(prog, p, fn.body, False):
            p.touched.add(id(fn))
    _check_uses(prog, p)
    for key, it in prog.iterators.items():
        loops = [lp for lp in p.loops.values() if lp.iterator == key]
        pulled = any(key in its for its in p.pulls.values())
        inits = [i for i, (k, _) in p.inits.items() if k == key]
        if it.one_shot and inits or it.dataset is None and not inits:
            raise _blocked(it.stmt.lineno, f"'{it.name}' is a one-shot iterator but its initializer is run" if inits
                           else f"none of the initializers of '{it.name}' (Iterator.from_structure) is run")
        if it.one_shot and not pulled and len(loops) == 1 and not loops[0].nested:
            p.direct.add(key)
        elif not it.one_shot and not pulled and loops and all(id(lp.stmt) in p.paired for lp in loops) and len(
                {p.paired[id(lp.stmt)] for lp in loops}) == len(inits):
            p.direct.add(key)
    return p


def _visit(prog: Any, p: Plan, block: list[ast.stmt], nested: bool) -> bool:
    """Record the loops, pulls and initializer runs of `block`; True when it has any."""
    found = False
    pending: dict[str, tuple[int, set[str]]] = {}   # iterator -> (its initializer run, names its feed reads)
    for s in block:
        if isinstance(s, ast.FunctionDef):
            continue   # a session def: plan() visits its body on its own
        loop = as_loop(prog, s, nested)
        if loop is not None:
            p.loops[id(s)] = loop
            p.bound.add(id(loop.groups[0][0]))
            for g in loop.groups[1:] + (loop.groups[0][1:], loop.handler):
                _visit(prog, p, list(g), True)
            if loop.iterator in pending:
                p.paired[id(s)] = pending.pop(loop.iterator)[0]
            found = True
            continue
        init = _as_init(prog, s)
        if init is not None:
            p.inits[id(s)] = init
            pending[init[0]] = (id(s), {n.id for n in ast.walk(init[1]) if isinstance(n, ast.Name)})
            found = True
            continue
        stored = {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        if isinstance(s, COMPOUND):
            heads = [getattr(s, a) for a in ("test", "iter", "target") if hasattr(s, a)] + [
                i.context_expr for i in getattr(s, "items", [])] + [h.type for h in getattr(s, "handlers", []) if h.type]
            if any(_pull_calls(prog, h) for h in heads):
                raise _blocked(s.lineno, "a sess.run that takes a dataset element in a loop, if or with header")
            blocks = [s.body, getattr(s, "orelse", []), getattr(s, "finalbody", [])] + [
                h.body for h in getattr(s, "handlers", [])]
            inner = [_visit(prog, p, b, nested or isinstance(s, LOOPS)) for b in blocks if b]
            if any(inner):
                p.touched.add(id(s))
                found = True
        elif _pull_calls(prog, s):
            p.pulls[id(s)] = _simple_pull(prog, s)
            found = True
        touched = set(p.pulls.get(id(s), ())) | {k for k, (_, names) in pending.items() if names & stored}
        if isinstance(s, COMPOUND) and id(s) in p.touched:
            touched |= set(pending)   # NOTE: pairing an initializer with a later loop needs nothing of it in between
        for k in touched:
            pending.pop(k, None)
    return found


def _as_init(prog: Any, s: ast.stmt) -> tuple[str, ast.Call] | None:
    """`sess.run(it.initializer[, feed_dict])` -> ('it', call)."""
    call = s.value if isinstance(s, ast.Expr) else None
    if not (isinstance(call, ast.Call) and _fetched(call, prog.session_name) is not None and call.args):
        return None
    from upgrader.native.reinit_iterators import reinit_run
    arg = call.args[0]
    if isinstance(arg, (ast.List, ast.Tuple)):   # `[it.initializer, tf.global_variables_initializer()]`: TF2 needs
        its = [e for e in arg.elts if not _variable_init(prog, e)]   # no variable initializer, so the iterator's is it
        arg = its[0] if len(its) == 1 and len(arg.elts) > 1 else arg
    if (key := reinit_run(prog, arg)) is not None:
        return key, call
    if isinstance(arg, ast.Attribute) and arg.attr == "initializer" and isinstance(arg.value, ast.Name) and (
            arg.value.id in prog.iterators):
        return arg.value.id, call
    return None


def _variable_init(prog: Any, node: ast.expr) -> bool:
    """`tf.global_variables_initializer()` (local too), or a name bound to one, as a fetch."""
    from upgrader.native.model import INITS
    return prog.call_key(node) in INITS or isinstance(node, ast.Name) and prog.kind(node.id) == "init"


def _check_uses(prog: Any, p: Plan) -> None:
    """An iterator may appear only where it is made, in its get_next() and in `sess.run(it.initializer)`."""
    allowed = {id(it.stmt.targets[0]) for it in prog.iterators.values() if it.name}
    allowed |= {id(it.get_next.value.func.value) for it in prog.iterators.values() if it.get_next is not None}
    allowed |= {id(getattr(a, "value", None)) for _, call in p.inits.values()
                for a in getattr(call.args[0], "elts", [call.args[0]])}
    allowed |= {id(s.value.func.value) for it in prog.iterators.values() for s in it.init_stmts}
    of = owner(prog)
    local = {id(x) for d in tree_nodes(prog) if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
             and not any(isinstance(g, ast.Global) for g in ast.walk(d)) for x in ast.walk(d)}   # a def's own names
    for n in tree_nodes(prog):
        if isinstance(n, ast.Name) and n.id in prog.iterators and id(n) not in allowed:
            raise _blocked(n.lineno, f"iterator '{n.id}' is used in a way native mode cannot follow (only get_next() "
                                    "and sess.run(it.initializer) are converted)")
        if isinstance(n, ast.Name) and n.id in of and isinstance(n.ctx, ast.Store) and id(n) not in local and not any(
                n is x for x in ast.walk(prog.iterators[of[n.id]].target)):
            raise _blocked(n.lineno, f"'{n.id}' is a get_next() element and is assigned again")
    if (it := next((it for it in prog.iterators.values() if it.get_next is None), None)) is not None:
        raise _blocked(it.stmt.lineno, f"iterator '{it.name}' has no get_next() native mode can follow")



def dataset_source(prog: Any, it: Iterator, edit: Any, init: ast.Call | None) -> str:
    """The dataset as TF2 code: its name, or its function called with what the initializer run fed."""
    from upgrader.native.base import call_text
    from upgrader.native.fetch import feed
    from upgrader.native.reinit_iterators import chosen_dataset
    node = chosen_dataset(it, init) or it.dataset
    e = prog.entities.get(node.id) if isinstance(node, ast.Name) else None
    if e is None or not (e.params or e.variables):   # a constant dataset stays as it was written
        return edit.text(node)
    fed = feed(prog, init, edit, "feed_dict") if init is not None else {}
    missing = [q for q in e.params if q not in fed and not prog.entities[q].default]
    if missing:
        raise _blocked(init.lineno if init else it.stmt.lineno, f"the dataset '{node.id}' needs placeholder(s) "
                       f"{', '.join(missing)}, which the iterator's initializer run does not feed")
    return call_text(e, fed, prog)
