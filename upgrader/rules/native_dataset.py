"""v1 dataset iterators become Python iteration: a for loop over the tf.data.Dataset, or next() per sess.run."""
from __future__ import annotations

import ast
from types import SimpleNamespace

from upgrader.native.base import Blocked, Editor, NativeRule
from upgrader.native.dataset_text import iterator_name, rename_handler, source_line, uncomment
from upgrader.native.datasets import Iterator, Loop, Plan, dataset_source, plan
from upgrader.native.model import Entity, Program


class NativeDataset(NativeRule):
    """Drop the iterator; its get_next() names become loop variables (or `next(iterator)` before each pull).

    it = ds.make_one_shot_iterator()          ->  (removed; bx, by become parameters of the functions)
    bx, by = it.get_next()
    while True:                               ->  for bx, by in ds:
        try:                                          l = train_op(bx, by).numpy()
            _, l = sess.run([train_op, loss])
        except tf.errors.OutOfRangeError:
            break
    """

    DESCRIPTION = "v1 dataset iterators -> for loops over the dataset, or next(iterator) before each sess.run"
    KINDS = frozenset({"iterator"})
    PRIORITY = 7

    def plan(self, prog: Program) -> Plan:
        if getattr(self, "_plan", None) is None or self._prog is not prog:
            session = [s for top in prog.tree.body for s in (top.body if isinstance(top, ast.With) and top.body and id(
                top.body[0]) in prog.session_stmts else [top]) if id(s) in prog.session_stmts]
            self._plan, self._prog = plan(prog, session), prog
        return self._plan

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        if not prog.iterators:
            return None
        p = self.plan(prog)
        made = next((it for it in prog.iterators.values() if stmt in (it.stmt, it.get_next, *it.init_stmts)), None)
        if made is not None:
            return self.made(prog, made, stmt, p, edit)
        if id(stmt) not in prog.session_stmts and not any(id(stmt) in d for d in (p.loops, p.inits, p.pulls, p.bound,
                                                                                   p.touched)):
            return None
        if id(stmt) in p.loops:
            return self.loop(prog, p.loops[id(stmt)], p, edit)
        if id(stmt) in p.inits:
            key, call = p.inits[id(stmt)]
            if key in p.direct:
                self.note(stmt, f"{key}.initializer run removed: the for loop that follows starts the dataset again")
                return ""
            self.note(stmt, f"sess.run({key}.initializer) -> a fresh Python iterator over the dataset")
            return f"{key} = iter({dataset_source(prog, prog.iterators[key], edit, call)})"
        if id(stmt) in p.pulls:
            nexts = [f"{edit.text(prog.iterators[k].target)} = next({iterator_name(prog, k, edit)})" for k in p.pulls[id(stmt)]]
            self.note(stmt, "a sess.run that needs get_next(): the element is taken with next() just before it")
            return "\n".join(nexts) + "\n" + " " * stmt.col_offset + self.chain(prog, stmt, edit)
        if id(stmt) in p.bound:
            return self.chain(prog, stmt, edit)
        if id(stmt) in p.touched:
            return self.compound(prog, stmt, edit)
        return None

    def made(self, prog: Program, it: Iterator, stmt: ast.stmt, p: Plan, edit: Editor) -> str:
        """The iterator's own statements: gone, or `it = iter(ds)` for a one-shot iterator read with next()."""
        key = next(k for k, v in prog.iterators.items() if v is it)
        if key in p.direct or not it.one_shot or (stmt is not it.stmt if it.name else stmt is not it.get_next):
            return ""
        self.note(stmt, f"one-shot iterator -> iter(dataset); each sess.run that needs {', '.join(it.elements)} takes its "
                        "element with next()")
        return f"{iterator_name(prog, key, edit)} = iter({dataset_source(prog, it, edit, None)})"

    def chain(self, prog: Program, stmt: ast.stmt, edit: Editor) -> str:
        """`stmt` as the other native rules rewrite it (sess.run -> function calls)."""
        for rule in edit.rules:
            if rule is not self and (new := rule.rewrite(prog, stmt, None, edit)) is not None:
                return new
        return edit.text(stmt)

    def block(self, prog: Program, stmts: list[ast.stmt] | tuple[ast.stmt, ...], edit: Editor, pad: int) -> str:
        """Statements rendered by the native pipeline, indented to column `pad` (comments between them kept)."""
        prog.session_stmts.update(id(s) for s in stmts)
        text = edit.flatten(SimpleNamespace(body=list(stmts), lineno=stmts[0].lineno))
        return "\n".join(" " * pad + ln if ln.strip() else ln for ln in text.split("\n"))

    def loop(self, prog: Program, lp: Loop, p: Plan, edit: Editor) -> str:
        it = prog.iterators[lp.iterator]
        if lp.iterator in p.direct:
            init = next((call for i, (k, call) in p.inits.items() if i == p.paired.get(id(lp.stmt))), None)
            src = dataset_source(prog, it, edit, init)
        else:
            src = iterator_name(prog, lp.iterator, edit)
        col = lp.stmt.col_offset
        body = "\n".join(self.block(prog, g, edit, col + 4) for g in lp.groups)
        text = f"for {edit.text(it.target)} in {src}:\n{body}"
        self.note(lp.stmt, f"while/try/OutOfRangeError loop -> for {edit.text(it.target)} in {src}")
        if lp.handler:
            after = self.block(prog, lp.handler, edit, col + 4 if lp.broken else col)
            text += ("\n" + " " * col + "else:\n" if lp.broken else "\n") + after
        return uncomment(prog, lp.stmt, text.rstrip("\n")).lstrip(" ")

    def compound(self, prog: Program, stmt: ast.stmt, edit: Editor) -> str:
        """A for/while/if/with/try with dataset pulls inside: its header lines kept, its blocks rewritten."""
        blocks = [(None, stmt.body)]
        if isinstance(stmt, ast.Try):
            blocks += [(h, h.body) for h in stmt.handlers] + [(None, stmt.orelse), (None, stmt.finalbody)]
        elif not isinstance(stmt, (ast.With, ast.FunctionDef)):
            if stmt.orelse and source_line(prog, stmt.orelse[0].lineno).lstrip().startswith("elif"):
                raise Blocked(stmt.orelse[0].lineno, "an elif chain around a dataset sess.run is not converted natively")
            blocks.append((None, stmt.orelse))
        lines = prog.source.splitlines(keepends=True)
        out, prev = [], stmt.lineno - 1
        for handler, body in blocks:
            if not body:
                continue
            if lines[body[0].lineno - 1][:body[0].col_offset].strip():
                raise Blocked(body[0].lineno, "a block on its header's line is not converted natively")
            head = "".join(lines[prev:body[0].lineno - 1]).rstrip("\n")
            if not out:
                head = head.lstrip(" \t")
            if handler is not None and handler.type is not None:
                head = rename_handler(prog, handler.type, head, edit)
            out += [head, self.block(prog, body, edit, body[0].col_offset)]
            prev = body[-1].end_lineno
        return uncomment(prog, stmt, "\n".join(out))

    def note(self, stmt: ast.stmt, message: str) -> None:
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        self.change(message)
