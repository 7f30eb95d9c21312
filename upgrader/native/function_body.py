"""A whole TF1 program inside one function: `def main(): <build graph>; with tf.Session() as sess: ...`.

The function's body is written out in place as module-level code, between two marker comments, in
the file as it is (so the analysis sees the module's helpers: `images = convolve(image, kernels)`
is a list of tensors because `convolve` returns one). That flat program converts like any script;
the text between the markers then goes back, indented, under the function's own `def` line and
docstring: the graph's tensors become nested functions and the training step a nested
`@tf.function`, next to the code that uses them; the function's locals stay locals, and it keeps
its name, parameters and callers. Other such functions are kept aside (a `pass` stub) while one
is converted (and those already converted, which are TF2 code now), and converted in turn.

    lift(code, tree, upgrade)  ->  (the file with each such function's body converted, results), or None
"""
from __future__ import annotations

import ast
import builtins
import dataclasses
from typing import Callable

from upgrader.native.base import Blocked

SESSIONS = frozenset({"Session", "InteractiveSession"})
GRAPH = frozenset({"placeholder", "Variable", "get_variable", "variable_scope"})
BEGIN, END, KEPT = ("# --- tfcompat: the body of {} %s ---" % w for w in ("begins here", "ends here", "is kept aside"))
RETURNED = "tfcompat_returned_value"   # NOTE: the final `return X` stands as `RETURNED = X` while the body is flat


def _attrs(node: ast.AST) -> set[str]:
    return {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def _own(fn: ast.FunctionDef) -> list[ast.AST]:
    """The nodes of `fn`'s own scope (not those of defs, lambdas and classes nested in it)."""
    out, todo = [], list(ast.iter_child_nodes(fn))
    while todo:
        n = todo.pop()
        out.append(n)
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(n))
    return out


def _params(fn: ast.FunctionDef) -> set[str]:
    return {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}


def _runs_a_parameter(fn: ast.FunctionDef) -> bool:
    """`def show(images): with tf.Session() as s: s.run(images)`: it runs tensors built by its caller."""
    runs = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") in ("run", "eval")]
    return any(isinstance(m, ast.Name) and m.id in _params(fn) for r in runs for m in ast.walk(r))


def _fetches_a_parameter(fn: ast.FunctionDef) -> bool:
    """A parameter is fetched (`sess.run(loss)`, `loss.eval()`) or fed (`{x: data}`): the caller's tensors."""
    params = _params(fn)
    for n in ast.walk(fn):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("run", "eval"):
            feeds = [a for a in n.args[1:2] + [k.value for k in n.keywords if k.arg == "feed_dict"] if isinstance(a, ast.Dict)]
            roles = [n.func.value] if n.func.attr == "eval" else n.args[:1] + [k for a in feeds for k in a.keys if k]
            if any(isinstance(m, ast.Name) and m.id in params for r in roles for m in ast.walk(r)):
                return True
    return False


def candidates(tree: ast.Module) -> list[ast.FunctionDef]:
    """Top-level defs that open a session on a graph they build, with a body that can stand alone."""
    out = []
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        words = _attrs(fn)
        if not words & SESSIONS or not (words & GRAPH or not _runs_a_parameter(fn)):
            continue
        if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal)) or isinstance(n, ast.Return)
               and n is not fn.body[-1] for n in _own(fn)):
            continue   # a body with yield, or a return before its end, is not a program on its own
        if isinstance(fn.body[-1], ast.Return) and _fetches_a_parameter(fn):
            continue   # it returns what it computed from its caller's tensors: session code, not a program
        out.append(fn)
    return out


def _body(fn: ast.FunctionDef) -> list[ast.stmt]:
    return fn.body[1:] if ast.get_docstring(fn) is not None else fn.body


def _bound(nodes: list[ast.AST]) -> set[str]:
    names = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
    names |= {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return names | {(a.asname or a.name).split(".")[0] for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))
                    for a in n.names}


def _reads(node: ast.AST) -> set[str]:
    """The global names a top-level statement reads (a def's own locals and parameters left out)."""
    read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        read -= _bound([n for n in ast.walk(node) if n is not node]) | {a.arg for a in ast.walk(node)
                                                                        if isinstance(a, ast.arg)}
    return read


def _clash(tree: ast.Module, fn: ast.FunctionDef) -> str | None:
    """A name `fn` binds that another top-level def or class reads as a global: flat, it would read `fn`'s value."""
    mine = _bound(_own(fn)) | _params(fn)
    for other in tree.body:
        if other is fn or not isinstance(other, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        read = _reads(other)
        if read & mine:
            return f"'{other.name}' reads the global '{sorted(read & mine)[0]}', which '{fn.name}' also binds"
    return None


def _flat(lines: list[str], fn: ast.FunctionDef, others: list[ast.FunctionDef]) -> tuple[list[str], list[int]] | None:
    """The file's lines with `fn`'s body at module level between markers, `others` stubbed; and each line's origin."""
    out: list[str] = []
    origin: list[int] = []
    cuts = sorted([fn, *others], key=lambda f: f.lineno)
    at = 0
    for f in cuts:
        body = _body(f)
        first = body[0].lineno - 1
        stop = min(d.lineno for d in [f, *f.decorator_list]) - 1 if f is fn else first
        out += lines[at:stop]
        origin += list(range(at + 1, stop + 1))
        indent = body[0].col_offset
        if f is fn:
            block = lines[first:f.end_lineno]
            if any(ln.strip() and not ln[:indent].isspace() for ln in block):
                return None   # a multi-line string at a lower indentation: leave the function alone
            out.append(BEGIN.format(f.name) + "\n")
            origin.append(f.lineno)
            if isinstance(f.body[-1], ast.Return):   # the value it returns is computed like any module-level value
                at_return = f.body[-1].lineno - 1 - first
                head = block[at_return][indent:]
                block = block[:at_return] + [" " * indent + (head.replace("return", f"{RETURNED} =", 1) if f.body[
                    -1].value is not None else "pass\n")] + block[at_return + 1:]
            out += [ln[indent:] if ln.strip() else ln.lstrip(" \t") for ln in block]
            origin += list(range(first + 1, f.end_lineno + 1))
            out.append(END.format(f.name) + "\n")
            origin.append(f.end_lineno)
        else:
            out.append(" " * indent + "pass  " + KEPT.format(f.name) + "\n")
            origin.append(first + 1)
        at = f.end_lineno
    out += lines[at:]
    origin += list(range(at + 1, len(lines) + 1))
    return out, origin


def _fold(converted: str, lines: list[str], fn: ast.FunctionDef, others: list[ast.FunctionDef]) -> str:
    """The converted flat program with the marked region back under `fn`'s def and the stubs restored."""
    new = converted.splitlines(keepends=True)
    marks = [i for i, ln in enumerate(new) if ln.strip() in (BEGIN.format(fn.name), END.format(fn.name))]
    if len(marks) != 2 or new[marks[0]].strip() != BEGIN.format(fn.name):
        raise ValueError(f"the body of '{fn.name}' lost its place in the converted program")
    body = _body(fn)
    pad = " " * body[0].col_offset
    head = lines[min(d.lineno for d in [fn, *fn.decorator_list]) - 1:body[0].lineno - 1]
    region: list[str] = []
    for ln in new[marks[0] + 1:marks[1]]:   # NOTE: one blank line between nested defs, as PEP 8 has it
        if ln.strip() or (region and region[-1].strip()):
            region.append(pad + ln if ln.strip() else ln)
    while region and not region[-1].strip():
        region.pop()
    if isinstance(fn.body[-1], ast.Return) and fn.body[-1].value is not None:
        at = [i for i, ln in enumerate(region) if ln.startswith(f"{pad}{RETURNED} = ")]
        if len(at) != 1:
            raise ValueError("the value it returns lost its place in the converted program")
        region[at[0]] = region[at[0]].replace(f"{RETURNED} =", "return", 1)
    if region and region[0].lstrip().startswith(("def ", "@", "class ")) and ast.get_docstring(fn) is not None:
        region.insert(0, "\n")   # NOTE: a blank line between the docstring and a nested def
    out = new[:marks[0]] + head + region + new[marks[1] + 1:]
    for o in others:
        stub = next((i for i, ln in enumerate(out) if ln.strip().endswith(KEPT.format(o.name))), None)
        if stub is None:
            raise ValueError(f"the body of '{o.name}' lost its place in the converted program")
        out[stub:stub + 1] = lines[_body(o)[0].lineno - 1:o.end_lineno]
    return "".join(out)


def _escapes(folded: str, name: str) -> str | None:
    """A name the converted body binds that code outside the function reads (it was module-level while flat)."""
    tree = ast.parse(folded)
    fn = next(s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == name)
    inside = _bound([n for n in ast.walk(fn) if n is not fn])
    outside = [s for s in tree.body if s is not fn]
    module = _bound([n for s in outside
                     for n in ([s] if isinstance(s, (ast.FunctionDef, ast.ClassDef)) else ast.walk(s))])
    read = set().union(*(_reads(s) for s in outside))
    left = (inside & read) - module - set(dir(builtins))
    return sorted(left)[0] if left else None


def lift(code: str, tree: ast.Module, upgrade: Callable[[str], object]) -> tuple[str, list] | None:
    """Each candidate's body converted by `upgrade(text)` (a Result, or a list of what blocked it), put back.

    Returns (new code, results) when every candidate converted, None when there is none; raises the
    blockers (as a list in ValueError.args[0]) of the first that did not.
    """
    names = [f.name for f in candidates(tree)]
    if not names:
        return None
    results = []
    for name in names:
        fns = candidates(tree)
        fn = next((f for f in fns if f.name == name), None)
        if fn is None:
            continue
        if (why := _clash(tree, fn)) is not None:
            raise ValueError([Blocked(fn.lineno, f"the graph is built inside function '{name}', which cannot be "
                                                 f"written out as module-level code: {why}")])
        others = [f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name in names and f is not fn]
        lines = code.splitlines(keepends=True)
        flat = _flat(lines, fn, others)
        if flat is None:
            return None
        text, origin = flat
        out = upgrade("".join(text))
        if isinstance(out, list):
            raise ValueError([type(b)(origin[min(max(b.line, 1), len(origin)) - 1], b.reason) for b in out])
        try:
            code = _fold(out.code, lines, fn, others)
            left = _escapes(code, name)
        except (ValueError, SyntaxError, StopIteration) as e:
            raise ValueError([Blocked(fn.lineno, f"function '{name}': {e}")]) from None
        if left is not None:
            raise ValueError([Blocked(fn.lineno, f"function '{name}', converted as module-level code, binds '{left}', "
                                                 "which code outside it reads")])
        out.diagnostics = [dataclasses.replace(d, line=origin[min(max(d.line, 1), len(origin)) - 1])
                           for d in out.diagnostics]
        results.append(out)
        tree = ast.parse(code)
    return code, results
