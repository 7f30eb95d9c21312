"""A converted model class folded back: the flat program's TF2 form as a tf.Module subclass.

    convert_classes(code, tree, upgrade)  ->  the file with each model class converted and its
                                              callers rid of the session, or a list of blockers

The flat program (native/class_flatten.py) converts like any script: its module-level objects
(Keras layers, optimizers, variables) become attributes made in `__init__`, its functions
methods taking `self`, and every name that was `self.X` in TF1 is `self.X` again:

    logits_layer = tf.keras.layers.Dense(3)       ->    self.logits_layer = tf.keras.layers.Dense(3)
    def logits(X): return logits_layer(X)         ->    def logits(self, X): return self.logits_layer(X)

Callers lose the session: `Model(sess, "m1")` -> `Model("m1")`; `sess = tf.Session()`, the
initialiser run and `sess.close()` go, and `with tf.Session() as sess:` gives way to its body.
"""
from __future__ import annotations

import ast
from typing import Callable

from upgrader.native.base import Blocked
from upgrader.native.class_flatten import (RENAMED, NotAModel, Plan, _edits_text, as_method, flat_program, late_builds,
                                           model_classes, plan)
from upgrader.native.class_eager_runs import eager_run
from upgrader.native.class_helpers import helper_edits, helper_text, helpers, split_helpers
from upgrader.native.class_instance_fold import fold
from upgrader.native.class_sessions import unwrap_withs
from upgrader.native.class_instances import flat_file, instance, sessionless_classes
from upgrader.native.segments import header, split_header, with_header

INIT_RUNS = frozenset({"global_variables_initializer", "initialize_all_variables", "local_variables_initializer"})


def convert_classes(code: str, tree: ast.Module, upgrade: Callable[[str], object]) -> str | list[Blocked] | None:
    """See the module docstring; None when the file has no model class."""
    classes = model_classes(tree)
    if not classes:
        return _convert_instances(code, tree, upgrade)
    tf = next((a.asname or a.name for s in tree.body if isinstance(s, ast.Import) for a in s.names
               if a.name == "tensorflow"), None)
    if tf is None:
        return [Blocked(classes[0].lineno, "native mode needs `import tensorflow as <name>`")]
    lines = code.splitlines(keepends=True)
    imports = header(tree)
    edits: list[tuple[ast.AST, str]] = []
    sessions: dict[str, int] = {}
    for cls in classes:
        try:
            late, calls = late_builds(cls, tree)
            p = plan(cls, late)
            p.module = tree
            used = helpers(cls, tree, tf)   # native/class_helpers.py: the functions it builds its graph with
            flat = helper_text(used, lines) + flat_program(p, lines, "", tf)
            edits += [(c, "") for c in calls]   # model.build(): part of __init__ now
        except NotAModel as e:
            return [Blocked(cls.lineno, f"class '{cls.name}': {e.args[0]}")]
        out = upgrade(with_header(code, imports, flat))
        if isinstance(out, list):
            return [Blocked(cls.lineno, f"class '{cls.name}', written out as a flat program: {b.reason}") for b in out]
        try:
            helped, part = split_helpers(split_header(out.code)[1])
            if helped and any(d is n for d in used for n, _ in edits):
                raise NotAModel("two model classes build their graphs with the same functions")
            edits += [(cls, _class_text(p, part, lines, tf))] + (helper_edits(used, helped) if helped else [])
        except (NotAModel, SyntaxError, ValueError) as e:
            return [Blocked(cls.lineno, f"class '{cls.name}': {e}")]
        if p.sess_param is not None:
            sessions[cls.name] = [a.arg for a in p.init.args.args].index(p.sess_param)
    new = _replace_statements(lines, edits)
    try:
        return _drop_sessions(new, tf, sessions)
    except NotAModel as e:
        return [Blocked(1, e.args[0])]


def _convert_instances(code: str, tree: ast.Module, upgrade: Callable[[str], object]) -> str | list[Blocked] | None:
    """A model class without a session and its one instance (native/class_instances.py), or None."""
    found = sessionless_classes(tree)
    if not found:
        return None
    cls = found[0]   # NOTE: a second such class is still in the flat program, which converts it in turn
    tf = _tf_name(tree)
    if tf is None:
        return [Blocked(cls.lineno, "native mode needs `import tensorflow as <name>`")]
    try:
        inst = instance(cls, tree, code)
        flat = flat_file(inst, code, tree)
    except NotAModel as e:
        return [Blocked(cls.lineno, f"class '{cls.name}': {e.args[0]}")]
    out = upgrade(flat)
    if isinstance(out, list):
        return [Blocked(cls.lineno, f"class '{cls.name}' (instance '{inst.name}'), written out as a flat program: "
                                    f"{b.reason}") for b in out]
    try:
        return fold(inst, out.code, code, tf)
    except (NotAModel, SyntaxError, ValueError) as e:
        return [Blocked(cls.lineno, f"class '{cls.name}': {e}")]


def _tf_name(tree: ast.Module) -> str | None:
    return next((a.asname or a.name for s in tree.body if isinstance(s, ast.Import) for a in s.names
                 if a.name == "tensorflow"), None)


def _replace_statements(lines: list[str], edits: list[tuple[ast.AST, str]]) -> str:
    out = list(lines)
    for node, text in sorted(edits, key=lambda e: -e[0].lineno):
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        out[first:node.end_lineno] = [text]
    return "".join(out)


def _indent(text: str, pad: str) -> str:
    return "".join(pad + ln if ln.strip() else ln for ln in text.splitlines(keepends=True))


def _class_text(p: Plan, converted: str, lines: list[str], tf: str) -> str:
    body = ast.parse(converted)
    clines = converted.splitlines(keepends=True)
    looped = {id(n) for g in ast.walk(body) if isinstance(g, ast.comprehension) for n in ast.walk(g.target)}
    top = {n.id for s in body.body if not isinstance(s, ast.FunctionDef) for n in ast.walk(s)   # NOTE: not the
           if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and id(n) not in looped}   # `size` of [.. for size in ..]
    members = top | p.attrs | {s.name for s in body.body if isinstance(s, ast.FunctionDef)} | {
        m.name for m in p.cls.body if isinstance(m, ast.FunctionDef)}
    init_lines, methods = [], []
    for s in body.body:
        if isinstance(s, ast.FunctionDef):
            methods.append(_indent(_method(s, clines, members), "    "))
        elif isinstance(s, (ast.Import, ast.ImportFrom, ast.ClassDef)):
            raise NotAModel("its conversion needs module-level imports or classes")
        else:
            edits = [(n, "self." + n.id) for n in ast.walk(s) if isinstance(n, ast.Name) and n.id in members]
            init_lines.append(_indent(_edits_text(clines, s, edits, 0), " " * 8))
    args = p.init.args
    params = ast.arguments(posonlyargs=[], args=[a for a in args.args if a.arg != p.sess_param], vararg=args.vararg,
                           kwonlyargs=args.kwonlyargs, kw_defaults=args.kw_defaults, kwarg=args.kwarg,
                           defaults=args.defaults)
    if len(params.defaults) > len(params.args) - 1:
        raise NotAModel("the session parameter has a default value")
    doc = [_indent(_edits_text(lines, s, [], s.col_offset), "    ") for s in p.cls.body[:1]
           if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)]
    config = [_indent(_edits_text(lines, s, [], s.col_offset), " " * 8) for s in p.config]
    plain = [_indent(_edits_text(lines, m, [], m.col_offset), "    ") for m in p.plain]
    sup = f"super().__init__(name={p.name_param})" if p.name_param else "super().__init__()"
    init = (f"    def __init__({ast.unparse(params)}):\n        {sup}\n" + "".join(config) + "".join(init_lines))
    parts = doc + [init] + methods + plain
    return f"class {p.cls.name}({tf}.Module):\n" + "\n".join(part.rstrip("\n") + "\n" for part in parts)


def _method(fn: ast.FunctionDef, lines: list[str], members: set[str]) -> str:
    """A converted module-level def as a method: `self` first, members read through self."""
    local = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)} | {
        n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    edits: list[tuple[ast.AST, str]] = []
    in_decorators = set()
    for d in fn.decorator_list:   # no `self` there: a member in an input_signature shape is left open (None)
        in_decorators |= {id(n) for n in ast.walk(d)}
        parts = {id(e) for n in ast.walk(d) if isinstance(n, (ast.List, ast.Tuple)) for e in n.elts}
        used = [n for n in ast.walk(d) if isinstance(n, ast.Name) and n.id in members]
        if any(id(n) not in parts for n in used) and isinstance(d, ast.Call):
            edits.append((d, ast.unparse(d.func)))
        else:
            edits += [(n, "None") for n in used]
    for n in ast.walk(fn):
        if id(n) in in_decorators:
            continue
        if isinstance(n, ast.Name) and n.id.endswith(RENAMED):
            edits.append((n, n.id[:-len(RENAMED)]))
        elif isinstance(n, ast.arg) and n.arg.endswith(RENAMED):
            edits.append((n, n.arg[:-len(RENAMED)] + (": " + ast.unparse(n.annotation) if n.annotation else "")))
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in members and n.id not in local:
            edits.append((n, "self." + n.id))
    return as_method(fn, lines, edits)


def _drop_sessions(code: str, tf: str, classes: dict[str, int]) -> str:
    """Callers without the session (see the module docstring); raises NotAModel where it is used otherwise."""
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    makers = {f"{tf}.Session", f"{tf}.InteractiveSession", f"{tf}.compat.v1.Session", f"{tf}.compat.v1.InteractiveSession"}
    names = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
             and ast.unparse(n.value.func) in makers for t in n.targets if isinstance(t, ast.Name)}
    withs = [n for n in ast.walk(tree) if isinstance(n, ast.With) and len(n.items) == 1
             and isinstance(n.items[0].context_expr, ast.Call) and ast.unparse(n.items[0].context_expr.func) in makers
             and isinstance(n.items[0].optional_vars, ast.Name)]
    names |= {w.items[0].optional_vars.id for w in withs}
    edits: list[tuple[ast.AST, str]] = []
    used: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and ast.unparse(n.value.func) in makers:
            edits.append((n, "")); used.update(id(m) for m in ast.walk(n))
        elif isinstance(n, ast.Expr) and isinstance(c := n.value, ast.Call) and isinstance(c.func, ast.Attribute) and \
                isinstance(c.func.value, ast.Name) and c.func.value.id in names and (c.func.attr == "close" or (
                    c.func.attr == "run" and len(c.args) == 1 and isinstance(c.args[0], ast.Call)
                    and getattr(c.args[0].func, "attr", "") in INIT_RUNS)):
            edits.append((n, "")); used.update(id(m) for m in ast.walk(n))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in classes:
            pos = classes[n.func.id] - 1
            args = [a for i, a in enumerate(n.args) if i != pos]
            kept = [ast.get_source_segment(code, a) for a in args] + [ast.get_source_segment(code, k) for k in n.keywords]
            if len(n.args) <= pos or not (isinstance(n.args[pos], ast.Name) and n.args[pos].id in names) or None in kept:
                raise NotAModel(f"line {n.lineno}: {n.func.id}(...) is not given the session as its argument {pos + 1}")
            edits.append((n, f"{n.func.id}({', '.join(kept)})")); used.add(id(n.args[pos]))
        elif isinstance(n, ast.Call) and (eager := eager_run(tree, n, names)) is not None:   # class_eager_runs.py
            edits.append((n, eager)); used.update(id(m) for m in ast.walk(n))
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id in names and id(n) not in used and not any(
                n is w.items[0].optional_vars for w in withs):
            raise NotAModel(f"line {n.lineno}: the session '{n.id}' is used other than by the model classes")
    new = _apply(lines, edits)
    return unwrap_withs(new, lambda c: isinstance(c, ast.Call) and ast.unparse(c.func) in makers)


def _apply(lines: list[str], edits: list[tuple[ast.AST, str]]) -> str:
    out = [ln.encode("utf-8") for ln in lines]
    for n, new in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        if isinstance(n, ast.stmt) and not new:
            out[n.lineno - 1:n.end_lineno] = []
            continue
        if n.lineno != n.end_lineno:
            raise NotAModel(f"line {n.lineno}: a call spread over several lines")
        i = n.lineno - 1
        out[i] = out[i][:n.col_offset] + new.encode("utf-8") + out[i][n.end_col_offset:]
    return b"".join(out).decode("utf-8")
