"""Graph values unpacked into several names: `D_real, D_logit = discriminator(X)`.

In TF2 each name becomes a function of its own, so the statement is first rewritten as
one assignment per name, each taking its element of the value, and the file is analysed
again:

    D_real, D_logit = discriminator(X)   ->   D_real = discriminator(X)[0]
                                              D_logit = discriminator(X)[1]

which native mode then turns into `def D_real(X): return discriminator(X)[0]` and so on.
Only top-level statements whose value is graph-valued are split (the analysis says which);
unpacking NumPy values stays as it is.
"""
from __future__ import annotations

import ast


def unpack_targets(stmt: ast.stmt) -> list[str] | None:
    """The names of `a, b = value` (a flat tuple or list of plain names), or None."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], (ast.Tuple, ast.List))):
        return None
    elts = stmt.targets[0].elts
    if not elts or not all(isinstance(e, ast.Name) for e in elts):
        return None
    names = [e.id for e in elts]
    kept = [n for n in names if n != "_"]
    return names if kept and len(set(kept)) == len(kept) else None


def split(code: str, stmts: list[ast.Assign]) -> str:
    """The source with each of `stmts` (top-level `a, b = value`) written as `a = (value)[0]`, `b = (value)[1]`."""
    lines = code.splitlines(keepends=True)
    for stmt in sorted(stmts, key=lambda s: -s.lineno):
        first, last = stmt.lineno - 1, stmt.end_lineno - 1
        value = ast.get_source_segment(code, stmt.value)
        value = value if isinstance(stmt.value, (ast.Call, ast.Name, ast.Attribute, ast.Subscript)) else f"({value})"
        newline = "\r\n" if lines[last].endswith("\r\n") else "\n"
        tail = lines[last][len(lines[last].rstrip("\r\n")):] or newline
        comment = lines[last].rstrip("\r\n")[_end_col(lines[last], stmt.end_col_offset):].strip()
        names = [e.id for e in stmt.targets[0].elts]
        out = [f"{n} = {value}[{i}]" for i, n in enumerate(names) if n != "_"]
        if elementwise(stmt):   # `a, n = f(x)[0], x.get_shape()[1]`: one element each (native/static_returns.py)
            out = [f"{n} = {ast.get_source_segment(code, e)}" for n, e in zip(names, stmt.value.elts) if n != "_"]
        if comment.startswith("#"):
            out[0] += "  " + comment
        lines[first:last + 1] = [ln + tail if not ln.endswith(newline) else ln for ln in
                                 (o.replace("\n", newline) for o in out)]
    return "".join(lines)


def elementwise(stmt: ast.Assign) -> bool:
    """`a, b = e0, e1` where no element reads a name bound before it: `a = e0` then `b = e1` is the same."""
    value, names = stmt.value, [e.id for e in stmt.targets[0].elts]
    return isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(names) and not any(
        isinstance(e, ast.Starred) for e in value.elts) and not any(
        isinstance(n, ast.Name) and n.id in names[:i] for i, e in enumerate(value.elts) for n in ast.walk(e))


def _end_col(line: str, col: int) -> int:
    """ast's byte column -> a str index."""
    return len(line.encode("utf-8")[:col].decode("utf-8", "replace"))
