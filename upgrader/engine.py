"""Upgrade one source string: parse with `ast`, rewrite the found regions with LibCST, verify.

    upgrade_source("import tensorflow as tf\\nx = tf.to_float(y)\\n").code
    -> 'import tensorflow as tf\\nx = tf.cast(y, tf.float32)\\n'

Never returns code that does not parse: on any doubt the input comes back unchanged
with an error in `Result.diagnostics`.
"""
from __future__ import annotations

import ast
from pathlib import Path
import re
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import libcst as cst

from upgrader.modes import DEFAULT_MODE, rules_for
from upgrader.region_cache import cached_rewrite
from upgrader.rule import Context, Diagnostic, Rule
from upgrader.scan import COMPAT, TF, Region, Scanner, collect_aliases
from upgrader.tables import tables

# method names only TF1 objects have: a file calling them is TF1 code even without an import
TF1_METHODS = frozenset({"make_one_shot_iterator", "make_initializable_iterator", "export_savedmodel"})
_LINES = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")
_HOOKS = ("leave_Call", "leave_Attribute", "leave_Name", "leave_Import", "leave_ImportFrom")


@dataclass
class Result:
    """The upgraded code and what happened to it."""

    code: str
    original: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.code != self.original

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


class _Dispatch(cst.CSTTransformer):
    """Runs every rule's hooks on one region, first rule to return a new node wins."""

    def __init__(self, rules: list[Rule]) -> None:
        super().__init__()
        self.hooks = {h: [getattr(r, h) for r in rules if h in type(r).__dict__ or _inherits(type(r), h)] for h in _HOOKS}
        self.inner: set[cst.CSTNode] = set()   # names that are not references of their own
        self.attr_of: dict[cst.CSTNode, str] = {}   # x -> "y" for each `x.y`: what a rule's node is used for

    # NOTE: LibCST's own on_visit/on_leave build "visit_<Type>" strings and getattr them for every node and
    # every field; one dict lookup by type does the same for the few hooks this visitor has.
    def on_visit(self, node: cst.CSTNode) -> bool:
        fn = _VISITS.get(type(node))
        return True if fn is None else fn(self, node) is not False

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        fn = _LEAVES.get(type(original))
        return updated if fn is None else fn(self, original, updated)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original: cst.CSTNode, attribute: str) -> None:
        return None

    def _run(self, hook: str, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        for fn in self.hooks[hook]:
            result = fn(original, updated)
            if result is not updated:
                return result
        return updated

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.inner.add(node.value)
        self.attr_of[node.value] = node.attr.value
        self.inner.add(node.attr)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.inner.add(node.keyword)

    def visit_Param(self, node: cst.Param) -> None:
        self.inner.add(node.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        return self._run("leave_Call", original, updated)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        return updated if original in self.inner else self._run("leave_Attribute", original, updated)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return updated if original in self.inner else self._run("leave_Name", original, updated)

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.BaseSmallStatement:
        return self._run("leave_Import", original, updated)

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.BaseSmallStatement:
        return self._run("leave_ImportFrom", original, updated)


_VISITS = {getattr(cst, n[len("visit_"):]): f for n, f in vars(_Dispatch).items() if n.startswith("visit_")}
_LEAVES = {getattr(cst, n[len("leave_"):]): f for n, f in vars(_Dispatch).items() if n.startswith("leave_")}


def _inherits(cls: type, hook: str) -> bool:
    return any(hook in k.__dict__ for k in cls.__mro__ if k is not Rule and k is not object)


def _rewrite(text: str, kind: str, dispatch: _Dispatch) -> str:
    if kind == "stmt":
        stmt = cst.parse_statement(text + "\n")
        return cst.Module([]).code_for_node(stmt.visit(dispatch)).rstrip("\r\n")
    root = cst.parse_expression("(" + text + ")")
    root = root.with_changes(lpar=root.lpar[1:], rpar=root.rpar[:-1])
    module = cst.Module([])
    if module.code_for_node(root) != text:   # NOTE: never splice text LibCST did not reproduce exactly
        raise ValueError("LibCST does not reproduce this expression exactly")
    return module.code_for_node(root.visit(dispatch))


def _syntax_error(code: str) -> tuple[int, int, str] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except SyntaxError as e:
        return e.lineno or 1, max((e.offset or 1) - 1, 0), f"{type(e).__name__}: {e.msg}"
    except (ValueError, RecursionError, MemoryError) as e:
        return 1, 0, f"{type(e).__name__}: {e}"
    return None


def upgrade_source(code: str, mode: str = DEFAULT_MODE, aliases: dict[str, str] | None = None,
                   insert_imports: bool = True, path: Path | None = None) -> Result:
    """Upgrade one module's source; `aliases` lets notebook cells share one import table.

    `path` (the file's, when there is one) lets native mode follow layer functions imported from beside it.

    Native mode restructures whole modules; notebook cells (`aliases` given) get its renames only.
    A file written with CRLF (or CR) line ends keeps them, whatever the mode.
    """
    nl = newline_of(code)
    if nl != "\n":
        # NOTE: modes see LF only, so lines they add cannot mix conventions; Python reads a string
        # literal's line breaks as "\n" whatever the file uses, so meaning is unchanged.
        inner = upgrade_source(code.replace(nl, "\n"), mode, aliases, insert_imports, path)
        return Result(inner.code.replace("\n", nl) if inner.changed else code, code, inner.diagnostics)
    if mode == "native" and aliases is None:
        from upgrader.native.run import upgrade_native
        result = upgrade_native(code, path)
    else:
        result = upgrade_rules(code, rules_for(mode), aliases, insert_imports, keywords=mode == "compat")
    if "import *" in code and not result.errors:
        result.diagnostics += star_import_warnings(code)
    return result


def newline_of(text: str) -> str:
    """The line-end convention: "\r\n" or "\r" when every line uses it, else "\n" (mixed files stay as they are)."""
    crlf = text.count("\r\n")
    if crlf:
        return "\r\n" if crlf == text.count("\n") == text.count("\r") else "\n"
    return "\r" if "\r" in text and "\n" not in text else "\n"


def star_import_warnings(code: str) -> list[Diagnostic]:
    """`from tensorflow import *` then `Session()`: the names it hides are left unchanged, so say so."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    stars = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level and n.module
             and n.module.split(".")[0] == TF and any(a.name == "*" for a in n.names)]
    if not stars:
        return []
    t, out = tables(), []
    bound = {a.asname or a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
             for a in n.names} | {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    used = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound)
    for star in stars:
        prefix = "tf" + star.module[len(TF):]
        hidden = [u for u in used if (row := t.rows.get(f"{prefix}.{u}")) is not None and (row.new or row.error)]
        if hidden:
            out.append(Diagnostic(star.lineno, star.col_offset, "imports", f"`from {star.module} import *` hides "
                                  f"where {', '.join(hidden[:5])}{' ...' if len(hidden) > 5 else ''} come from, so "
                                  f"they were left unchanged; use `import tensorflow as tf` and `tf.{hidden[0]}`, "
                                  "then upgrade again", "warning"))
    return out


def upgrade_rules(code: str, rule_types: Sequence[type[Rule]], aliases: dict[str, str] | None = None,
                  insert_imports: bool = True, keywords: bool = False) -> Result:
    """Run `rule_types`' hooks over the regions the scan finds (the compat engine).

    `keywords`: write a reordered call as tf_upgrade_v2 does, every positional argument a keyword
    (compat mode); otherwise the arguments that keep their place stay positional (native mode).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        line, col, msg = _syntax_error(code) or (1, 0, "unparsable")
        return Result(code, code, [Diagnostic(line, col, "parse", f"Failed to parse ({msg}); left unchanged", "error")])
    t = tables()
    known = collect_aliases(tree) if aliases is None else aliases
    notes: list[Diagnostic] = []
    if ("tf" not in known and "tf." in code) or "contrib_" in code or "slim." in code:
        known, notes = _implicit_aliases(tree, known)
    if aliases is None:
        notes += _versioned_imports(tree, known)
    attrs = frozenset().union(*(r.ATTRS for r in rule_types))
    if not known and aliases is None and _tf_methods(code, attrs) and "tf" not in _free_names(tree)[1]:
        known = {"tf": TF}   # NOTE: `ds.make_one_shot_iterator()` with no import: a snippet of a TF1 program
        notes.append(Diagnostic(1, 0, "imports", "no TensorFlow import, but TF1-only methods are called; "
                                "rewritten as if `import tensorflow as tf`", "info"))
    if not known:
        return Result(code, code, notes)
    scan = Scanner(code, t, known, attrs, frozenset().union(*(r.KEYS for r in rule_types))).run(tree)
    ctx = Context(scan=scan, tables=t, owned=frozenset().union(*(r.OWNS for r in rule_types)), diagnostics=notes,
                  keywords=keywords)
    ctx.facts = {r.NAME: f for r in rule_types if (f := r.file_facts(code)) is not None}
    rules = [r(ctx) for r in rule_types]
    dispatch = _Dispatch(rules)
    pure = all("compat" in r.MODES for r in rule_types)
    ctx.attr_of = dispatch.attr_of
    edits: list[tuple[int, int, str]] = []
    for region in scan.regions:
        ctx.line, ctx.col = region.line, region.col
        text = code[region.start:region.end]
        try:
            if pure:   # NOTE: compat rules only: those are pure functions of the region (region_cache.py)
                new = cached_rewrite(text, region.kind, ctx, rule_types, lambda: _rewrite(text, region.kind, dispatch))
            else:
                new = _rewrite(text, region.kind, dispatch)
        except Exception as e:   # NOTE: LibCST's grammar lags CPython's; never guess, leave the file alone
            return Result(code, code, [Diagnostic(region.line, region.col, "parse",
                                                  f"LibCST cannot handle this code ({type(e).__name__}); file left unchanged", "error")])
        if new != text:
            edits.append((region.start, region.end, new))
    new_code = _splice(code, edits)
    inserts = [ins for r in rules for ins in r.finish(new_code)]
    if ctx.need_tf_import and insert_imports and scan.tf_import_line is not None:
        inserts.insert(0, (scan.tf_import_line, f"import {TF}"))
    new_code = _insert_lines(new_code, inserts, edits, code)
    if new_code != code and (err := _syntax_error(new_code)) is not None:
        return Result(code, code, ctx.diagnostics + [Diagnostic(
            err[0], err[1], "engine", f"internal error: output would not parse ({err[2]}); file left unchanged", "error")])
    return Result(new_code, code, sorted(ctx.diagnostics, key=lambda d: (d.line, d.col)))


def _versioned_imports(tree: ast.AST, known: dict[str, str]) -> list[Diagnostic]:
    """`import tensorflow.compat.v1 as tf`: say once why its names are left as they are."""
    versioned = {n: q for n, q in known.items() if q in (COMPAT, TF + ".compat.v2")}
    if not versioned:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                name = a.asname or a.name
                if name in versioned:
                    out.append(Diagnostic(node.lineno, node.col_offset, "imports", f"`{versioned.pop(name)}` was "
                                          f"directly imported as `{name}`: code written against it runs on TF2 as it "
                                          "is, so its names are left unchanged", "info"))
    return out


def _tf_methods(code: str, attrs: frozenset[str]) -> bool:
    """A cheap text test: a TF1-only method (`.make_one_shot_iterator(`) or keyword is used."""
    return any(f".{a}(" in code for a in attrs if a in TF1_METHODS) or "colocate_gradients_with_ops=" in code


def _implicit_aliases(tree: ast.AST, known: dict[str, str]) -> tuple[dict[str, str], list[Diagnostic]]:
    """Names a snippet uses without binding: `tf` (no TensorFlow import at all), `contrib_<module>`, `slim`."""
    free, bound = _free_names(tree)
    notes: list[Diagnostic] = []
    if "tf" in free and "tf" not in known:
        if known.get(TF) == TF:
            notes.append(Diagnostic(free["tf"], 0, "imports", "`tf` is used but never bound; this file has an unaliased "
                                    "`import tensorflow`, so tf.* is left unchanged (import tensorflow as tf?)", "warning"))
        elif not any(q.startswith(TF) for q in known.values()):   # NOTE: a snippet or notebook cell: tf is TensorFlow
            known = {**known, "tf": TF}
            notes.append(Diagnostic(free["tf"], 0, "imports", "`tf` is used but never imported or assigned in this "
                                    "file; treated as `import tensorflow as tf`", "info"))
    contrib = {n: f"{TF}.contrib.{n[len('contrib_'):]}" for n in free if n.startswith("contrib_") and len(n) > 8}
    if "slim" in free:
        contrib["slim"] = f"{TF}.contrib.slim"
    for name, qual in sorted(contrib.items()):
        known = {**known, name: qual}
        notes.append(Diagnostic(free[name], 0, "imports", f"`{name}` is used but never bound; treated as "
                                f"`{qual.replace(TF, 'tf', 1)}`", "info"))
    if contrib and "tf" not in bound and "tf" not in known:
        known["tf"] = TF   # NOTE: where a rewrite needs tf.X, say tf, as the snippet's own tf.* would
    return known, notes


def _free_names(tree: ast.AST) -> tuple[dict[str, int], set[str]]:
    """Names read but bound nowhere in the file (import, assignment, def, argument) with a first line; the bound."""
    loads: dict[str, int] = {}
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads[node.id] = min(loads.get(node.id, node.lineno), node.lineno)
            else:
                bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name.split(".")[0]) for a in node.names)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, ast.MatchAs) and node.name:
            bound.add(node.name)
    return {n: line for n, line in loads.items() if n not in bound}, bound


def _splice(code: str, edits: list[tuple[int, int, str]]) -> str:
    parts, last = [], 0
    for start, end, new in sorted(edits):
        parts += [code[last:start], new]
        last = end
    return "".join(parts) + code[last:]


def _insert_lines(code: str, inserts: list[tuple[int, str]], edits: list[tuple[int, int, str]], original: str) -> str:
    """Insert whole lines after original line numbers, shifted by the line count the edits added."""
    if not inserts:
        return code
    lines = [x for x in _LINES.split(code) if x]
    nl = "\r\n" if "\r\n" in original else "\n"
    for _, (after, text) in sorted(enumerate(inserts), key=lambda i: (-i[1][0], -i[0])):
        delta = sum(new.count("\n") - original[s:e].count("\n") for s, e, new in edits
                    if original.count("\n", 0, s) < after)
        idx = after + delta
        if idx > 0 and idx <= len(lines) and not lines[idx - 1].endswith(("\n", "\r")):
            lines[idx - 1] += nl
        lines.insert(idx, text + nl)
    return "".join(lines)
