"""Random tensors of no placeholder and no variable: drawn once where TF1 drew once, on each call where it drew on each run.

A random tensor fetched by one `sess.run`, outside any loop, drew once in TF1: native code computes it once,
where it is written (`c = tf.random.uniform([])`, `print(c.numpy())`). One run by several statements or in a
loop drew new numbers on each run; native code makes it a function drawn on each call:

    c = tf.random_uniform([], seed=2)        ->   @tf.function
    print(sess.run(c))       # 3.57                def c():
    print(sess.run(c * 2))   # a new draw              return tf.random.uniform([], seed=2)
                                                   print(c().numpy())
                                                   print((c() * 2).numpy())

`tf.function` gives each random op its own stream, as a TF1 graph op has (eager ops with one op seed share
one stream, so a random constant whose seed another random call repeats is drawn this way too). With an
op-level seed the calls draw TF1's numbers (3.57, then -5.97); with only a graph-level seed TF2 picks other
op seeds (other numbers, same distribution and shape; `tf-upgrade verify` numbers op seeds alike on both
sides). Tensors computed from a drawn one are plain functions calling it, so they read its one stream. A
later session starts the numbers over, as TF1's did: `c = tf.function(c.python_function)` where it opens.

Still blocked, with the reason: a run that would call one draw twice (`sess.run([c, c * 2])`: TF1 drew `c`
once for both), a random tensor read by a function of placeholders or variables, or by anything but a run
and the random tensors built from it, and one that both draws and reads another drawn tensor.
"""
from __future__ import annotations

import ast
from collections import Counter
from typing import TYPE_CHECKING

from upgrader.native.naming import per_analysis, tree_nodes
from upgrader.native.random_readers import follow
from upgrader.native.sessions import session_target

if TYPE_CHECKING:
    from upgrader.native.model import Program

RANDOM = ("tf.random", "tf.truncated_normal", "tf.multinomial", "tf.image.random_", "tf.nn.dropout")
_LOOPS = (ast.For, ast.While, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_BUILT = ("tensor", "train", "gradients")   # kinds that become functions, run each time they are called
_HOW = "make it a function: def sample(): return tf.random..."


def check(prog: Program) -> None:
    """Mark the random constants TF1 drew on each run as drawn functions, or block (module docstring)."""
    random = _random_constants(prog)
    if not random:
        return
    for key, e in list(prog.entities.items()):
        if e.kind in _BUILT and (e.params or e.variables) and (hit := next((d for d in e.deps if d in random), None)):
            why = follow(prog, hit, key, random)   # drawn inside its one reader, once per run (native/random_readers.py)
            if why is not None:
                _block(prog, e.stmt, hit, f"'{key}' reads it and runs on every call" + (f", and {why}" if why else ""))
                return
            random.discard(hit)
    defs = {id(n) for e in prog.entities.values() for n in ast.walk(e.stmt)}
    parents = {id(c): p for p in tree_nodes(prog) for c in ast.iter_child_nodes(p)}
    sites = sorted((n for n in tree_nodes(prog) if isinstance(n, ast.Name) and n.id in random and id(n) not in defs
                    and isinstance(n.ctx, ast.Load)), key=lambda n: (n.lineno, n.col_offset))
    looped = {n.id for n in sites if _inside(n, parents, _LOOPS)}
    runs: dict[str, set[int]] = {}
    for n in sites:
        runs.setdefault(n.id, set()).add(id(_run_call(prog, n, parents) or _statement(n, parents)))
    again = looped | {k for k, calls in runs.items() if len(calls) > 1} | _shared_seeds(prog, random)
    if not again:
        return
    drawn = _component(prog, random, again)
    if _blocked(prog, drawn, [n for n in sites if n.id in drawn], parents):
        return
    for key in drawn:
        prog.entities[key].drawn = True


def _blocked(prog: Program, drawn: set[str], sites: list[ast.Name], parents: dict[int, ast.AST]) -> bool:
    """Block (and say True) where calling the drawn functions would not draw what TF1 drew."""
    for key in drawn:
        readers = [k for k, e in prog.entities.items() if k not in drawn and key in e.deps]
        if readers:
            how = "it is run by more than one statement" if prog.entities[readers[0]].kind == "tensor" else (
                f"'{readers[0]}' (a graph {prog.entities[readers[0]].kind}) reads it")
            _block(prog, prog.entities[readers[0]].stmt, key, how)
            return True
        if _draws_itself(prog, key) and (inner := next((d for d in prog.entities[key].deps if d in drawn), None)):
            _block(prog, prog.entities[key].stmt, inner, f"'{prog.entities[key].name}' draws numbers of its own from "
                                                         "it (a tf.function would give it a second stream)")
            return True
    session_of, opened = _sessions(prog)
    seen: dict[str, int] = {}
    by_run: dict[int, Counter[str]] = {}
    restarts = per_analysis(prog, "_random_restarts", dict)
    for n in sites:
        run = _run_call(prog, n, parents)
        if run is None:
            _block(prog, n, n.id, "it is used outside sess.run")
            return True
        session = session_of.get(id(_top(n, parents)), 0)
        counts = by_run.setdefault(id(run), Counter())
        for source in _draws(prog, n.id, drawn):
            counts[source] += _draws(prog, n.id, drawn)[source]
            if seen.setdefault(source, session) != session:   # NOTE: a new TF1 session starts the op's numbers over
                names = restarts.setdefault(id(opened[session]), [])
                names += [] if source in names else [source]
                seen[source] = session
        twice = next((k for k, c in counts.items() if c > 1), None)
        if twice is not None:
            _block(prog, n, twice, f"the run at line {run.lineno} reads it more than once (TF1 drew it once for "
                                   "the whole run, native code would call it once per read)")
            return True
    return False


def restarts(prog: Program, session: ast.stmt, tf: str) -> str:
    """Lines that start the drawn functions' numbers over where a later session opens (TF1 did), or ""."""
    return "".join(f"{f} = {tf}.function({f}.python_function)  # a new session: {f}'s random numbers start over\n"
                   for f in (prog.entities[k].func for k in per_analysis(prog, "_random_restarts", dict).get(
                       id(session), ())))


def _draws_itself(prog: Program, key: str) -> bool:
    return any((k := prog.call_key(n)) is not None and k.startswith(RANDOM) for n in ast.walk(prog.entities[key].stmt.value))


def _shared_seeds(prog: Program, random: set[str]) -> set[str]:
    """Random constants whose op seed another random call repeats: eager ops with one seed share one stream."""
    seeds: Counter[str] = Counter()
    for n in tree_nodes(prog):
        if (k := prog.call_key(n)) is not None and k.startswith(RANDOM):
            seeds.update(ast.dump(kw.value) for kw in n.keywords if kw.arg == "seed")
    return {k for k in random if _draws_itself(prog, k) and any(
        kw.arg == "seed" and seeds[ast.dump(kw.value)] > 1 for n in ast.walk(prog.entities[k].stmt.value)
        if isinstance(n, ast.Call) for kw in n.keywords)}


def _draws(prog: Program, key: str, drawn: set[str]) -> Counter[str]:
    """The random sources a call of `key`'s function draws, with how many times each."""
    e = prog.entities[key]
    out: Counter[str] = Counter()
    if _draws_itself(prog, key):
        out[key] += 1
    for n in ast.walk(e.stmt.value):
        if isinstance(n, ast.Name) and n.id in drawn and n.id != key:
            out.update(_draws(prog, n.id, drawn))
    return out


def _component(prog: Program, random: set[str], start: set[str]) -> set[str]:
    """`start` and every random constant linked to it by reading or being read (all must be drawn alike)."""
    out, todo = set(), list(start)
    while todo:
        k = todo.pop()
        if k in out:
            continue
        out.add(k)
        todo += [d for d in prog.entities[k].deps if d in random]
        todo += [r for r in random if k in prog.entities[r].deps]
    return out


def _run_call(prog: Program, node: ast.AST, parents: dict[int, ast.AST]) -> ast.Call | None:
    """The `sess.run(...)` / `<tensor>.eval()` call `node` is fetched by, or None."""
    p = parents.get(id(node))
    while p is not None and not isinstance(p, ast.stmt):
        if isinstance(p, ast.Call) and isinstance(p.func, ast.Attribute) and (
                p.func.attr == "run" and isinstance(p.func.value, ast.Name) and p.func.value.id == prog.session_name
                or p.func.attr == "eval"):
            return p
        p = parents.get(id(p))
    return None


def _sessions(prog: Program) -> tuple[dict[int, int], dict[int, ast.stmt]]:
    """Top-level statement id -> the number of sessions opened up to and including it; number -> its statement."""
    out: dict[int, int] = {}
    opened: dict[int, ast.stmt] = {}
    for stmt in prog.tree.body:
        if session_target(prog, stmt) is not None:
            opened[len(opened) + 1] = stmt
        out[id(stmt)] = len(opened)
    return out, opened


def _block(prog: Program, node: ast.AST, key: str, how: str) -> None:
    name = prog.entities[key].name
    prog.block(node, f"'{name}' is a random tensor and {how}: TF1 draws new numbers on each run, native code computes "
                     f"a tensor of no placeholder or variable once ({_HOW})")


def _inside(node: ast.AST, parents: dict[int, ast.AST], kinds: tuple[type, ...]) -> bool:
    p = parents.get(id(node))
    while p is not None and not isinstance(p, kinds):
        p = parents.get(id(p))
    return p is not None


def _statement(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    while not isinstance(node, ast.stmt) and id(node) in parents:
        node = parents[id(node)]
    return node


def _top(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    while id(node) in parents and not isinstance(parents[id(node)], ast.Module):
        node = parents[id(node)]
    return node


def _random_constants(prog: Program) -> set[str]:
    """Keys of the constant tensors that draw random numbers, or compute from one that does."""
    out: set[str] = set()
    for key in prog.order:
        e = prog.entities.get(key)
        if e is None or e.kind != "tensor" or e.params or e.variables or not isinstance(e.stmt, ast.Assign):
            continue
        if any(d in out for d in e.deps) or any((k := prog.call_key(n)) is not None and k.startswith(RANDOM)
                                                for n in ast.walk(e.stmt.value)):
            out.add(key)
    return out
