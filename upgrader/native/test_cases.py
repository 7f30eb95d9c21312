"""tf.test.TestCase classes in a TF1 program: TF2 runs test methods eagerly, so their graph code is direct code.

    class SoftmaxTest(tf.test.TestCase):                    class SoftmaxTest(tf.test.TestCase):
        def test_sums_to_one(self):                             def test_sums_to_one(self):
            with self.test_session():                  ->           y = tf.nn.softmax(tf.constant([1., 2.]))
                y = tf.nn.softmax(tf.constant([1., 2.]))            self.assertAllClose(self.evaluate(tf.reduce_sum(y)), 1.)
                self.assertAllClose(tf.reduce_sum(y).eval(), 1.)

`with self.test_session():` (or cached_session(), session()) only opened the graph session that `.eval()` ran
in: its body stays, one level out, and `t.eval()`, or `sess.run(t)` of `... as sess`, becomes
`self.evaluate(t)`, which TF2's TestCase gives eager values. A method unittest runs (named test*, or named
anywhere else in the file) that reads a graph value the program builds at module level keeps the file in
compat form, naming it: the converted program has functions of its inputs there, not tensors. A method
unittest never runs is left as written after the unwrapping (TF1 never ran it either), and the report names
the module-level graph values it reads, which the converted program no longer has.

    test_case(prog, stmt)        -> stmt is such a class (the analysis leaves it to rules/native_test_cases.py)
    class_text(prog, cls, edit)  -> (its TF2 text, warnings); raises Blocked
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from upgrader.native.base import Editor
    from upgrader.native.model import Program

SESSIONS = frozenset({"test_session", "cached_session", "session"})


def test_case(prog: Program, stmt: ast.stmt) -> bool:
    """A class deriving from tf.test.TestCase."""
    return isinstance(stmt, ast.ClassDef) and any(prog.key(b) == "tf.test.TestCase" for b in stmt.bases)


def _runs(tree: ast.Module, fn: ast.FunctionDef) -> bool:
    """unittest runs it: named test* (its default prefix), or named elsewhere (`Case('name')`, `self.name()`)."""
    if fn.name.startswith("test"):
        return True
    inside = {id(n) for n in ast.walk(fn)}
    return any(id(n) not in inside and (isinstance(n, ast.Attribute) and n.attr == fn.name or isinstance(n, ast.Name)
                                        and n.id == fn.name or isinstance(n, ast.Constant) and n.value == fn.name)
               for n in ast.walk(tree))


def _session_block(stmt: ast.stmt) -> bool:
    if not (isinstance(stmt, ast.With) and len(stmt.items) == 1):
        return False
    call, alias = stmt.items[0].context_expr, stmt.items[0].optional_vars
    return (isinstance(call, ast.Call) and not call.args and not call.keywords and isinstance(call.func, ast.Attribute)
            and call.func.attr in SESSIONS and isinstance(call.func.value, ast.Name) and call.func.value.id == "self"
            and (alias is None or isinstance(alias, ast.Name)))


def graph_reads(prog: Program, fn: ast.FunctionDef) -> list[ast.Name]:
    """The reads of module-level graph values in `fn` (names it does not bind itself)."""
    own = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)} | {
        n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return [n for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in own
            and prog.kind(n.id) is not None]


def _evaluations(fn: ast.FunctionDef, sessions: set[str]) -> list[tuple[ast.Call, ast.expr]]:
    """(call, value) for `value.eval()` and `sess.run(value)` of the test session, on one line each."""
    out = []
    for n in ast.walk(fn):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.lineno == n.end_lineno):
            continue
        if n.func.attr == "eval" and not n.args and not n.keywords:
            out.append((n, n.func.value))
        elif n.func.attr == "run" and isinstance(n.func.value, ast.Name) and n.func.value.id in sessions and len(
                n.args) == 1 and not n.keywords:
            out.append((n, n.args[0]))
    return out


def class_text(prog: Program, cls: ast.ClassDef, edit: Editor) -> tuple[str, list[str]]:
    """See the module docstring."""
    from upgrader.native.base import Blocked   # NOTE: a local import: base.py imports model.py, which imports this
    warnings = []
    first = min([cls.lineno] + [d.lineno for d in cls.decorator_list])
    lines = edit.src.splitlines(keepends=True)[first - 1:cls.end_lineno]
    at = lambda node: node.lineno - first   # noqa: E731  (the line of `node` in `lines`)
    blocks = []
    for fn in (s for s in cls.body if isinstance(s, ast.FunctionDef)):
        withs = [w for w in ast.walk(fn) if _session_block(w)]
        sessions = {w.items[0].optional_vars.id for w in withs if w.items[0].optional_vars is not None}
        evaluations = _evaluations(fn, sessions)
        done = {id(c.func.value) for c, _ in evaluations}
        if stray := next((n for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id in sessions and id(n) not in done
                          and isinstance(n.ctx, ast.Load)), None):
            raise Blocked(stray.lineno, f"{cls.name}.{fn.name} uses the test session '{stray.id}' other than "
                                        f"{stray.id}.run(value): TF2 test methods run eagerly, with no session")
        reads = list(dict.fromkeys(n.id for n in graph_reads(prog, fn)))
        if reads and _runs(prog.tree, fn):
            raise Blocked(fn.lineno, f"{cls.name}.{fn.name} (a test unittest runs) reads '{reads[0]}', a graph value "
                                     "built at module level: the converted program computes it in a function of its "
                                     "inputs, so the test has no tensor to check; build what it checks in the test")
        if reads:
            what = "a graph value built at module level, which the converted program computes in a function" if len(
                reads) == 1 else "graph values built at module level, which the converted program computes in functions"
            warnings.append(f"line {fn.lineno}: {cls.name}.{fn.name} is never run (unittest runs methods named test*) "
                            f"and reads {', '.join(repr(r) for r in reads)} ({what}): left as written")
        for call, value in sorted(evaluations, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
            raw = lines[at(call)].encode("utf-8")
            text = raw[value.col_offset:value.end_col_offset].decode("utf-8")
            lines[at(call)] = (raw[:call.col_offset] + f"self.evaluate({text})".encode("utf-8") +
                               raw[call.end_col_offset:]).decode("utf-8")
        blocks += withs
    for w in sorted(blocks, key=lambda w: w.lineno, reverse=True):   # NOTE: inner blocks first: their lines move last
        head = lines[at(w):at(w.body[0])]
        if len(head) != 1 or w.body[0].lineno == w.lineno:
            raise Blocked(w.lineno, "`with self.test_session():` sharing its line with its body: put the body on "
                                    "lines of its own")
        shift = w.body[0].col_offset - w.col_offset
        body = [ln[shift:] if ln[:shift].isspace() else ln for ln in lines[at(w.body[0]):at(w) + w.end_lineno - w.lineno + 1]]
        lines[at(w):at(w) + w.end_lineno - w.lineno + 1] = body
    return "".join(lines).rstrip("\r\n"), warnings
