"""TF1 code with a plain TF2 (or Python) spelling, respelled before the native analysis reads the file.

    if tf.__version__[0] >= '1':                         cell = tf.contrib.rnn.BasicRNNCell(num_units=8)
        cell = tf.contrib.rnn.BasicRNNCell(num_units=8)  ->
    else:
        cell = tf.nn.rnn_cell.BasicRNNCell(num_units=8)

    ops.reset_default_graph()   (a program that never opens a session)  ->  (removed)
    sess.run(d, {sp: tf.SparseTensorValue(i, v, s)})   ->  d(tf.SparseTensor(i, v, s))   (sp: a sparse_placeholder,
                                                           a parameter taking the SparseTensor as it comes)
    learn.preprocessing.VocabularyProcessor(25)   ->  VocabularyProcessor(25), a class the file defines
                                                      (native/vocabulary.py)
    tf.contrib.training.HParams(lr=0.1)           ->  types.SimpleNamespace(lr=0.1)   (native/hparams.py)

A version test is resolved when every TF 1.x release takes the same branch: that branch is what the
original ran, and it is the only branch the native analysis has to follow. `respell_plain(code, tree)` returns
the new code (analysed again by native/run.py) or None.
"""
from __future__ import annotations

import ast
import re

from upgrader.native.base import Blocked
from upgrader.native.hparams import hparams_namespaces
from upgrader.native.vocabulary import apply_edits, vocabulary_processors
from upgrader.scan import collect_aliases, dotted, to_key

TF1_RELEASES = tuple(f"1.{minor}.{patch}" for minor in range(16) for patch in (0, 1))
SAFE_CALLS = {"int": int, "float": float, "str": str, "tuple": tuple, "list": list, "map": map, "len": len}
SAFE_ATTRS = frozenset({"__version__", "VERSION", "split", "startswith"})
RESETS = frozenset({"tf.reset_default_graph", "tf.compat.v1.reset_default_graph"})
SPARSE = frozenset({"tf.sparse_placeholder", "tf.compat.v1.sparse_placeholder"})


def respell_plain(code: str, tree: ast.Module) -> str | None:
    """The first respelling that applies (see the module docstring), or None."""
    for step in (vocabulary_processors, hparams_namespaces, version_branches, graph_free_resets, sparse_values):
        new = step(code, tree)
        if new is not None and new != code:
            return new
    return None


class _Version:
    def __init__(self, version: str) -> None:
        self.__version__ = self.VERSION = version


def _tf1_value(test: ast.expr, tf_names: set[str]):
    """The test's value, when every TF 1.x release gives the same one; None otherwise (or not a version test)."""
    names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
    attrs = {n.attr for n in ast.walk(test) if isinstance(n, ast.Attribute)}
    if not names & tf_names or not names <= tf_names | SAFE_CALLS.keys() or not attrs <= SAFE_ATTRS or not (
            attrs & {"__version__", "VERSION"}):
        return None
    code = compile(ast.Expression(test), "<version test>", "eval")
    values = set()
    for release in TF1_RELEASES:
        scope = {**SAFE_CALLS, **{n: _Version(release) for n in tf_names}}
        try:
            values.add(bool(eval(code, {"__builtins__": {}}, scope)))   # noqa: S307 (names and attributes checked above)
        except Exception:   # NOTE: a test that fails on some release is left for the analysis to report
            return None
    return values.pop() if len(values) == 1 else None


def version_branches(code: str, tree: ast.Module) -> str | None:
    """Module-level `if <test of tf.__version__>:` statements replaced by the branch every TF 1.x takes."""
    tf_names = {n for n, q in collect_aliases(tree).items() if q == "tensorflow"}
    lines = code.splitlines(keepends=True)
    edits = []
    for stmt in tree.body:
        if not isinstance(stmt, ast.If) or (value := _tf1_value(stmt.test, tf_names)) is None:
            continue
        body = stmt.body if value else stmt.orelse
        end = stmt.end_lineno
        if not body:
            edits.append((stmt.lineno, 0, end + 1, 0, ""))
            continue
        width = body[0].col_offset - stmt.col_offset
        kept = lines[body[0].lineno - 1:body[-1].end_lineno]
        if body[0].lineno == stmt.lineno or any(ln.strip() and not ln[:width].isspace() for ln in kept[1:]):
            continue   # `if v: x = 1` on one line, or a multi-line string that cannot be re-indented
        kept = [ln[width:] if ln.strip() else ln.lstrip(" \t") for ln in kept]
        edits.append((stmt.lineno, 0, end + 1, 0, "".join(kept)))
    return apply_edits(lines, edits) if edits else None


def _keys(tree: ast.Module):
    aliases = collect_aliases(tree)

    def key(node: ast.AST) -> str | None:
        d = dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        head, _, rest = (d or "").partition(".")
        return to_key(aliases[head] + ("." + rest if rest else "")) if d and head in aliases else None
    return key


def sparse_values(code: str, tree: ast.Module) -> str | None:
    """In a file with a tf.sparse_placeholder, the tf.SparseTensorValue values it is fed become tf.SparseTensor
    (the same indices, values and dense_shape): a TF2 function takes the sparse tensor itself."""
    key = _keys(tree)
    if not any(isinstance(n, ast.Call) and key(n.func) in SPARSE for n in ast.walk(tree)):
        return None
    values = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and key(n) == "tf.SparseTensorValue"]
    if not values and any(isinstance(n, ast.Attribute) and key(n) == "tf.SparseTensor" for n in ast.walk(tree)):
        return None   # respelled already
    if not values:
        line = next(n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and key(n.func) in SPARSE)
        raise Blocked(line, "tf.sparse_placeholder fed something other than tf.SparseTensorValue(...): a TF2 "
                            "function takes a tf.SparseTensor (build one from the indices, values and dense_shape)")
    edits = [(n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, f"{ast.unparse(n.value)}.SparseTensor")
             for n in values]
    return apply_edits(code.splitlines(keepends=True), edits)


def graph_free_resets(code: str, tree: ast.Module) -> str | None:
    """`ops.reset_default_graph()` statements go from a program that never opens a session (a data loader):
    TF2 has no default graph. Programs with a session keep theirs for native/segments.py and the
    graph-reset rule."""
    if re.search(r"\b(Session|InteractiveSession)\b", code):
        return None
    key = _keys(tree)
    resets = [s for s in tree.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
              and key(s.value.func) in RESETS]
    if not resets:
        return None
    lines = code.splitlines(keepends=True)
    edits = [(s.lineno, 0, s.end_lineno + 1, 0, "") for s in resets]
    gone = {id(n) for s in resets for n in ast.walk(s)}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in gone}
    for s in tree.body:
        if isinstance(s, ast.ImportFrom) and (s.module or "").startswith("tensorflow.python") and all(
                (a.asname or a.name) not in used for a in s.names):
            edits.append((s.lineno, 0, s.end_lineno + 1, 0, ""))
    return apply_edits(lines, edits)
