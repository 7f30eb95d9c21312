"""RNN cells inside graph-building functions: each cell run by an rnn call becomes one Keras layer of the tf.Module.

A def whose body builds cells and runs them is a builder (native/modules.py), like one calling get_variable:
the cell statements and the run describe one Keras layer created in `__init__`, and the run becomes a call of
that layer in `__call__`. TF1 names the run's variables (`rnn/lstm_cell/kernel`), so reuse is replayed as for
get_variable:

    def RNN(x, w, n):                                        class RNNModule(tf.Module):
        cell = tf.nn.rnn_cell.BasicRNNCell(n)                    def __init__(self, n):
        out, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)       self.cell = tf.keras.layers.SimpleRNN(n, return_sequences=True)
        return tf.matmul(out[:, -1], w)                          def __call__(self, x, w):
                                                                     out = self.cell(x)
                                                                     return tf.matmul(out[:, -1], w)

static_rnn takes and returns a list of steps (tf.stack / tf.unstack around the layer); static_bidirectional_rnn
and bidirectional_dynamic_rnn become tf.keras.layers.Bidirectional (concatenated, or a pair of outputs);
DropoutWrapper(output_keep_prob=p) becomes tf.nn.dropout on the run's outputs (TF1 drops each step's output
with a fresh mask; the state it passes on is not dropped).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from upgrader.native.rnn import CELLS, STACKS

if TYPE_CHECKING:
    from upgrader.native.model import Program
    from upgrader.native.modules import Builder

DROPOUT = frozenset({"tf.nn.rnn_cell.DropoutWrapper", "tf.contrib.rnn.DropoutWrapper"})
# run function -> its parameters in order (TF1 signatures)
RUNS = {
    "tf.nn.dynamic_rnn": ("cell", "inputs", "sequence_length", "initial_state", "dtype", "parallel_iterations",
                          "swap_memory", "time_major", "scope"),
    "tf.nn.static_rnn": ("cell", "inputs", "initial_state", "dtype", "sequence_length", "scope"),
    "tf.nn.bidirectional_dynamic_rnn": ("cell_fw", "cell_bw", "inputs", "sequence_length", "initial_state_fw",
                                        "initial_state_bw", "dtype", "parallel_iterations", "swap_memory",
                                        "time_major", "scope"),
    "tf.nn.static_bidirectional_rnn": ("cell_fw", "cell_bw", "inputs", "initial_state_fw", "initial_state_bw",
                                       "dtype", "sequence_length", "scope"),
}
RUNS["tf.contrib.rnn.static_rnn"] = RUNS["tf.nn.static_rnn"]
RUNS["tf.contrib.rnn.static_bidirectional_rnn"] = RUNS["tf.nn.static_bidirectional_rnn"]
RUNS["tf.contrib.rnn.bidirectional_dynamic_rnn"] = RUNS["tf.nn.bidirectional_dynamic_rnn"]
IGNORED = frozenset({"dtype", "parallel_iterations", "swap_memory", "scope"})   # no effect on the numbers
SCOPES = {"LSTMCell": "lstm_cell", "BasicLSTMCell": "basic_lstm_cell", "GRUCell": "gru_cell",
          "BasicRNNCell": "basic_rnn_cell"}


@dataclass(eq=False)
class Run:
    """One rnn call in a builder and the Keras layer it becomes."""

    stmt: ast.Assign
    key: str
    args: dict[str, ast.expr]
    cells: list[list[ast.Call]]                 # per direction: the cell constructor calls (several: a MultiRNNCell)
    values: list[ast.Call]                      # per direction: the cell or MultiRNNCell call (inside any DropoutWrapper)
    stacked: bool                               # the cell is a MultiRNNCell
    dropout: dict[str, ast.expr] = field(default_factory=dict)   # DropoutWrapper keep probabilities ('output', 'input')
    state: bool = False                         # the function reads the returned state
    attr: str = ""

    @property
    def bidirectional(self) -> bool:
        return "bidirectional" in self.key

    @property
    def static(self) -> bool:
        return "static" in self.key


def has_cells(prog: Program, fn: ast.FunctionDef) -> bool:
    """The def builds RNN cells (so it is a builder even without get_variable)."""
    return any(prog.call_key(n) in CELLS or prog.call_key(n) in STACKS for n in ast.walk(fn))


def cell_statement(prog: Program, stmt: ast.stmt) -> bool:
    """`cell = LSTMCell(n)` / MultiRNNCell([...]) / DropoutWrapper(cell, ...): described by the run that uses it."""
    return isinstance(stmt, ast.Assign) and (prog.call_key(stmt.value) in CELLS or prog.call_key(stmt.value) in STACKS
                                             or prog.call_key(stmt.value) in DROPOUT)


def run_statement(prog: Program, stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Assign) and prog.call_key(stmt.value) in RUNS or _version_try(prog, stmt) is not None


def _version_try(prog: Program, stmt: ast.stmt) -> ast.Assign | None:
    """`try: outputs, _, _ = static_bidirectional_rnn(...)` / `except Exception: outputs = static_bidirectional_rnn(...)`
    (the same call, unpacked as an older TensorFlow returned it): the try body's statement; TF2 never raises there."""
    if not (isinstance(stmt, ast.Try) and len(stmt.body) == 1 and not stmt.orelse and not stmt.finalbody
            and isinstance(stmt.body[0], ast.Assign) and prog.call_key(stmt.body[0].value) in RUNS):
        return None
    same = [len(h.body) == 1 and isinstance(h.body[0], ast.Assign) and ast.dump(h.body[0].value) == ast.dump(
        stmt.body[0].value) for h in stmt.handlers]
    return stmt.body[0] if all(same) else None


def follow(prog: Program, b: Builder, stmt: ast.Assign) -> Run:
    """Check one run statement of builder `b` and describe its layer; raises modules.Stop with the reason."""
    from upgrader.native.modules import _attribute
    if isinstance(stmt, ast.Try):   # NOTE: the old-TensorFlow fallback in its handlers disappears with the call
        prog.rnn_calls.update(id(n) for n in ast.walk(stmt))
        stmt = _version_try(prog, stmt)
    call, key = stmt.value, prog.call_key(stmt.value)
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        stop(stmt, f"{key} with *args/**kwargs")
    params = RUNS[key]
    args = dict(zip(params, call.args)) | {k.arg: k.value for k in call.keywords}
    if set(args) - set(params) or "inputs" not in args:
        stop(stmt, f"{key} arguments {sorted(set(args) - set(params)) or ['inputs']} not understood")
    cells_named = [args.get(p) for p in (("cell_fw", "cell_bw") if "cell_fw" in params else ("cell",))]
    bound = [_binding(prog, b, c.id, stmt) if isinstance(c, ast.Name) else None for c in cells_named]
    if None in bound:
        stop(stmt, f"{key}: its cell is not an RNN cell assigned to a name earlier in the function")
    for p, node in args.items():
        if p.startswith("initial_state") and not _zero_state(node, [c.id for c in cells_named]):
            stop(stmt, f"{key}({p}=...): only the cell's zero_state converts (Keras takes [h, c], TF1 (c, h))")
        if p == "time_major" and not (isinstance(node, ast.Constant) and node.value in (None, False)):
            stop(stmt, f"{key}(time_major=True): Keras RNN layers take batch-major inputs (transpose by hand)")
        if p == "dtype" and not (isinstance(node, ast.Constant) and node.value is None) and prog.key(node) not in (
                "tf.float32", "tf.dtypes.float32"):
            stop(stmt, f"{key} with a dtype other than float32")
        if p == "scope" and not (isinstance(node, ast.Constant) and isinstance(node.value, (str, type(None)))):
            stop(stmt, f"{key}(scope=...) that is not a string literal")
    if "bidirectional" in key and "sequence_length" in args:
        stop(stmt, f"{key}(sequence_length=...) is not converted natively yet")
    run = Run(stmt, key, args, [], [], False)
    for cell in bound:
        calls, stacked, dropout, value = _unwrap(prog, b, cell)
        run.cells.append(calls)
        run.values.append(value)
        run.stacked |= stacked
        for which, p in dropout.items():
            if which in run.dropout and ast.dump(run.dropout[which]) != ast.dump(p):
                stop(stmt, f"{key}: the two directions' DropoutWrappers keep different fractions")
            run.dropout[which] = p
    if run.bidirectional and "input" in run.dropout:
        stop(stmt, f"{key}: DropoutWrapper(input_keep_prob=) draws separate masks per direction (no Keras form)")
    if run.stacked and run.dropout:
        stop(stmt, "a MultiRNNCell of DropoutWrappers drops between its layers (no Keras form)")
    _uses(prog, b)
    prog.rnn_calls.update(id(n) for s in [stmt, *_cell_statements(prog, b)] for n in ast.walk(s.value))
    run.state = _state_read(prog, b, stmt, run, stop)
    run.attr = _attribute(b, "bidirectional" if run.bidirectional else cells_named[0].id)
    return run


def stop(node: ast.AST, reason: str) -> None:
    from upgrader.native.modules import Stop
    raise Stop(node, reason)


def rnn_call(prog: Program, node: ast.AST) -> bool:
    k = prog.call_key(node)
    return k in CELLS or k in STACKS or k in DROPOUT or k in RUNS


def _inner(value: ast.Call) -> ast.expr | None:
    """The cell a DropoutWrapper wraps."""
    return value.args[0] if value.args else next((k.value for k in value.keywords if k.arg == "cell"), None)


def init_loads(prog: Program, b: Builder, stmt: ast.Assign) -> set[str]:
    """Names a cell statement's Keras layer is built from (not other cells; a DropoutWrapper's keep probability is
    computation)."""
    value = _inner(stmt.value) if prog.call_key(stmt.value) in DROPOUT else stmt.value
    cells = {t.id for s in _cell_statements(prog, b) for t in s.targets if isinstance(t, ast.Name)}
    return {n.id for n in ast.walk(value) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - cells if value else set()


def _cell_statements(prog: Program, b: Builder) -> list[ast.Assign]:
    return sorted((s for s in ast.walk(b.node) if isinstance(s, ast.Assign) and cell_statement(prog, s)),
                  key=lambda s: s.lineno)


def _binding(prog: Program, b: Builder, name: str, before: ast.stmt) -> ast.Assign | None:
    """The cell statement that last bound `name` before `before` (`cell = DropoutWrapper(cell)` rebinds it)."""
    found = [s for s in _cell_statements(prog, b) if s.lineno < before.lineno and any(
        isinstance(t, ast.Name) and t.id == name for t in s.targets)]
    return found[-1] if found else None


def _unwrap(prog: Program, b: Builder, stmt: ast.Assign) -> tuple[list[ast.Call], bool, dict, ast.Call]:
    """(the cell constructor calls, whether stacked, DropoutWrapper keep probabilities, the cell or stack call)."""
    if not (len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
        stop(stmt, "an RNN cell must be assigned to one name")
    value, dropout = stmt.value, {}
    if prog.call_key(value) in DROPOUT:
        given = dict(zip(("cell", "input_keep_prob", "output_keep_prob"), value.args)) | {
            k.arg: k.value for k in value.keywords}
        if extra := sorted(set(given) - {"cell", "input_keep_prob", "output_keep_prob"}):
            stop(stmt, f"DropoutWrapper({extra[0]}=...) has no Keras form native mode can map")
        dropout = {k.split("_")[0]: v for k, v in given.items() if k != "cell"}
        value = _inner(value)
        if isinstance(value, ast.Name):
            inner = _binding(prog, b, value.id, stmt)
            value = inner.value if inner is not None else value
        if prog.call_key(value) in DROPOUT or prog.call_key(value) in STACKS:
            stop(stmt, "a DropoutWrapper around a MultiRNNCell or another DropoutWrapper is not converted natively")
    if prog.call_key(value) in CELLS:
        return [value], False, dropout, value
    if prog.call_key(value) in STACKS:
        arg = value.args[0] if len(value.args) == 1 and not value.keywords else None
        items = [arg.elt] if isinstance(arg, ast.ListComp) else arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else []
        calls = [getattr(_binding(prog, b, i.id, stmt), "value", i) if isinstance(i, ast.Name) else i for i in items]
        if not calls or not all(prog.call_key(c) in CELLS for c in calls):
            stop(stmt, "a MultiRNNCell is followed over a list (or comprehension) of new cells")
        return calls, True, dropout, value
    stop(stmt, "an RNN cell native mode can follow is one cell, a MultiRNNCell of cells, or a DropoutWrapper of a cell")
    return [], False, {}, value


def _zero_state(node: ast.expr, cells: list[str]) -> bool:
    if isinstance(node, ast.Constant) and node.value is None:
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "zero_state"
            and isinstance(node.func.value, ast.Name) and node.func.value.id in cells)


def _uses(prog: Program, b: Builder) -> None:
    """Cell names are read only by cell statements and rnn calls; each cell statement feeds exactly one of them."""
    statements = _cell_statements(prog, b)
    fallbacks = {id(h.body[0]) for t in ast.walk(b.node) if _version_try(prog, t) is not None for h in t.handlers}
    names = {t.id for s in statements for t in s.targets if isinstance(t, ast.Name)}
    allowed = {id(n) for s in ast.walk(b.node) if isinstance(s, ast.Assign) and (cell_statement(prog, s) or
               run_statement(prog, s)) for n in ast.walk(s.value)}
    for n in ast.walk(b.node):
        if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load) and id(n) not in allowed:
            stop(n, f"RNN cell '{n.id}' is used other than by its rnn call (a Keras layer has no TF1 cell attributes)")
    for s in statements:
        target = s.targets[0].id if isinstance(s.targets[0], ast.Name) else ""
        readers = [r for r in ast.walk(b.node) if isinstance(r, ast.Assign) and id(r) not in fallbacks and r.lineno > s.lineno and (
            cell_statement(prog, r) or run_statement(prog, r)) and _binding(prog, b, target, r) is s and any(
            isinstance(n, ast.Name) and n.id == target for n in ast.walk(r.value))]
        if len(readers) > 1:
            stop(s, f"RNN cell '{target}' is used by {len(readers)} statements: native mode follows a cell run once")


def _state_read(prog: Program, b: Builder, stmt: ast.Assign, run: Run, stop: Any) -> bool:
    """Whether the run's state is read; blocks result shapes and state reads native mode does not follow."""
    target = stmt.targets[0] if len(stmt.targets) == 1 else None
    want = 3 if run.static and run.bidirectional else 2
    if not (isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == want
            and all(isinstance(e, (ast.Name, ast.Tuple, ast.List)) for e in target.elts)):
        stop(stmt, f"{run.key}'s result is followed when unpacked as `outputs, state{', state_bw' * (want == 3)} = ...`")
    states = [e.id for e in target.elts[1:] if isinstance(e, ast.Name) and e.id != "_"]
    if any(not isinstance(e, ast.Name) for e in target.elts[1:]):
        stop(stmt, f"{run.key}: unpacking the state further is not converted natively")
    read = [n for n in ast.walk(b.node) if isinstance(n, ast.Name) and n.id in states and isinstance(n.ctx, ast.Load)]
    if not read:
        return False
    lstm = {CELLS[prog.call_key(c)] == "LSTMCell" for cs in run.cells for c in cs}
    if run.bidirectional or len(lstm) > 1:
        stop(read[0], f"'{read[0].id}' (the state {run.key} returns) is read inside the function: a bidirectional "
                      "state, or a MultiRNNCell mixing LSTM and other cells, is not converted natively")
    return True


def variable_names(prog: Program, run: Run, path: str) -> list[str]:
    """The TF1 variable names the run creates (kernel, bias per cell), for the reuse replay."""
    scope = run.args.get("scope")
    base = scope.value if isinstance(scope, ast.Constant) and scope.value else (
        "bidirectional_rnn" if run.bidirectional else "rnn")
    base = f"{path}/{base}" if path else base
    out = []
    for d, calls in zip(("fw", "bw") if run.bidirectional else ("",), run.cells):
        for i, c in enumerate(calls):
            tf1 = (prog.call_key(c) or "").rsplit(".", 1)[-1]
            name = next((k.value.value for k in c.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)),
                        SCOPES.get(tf1, tf1))
            parts = [base] + ([d] if d else []) + ([f"multi_rnn_cell/cell_{i}"] if run.stacked else []) + [name]
            out += ["/".join(parts + [v]) for v in ("kernel", "bias")]
    return out


def contrib_import_followed(prog: Program, stmt: ast.ImportFrom) -> bool:
    """`from tensorflow.contrib import rnn` whose every use is a cell or rnn call that became a Keras layer."""
    if not (stmt.module or "").startswith("tensorflow.contrib") or stmt.level:
        return False
    names = {a.asname or a.name for a in stmt.names}
    followed = {id(n) for c in ast.walk(prog.tree) if isinstance(c, ast.Call) and id(c) in prog.rnn_calls
                for n in ast.walk(c.func)}
    uses = [n for n in ast.walk(prog.tree) if isinstance(n, ast.Name) and n.id in names]
    return bool(uses) and all(id(n) in followed for n in uses)
