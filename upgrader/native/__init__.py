"""Native mode: TF1 program structure -> TF2 structure, or the whole file in compat form.

    upgrade_native("...X = tf.placeholder(...)...with tf.Session() as sess: ...").code
    -> 'def pred(X): ...\\n@tf.function(...)\\ndef train_step(X, Y): ...'

1. `model.analyze` classifies the module's top-level statements (an `ast` pass);
2. the native rules (`upgrader/rules/native_*.py`) rewrite whole statements;
3. the compat rules (and native renames such as `tf.random.set_seed`) run on the result;
4. if anything TF1-only is left, or any rule raised `Blocked`, the original file is
   upgraded in compat form instead and the report says which construct blocked it.
"""
from __future__ import annotations

import ast
import re

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.equivalents import why_not
from upgrader.native.model import Program, analyze
from upgrader.native.random_constants import restarts
from upgrader.rule import Context, Diagnostic

_TF1_LEFT = frozenset({"placeholder", "Session", "InteractiveSession", "global_variables_initializer", "get_default_graph"})


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno] + [d.lineno - 0 for d in decorators])


def _lines(src: str) -> list[str]:
    return src.splitlines(keepends=True)


def _render(stmts: list[ast.stmt], lines: list[str], replace) -> list[tuple[str, str]]:
    """Chunks ("gap" | "keep" | "new" | "def", text) of `stmts`, keeping comments and blank lines between them."""
    out: list[tuple[str, str]] = []
    prev = _first_line(stmts[0]) - 1
    ends: dict[int, int] = {}
    for s in stmts:
        ends[s.end_lineno] = ends.get(s.end_lineno, 0) + 1
    for s in stmts:
        first = _first_line(s)
        if first <= prev:
            raise Blocked(s.lineno, "several statements share a line; native mode rewrites whole lines")
        out.append(("gap", "".join(lines[prev:first - 1])))
        new = replace(s)
        pad = " " * s.col_offset
        comment = _trailing_comment(s, lines) if new is not None and not isinstance(s, ast.With) else ""
        comment = "" if getattr(new, "comment_moved", False) else comment   # the rule wrote it elsewhere
        if new is None:
            out.append(("keep", "".join(lines[first - 1:s.end_lineno])))
        elif new:
            kind = "def" if new.lstrip().startswith(("def ", "@", "class ")) or "\n\n@" in new or "\n\n\ndef " in new else "new"
            if comment and kind == "def":   # NOTE: the user's comment goes above the function it now describes
                new = comment + "\n" + pad + new
            elif comment:
                new += "  " + comment
            if kind == "def" and pad:   # NOTE: rules write unindented functions; session code keeps its own indentation
                new = "\n".join(pad + ln if ln.strip() else ln for ln in new.split("\n"))[len(pad):]
            out.append((kind, pad + new + "\n"))
        elif comment:
            out.append(("new", pad + comment + "\n"))
        prev = s.end_lineno
    return out


def _trailing_comment(stmt: ast.stmt, lines: list[str]) -> str:
    """`# note` after the last line of `stmt` (rewritten statements keep their comments)."""
    tail = lines[stmt.end_lineno - 1].encode("utf-8")[stmt.end_col_offset:].decode("utf-8", "replace").strip()
    return tail if tail.startswith("#") else ""


def _join(chunks: list[tuple[str, str]]) -> str:
    """Chunks -> text; top-level functions get two blank lines around them, runs of blank lines shrink to two."""
    text: list[str] = []
    after_def = False
    for i, (kind, body) in enumerate(chunks):
        if kind == "gap":
            nxt = next((k for k, b in chunks[i + 1:] if k != "gap"), None)
            gap = body
            if after_def or nxt == "def":
                stripped = gap.strip("\r\n")
                gap = ("\n\n" + stripped + "\n" if stripped else "\n\n") if text else gap
            text.append(gap)
            continue
        text.append(body)
        after_def = kind == "def"
    joined = "".join(text)
    return re.sub(r"\n{4,}", "\n\n\n", joined)


def _dedent(text: str, width: int, line: int) -> str:
    out = []
    for ln in text.splitlines(keepends=True):
        if ln.strip() and not ln[:width].isspace():
            raise Blocked(line, "a multi-line string inside the session block cannot be re-indented safely")
        out.append(ln[width:] if ln.strip() else ln.lstrip(" \t"))
    return "".join(out)


def structural(prog: Program, ctx: Context, rules: list[NativeRule]) -> str:
    """The module with its TF1 structure rewritten (names still v1); raises Blocked."""
    edit = Editor(prog)
    edit.rules = rules
    if not edit.tf:
        raise Blocked(1, "native mode needs `import tensorflow as <name>` (v1 import spellings are converted in compat form)")
    for e in prog.entities.values():
        if e.kind == "train" and ("optim" in e.name.lower() or e.name == "opt") and edit.free("train_step"):
            e.func = "train_step"
    by_stmt = {id(e.stmt): e for e in prog.entities.values()}
    lines = _lines(prog.source)

    def flatten(stmt: ast.With) -> str:
        body = _join(_render(stmt.body, lines, replace))
        return _dedent(body, stmt.body[0].col_offset, stmt.lineno).strip("\n").lstrip(" ")

    edit.flatten = flatten

    def replace(stmt: ast.stmt) -> str | None:
        if isinstance(stmt, ast.With) and id(stmt.items[0].context_expr) in prog.control_calls:
            return next(new for rule in rules if (new := rule.rewrite(prog, stmt, None, edit)) is not None)
        if isinstance(stmt, ast.With) and (any(id(s) in prog.session_stmts for s in stmt.body) or id(stmt) in prog.flat_withs):
            if prog.call_key(stmt.items[0].context_expr) == "tf.device":
                ctx.line, ctx.col = stmt.lineno, stmt.col_offset
                ctx.report("native", f"with {edit.text(stmt.items[0].context_expr)}: dropped (TF2 places each op "
                                     "itself; wrap the calls in tf.device to pin them)", "warning")
            return restarts(prog, stmt, edit.tf) + flatten(stmt)
        if isinstance(stmt, ast.Assign) and prog.call_key(stmt.value) in ("tf.Session", "tf.InteractiveSession"):
            return restarts(prog, stmt, edit.tf).rstrip("\n")
        entity = by_stmt.get(id(stmt))
        for rule in rules:
            if (new := rule.rewrite(prog, stmt, entity, edit)) is not None:
                return new
        return None

    if prog.tree.body:
        first = _first_line(prog.tree.body[0])
        head = "".join(lines[:first - 1])
        return head + _join(_render(prog.tree.body, lines, replace)).lstrip("\n") + "".join(
            lines[prog.tree.body[-1].end_lineno:])
    return prog.source


def leftover(code: str, diagnostics: list[Diagnostic]) -> Blocked | None:
    """After the rename pass: anything that would still need TF1 (compat.v1, sessions, placeholders)."""
    for d in diagnostics:
        if d.severity == "error":
            return Blocked(d.line, d.message)
    # NOTE: name the TF1 symbol that is left, not the generic "graph-only APIs used" note it caused.
    for d in sorted(diagnostics, key=lambda d: "disable_eager_execution" in d.message):
        if d.severity == "change" and ("compat.v1" in d.message or "disable_eager_execution" in d.message):
            key = d.message.split(" -> ")[0]
            return Blocked(d.line, f"{key}: {why_not(key)}" if why_not(key) else f"{key} has no TF2 equivalent native mode can use")
    for node in ast.walk(ast.parse(code)):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
        if name in _TF1_LEFT or (name == "v1" and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "compat"):
            return Blocked(node.lineno, f"'{name}' is still needed after conversion")
    return None
