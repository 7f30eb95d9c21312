"""Line edits for native/queues.py, and the Coordinator / queue-runner code that tf.data makes unnecessary.

    coord = tf.train.Coordinator()                          (dropped)
    threads = tf.train.start_queue_runners(coord=coord)     (dropped)
    try:                                                    (the try goes when nothing is left to catch)
        while not coord.should_stop():          ->      while True:
            sess.run(train)                                 sess.run(train)
    finally:                                            (dropped: it only stopped the threads)
        coord.request_stop()
    coord.join(threads)                                     (dropped)
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from upgrader.native.base import Blocked

if TYPE_CHECKING:
    from upgrader.native.model import Program

BODIES = ("body", "orelse", "finalbody")


def literal(node: ast.expr | None, default: bool, what: str) -> bool:
    """A True/False argument's value (`default` when not given); another value raises Blocked."""
    if node is None:
        return default
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    raise Blocked(node.lineno, f"{what}={ast.unparse(node)}: native mode reads only True or False here")


class Lines:
    """Whole-line edits of a module's source: statements dropped or replaced, blocks dedented."""

    def __init__(self, code: str) -> None:
        self.lines = code.splitlines(keepends=True)
        self.dropped: set[int] = set()        # line numbers
        self.stmts: set[int] = set()          # ids of dropped statements
        self.replaced: dict[int, tuple[int, str]] = {}   # first line -> (last line, text)
        self.dedents: list[tuple[int, int, str, str]] = []
        self.subs: dict[int, tuple[str, str]] = {}
        self.inserts: dict[int, str] = {}     # line -> module-level text written above it

    def prefix(self, stmt: ast.AST) -> str:
        line = self.lines[stmt.lineno - 1]
        head = line[:stmt.col_offset]
        tail = self.lines[stmt.end_lineno - 1].encode("utf-8")[stmt.end_col_offset:].decode("utf-8", "replace").strip()
        if head.strip() or (tail and not tail.startswith("#")):
            raise Blocked(stmt.lineno, "a statement sharing its line with another in a queue pipeline")
        return head

    def prefix_of(self, line: int) -> str:
        text = self.lines[line - 1]
        return text[:len(text) - len(text.lstrip())]

    def drop(self, stmt: ast.stmt) -> None:
        self.prefix(stmt)
        self.dropped.update(range(stmt.lineno, stmt.end_lineno + 1))
        self.stmts.add(id(stmt))

    def drop_lines(self, first: int, last: int) -> None:
        self.dropped.update(range(first, last + 1))

    def replace(self, stmt: ast.stmt, text: str) -> None:
        pad = self.prefix(stmt)
        self.replaced[stmt.lineno] = (stmt.end_lineno, "".join(pad + ln if ln.strip() else ln
                                                               for ln in text.splitlines(keepends=True)))

    def before(self, stmt: ast.stmt, text: str) -> None:
        """Write `text` (module-level code) above the top-level `stmt` and its decorators."""
        first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
        self.inserts[first] = self.inserts.get(first, "") + text

    def sub(self, line: int, old: str, new: str) -> None:
        if old not in self.lines[line - 1]:
            raise Blocked(line, f"'{old}' is not written on one line")
        self.subs[line] = (old, new)

    def dedent(self, first: int, last: int, old: str, new: str) -> None:
        self.dedents.append((first, last, old, new))

    def block(self, stmt: ast.stmt, pad: str) -> str:
        """`stmt`'s source re-indented to `pad`, with the comment lines right above it (they move with it)."""
        head = self.prefix(stmt)
        first = stmt.lineno
        while first > 1 and self.lines[first - 2].strip().startswith("#") and self.lines[first - 2].startswith(head):
            first -= 1
        self.drop_lines(first, stmt.lineno - 1)
        out = []
        for ln in self.lines[first - 1:stmt.end_lineno]:
            if ln.strip() and not ln.startswith(head):
                raise Blocked(stmt.lineno, "a statement in a queue pipeline that cannot be re-indented safely")
            out.append(pad + ln[len(head):] if ln.strip() else ln)
        text = "".join(out)
        return text if text.endswith("\n") else text + "\n"

    def text(self) -> str:
        out: list[str] = []
        i = 1
        while i <= len(self.lines):
            if i in self.inserts:
                blank = next((k for k, ln in enumerate(reversed(out)) if ln.strip()), len(out))
                out += ["\n"] * max(0, 2 - blank) + self.inserts[i].splitlines(keepends=True)
            if i in self.replaced:
                last, text = self.replaced[i]
                if text.startswith("def ") and out and not self.prefix_of(i):   # NOTE: a new top-level function
                    blank = next((k for k, ln in enumerate(reversed(out)) if ln.strip()), len(out))
                    out += ["\n"] * max(0, 2 - blank)
                out += [self._dedented(i, ln) for ln in text.splitlines(keepends=True)]
                i = last + 1
                continue
            blank_again = not self.lines[i - 1].strip() and (i - 1 in self.dropped or i + 1 in self.dropped) and (
                not out or not out[-1].strip())   # NOTE: the blank lines around a dropped statement merge
            if i not in self.dropped and not blank_again:
                ln = self.lines[i - 1]
                if i in self.subs:
                    ln = ln.replace(*self.subs[i], 1)
                out.append(self._dedented(i, ln))
            i += 1
        return "".join(out)

    def _dedented(self, i: int, ln: str) -> str:
        for first, last, old, new in sorted(self.dedents, key=lambda d: -len(d[2])):   # innermost first
            if first <= i <= last and ln.strip():
                if not ln.startswith(old):
                    raise Blocked(i, "a try block around queue-runner code that cannot be re-indented safely")
                ln = new + ln[len(old):]
        return ln


def coordinator_edits(prog: Program, tree: ast.Module, lines: Lines, gone: set[str]) -> None:
    """Drop the Coordinator and queue-runner statements (module docstring); raise Blocked on other uses."""
    coords = {s.targets[0].id for s in ast.walk(tree) if isinstance(s, ast.Assign) and len(s.targets) == 1 and
              isinstance(s.targets[0], ast.Name) and prog.call_key(s.value) == "tf.train.Coordinator"}
    threads = {s.targets[0].id for s in ast.walk(tree) if isinstance(s, ast.Assign) and len(s.targets) == 1 and
               isinstance(s.targets[0], ast.Name) and _starts(prog, s.value, gone)}

    def coordinating(s: ast.stmt) -> bool:
        if isinstance(s, (ast.Assign, ast.Expr)) and (prog.call_key(s.value) == "tf.train.Coordinator"
                                                      or _starts(prog, s.value, gone)):
            return True
        call = s.value if isinstance(s, ast.Expr) else None
        return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and isinstance(
            call.func.value, ast.Name) and call.func.value.id in coords and call.func.attr in ("request_stop", "join")

    def stopping(s: ast.stmt) -> bool:   # `if coord.should_stop(): break`
        return isinstance(s, ast.If) and not s.orelse and len(s.body) == 1 and isinstance(s.body[0], ast.Break) and \
            _should_stop(s.test, coords)

    def visit(body: list[ast.stmt]) -> None:
        for s in body:
            if coordinating(s) or stopping(s):
                lines.drop(s)
                continue
            if isinstance(s, ast.While) and isinstance(s.test, ast.UnaryOp) and isinstance(s.test.op, ast.Not) and \
                    _should_stop(s.test.operand, coords):
                lines.sub(s.test.lineno, ast.get_source_segment(prog.source, s.test) or "", "True")
            for inner in _try(s) if isinstance(s, ast.Try) else [getattr(s, f, None) or [] for f in BODIES]:
                visit(inner)
        if body and all(id(s) in lines.stmts for s in body):
            lines.replace(body[0], "pass\n")

    def _try(s: ast.Try) -> list[list[ast.stmt]]:
        """Drop the handlers and the `finally:` that only stop the threads; the bodies left to visit."""
        kept = [h for h in s.handlers if not all(coordinating(x) for x in h.body)]
        for h in s.handlers:
            if h not in kept:
                lines.drop_lines(h.lineno, h.end_lineno)
                lines.stmts.update(id(x) for x in h.body)
        if s.finalbody and all(coordinating(x) for x in s.finalbody):
            head = max(i for i in range(s.lineno, s.finalbody[0].lineno) if lines.lines[i - 1].strip().startswith("finally"))
            lines.drop_lines(head, s.finalbody[-1].end_lineno)
            lines.stmts.update(id(x) for x in s.finalbody)
            final = False
        else:
            final = bool(s.finalbody)
        if not kept and not final and not s.orelse and (s.finalbody or s.handlers):
            if not lines.lines[s.lineno - 1].strip().startswith("try"):
                raise Blocked(s.lineno, "a try statement sharing its line with another around queue-runner code")
            lines.drop_lines(s.lineno, s.lineno)
            lines.dedent(s.body[0].lineno, s.body[-1].end_lineno, lines.prefix(s.body[0]), lines.prefix(s))
        return [s.body, s.orelse, *(h.body for h in kept)] + ([s.finalbody] if final else [])

    visit(tree.body)
    names = coords | threads | gone
    rewritten = lines.dropped | set(lines.subs) | {
        i for first, (last, _) in lines.replaced.items() for i in range(first, last + 1)}
    left = next((n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in names and n.lineno not in rewritten),
                None)
    if left is not None:
        raise Blocked(left.lineno, f"'{left.id}' (a queue, reader or queue-runner object) is used in a way the tf.data "
                                   "form has no counterpart for")


def _starts(prog: Program, call: ast.expr, gone: set[str]) -> bool:
    """`tf.train.start_queue_runners(...)` or `<queue runner>.create_threads(...)`."""
    return isinstance(call, ast.Call) and (prog.call_key(call) == "tf.train.start_queue_runners" or isinstance(
        call.func, ast.Attribute) and call.func.attr == "create_threads" and isinstance(call.func.value, ast.Name)
        and call.func.value.id in gone)


def _should_stop(test: ast.expr, coords: set[str]) -> bool:
    return isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "should_stop" \
        and isinstance(test.func.value, ast.Name) and test.func.value.id in coords and not test.args
