"""Session configurations given inline or filled field by field: TF2's process-wide settings at the session.

    sess = tf.Session(config=tf.ConfigProto(log_device_placement=True))
    ->  tf.debugging.set_log_device_placement(True)
        sess = tf.Session()

    config = tf.ConfigProto()                   ->  (gone)
    config.allow_soft_placement = True          ->  (gone)
    config.gpu_options.allow_growth = True      ->  (gone)
    sess = tf.Session(config=config)            ->  tf.config.set_soft_device_placement(True)
                                                    sess = tf.Session()
    and, after `import tensorflow as tf`, when that session is the program's first:
        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)

TF2 has no session to configure: placement logging and soft placement are set for the process,
where each session was made, with the fields its configuration held then (a setting already in
force is not repeated). GPU options are the process's in TF1 too: the first session fixes its GPU
allocator and later sessions' gpu_options are ignored, so those of a later session go, and
allow_growth of the first becomes memory growth on every GPU before anything runs (TF2 cannot
change it once a GPU is initialised). per_process_gpu_memory_fraction of the first session, or
any other field, keeps the file in compat form with its name. A configuration kept in a name with
keyword fields only is native/session_configs.py's.

    session_option_spans(tree, aliases, source) -> [((line, col, end_line, end_col), new text)]
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.native.base import Blocked
from upgrader.scan import aliased_key

SESSIONS = ("tf.Session", "tf.InteractiveSession")
SETTERS = {"log_device_placement": "debugging.set_log_device_placement",
           "allow_soft_placement": "config.set_soft_device_placement"}
LATER = "TF1 sized GPU memory when the program's first session was made and ignores a later session's gpu_options"
NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.While, ast.AsyncFor)


def _key(aliases: dict[str, str], node: ast.AST) -> str:
    return (aliased_key(aliases, node) or "").replace("tf.compat.v1.", "tf.")


def _fields(aliases: dict[str, str], call: ast.Call) -> dict[str, ast.expr] | None:
    """`tf.ConfigProto(a=1, gpu_options=tf.GPUOptions(allow_growth=True))` -> {a: 1, gpu_options.allow_growth: True}."""
    if call.args or any(k.arg is None for k in call.keywords):
        return None
    out: dict[str, ast.expr] = {}
    for k in call.keywords:
        if k.arg == "gpu_options":
            inner = k.value
            if not (isinstance(inner, ast.Call) and _key(aliases, inner.func) == "tf.GPUOptions") or inner.args or any(
                    g.arg is None for g in inner.keywords):
                return None
            out |= {f"gpu_options.{g.arg}": g.value for g in inner.keywords}
        else:
            out[k.arg] = k.value
    return out


def _set_field(stmt: ast.stmt, names: set[str]) -> tuple[str, str, ast.expr] | None:
    """`config.allow_soft_placement = v` / `config.gpu_options.allow_growth = v` -> (name, field, v)."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(t := stmt.targets[0], ast.Attribute)):
        return None
    if isinstance(t.value, ast.Name) and t.value.id in names:
        return t.value.id, t.attr, stmt.value
    inner = t.value
    if isinstance(inner, ast.Attribute) and inner.attr == "gpu_options" and isinstance(inner.value, ast.Name) \
            and inner.value.id in names:
        return inner.value.id, f"gpu_options.{t.attr}", stmt.value
    return None


def session_option_spans(tree: ast.Module, aliases: dict[str, str], source: Callable[[ast.AST], str]) -> list:
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    sessions = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and _key(aliases, c.func) in SESSIONS]
    sessions.sort(key=lambda c: (c.lineno, c.col_offset))
    named = {s.targets[0].id: s for s in tree.body if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(
        s.targets[0], ast.Name) and isinstance(s.value, ast.Call) and _key(aliases, s.value.func) == "tf.ConfigProto"}
    sets = {n: [] for n in named}
    for s in tree.body:
        if (found := _set_field(s, set(named))) is not None:
            sets[found[0]].append((s, found[1], found[2]))
    for name in list(named):   # NOTE: every other read of the name keeps it (a proto passed on, printed, copied)
        loads = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
        stores = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
        given = [k for c in sessions for k in c.keywords if k.arg == "config" and isinstance(k.value, ast.Name)
                 and k.value.id == name]
        plain = not sets[name] and all(not k.startswith("gpu_options") for k in _fields(aliases, named[name].value) or {})
        if len(stores) != 1 or len(loads) != len(given) + len(sets[name]) or _fields(aliases, named[name].value) is None \
                or plain:   # NOTE: `conf = tf.ConfigProto(allow_soft_placement=...)` alone: native/session_configs.py
            del named[name]
    spans: list = []
    state: dict[str, str] = {}   # process-wide settings written so far at module level
    first = sessions[0] if sessions and not _nested(parents, sessions[0]) else None
    for call in sessions:
        config = next((k for k in call.keywords if k.arg == "config"), None)
        if config is None:
            continue
        if isinstance(config.value, ast.Call) and _key(aliases, config.value.func) == "tf.ConfigProto":
            fields = _fields(aliases, config.value)
        elif isinstance(config.value, ast.Name) and config.value.id in named:
            fields = _fields(aliases, named[config.value.id].value) | {
                f: v for s, f, v in sets[config.value.id] if (s.lineno, s.col_offset) < (call.lineno, call.col_offset)}
        else:
            continue
        if fields is None:
            continue
        stmt = _statement(parents, call)
        lines = _settings(aliases, source, fields, call, first, parents, state if stmt in tree.body else {})
        growth = lines.pop("growth", None)
        if growth is not None:
            spans.append(_after_import(tree, aliases, growth))
        rest = [source(a) for a in call.args] + [source(k) for k in call.keywords if k is not config]
        spans.append(((call.lineno, call.col_offset, call.end_lineno, call.end_col_offset),
                      f"{source(call.func)}({', '.join(rest)})"))
        if lines:
            pad = "\n" + " " * stmt.col_offset
            spans.append(((stmt.lineno, stmt.col_offset, stmt.lineno, stmt.col_offset),
                          pad.join(lines.values()) + pad))
    for name, assign in named.items():
        for s in [assign] + [s for s, _, _ in sets[name]]:
            spans.append(((s.lineno, s.col_offset, s.end_lineno, s.end_col_offset), "pass" if _alone(parents, s) else ""))
    return spans


def _settings(aliases, source, fields: dict[str, ast.expr], call: ast.Call, first: ast.Call | None, parents,
              state: dict[str, str]) -> dict[str, str]:
    """field -> the TF2 statement setting it for the process ('growth': the memory-growth loop); Blocked if none."""
    tf = source(call.func).split(".")[0]
    out: dict[str, str] = {}
    for field, value in fields.items():
        text = source(value)
        if field in SETTERS:
            if state.get(field) != text:
                out[field] = f"{tf}.{SETTERS[field]}({text})"
                state[field] = text
        elif not field.startswith("gpu_options."):
            raise Blocked(value.lineno, f"tf.ConfigProto field '{field}' has no TF2 process-wide setting native mode "
                                        "writes (log_device_placement, allow_soft_placement and gpu_options.allow_growth do)")
        elif call is not first and first is not None and not _nested(parents, call):
            continue   # NOTE: LATER: TF1 ignored it, so TF2 does too
        elif call is not first:
            raise Blocked(value.lineno, f"{field} of a session that may be the program's first: {LATER}, and which "
                                        "session comes first is not known statically")
        elif field == "gpu_options.allow_growth":
            out["growth"] = (f'for gpu in {tf}.config.list_physical_devices("GPU"):\n'
                             f"    {tf}.config.experimental.set_memory_growth(gpu, {text})")
        else:
            raise Blocked(value.lineno, f"{field} of the program's first session has no TF2 form native mode writes "
                                        "(tf.config.set_logical_device_configuration takes a memory limit in MB)")
    return out


def _nested(parents, node: ast.AST) -> bool:
    """Inside a def, class, lambda or loop: made at a time (or a number of times) not known statically."""
    while (node := parents.get(id(node))) is not None:
        if isinstance(node, NESTED):
            return True
    return False


def _statement(parents, node: ast.AST) -> ast.stmt:
    while not isinstance(node, ast.stmt):
        node = parents[id(node)]
    return node


def _alone(parents, stmt: ast.stmt) -> bool:
    """The only statement of its block: removing it needs a `pass`."""
    parent = parents.get(id(stmt))
    return any(getattr(parent, f, None) == [stmt] for f in ("body", "orelse", "finalbody"))


def _after_import(tree: ast.Module, aliases: dict[str, str], text: str) -> tuple:
    """A span inserting `text` after the module-level `import tensorflow` statement."""
    imp = next((s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom)) and any(
        aliases.get(a.asname or a.name) == "tensorflow" for a in s.names)), None)
    if imp is None:
        raise Blocked(1, "gpu_options.allow_growth: memory growth must be set before anything runs, right after "
                         "`import tensorflow as tf` at module level, which this file does not have")
    return (imp.end_lineno, imp.end_col_offset, imp.end_lineno, imp.end_col_offset), "\n" + text
