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

The loop's body may also sit in one `with tf.name_scope(...)` (kept around the function's loop;
the variables lose the scope prefix of their TF1 names), compute Python values the variables'
shapes read (`shape = [size, 4]`: written into the comprehensions), and fill a list instead of
rebinding a tensor (`pooled = []` before it, `pooled.append(...)` in it: the list starts empty
inside the function, so each call builds its own). A variable name bound again after the loop
before anything reads it (a second layer's `W`) is not "read after the loop".

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
    stmts = _scoped(loop, aliases)
    if loop.orelse or stmts is None or any(isinstance(n, _EXITS) for s in stmts for n in ast.walk(s)):
        return None
    if _tf_calls(loop.iter, aliases) or _loads(loop.iter) & graph or _loads(loop.iter) & factories:
        return None   # NOTE: a loop over graph values is not a loop TF2 can run the same way
    if any(isinstance(n, ast.Attribute) and n.attr in ("run", "eval") for n in ast.walk(loop)):
        return None
    targets = _stores(loop.target)
    inside = _stores(loop)   # NOTE: names the loop binds count as graph values in `graph`; not in its own passes
    made: list[ast.Assign] = []
    computed: list[ast.stmt] = []
    python: dict[str, ast.Assign] = {}   # `shape = [size, 4]`: Python values computed in the loop
    filled: set[str] = set()   # lists the loop appends graph values to
    for s in stmts:
        if _variable_stmt(s, aliases, factories) is not None:
            made.append(s)
        elif _python_value(s, aliases, (graph - inside) | factories | _bound(made + computed)):
            python[s.targets[0].id] = s
        elif isinstance(s, (ast.Assign, ast.AugAssign)) and not _makes(s, aliases, factories):
            computed.append(s)
        elif (lst := _appended_list(s)) is not None and not _makes(s, aliases, factories):
            computed.append(s)
            filled.add(lst)
        else:
            return None
    if not made or not computed:
        return None
    var_names = [s.targets[0].id for s in made]
    stored = set().union(*(_stores(s) for s in computed)) | {s.target.id for s in computed if isinstance(
        s, ast.AugAssign) and isinstance(s.target, ast.Name)}
    if len(set(var_names)) != len(var_names) or set(var_names) & (stored | targets | set(python)) or set(
            python) & (stored | targets | filled):
        return None
    if any(_loads(s) & (stored | set(var_names)) - targets for s in made):
        return None   # an initial value computed in the loop: not a variable made before it
    if not any(_loads(s) & (set(var_names) | graph | stored) for s in computed):
        return None   # Python bookkeeping beside the variables: nothing graph-valued is built
    later = _read_later(body[i + 1:])
    if later & (set(var_names) | targets | set(python)):
        return None
    outs = sorted((stored | filled) & later)
    if len(outs) != 1 or _shared_lines(loop, stmts) or _multiline_strings(loop):
        return None
    out = outs[0]
    carried = _carried(computed) - targets
    init_edit: list[tuple[int, int, str]] = []
    passed: dict[str, str] = {}   # parameter -> what the call passes
    fresh_list = ""
    if out in carried or out in filled:
        init = next((s for s in reversed(body[:i]) if out in _stores(s)), None)
        if not (isinstance(init, ast.Assign) and len(init.targets) == 1 and isinstance(init.targets[0], ast.Name)
                and init.targets[0].col_offset == 0 and init.lineno == init.targets[0].lineno):
            return None
        if any(out in _free_loads(s) or out in _stores(s) for s in body[body.index(init) + 1:i]):
            return None
        if out in filled:   # NOTE: the list starts empty in the function: each call fills a list of its own
            if out in stored or not (isinstance(init.value, ast.List) and not init.value.elts) or \
                    init.end_lineno != init.lineno:
                return None
            init_edit, fresh_list = [(init.lineno, init.lineno, "")], f"    {out} = []\n"
        elif isinstance(init.value, ast.Name) and init.end_lineno == init.lineno:   # `h = x`: the loop starts from x
            init_edit, passed[out] = [(init.lineno, init.lineno, "")], init.value.id
        else:
            first = _fresh(f"{out}_0", taken)
            line = code.splitlines(keepends=True)[init.lineno - 1]
            init_edit, passed[out] = [(init.lineno, init.lineno, first + line[len(out):])], first
    kept_python = _read_python(computed, python)
    reads = set().union(*(_free_loads(s) for s in computed + kept_python)) - targets - set(var_names) - filled - (
        stored - carried)   # NOTE: a value computed earlier in the same pass is no parameter
    for name in _in_order(computed, (reads & graph) | (carried - {out})):
        passed.setdefault(name, name)
    if set(passed) - graph - {out}:
        return None   # a carried Python value: not followed
    lists = {v: _fresh(f"{v}_list", taken) for v in var_names}
    head, sep, rest = out.partition("__")   # NOTE: a flattened model's member (`cnn__pooled`, class_instances.py)
    fn = _fresh(f"{head}{sep}build_{rest}" if head and rest else f"build_{out}", taken)   # keeps its prefix: a method
    target_text = ast.get_source_segment(code, loop.target)
    iter_text = ast.get_source_segment(code, loop.iter)
    values = _python_texts(code, python)
    scope = loop.body[0].items[0].context_expr if stmts is not loop.body and len(loop.body[0].items) == 1 else None
    made_text = "".join(_comprehension(lists[s.targets[0].id], _named(code, s.value, values, scope, aliases),
                                       f"for {target_text} in {iter_text}") for s in made)
    loop_target = f"({target_text})" if isinstance(loop.target, ast.Tuple) and not target_text.startswith("(") \
        else target_text
    params = list(passed) + [lists[v] for v in var_names]
    args = list(passed.values()) + [lists[v] for v in var_names]
    lines = code.splitlines(keepends=True)
    dropped = made + [s for s in python.values() if s not in kept_python]
    kept = [ln for n, ln in enumerate(lines[loop.body[0].lineno - 1:loop.end_lineno], loop.body[0].lineno)
            if not any(s.lineno <= n <= s.end_lineno for s in dropped)]
    inner = "".join("    " + ln if ln.strip() else ln for ln in kept)
    if not inner.endswith("\n"):
        inner += "\n"
    text = (f"{made_text}\n\ndef {fn}({', '.join(params)}):\n{fresh_list}"
            f"    for {loop_target}, {', '.join(var_names)} in zip({iter_text}, {', '.join(lists[v] for v in var_names)}):\n"
            f"{inner}    return {out}\n\n\n{out} = {fn}({', '.join(args)})\n")
    return init_edit + [(loop.lineno, loop.end_lineno, text)]


def _scoped(loop: ast.For, aliases: dict[str, str]) -> list[ast.stmt] | None:
    """The loop's statements, inside its one `with tf.name_scope(...)` if it has one (None: another `with`)."""
    if len(loop.body) == 1 and isinstance(scope := loop.body[0], ast.With):
        names = [_tf_calls(ast.Call(i.context_expr.func, [], []), aliases) if isinstance(i.context_expr, ast.Call)
                 else [] for i in scope.items]
        if all(n and n[0].endswith(".name_scope") for n in names) and all(i.optional_vars is None for i in scope.items):
            return scope.body
        return None
    return loop.body


def _makes(stmt: ast.stmt, aliases: dict[str, str], factories: set[str]) -> bool:
    """Layers, placeholders, sessions...: what a pass cannot compute again on each call."""
    return any(c.rsplit(".", 1)[-1] in MAKERS or ".layers." in c for c in _tf_calls(stmt, aliases)) or bool(
        _loads(stmt) & factories)


def _bound(stmts: list[ast.stmt]) -> set[str]:
    return set().union(*(_stores(s) for s in stmts)) | {s.target.id for s in stmts if isinstance(
        s, ast.AugAssign) and isinstance(s.target, ast.Name)}


def _python_value(stmt: ast.stmt, aliases: dict[str, str], graph: set[str]) -> bool:
    """`shape = [size, 4]`: one name bound to a value built without TensorFlow or graph values."""
    return (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and not _tf_calls(stmt, aliases) and not _loads(stmt.value) & (graph | {stmt.targets[0].id})
            and not any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) for n in ast.walk(stmt.value)))


def _appended_list(stmt: ast.stmt) -> str | None:
    """`pooled.append(value)`: the name of the list, else None."""
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "append" and \
            isinstance(call.func.value, ast.Name) and len(call.args) == 1 and not call.keywords:
        return call.func.value.id
    return None


def _read_later(stmts: list[ast.stmt]) -> set[str]:
    """Names read by `stmts` before they bind them again (`W = tf.Variable(...)` after the loop starts a new W)."""
    bound: set[str] = set()
    read: set[str] = set()
    for s in stmts:
        read |= _loads(s) - bound if not isinstance(s, (ast.FunctionDef, ast.ClassDef)) else _free_loads(s)
        if isinstance(s, ast.Assign):
            bound |= {t.id for t in s.targets if isinstance(t, ast.Name)}
    return read


def _read_python(computed: list[ast.stmt], python: dict[str, ast.Assign]) -> list[ast.Assign]:
    """The Python values the graph statements read (directly or through each other): they stay in the loop."""
    needed = set().union(*(_free_loads(s) for s in computed)) if computed else set()
    for name, s in reversed(list(python.items())):
        if name in needed:
            needed |= _free_loads(s)
    return [s for name, s in python.items() if name in needed]


def _python_texts(code: str, python: dict[str, ast.Assign]) -> dict[str, str]:
    """Each Python value's text with the earlier ones written into it, parenthesised unless atomic."""
    out: dict[str, str] = {}
    for name, s in python.items():
        text = _substituted(code, s.value, out)
        atomic = isinstance(s.value, (ast.Name, ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Call, ast.Subscript))
        out[name] = text if atomic else f"({text})"
    return out


def _named(code: str, value: ast.expr, values: dict[str, str], scope: ast.expr | None, aliases: dict[str, str]) -> str:
    """A variable's value for the comprehension; made under the loop's name scope, its name keeps the scope's prefix
    (`name="conv-%s/W" % size`: TF1's 'conv-3/W:0', which gradient summary tags read through v.name)."""
    call = value if isinstance(value, ast.Call) and len(value.args) < 5 else None
    if scope is None or call is None or _tf_calls(ast.Call(call.func, [], []), aliases)[:1] != [ast.unparse(call.func)] \
            or not ast.unparse(call.func).endswith(".Variable"):
        return _substituted(code, value, values)
    given = next((k.value for k in call.keywords if k.arg == "name"), None)
    own = given.value if isinstance(given, ast.Constant) and isinstance(given.value, str) else "Variable" if given is None else None
    if own is None:
        return _substituted(code, value, values)
    head = ast.get_source_segment(code, scope.args[0]) if isinstance(scope, ast.Call) and len(scope.args) == 1 else None
    if head is None:
        return _substituted(code, value, values)
    fmt = scope.args[0]
    if isinstance(fmt, ast.BinOp) and isinstance(fmt.op, ast.Mod) and isinstance(fmt.left, ast.Constant) and "%" not in own:
        name = f"{ast.get_source_segment(code, fmt.left)[:-1]}/{own}{ast.get_source_segment(code, fmt.left)[-1]} % " \
               f"{ast.get_source_segment(code, fmt.right)}"
    else:
        atomic = isinstance(fmt, (ast.Name, ast.Call, ast.Constant, ast.JoinedStr, ast.Attribute))
        name = f"{head if atomic else f'({head})'} + {('/' + own)!r}"
    if given is not None:
        return _substituted(code, value, values, {id(given): name})
    text = _substituted(code, value, values)
    return text[:-1].rstrip().rstrip(",") + f", name={name})"


def _substituted(code: str, node: ast.expr, values: dict[str, str], nodes: dict[int, str] | None = None) -> str:
    """The source of `node` with each name of `values` read in it (and each node of `nodes`) replaced by its text."""
    text = ast.get_source_segment(code, node)
    base = (node.lineno, node.col_offset)
    found = [(n, values[n.id]) for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in values
             and isinstance(n.ctx, ast.Load)] + [(n, (nodes or {})[id(n)]) for n in ast.walk(node) if id(n) in (nodes or {})]
    lines = text.split("\n")
    for n, new in sorted(found, key=lambda f: (f[0].lineno, f[0].col_offset), reverse=True):
        row = n.lineno - base[0]
        col = n.col_offset - (base[1] if row == 0 else 0)
        line = lines[row].encode("utf-8")
        end = n.end_col_offset - (base[1] if n.end_lineno == base[0] else 0)
        lines[row] = (line[:col] + new.encode("utf-8") + line[end:]).decode("utf-8")
    return "\n".join(lines)


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


def _shared_lines(loop: ast.For, body: list[ast.stmt]) -> bool:
    """Two statements on one line (`a = f(x); W = tf.Variable(...)`), or the body on the `for` (or `with`) line."""
    rows = [s.lineno for s in body] + [s.end_lineno for s in body]
    return loop.body[0].lineno == loop.lineno or body[0].lineno == loop.body[0].lineno and body is not loop.body or len(
        {s.lineno for s in body}) != len(body) or any(a.end_lineno >= b.lineno for a, b in zip(body, body[1:])) or not rows


def _multiline_strings(loop: ast.For) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and n.lineno != n.end_lineno
               for n in ast.walk(loop))
