"""A TF1 program under `if __name__ == "__main__":`: converted as the module-level code it is, kept guarded.

The guard's body runs once, at module level, binding module globals, so written out unindented (between
two marker comments) it is the same program; that flat file converts like any script, and the text
between the markers goes back under the `if` line:

    if __name__ == "__main__":                       if __name__ == "__main__":
        x = tf.placeholder(tf.float32, [None])            def y(x):
        y = 2.0 * x                              ->           x = tf.convert_to_tensor(x, tf.float32)
        with tf.Session() as sess:                            return 2.0 * x
            print(sess.run(y, {x: [1.0]}))
                                                          print(y([1.0]).numpy())

    main_guard(code, tree, upgrade)  ->  a Result, a list of what blocked it, or None (no such guard)
"""
from __future__ import annotations

import ast
import dataclasses
from typing import Callable

from upgrader.native.base import Blocked
from upgrader.native.function_body import GRAPH, SESSIONS, _attrs

BEGIN, END = ("# --- tfcompat: the __main__ block %s ---" % w for w in ("begins here", "ends here"))


def _guard(tree: ast.Module) -> ast.If | None:
    """The top-level `if __name__ == "__main__":` (no else) whose body opens a session or builds a graph."""
    for s in tree.body:
        if not (isinstance(s, ast.If) and not s.orelse and isinstance(s.test, ast.Compare) and len(s.test.ops) == 1
                and isinstance(s.test.ops[0], ast.Eq)):
            continue
        sides = [s.test.left, *s.test.comparators]
        if {ast.unparse(x) for x in sides} in ({"__name__", "'__main__'"}, {"__name__", '"__main__"'}) and (
                _attrs(s) & (SESSIONS | GRAPH)):
            return s
    return None


def main_guard(code: str, tree: ast.Module, upgrade: Callable[[str], object]) -> object:
    """See the module docstring."""
    guard = _guard(tree)
    if guard is None or guard.body[0].lineno == guard.lineno:
        return None
    lines = code.splitlines(keepends=True)
    first, pad = guard.body[0].lineno - 1, guard.body[0].col_offset
    block = lines[first:guard.end_lineno]
    if any(ln.strip() and not ln[:pad].isspace() for ln in block):
        return None   # a multi-line string at a lower indentation: leave the guard alone
    head = lines[guard.lineno - 1:first]
    flat = lines[:guard.lineno - 1] + [BEGIN + "\n"] + [ln[pad:] if ln.strip() else ln.lstrip(" \t") for ln in block]
    flat += [END + "\n"] + lines[guard.end_lineno:]
    origin = list(range(1, guard.lineno)) + [guard.lineno] + list(range(first + 1, guard.end_lineno + 1)) + [
        guard.end_lineno] + list(range(guard.end_lineno + 1, len(lines) + 1))
    out = upgrade("".join(flat))
    where = lambda line: origin[min(max(line, 1), len(origin)) - 1]   # noqa: E731
    if isinstance(out, list):
        return [Blocked(where(b.line), b.reason) for b in out]
    new = out.code.splitlines(keepends=True)
    marks = [i for i, ln in enumerate(new) if ln.strip() in (BEGIN, END)]
    if len(marks) != 2 or new[marks[0]].strip() != BEGIN:
        return [Blocked(guard.lineno, "the __main__ block lost its place in the converted program")]
    region: list[str] = []
    for ln in new[marks[0] + 1:marks[1]]:   # NOTE: one blank line between nested defs, as PEP 8 has it
        if ln.strip() or (region and region[-1].strip()):
            region.append(" " * pad + ln if ln.strip() else ln)
    while region and not region[-1].strip():
        region.pop()
    if not region:
        region = [" " * pad + "pass\n"]
    text = "".join(new[:marks[0]] + head + region + new[marks[1] + 1:])
    notes = [dataclasses.replace(d, line=where(d.line)) for d in out.diagnostics]
    return dataclasses.replace(out, code=text, original=code, diagnostics=notes)
