"""Helper functions that read a module-level placeholder: `def conv_net(x): ... tf.nn.dropout(h, keep_prob)`.

In TF2 the placeholder is a parameter of the functions that need it, so the helper takes it as
a parameter too, and every call passes it on (as a keyword, so any call stays valid):

    def conv_net(x):                 ->  def conv_net(x, keep_prob):
    logits = conv_net(X)             ->  logits = conv_net(X, keep_prob=keep_prob)

The file is then analysed again. A helper that calls such a helper reads the placeholder
through it and gets the parameter as well. A helper passed as a function rather than called
(`tf.while_loop(cond, body, [i, total])`) is passed as a lambda that passes the placeholder on,
so what the loop computes depends on the placeholder as it did in TF1:

    tf.while_loop(cond, body, [i, t])  ->  tf.while_loop(lambda *args: cond(*args, n=n), body, [i, t])
"""
from __future__ import annotations

import ast


def _calls(tree: ast.Module, name: str) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name]


def close_over_callers(tree: ast.Module, reads: dict[str, list[str]]) -> dict[str, list[str]]:
    """Add the placeholders a helper reads through the helpers it calls (to a fixed point)."""
    defs = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
    out = {k: list(v) for k, v in reads.items()}
    changed = True
    while changed:
        changed = False
        for name, fn in defs.items():
            own = {a.arg for a in fn.args.args}
            for callee in [c.func.id for c in ast.walk(fn) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)]:
                for p in out.get(callee, []):
                    if p not in own and p not in out.setdefault(name, []):
                        out[name].append(p)
                        changed = True
    return {k: v for k, v in out.items() if v}


def add_parameters(code: str, tree: ast.Module, reads: dict[str, list[str]]) -> str | None:
    """The source with each helper taking the placeholders it reads, and every call passing them; None if unsafe."""
    defs = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
    edits: list[tuple[int, int, str] | tuple[int, int, str, int]] = []   # (line, byte col, text[, byte end col])
    for name, names in reads.items():
        fn = defs.get(name)
        if fn is None or fn.args.vararg or fn.args.kwarg or fn.args.kwonlyargs or fn.args.posonlyargs:
            return None
        default = "=None" if fn.args.defaults else ""
        params = fn.args.args
        # NOTE: the new parameters go after the last one (or inside the empty parentheses).
        if params:
            last = fn.args.defaults[-1] if fn.args.defaults else params[-1]
            edits.append((last.end_lineno, last.end_col_offset, "".join(f", {p}{default}" for p in names)))
        else:
            line, col = _open_paren(code, fn)
            edits.append((line, col, ", ".join(f"{p}{default}" for p in names)))
        for call in _calls(tree, name):
            if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
                return None
            text = ", ".join(f"{p}={p}" for p in names)
            if call.args or call.keywords:
                end = max([a.end_lineno * 10**6 + a.end_col_offset for a in call.args] +
                          [k.value.end_lineno * 10**6 + k.value.end_col_offset for k in call.keywords])
                edits.append((end // 10**6, end % 10**6, ", " + text))
            else:
                edits.append((call.end_lineno, call.end_col_offset - 1, text))
        for use in _passed(tree, fn):
            text = f"(lambda *args: {name}(*args, {', '.join(f'{p}={p}' for p in names)}))"
            edits.append((use.lineno, use.col_offset, text, use.end_col_offset))
    lines = code.splitlines(keepends=True)
    for line, col, text, *end in sorted(edits, key=lambda e: (-e[0], -e[1])):
        raw = lines[line - 1].encode("utf-8")
        lines[line - 1] = (raw[:col] + text.encode("utf-8") + raw[end[0] if end else col:]).decode("utf-8")
    return "".join(lines)


def _passed(tree: ast.Module, fn: ast.FunctionDef) -> list[ast.Name]:
    """Where the helper is used as a value (passed to tf.while_loop, tf.cond, map_fn...), not called or defined."""
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    inside = {id(n) for n in ast.walk(fn)}
    return [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == fn.name and isinstance(n.ctx, ast.Load)
            and id(n) not in called and id(n) not in inside]


def _open_paren(code: str, fn: ast.FunctionDef) -> tuple[int, int]:
    """Where to write the first parameter of `def f():` (just after its opening parenthesis)."""
    lines = code.splitlines(keepends=True)
    line = fn.lineno
    raw = lines[line - 1].encode("utf-8")
    start = raw.find(b"def ") + 4
    return line, raw.index(b"(", start) + 1
