"""A whole TF1 program inside one function: `def main(): <build graph>; with tf.Session() as sess: ...`.

The function's body is analysed as a program of its own (with the file's imports in front, as
segments.py does for a script of several graphs), converted, and put back indented: the graph's
tensors become nested functions and the training step a nested `@tf.function`, next to the
code that uses them. The function keeps its name, parameters and callers.

    lift(code, tree, upgrade)  ->  the file with each such function's body converted, or None
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.native.segments import header, split_header, with_header

SESSIONS = frozenset({"Session", "InteractiveSession"})
GRAPH = frozenset({"placeholder", "Variable", "get_variable", "variable_scope"})


def _attrs(node: ast.AST) -> set[str]:
    return {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def candidates(tree: ast.Module) -> list[ast.FunctionDef]:
    """Top-level defs that build a graph and run it in a session, with a body that can stand alone."""
    out = []
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        words = _attrs(fn)
        if not (words & SESSIONS and words & GRAPH):
            continue
        own = [n for n in ast.walk(fn) if not _nested_in(fn, n)]
        if any(isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal)) for n in own):
            continue   # a body with return/yield is not a program on its own
        out.append(fn)
    return out


def _nested_in(fn: ast.FunctionDef, node: ast.AST) -> bool:
    """`node` lies inside a def or lambda nested in `fn` (its returns are its own)."""
    for inner in ast.walk(fn):
        if inner is not fn and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            if any(n is node for n in ast.walk(inner)):
                return True
    return False


def lift(code: str, tree: ast.Module, upgrade: Callable[[str], object]) -> tuple[str, list] | None:
    """Each candidate's body converted by `upgrade(text)` (a Result, or a list of what blocked it), put back.

    Returns (new code, results) when every candidate converted, None when there is none; raises the
    blockers (as a list in ValueError.args[0]) of the first that did not.
    """
    fns = candidates(tree)
    if not fns:
        return None
    lines = code.splitlines(keepends=True)
    imports = header(tree)
    results = []
    for fn in sorted(fns, key=lambda f: -f.lineno):
        body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
        first, last = body[0].lineno - 1, fn.end_lineno
        indent = body[0].col_offset
        block = lines[first:last]
        if any(ln.strip() and not ln[:indent].isspace() for ln in block):
            return None   # a multi-line string at a lower indentation: leave the function alone
        text = "".join(ln[indent:] if ln.strip() else ln.lstrip(" \t") for ln in block)
        out = upgrade(with_header(code, imports, text))
        if isinstance(out, list):
            shift = first - len([ln for s in imports for ln in range(s.lineno, s.end_lineno + 1)]) - 1
            raise ValueError([type(b)(b.line + shift, b.reason) for b in out])
        _, converted = split_header(out.code)
        pad = " " * indent
        body_lines: list[str] = []
        for ln in converted.splitlines(keepends=True):   # NOTE: one blank line between nested defs, as PEP 8 has it
            if ln.strip() or not body_lines or body_lines[-1].strip():
                body_lines.append(pad + ln if ln.strip() else ln)
        lines[first:last] = body_lines
        results.append(out)
    return "".join(lines), results

