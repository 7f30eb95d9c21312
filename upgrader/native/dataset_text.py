"""How the dataset rule writes TF2 text: the Python iterator's name, the except clause, comments.

    iterator_name(prog, "<bx,by>", edit)   ->  'iterator' (a fresh name for a chained one-shot iterator)
    rename_handler(prog, handler.type, "except tf.errors.OutOfRangeError:", edit)  ->  'except StopIteration:'
"""
from __future__ import annotations

import ast
from typing import Any

from upgrader.native.base import Blocked
from upgrader.native.datasets import OUT_OF_RANGE


def iterator_name(prog: Any, key: str, edit: Any) -> str:
    """The Python iterator's name: the TF1 iterator's, or a new one for `ds.make_one_shot_iterator().get_next()`."""
    it = prog.iterators[key]
    if not it.name:
        name = "iterator"
        while not edit.free(name) or name in prog.iterators or any(i.name == name for i in prog.iterators.values()):
            name = f"{it.elements[0]}_{name}"
        it.name = name
    return it.name


def rename_handler(prog: Any, node: ast.expr, head: str, edit: Any) -> str:
    """`except tf.errors.OutOfRangeError:` -> `except StopIteration:` (next() ends the data with it)."""
    for n in ast.walk(node):
        if prog.key(n) == OUT_OF_RANGE:
            head = head.replace(edit.text(n), "StopIteration", 1)
        elif (prog.key(n) or "").startswith("tf.errors."):
            raise Blocked(n.lineno, f"except {edit.text(n)} around a dataset pull: next() raises StopIteration, "
                                     "which that handler would not catch")
    return head


def source_line(prog: Any, lineno: int) -> str:
    return prog.source.splitlines()[lineno - 1]


def uncomment(prog: Any, stmt: ast.stmt, text: str) -> str:
    """Drop the last line's comment: the native pipeline puts a statement's trailing comment back itself."""
    last = source_line(prog, stmt.end_lineno)
    tail = last[stmt.end_col_offset:].strip() if last.isascii() else ""
    if tail.startswith("#") and text.rstrip().endswith(tail):
        return text.rstrip()[:-len(tail)].rstrip()
    return text
