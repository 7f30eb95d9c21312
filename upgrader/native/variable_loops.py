"""A top-level `for` that makes variables and rebinds a tensor: variables in lists, the tensor a function.

    Y_pred = tf.Variable(tf.zeros([1]))                 Y_pred_0 = tf.Variable(tf.zeros([1]))
    for i in range(1, 4):                               W_list = [tf.Variable(tf.ones([1])) for i in range(1, 4)]
        W = tf.Variable(tf.ones([1]))          ->
        Y_pred = Y_pred + tf.pow(X, i) * W              def build_Y_pred(X, Y_pred, W_list):
                                                            for i, W in zip(range(1, 4), W_list):
                                                                Y_pred = Y_pred + tf.pow(X, i) * W
                                                            return Y_pred


                                                        Y_pred = build_Y_pred(X, Y_pred_0, W_list)

TF1 runs such a loop once, while the graph is built: each pass makes its own variables and
adds ops to the graph. The lists make the same variables, in the same passes, once; the
function runs the same loop over them, so the tensor it returns is the one TF1 built, and
the native analysis then follows the lists (as variable containers) and the function (as a
helper that computes tensors). The loop must run over plain Python values; its body may hold
only `name = tf.Variable(...)` (or a call of a module-level function that makes one) and
statements computing graph values, exactly one of them read after the loop. Anything else
(placeholders, layers, sessions, `break`, variables read after the loop) leaves the loop as
written, and the analysis reports it.

    split_variable_loops(code, tree) -> code with each such loop rewritten (or `code` unchanged)
"""
from __future__ import annotations

import ast

from upgrader.native.graph_blocks import MAKERS, _free_loads, _graph_names, _loads, _stores, _tf_calls
from upgrader.scan import collect_aliases

VARIABLE_CALLS = ("Variable",)
_EXITS = (ast.Break, ast.Continue, ast.Return, ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal, ast.FunctionDef,
          ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.Try, ast.With, ast.For, ast.While, ast.If, ast.Delete)


def split_variable_loops(code: str, tree: ast.Module) -> str:
    aliases = collect_aliases(tree)
    if "tensorflow" not in aliases.values():
        return code
    graph, variables = _graph_names(tree, aliases)
    factories = {s.name for s in tree.body if isinstance(s, ast.FunctionDef) and _makes_variable(s, aliases)}
    taken = _stores(tree) | {s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.ClassDef))}
    lines = code.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []   # (first line, last line, new text), 1-based inclusive
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.For):
            plan = _plan(code, tree.body, i, aliases, graph | variables, factories, taken)
            if plan is not None:
                edits += plan
    for first, last, text in sorted(edits, reverse=True):
        lines[first - 1:last] = [text]
    return "".join(lines)


def _makes_variable(node: ast.AST, aliases: dict[str, str]) -> bool:
    return any(c.rsplit(".", 1)[-1] in VARIABLE_CALLS for c in _tf_calls(node, aliases))


def _variable_stmt(stmt: ast.stmt, aliases: dict[str, str], factories: set[str]) -> str | None:
    """`W = tf.Variable(...)` or `W = init_weights(...)` (a def that makes one): the name bound, else None."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)):
        return None
    calls = _tf_calls(ast.Call(stmt.value.func, [], []), aliases)   # the outer call only, not its arguments
    if calls and calls[0].rsplit(".", 1)[-1] in VARIABLE_CALLS or (
            isinstance(stmt.value.func, ast.Name) and stmt.value.func.id in factories):
        return stmt.targets[0].id
    return None


def _fresh(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def _plan(code: str, body: list[ast.stmt], i: int, aliases: dict[str, str], graph: set[str], factories: set[str],
          taken: set[str]) -> list[tuple[int, int, str]] | None:
    """The edits that split loop `body[i]`, or None when it is not such a loop."""
    loop = body[i]
    if loop.orelse or any(isinstance(n, _EXITS) for s in loop.body for n in ast.walk(s)):
        return None
    if _tf_calls(loop.iter, aliases) or _loads(loop.iter) & graph or _loads(loop.iter) & factories:
        return None   # NOTE: a loop over graph values is not a loop TF2 can run the same way
    if any(isinstance(n, ast.Attribute) and n.attr in ("run", "eval") for n in ast.walk(loop)):
        return None
    targets = _stores(loop.target)
    made: list[ast.Assign] = []
    computed: list[ast.stmt] = []
    for s in loop.body:
        if _variable_stmt(s, aliases, factories) is not None:
            made.append(s)
        elif isinstance(s, (ast.Assign, ast.AugAssign)) and not any(
                c.rsplit(".", 1)[-1] in MAKERS or ".layers." in c for c in _tf_calls(s, aliases)) and not (
                _loads(s) & factories):
            computed.append(s)
        else:
            return None
    if not made or not computed:
        return None
    var_names = [s.targets[0].id for s in made]
    stored = set().union(*(_stores(s) for s in computed)) | {s.target.id for s in computed if isinstance(
        s, ast.AugAssign) and isinstance(s.target, ast.Name)}
    if len(set(var_names)) != len(var_names) or set(var_names) & (stored | targets):
        return None
    if any(_loads(s) & (stored | set(var_names)) - targets for s in made):
        return None   # an initial value computed in the loop: not a variable made before it
    if not any(_loads(s) & (set(var_names) | graph | stored) for s in computed):
        return None   # Python bookkeeping beside the variables: nothing graph-valued is built
    later: set[str] = set()
    for s in body[i + 1:]:
        later |= _free_loads(s)
    if later & (set(var_names) | targets):
        return None
    outs = sorted(stored & later)
    if len(outs) != 1 or _shared_lines(loop) or _multiline_strings(loop):
        return None
    out = outs[0]
    carried = _carried(computed) - targets
    init_edit: list[tuple[int, int, str]] = []
    passed: dict[str, str] = {}   # parameter -> what the call passes
    if out in carried:
        init = next((s for s in reversed(body[:i]) if out in _stores(s)), None)
        if not (isinstance(init, ast.Assign) and len(init.targets) == 1 and isinstance(init.targets[0], ast.Name)
                and init.targets[0].col_offset == 0 and init.lineno == init.targets[0].lineno):
            return None
        if any(out in _free_loads(s) or out in _stores(s) for s in body[body.index(init) + 1:i]):
            return None
        if isinstance(init.value, ast.Name) and init.end_lineno == init.lineno:   # `h = x`: the loop starts from x
            init_edit, passed[out] = [(init.lineno, init.lineno, "")], init.value.id
        else:
            first = _fresh(f"{out}_0", taken)
            line = code.splitlines(keepends=True)[init.lineno - 1]
            init_edit, passed[out] = [(init.lineno, init.lineno, first + line[len(out):])], first
    reads = set().union(*(_free_loads(s) for s in computed)) - targets - set(var_names)
    for name in _in_order(computed, (reads & graph) | (carried - {out})):
        passed.setdefault(name, name)
    if set(passed) - graph - {out}:
        return None   # a carried Python value: not followed
    lists = {v: _fresh(f"{v}_list", taken) for v in var_names}
    fn = _fresh(f"build_{out}", taken)
    target_text = ast.get_source_segment(code, loop.target)
    iter_text = ast.get_source_segment(code, loop.iter)
    made_text = "".join(_comprehension(lists[s.targets[0].id], ast.get_source_segment(code, s.value),
                                       f"for {target_text} in {iter_text}") for s in made)
    loop_target = f"({target_text})" if isinstance(loop.target, ast.Tuple) and not target_text.startswith("(") \
        else target_text
    params = list(passed) + [lists[v] for v in var_names]
    args = list(passed.values()) + [lists[v] for v in var_names]
    lines = code.splitlines(keepends=True)
    kept = [ln for n, ln in enumerate(lines[loop.body[0].lineno - 1:loop.end_lineno], loop.body[0].lineno)
            if not any(s.lineno <= n <= s.end_lineno for s in made)]
    inner = "".join("    " + ln if ln.strip() else ln for ln in kept)
    if not inner.endswith("\n"):
        inner += "\n"
    text = (f"{made_text}\n\ndef {fn}({', '.join(params)}):\n"
            f"    for {loop_target}, {', '.join(var_names)} in zip({iter_text}, {', '.join(lists[v] for v in var_names)}):\n"
            f"{inner}    return {out}\n\n\n{out} = {fn}({', '.join(args)})\n")
    return init_edit + [(loop.lineno, loop.end_lineno, text)]


def _comprehension(name: str, value: str, clause: str) -> str:
    """`W_list = [tf.Variable(...) for i in range(3)]`, its `for` clause on a line of its own when long."""
    one = f"{name} = [{value} {clause}]\n"
    return one if len(one) <= 100 and "\n" not in value else f"{name} = [{value}\n{' ' * (len(name) + 4)}{clause}]\n"


def _carried(computed: list[ast.stmt]) -> set[str]:
    """Names a pass reads before it binds them: values carried from one pass to the next (and in from before)."""
    bound: set[str] = set()
    read_first: set[str] = set()
    for s in computed:
        aug = {s.target.id} if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name) else set()
        read_first |= (_free_loads(s) | aug) - bound
        bound |= _stores(s) | aug
    return read_first & bound


def _in_order(stmts: list[ast.stmt], names: set[str]) -> list[str]:
    seen = [n.id for s in stmts for n in ast.walk(s) if isinstance(n, ast.Name) and n.id in names]
    return list(dict.fromkeys(seen))


def _shared_lines(loop: ast.For) -> bool:
    """Two statements on one line (`a = f(x); W = tf.Variable(...)`), or the body on the `for` line."""
    rows = [s.lineno for s in loop.body] + [s.end_lineno for s in loop.body]
    return loop.body[0].lineno == loop.lineno or len({s.lineno for s in loop.body}) != len(loop.body) or any(
        a.end_lineno >= b.lineno for a, b in zip(loop.body, loop.body[1:])) or not rows


def _multiline_strings(loop: ast.For) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and n.lineno != n.end_lineno
               for n in ast.walk(loop))
