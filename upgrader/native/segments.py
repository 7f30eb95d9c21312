"""Scripts that build several graphs one after another: each graph is a program of its own.

Tutorial scripts often train one model, then `reset_default_graph()`, open a new
`Session` and build a second model with the same names (`x_data`, `loss`, `train_step`).
In TF1 the reset throws the first graph away, so nothing of it reaches the second; in
TF2 the script's statements run in order, so each part converts on its own and the
second part's functions simply rebind the names after the first part has used them.

    segments(code, tree)  ->  ["import ...\\nsess = tf.Session()\\n...", "ops.reset_default_graph()\\nsess = ..."]

Each part after the first is upgraded with the file's imports in front of it (so the
analysis sees the same aliases), and `join` puts the parts back together, keeping any
import that the upgrade of a later part added.
"""
from __future__ import annotations

import ast

from upgrader.scan import aliased_key, collect_aliases

SESSIONS = ("tf.Session", "tf.InteractiveSession", "tf.compat.v1.Session", "tf.compat.v1.InteractiveSession")
RESETS = ("tf.reset_default_graph", "tf.compat.v1.reset_default_graph")
MARK = "# --- tfcompat: the graph above ends here ---"


def _key(aliases: dict[str, str], node: ast.AST) -> str | None:
    return aliased_key(aliases, node.func) if isinstance(node, ast.Call) else None


def _opens_session(aliases: dict[str, str], stmt: ast.stmt) -> bool:
    return any(_key(aliases, n) in SESSIONS for n in ast.walk(stmt))


def segments(code: str, tree: ast.Module) -> list[str] | None:
    """The source split before each top-level graph reset that starts a new graph and session, or None."""
    aliases = collect_aliases(tree)
    body = tree.body
    starts = []
    seen_session = False
    for i, stmt in enumerate(body):
        if isinstance(stmt, ast.Expr) and _key(aliases, stmt.value) in RESETS and seen_session and any(
                _opens_session(aliases, s) for s in body[i + 1:]):
            starts.append(i)
            seen_session = False
        seen_session = seen_session or _opens_session(aliases, stmt)
    if not starts:
        return None
    lines = code.splitlines(keepends=True)
    cuts = [_first_line(body[i]) - 1 for i in starts]
    return ["".join(lines[a:b]) for a, b in zip([0] + cuts, cuts + [len(lines)])]


def _first_line(stmt: ast.stmt) -> int:
    return min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])


def header(tree: ast.Module) -> list[ast.stmt]:
    """The file's top-level imports, which every part needs to be analysed alike."""
    return [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]


def with_header(code: str, imports: list[ast.stmt], part: str) -> str:
    lines = code.splitlines(keepends=True)
    text = "".join("".join(lines[s.lineno - 1:s.end_lineno]) for s in imports)
    return text + MARK + "\n" + part


def split_header(upgraded: str) -> tuple[list[str], str]:
    """An upgraded part -> (the import lines its upgrade wrote above the mark, the part itself)."""
    head, sep, rest = upgraded.partition(MARK + "\n")
    if not sep:
        raise ValueError("the part's mark did not survive the upgrade")
    return [ln for ln in head.splitlines(keepends=True) if ln.strip()], rest


def join(first: str, parts: list[tuple[list[str], str]]) -> str:
    """The first part's upgrade, plus each later part; imports a later part added go after the first's imports."""
    lines = first.splitlines(keepends=True)
    have = {ln.strip() for ln in lines}
    extra = [ln for head, _ in parts for ln in head if ln.strip() not in have]
    if extra:
        tree = ast.parse(first)
        last = max((s.end_lineno for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))), default=0)
        lines[last:last] = list(dict.fromkeys(ln if ln.endswith("\n") else ln + "\n" for ln in extra))
    out = "".join(lines)
    for _, text in parts:
        out = out if out.endswith("\n") or not out else out + "\n"
        out += text
    return out
