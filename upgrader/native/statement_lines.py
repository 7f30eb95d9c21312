"""Lines that hold several statements, written one statement per line before native mode reads the file.

Native mode rewrites whole statements over their source lines, so a line such as

    x = tf.placeholder(tf.float32, [None, 1]); y = tf.placeholder(tf.float32, [None, 1])

used to keep the whole file in compat form ("several statements share a line"). Splitting it is the
same program, so native mode converts the split text instead (run.py, as it does for unwrapped graph
blocks). LibCST does the split, so comments, quoting and the file's line endings survive; a comment at
the end of the line stays with the last statement. `if c: a; b` becomes an indented block for the same
reason; a one-statement suite (`if c: a`) holds one statement per line already and is left as written.

    one_statement_per_line(code, tree) -> the split source, or None when no line holds two statements
"""
from __future__ import annotations

import ast

import libcst as cst


def one_statement_per_line(code: str, tree: ast.Module) -> str | None:
    if not _shared_line(tree):
        return None
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError:   # NOTE: ast accepted it; a LibCST gap is not the user's error
        return None
    return module.visit(_Split()).code


def _shared_line(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and any(a.end_lineno == b.lineno for a, b in zip(stmts, stmts[1:])
                                               if isinstance(a, ast.stmt) and isinstance(b, ast.stmt)):
                return True
        for handler in getattr(node, "handlers", []):
            if any(a.end_lineno == b.lineno for a, b in zip(handler.body, handler.body[1:])):
                return True
    return False


def _alone(stmt: cst.BaseSmallStatement) -> cst.BaseSmallStatement:
    return stmt.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)


class _Split(cst.CSTTransformer):
    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if len(updated.body) < 2:
            return updated
        last = len(updated.body) - 1
        return cst.FlattenSentinel([
            cst.SimpleStatementLine(body=[_alone(s)], leading_lines=updated.leading_lines if i == 0 else (),
                                    trailing_whitespace=updated.trailing_whitespace if i == last
                                    else cst.TrailingWhitespace())
            for i, s in enumerate(updated.body)])

    def leave_SimpleStatementSuite(self, original: cst.SimpleStatementSuite, updated: cst.SimpleStatementSuite):
        if len(updated.body) < 2:
            return updated
        return cst.IndentedBlock(header=updated.trailing_whitespace,
                                 body=[cst.SimpleStatementLine(body=[_alone(s)]) for s in updated.body])
