"""The converted flat program of a session-less model class (native/class_instances.py) folded back.

    model__W = tf.Variable(...)                        class TextModel(tf.Module):
    def model__loss(model__input_x):          ->           def __init__(self, vocab):
        return ... model__W ...                                super().__init__()
    def train_op(model__input_x):                              self.W = tf.Variable(...)
        variables = [model__W]                             def loss(self, input_x):
    train_op(xb)                                               return ... self.W ...
                                                       model = TextModel(20)
                                                       def train_op(input_x):
                                                           variables = [model.W]
                                                       train_op(xb)

Top-level statements that bind only `model__` names go into `__init__` (as `self.X`, or as plain
locals when nothing else reads them), `model__` functions become methods, and the rest of the
script reads `model.X`. The instance statement takes the place of the first folded statement.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from upgrader.native.class_flatten import NotAModel, _edits_text, as_method
from upgrader.native.class_instances import Instance


def _stores(s: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _locals(fn: ast.FunctionDef) -> set[str]:
    return {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)} | _stores(fn)


def _indent(text: str, pad: str) -> str:
    return "".join(pad + ln if ln.strip() else ln for ln in text.splitlines(keepends=True))


def fold(inst: Instance, converted: str, code: str, tf: str) -> str:
    """The converted flat script with the class and its instance back (see the module docstring)."""
    tree = ast.parse(converted)
    lines = converted.splitlines(keepends=True)
    pre = inst.prefix
    body = _container(tree, pre)
    members: list[ast.stmt] = []
    methods: list[ast.FunctionDef] = []
    for s in body:
        if isinstance(s, ast.FunctionDef) and s.name.startswith(pre):
            methods.append(s)
        elif _member_statement(s, pre):
            members.append(s)
    if not members:
        raise NotAModel("its converted form keeps nothing of the class")
    folded = {id(s) for s in members + methods}
    outer = [s for s in body if id(s) not in folded]
    first = min(s.lineno for s in members + methods)
    if any(pre in ast.unparse(s) for s in outer if s.end_lineno < first and not isinstance(s, (ast.Import, ast.ImportFrom))):
        raise NotAModel("its converted form reads the model's attributes before making the model")
    # names read through `self.` / `model.`: everything methods or the script read, and all attributes
    read = {n.id[len(pre):] for s in outer + methods for n in ast.walk(s)
            if isinstance(n, ast.Name) and n.id.startswith(pre) and not _local_to(n, s)}
    bound = {n[len(pre):] for s in members for n in _stores(s)}
    stored = read | inst.plan.attrs | {m.name[len(pre):] for m in methods} | (bound - inst.locals_ - set(inst.params))
    init = [_member(inst, s, lines, stored) for s in members]
    init = [t for t in init if t]
    outs: list[tuple[ast.stmt, str]] = [(m, _indent(_method(inst, m, lines), "    ")) for m in methods]
    cls_text = _class_text(inst, code, tf, init, [t for _, t in outs])
    new = [ln.encode("utf-8") for ln in lines]
    edits = []
    taken = {n.value for s in outer for n in ast.walk(s) if isinstance(n, ast.Constant) and isinstance(n.value, str)} | {
        k.arg for s in outer for k in ast.walk(s) if isinstance(k, ast.keyword) and k.arg}
    for s in outer:
        for n in ast.walk(s):
            if isinstance(n, ast.Name) and n.id.startswith(pre):
                edits.append((n, n.id[len(pre):] if _local_to(n, s) and not _clash(n.id, s, pre) else
                              n.id if _local_to(n, s) else f"{inst.name}.{n.id[len(pre):]}"))
            elif isinstance(n, ast.arg) and n.arg.startswith(pre) and not _clash(n.arg, s, pre):
                edits.append((n, n.arg[len(pre):] + (": " + ast.unparse(n.annotation) if n.annotation else "")))
        edits += _keys(s, pre, taken)
    for n, text in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        i = n.lineno - 1
        new[i] = new[i][:n.col_offset] + text.encode("utf-8") + new[i][n.end_col_offset:]
    call = inst.stmt.value
    made = f"{inst.name} = {ast.get_source_segment(code, call) or ast.unparse(call)}\n"
    first_stmt = min(members + methods, key=lambda s: s.lineno)
    pad = " " * first_stmt.col_offset
    for s in sorted(members + methods, key=lambda s: -s.lineno):
        start = min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", [])]) - 1
        end = s.end_lineno
        while s is not first_stmt and end < len(new) and not new[end].strip():
            end += 1   # the blank lines after a folded statement go with it
        new[start:end] = [(pad + made).encode("utf-8")] if s is first_stmt else []
    text = b"".join(new).decode("utf-8")
    if any(isinstance(n, ast.Name) and n.id.startswith(pre) for n in ast.walk(ast.parse(text))):
        raise NotAModel(f"its converted form reads the model's attributes outside the block that makes '{inst.name}'")
    head, tail = _split_at_original(text, code, inst)
    return head + cls_text + "\n\n" + tail


@dataclass(frozen=True)
class _Span:
    lineno: int
    col_offset: int
    end_col_offset: int


def _keys(s: ast.stmt, pre: str, taken: set[str]) -> list[tuple[_Span, str]]:
    """Feed keys and checkpoint names the conversion spelled from the flat names ("model__x", model__w=...),
    without the prefix where the script has no string or keyword of that name already (`taken`)."""
    strings = [n for n in ast.walk(s) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    out: list[tuple[_Span, str]] = [
        (_Span(n.lineno, n.col_offset, n.end_col_offset), f'"{n.value[len(pre):]}"') for n in strings
        if n.value.startswith(pre) and n.value[len(pre):].isidentifier() and n.value[len(pre):] not in taken
        and n.lineno == n.end_lineno]
    out += [(_Span(k.lineno, k.col_offset, k.col_offset + len(k.arg.encode("utf-8"))), k.arg[len(pre):])
            for k in ast.walk(s) if isinstance(k, ast.keyword) and k.arg and k.arg.startswith(pre)
            and k.arg[len(pre):] not in taken]
    return out


def _member_statement(s: ast.stmt, pre: str) -> bool:
    return not isinstance(s, (ast.FunctionDef, ast.ClassDef)) and bool(_stores(s)) and all(
        n.startswith(pre) for n in _stores(s))


def _container(tree: ast.Module, pre: str) -> list[ast.stmt]:
    """The statements the flat class was written among: the module's, or those of the function or block that
    made the instance (`def main(): model = Model(...)`), the first that holds one of its statements."""
    todo: list[list[ast.stmt]] = [tree.body]
    while todo:
        body = todo.pop(0)
        if any(isinstance(s, ast.FunctionDef) and s.name.startswith(pre) or _member_statement(s, pre) for s in body):
            return body
        for s in body:
            if not (isinstance(s, ast.FunctionDef) and s.name.startswith(pre)):
                todo += [b for f in ("body", "orelse", "finalbody") if isinstance(b := getattr(s, f, None), list) and b]
    return tree.body


def _split_at_original(text: str, code: str, inst: Instance) -> tuple[str, str]:
    """The converted script split where the class stood: after the statements that came before it in TF1 (or, where
    the upgrade changed those, right above the statement that makes the instance: after everything the class saw)."""
    before = [s for s in ast.parse(code).body if s.end_lineno < inst.plan.cls.lineno]
    tree = ast.parse(text)
    if [ast.dump(s) for s in tree.body[:len(before)]] == [ast.dump(s) for s in before]:
        n = len(before)
    else:   # the upgrade changed what came before the class: it goes just above the statement making the instance
        n = next((i for i, s in enumerate(tree.body) if any(
            isinstance(a, ast.Assign) and any(isinstance(t, ast.Name) and t.id == inst.name for t in a.targets) and
            isinstance(a.value, ast.Call) and isinstance(a.value.func, ast.Name) and a.value.func.id == inst.plan.cls.name
            for a in ast.walk(s))), len(tree.body))
    lines = text.splitlines(keepends=True)
    cut = tree.body[n - 1].end_lineno if n else 0
    head = "".join(lines[:cut]).rstrip("\n") + "\n\n\n" if cut else ""
    return head, "".join(lines[cut:]).lstrip("\n")


def _local_to(n: ast.Name, s: ast.stmt) -> bool:
    """Whether `n` is a parameter or local of the function `s` (a top-level def) it sits in."""
    return isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.id in _locals(s) and not any(
        n is m for d in s.decorator_list for m in ast.walk(d))


def _clash(name: str, s: ast.stmt, pre: str) -> bool:
    bare = name[len(pre):]
    return any(isinstance(m, ast.Name) and m.id == bare or isinstance(m, ast.arg) and m.arg == bare for m in ast.walk(s))


def _member(inst: Instance, s: ast.stmt, lines: list[str], stored: set[str]) -> str:
    """A folded top-level statement as __init__ text (8 spaces in), or "" when it only bound an argument."""
    pre, params = inst.prefix, set(inst.params)
    targets = {n[len(pre):] for n in _stores(s)}
    if isinstance(s, ast.Assign) and len(targets) == 1 and targets <= params and isinstance(s.targets[0], ast.Name) \
            and ast.unparse(s.value) == ast.unparse(ast.parse(inst.args[next(iter(targets))], mode="eval").body):
        p = next(iter(targets))   # model__vocab = 20: __init__'s own parameter
        return "" if p not in stored or p == "name" else f"        self.{p} = {p}\n"
    edits = []
    for n in ast.walk(s):
        if isinstance(n, ast.Name) and n.id.startswith(pre):
            bare = n.id[len(pre):]
            if bare == "name" and inst.plan.name_param:
                edits.append((n, "self.name"))
            elif bare in stored:
                edits.append((n, "self." + bare))
            else:
                edits.append((n, bare))
    return _indent(_edits_text(lines, s, edits, s.col_offset), " " * 8)


def _method(inst: Instance, fn: ast.FunctionDef, lines: list[str]) -> str:
    pre = inst.prefix
    local = _locals(fn)
    edits: list[tuple[ast.AST, str]] = []
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and n.id.startswith(pre):
            edits.append((n, n.id[len(pre):] if n.id in local else "self." + n.id[len(pre):]))
        elif isinstance(n, ast.arg) and n.arg.startswith(pre):
            edits.append((n, n.arg[len(pre):] + (": " + ast.unparse(n.annotation) if n.annotation else "")))
    text = _dedent(as_method(fn, lines, edits), fn.col_offset, fn.lineno)
    return text.replace(f"def {fn.name}(", f"def {fn.name[len(pre):]}(", 1)


def _dedent(text: str, width: int, line: int) -> str:
    """A def nested in the block that made the instance, moved to the class's indentation."""
    out = []
    for ln in text.splitlines(keepends=True):
        if ln.strip() and not ln[:width].isspace() and width:
            raise NotAModel(f"line {line}: a multi-line string at a lower indentation cannot be moved")
        out.append(ln[width:] if ln.strip() else ln)
    return "".join(out)


def _class_text(inst: Instance, code: str, tf: str, init: list[str], methods: list[str]) -> str:
    p = inst.plan
    lines = code.splitlines(keepends=True)
    doc = [_indent(_edits_text(lines, s, [], s.col_offset), "    ") for s in p.cls.body[:1]
           if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)]
    plain = [_indent(_edits_text(lines, m, [], m.col_offset), "    ") for m in p.plain]
    sup = f"super().__init__(name={p.name_param})" if p.name_param else "super().__init__()"
    params = ast.unparse(p.init.args)
    head = f"    def __init__({params}):\n        {sup}\n" + "".join(init)
    parts = doc + [head] + methods + plain
    return f"class {p.cls.name}({tf}.Module):\n" + "\n".join(part.rstrip("\n") + "\n" for part in parts)
